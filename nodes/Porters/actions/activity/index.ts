import type { INodeProperties } from 'n8n-workflow';

import type { PortersOperation } from '../router';
import * as create from './create';
import * as getMany from './getMany';

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
		{
			name: 'Get Many Activities',
			value: 'getMany',
			description: 'Read the activities of a candidate or resume, newest first, e.g. a LINE conversation',
			action: 'Get many activities',
		},
	],
	default: 'create',
};

export const parameters: INodeProperties[] = [...create.description, ...getMany.description];

export const operations: Record<string, PortersOperation> = { create, getMany };
