import type { INodeProperties } from 'n8n-workflow';

import type { PortersOperation } from '../router';
import * as create from './create';

export const operationSelector: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['activity'] } },
	options: [
		{
			name: 'Create Activity',
			value: 'create',
			description: 'Record an activity against a candidate or resume, e.g. an incoming LINE message',
			action: 'Create activity',
		},
	],
	default: 'create',
};

export const parameters: INodeProperties[] = [...create.description];

export const operations: Record<string, PortersOperation> = { create };
