/**
 * Runs the chosen PORTERS operation on all input items at once: writes are batched across
 * items (up to 200 per request), so an operation receives every item rather than one at a time.
 */
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import type { PortersResource } from '../../../core/porters/resources';
import * as activity from './activity';
import * as candidate from './candidate';
import * as resume from './resume';
import * as user from './user';

export interface PortersOperation {
	execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
}

const OPERATIONS: Record<PortersResource | 'user', Record<string, PortersOperation>> = {
	candidate: candidate.operations,
	resume: resume.operations,
	activity: activity.operations,
	user: user.operations,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as keyof typeof OPERATIONS;
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = OPERATIONS[resource]?.[operation];
	if (!handler) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for ${resource}`);
	}
	return [await handler.execute.call(this, items)];
}
