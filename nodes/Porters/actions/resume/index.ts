import type { INodeProperties } from 'n8n-workflow';

import type { PortersOperation } from '../router';
import * as get from './get';

export const operationSelector: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['resume'] } },
	options: [
		{
			name: 'Get Resume',
			value: 'get',
			description: 'Read resumes with fields of their candidate (LINE user ID, owner, name, …)',
			action: 'Get resume',
		},
	],
	default: 'get',
};

export const parameters: INodeProperties[] = [...get.description];

export const operations: Record<string, PortersOperation> = { get };
