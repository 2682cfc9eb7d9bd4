/**
 * Multicast: one message to any number of users, sent in requests of at most 500 recipients,
 * each request with its own X-Line-Retry-Key.
 */
import { NodeApiError, type IDataObject, type IExecuteFunctions, type JsonObject } from 'n8n-workflow';
import {
	MAX_MULTICAST_RECIPIENTS,
	batches,
	parseRecipientList,
	validateRecipients,
	type LineMessage,
} from '../../../../core/line/messages';
import { retryKeyFor, webhookEventIdOf, type RetryKey } from '../../../../core/line/retryKey';
import { isAcceptedRetryKeyConflict, lineApiError, lineApiRequest } from '../../transport';
import { forOperation } from '../../../shared/displayOptions';
import { defineOperation, type RunState } from '../operation';
import { inputError } from '../../helpers/parameters';
import { retryPolicy } from '../../helpers/retryPolicy';
import { messageProperties, sendOptions } from './message.descriptions';
import { readMessages } from './readMessages';

export const description = forOperation('message', 'multicast', [
	{
		displayName: 'User IDs',
		name: 'userIds',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		placeholder: 'U4af4980629b8f2f9d1b34f6b0e1a7c01, U9c3e5a7b1d2f4e6a8b0c2d4e6f8a0b1c',
		description:
			'User IDs separated by commas, spaces or line breaks, or an expression giving a list. Any number: they are sent in requests of 500. Duplicates are sent once.',
	},
	...messageProperties,
	sendOptions(true),
]);

interface MulticastPlan {
	recipientCount: number;
	messages: LineMessage[];
	notificationDisabled: boolean;
	requests: Array<{ to: string[]; retryKey: RetryKey }>;
}

interface BatchResult extends IDataObject {
	batch: number;
	recipients: number;
	duplicate: boolean;
	retryKey: string;
	requestId: string | null;
}

function prepare(this: IExecuteFunctions, itemIndex: number, run: RunState): MulticastPlan {
	const userIds = parseRecipientList(this.getNodeParameter('userIds', itemIndex, ''));
	if (userIds.length === 0) {
		throw inputError(this, itemIndex, [{ property: 'to', message: 'needs at least one user ID' }]);
	}
	const recipientProblems = validateRecipients(userIds, 'users', 'to');
	if (recipientProblems.length > 0) throw inputError(this, itemIndex, recipientProblems);
	const messages = readMessages(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const webhookEventId = webhookEventIdOf(this.getInputData()[itemIndex]?.json);
	const customKey = typeof options.retryKey === 'string' ? options.retryKey : undefined;
	const occurrence = webhookEventId ? run.occurrence(`${webhookEventId} ${userIds.join(',')}`) : 0;
	const requests = batches(userIds, MAX_MULTICAST_RECIPIENTS).map((to, batchIndex) => ({
		to,
		retryKey: retryKeyFor({
			customKey,
			webhookEventId,
			nodeId: this.getNode().id,
			batchIndex,
			recipients: to,
			occurrence,
		}),
	}));
	return {
		recipientCount: userIds.length,
		messages,
		notificationDisabled: options.notificationDisabled === true,
		requests,
	};
}

async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	plan: MulticastPlan,
): Promise<IDataObject[]> {
	const backoff = retryPolicy(this, itemIndex);
	const results: BatchResult[] = [];
	for (const [index, { to, retryKey }] of plan.requests.entries()) {
		const body: IDataObject = { to, messages: plan.messages };
		if (plan.notificationDisabled) body.notificationDisabled = true;
		try {
			const response = await lineApiRequest.call(this, {
				method: 'POST',
				path: '/v2/bot/message/multicast',
				body,
				headers: { 'X-Line-Retry-Key': retryKey.key },
				acceptStatus: [409],
				backoff,
				itemIndex,
			});
			const duplicate = isAcceptedRetryKeyConflict(response);
			if (response.statusCode === 409 && !duplicate) throw lineApiError(this, response, itemIndex);
			results.push({
				batch: index,
				recipients: to.length,
				duplicate,
				retryKey: retryKey.key,
				requestId:
					(duplicate ? response.headers['x-line-accepted-request-id'] : undefined) ||
					response.requestId ||
					null,
			});
		} catch (error) {
			throw partialFailure(this, itemIndex, error as Error, results, plan.requests.length);
		}
	}
	return [
		{
			sent: true,
			duplicate: results.every((r) => r.duplicate),
			recipientCount: plan.recipientCount,
			newlySentTo: results.reduce((sum, r) => sum + (r.duplicate ? 0 : r.recipients), 0),
			requestCount: results.length,
			messageCount: plan.messages.length,
			batches: results,
		},
	];
}

/** Says which batches already went out, so nobody re-sends them by hand. */
function partialFailure(
	ctx: IExecuteFunctions,
	itemIndex: number,
	error: Error,
	done: BatchResult[],
	total: number,
): Error {
	if (done.length === 0 || !(error instanceof NodeApiError)) return error;
	const reached = done.reduce((sum, r) => sum + r.recipients, 0);
	const summary =
		`batch ${done.length + 1} of ${total} failed; ` +
		`batches 1-${done.length} (${reached} recipients) were sent before`;
	return new NodeApiError(ctx.getNode(), { message: error.message } as JsonObject, {
		message: `${error.message} (${summary})`,
		description: [
			error.description,
			'Running the node again sends only the missing batches when the input came from the LINE Trigger or a Retry Key is set; otherwise everyone gets the message again.',
		]
			.filter(Boolean)
			.join('\n'),
		httpCode: error.httpCode ?? undefined,
		itemIndex,
	});
}

export const multicast = defineOperation({ description, prepare, execute });
