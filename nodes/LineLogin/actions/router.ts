/**
 * Runs the selected LINE Login operation item by item, with the credential read and checked once.
 * Each item gets its own output or, with "Continue On Fail", its own error item paired with it.
 */
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { asNodeError, errorItem } from '../../shared/errors';
import { loadLoginSettings, type LoginSettings } from '../transport';
import * as link from './link';

const operations = link.operations;

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = operations[operation];
	if (!handler) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}

	let settings: LoginSettings;
	try {
		settings = await loadLoginSettings.call(this);
	} catch (caught) {
		// A broken credential fails every item alike.
		const error = asNodeError(this.getNode(), caught);
		if (!this.continueOnFail()) throw error;
		return [items.map((_item, itemIndex) => errorItem(error, itemIndex))];
	}

	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const json = await handler.execute.call(this, itemIndex, settings);
			output.push({ json, pairedItem: { item: itemIndex } });
		} catch (caught) {
			const error = asNodeError(this.getNode(), caught, itemIndex);
			if (!this.continueOnFail()) throw error;
			output.push(errorItem(error, itemIndex));
		}
	}
	return [output];
}
