import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { operationSelectors, properties } from './actions/description';
import { operationSubtitle } from '../shared/operationSubtitle';
import { route } from './actions/router';
import { PORTERS_CREDENTIAL } from '../Porters/transport';
import { LINE_CREDENTIAL } from './transport';

export class Line implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'LINE',
		name: 'line',
		icon: { light: 'file:line.svg', dark: 'file:line.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: operationSubtitle(operationSelectors),
		description:
			'Send LINE messages (push, reply, multicast), mark chats read, read profiles and quota, and check the LINE setup',
		defaults: { name: 'LINE' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [
			{ name: LINE_CREDENTIAL, required: true },
			{
				// Optional: when attached, Check Setup also checks that PORTERS can be reached.
				name: PORTERS_CREDENTIAL,
				required: false,
				displayOptions: { show: { resource: ['account'], operation: ['checkSetup'] } },
			},
		],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route.call(this);
	}
}
