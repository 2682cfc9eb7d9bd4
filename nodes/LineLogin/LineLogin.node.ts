import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as link from './actions/link';
import { route } from './actions/router';
import { operationSubtitle } from '../shared/operationSubtitle';
import { LINE_LOGIN_CREDENTIAL } from './transport';

export class LineLogin implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'LINE Login',
		name: 'lineLogin',
		icon: { light: 'file:lineLogin.svg', dark: 'file:lineLogin.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: operationSubtitle([link.operationSelector]),
		description:
			'Link PORTERS candidates to their LINE accounts: a per-candidate LINE Login URL, and the login callback that verifies it',
		defaults: { name: 'LINE Login' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: LINE_LOGIN_CREDENTIAL, required: true }],
		properties: [
			link.operationSelector,
			...Object.values(link.operations).flatMap((operation) => operation.description),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route.call(this);
	}
}
