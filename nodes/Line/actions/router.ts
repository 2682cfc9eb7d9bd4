/**
 * Runs the selected operation for the input items in two passes: first every item's input is
 * read and checked (no request yet), then the requests are made item by item. Each item gets its
 * own results or, with "Continue On Fail", its own error item; every output item points back to
 * its input item.
 */
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { asNodeError, errorItem, type NodeError } from '../../shared/errors';
import * as account from './account';
import * as chat from './chat';
import * as message from './message';
import { ItemWithBinary, RunState, type LineOperation, type OperationResult } from './operation';
import * as replyLink from './replyLink';
import * as user from './user';

/** Resource → operation → implementation. */
export const operations: Record<string, Record<string, LineOperation>> = {
	message: message.operations,
	chat: chat.operations,
	user: user.operations,
	account: account.operations,
	replyLink: replyLink.operations,
};

type Prepared = { ok: true; value: unknown } | { ok: false; error: NodeError };

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = operations[resource]?.[operation];
	if (!handler) {
		const unknown = `The operation "${operation}" of "${resource}" is not known`;
		throw new NodeOperationError(this.getNode(), unknown);
	}

	const run = new RunState();
	const prepared: Prepared[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			prepared.push({ ok: true, value: handler.prepare.call(this, itemIndex, run) });
		} catch (caught) {
			const error = asNodeError(this.getNode(), caught, itemIndex);
			if (!this.continueOnFail()) throw error;
			prepared.push({ ok: false, error });
		}
	}

	const output: INodeExecutionData[] = [];
	for (const [itemIndex, input] of prepared.entries()) {
		if (!input.ok) {
			output.push(errorItem(input.error, itemIndex));
			continue;
		}
		try {
			const results = await handler.execute.call(this, itemIndex, input.value);
			output.push(
				...this.helpers.constructExecutionMetaData(results.map(asExecutionItem), {
					itemData: { item: itemIndex },
				}),
			);
		} catch (caught) {
			const error = asNodeError(this.getNode(), caught, itemIndex);
			if (!this.continueOnFail()) throw error;
			output.push(errorItem(error, itemIndex));
		}
	}
	return [output];
}

function asExecutionItem(result: OperationResult): INodeExecutionData {
	if (result instanceof ItemWithBinary) return { json: result.json, binary: result.binary };
	return { json: result };
}
