/**
 * How every node of this package reports a failed item.
 *
 * - Errors leave a node as `NodeApiError` (the server refused) or `NodeOperationError` (the input or
 *   the setup is wrong), with the index of the item they belong to.
 * - With "Continue On Fail", an error becomes one output item paired with its input item:
 *   `{ error, description?, httpCode? }` — `error` says what went wrong, `description` what to do.
 * - Item numbers in messages are 0-based, like n8n's own "[item N]" and `$itemIndex`.
 */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type INode,
	type INodeExecutionData,
} from 'n8n-workflow';

export type NodeError = NodeApiError | NodeOperationError;

/** Keeps the node errors as they are; anything else becomes a NodeOperationError for the item. */
export function asNodeError(node: INode, caught: unknown, itemIndex?: number): NodeError {
	if (caught instanceof NodeApiError || caught instanceof NodeOperationError) return caught;
	return new NodeOperationError(node, caught as Error, itemIndex === undefined ? {} : { itemIndex });
}

/** The output item for a failed input item (Continue On Fail). */
export function errorItem(caught: unknown, itemIndex: number): INodeExecutionData {
	const error = caught as Error & { description?: string | null; httpCode?: string | null };
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	if (caught instanceof NodeApiError && error.httpCode) json.httpCode = error.httpCode;
	return { json, pairedItem: { item: itemIndex } };
}
