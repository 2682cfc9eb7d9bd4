import type { INodeProperties } from 'n8n-workflow';

import type { PortersOperation } from '../router';
import * as get from './get';

export const operationSelector: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['user'] } },
	options: [
		{
			name: 'Get User',
			value: 'get',
			description: "Look up a PORTERS user's name and e-mail by ID, e.g. a candidate's owner",
			action: 'Get user',
		},
	],
	default: 'get',
};

export const parameters: INodeProperties[] = [...get.description];

export const operations: Record<string, PortersOperation> = { get };
