import {
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as generateLinkUrl from './actions/generateLinkUrl';
import * as linkCandidate from './actions/linkCandidate';
import { LINE_LOGIN_CREDENTIAL, loadLoginSettings, type LoginSettings } from './transport';

const operations = { generateLinkUrl, linkCandidate } as const;

export class LineLogin implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'LINE Login',
		name: 'lineLogin',
		icon: { light: 'file:lineLogin.svg', dark: 'file:lineLogin.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ $parameter["operation"] === "linkCandidate" ? "Link Candidate" : "Generate Link URL" }}',
		description:
			'Link PORTERS candidates to their LINE accounts: a per-candidate LINE Login URL, and the login callback that verifies it',
		defaults: { name: 'LINE Login' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: LINE_LOGIN_CREDENTIAL, required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'generateLinkUrl',
				options: [
					{
						name: 'Generate Link URL',
						value: 'generateLinkUrl',
						description: 'Create a signed LINE Login URL for one candidate, to send by mail',
						action: 'Generate link URL',
					},
					{
						name: 'Link Candidate',
						value: 'linkCandidate',
						description:
							'Handle the LINE Login callback: verify the link and return the LINE user ID for the candidate',
						action: 'Link candidate',
					},
				],
			},
			...generateLinkUrl.description,
			...linkCandidate.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
		const action = operations[operation];
		if (!action) {
			throw new NodeOperationError(
				this.getNode(),
				`The operation "${String(operation)}" is not supported`,
			);
		}
		let settings: LoginSettings;
		try {
			settings = await loadLoginSettings.call(this);
		} catch (error) {
			if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), error as Error);
			return [
				items.map((_item, i) => ({
					json: { error: (error as Error).message },
					pairedItem: { item: i },
				})),
			];
		}
		return [await action.execute.call(this, items, settings)];
	}
}
