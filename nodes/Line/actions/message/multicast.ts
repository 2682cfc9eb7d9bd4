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
import { retryKeyFor, webhookEventIdOf, type RetryKey, type RetryKeyInput } from '../../../../core/line/retryKey';
import { isAcceptedRetryKeyConflict, lineApiError, lineApiRequest } from '../../transport';
import { forOperation } from '../../../shared/displayOptions';
import { defineOperation, type RunState } from '../operation';
import { inputError } from '../../helpers/parameters';
import { retryPolicy } from '../../helpers/retryPolicy';
import { messageProperties, sendOptions } from './message.descriptions';
import { QuotaGuard, quotaGuardMode } from './quotaGuard';
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
	userIds: string[];
	messages: LineMessage[];
	notificationDisabled: boolean;
	requests: MulticastRequest[];
	/** What the retry keys are derived from, to split a shortened recipient list again. */
	keyInput: Omit<RetryKeyInput, 'batchIndex' | 'recipients'>;
	quotaGuard: QuotaGuard;
}

interface MulticastRequest {
	to: string[];
	retryKey: RetryKey;
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
	const keyInput = {
		customKey: typeof options.retryKey === 'string' ? options.retryKey : undefined,
		webhookEventId,
		nodeId: this.getNode().id,
		occurrence: webhookEventId ? run.occurrence(`${webhookEventId} ${userIds.join(',')}`) : 0,
	};
	const quotaGuard = QuotaGuard.forRun(run);
	quotaGuard.add(itemIndex, quotaGuardMode(this, itemIndex), userIds.length);
	return {
		userIds,
		messages,
		notificationDisabled: options.notificationDisabled === true,
		requests: requestsFor(userIds, keyInput),
		keyInput,
		quotaGuard,
	};
}

/** Requests of at most 500 recipients, each with its own retry key. */
function requestsFor(userIds: string[], keyInput: MulticastPlan['keyInput']): MulticastRequest[] {
	return batches(userIds, MAX_MULTICAST_RECIPIENTS).map((to, batchIndex) => ({
		to,
		retryKey: retryKeyFor({ ...keyInput, batchIndex, recipients: to }),
	}));
}

async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	plan: MulticastPlan,
): Promise<IDataObject[]> {
	const allowed = await plan.quotaGuard.allowance(this, itemIndex);
	const sendTo = allowed < plan.userIds.length ? plan.userIds.slice(0, allowed) : plan.userIds;
	const notSent = plan.userIds.slice(sendTo.length);
	const notSentItem: IDataObject[] =
		notSent.length > 0 ? [{ sent: false, reason: 'quota', recipientCount: notSent.length, to: notSent }] : [];
	if (sendTo.length === 0) return notSentItem;
	const requests = sendTo === plan.userIds ? plan.requests : requestsFor(sendTo, plan.keyInput);
	const backoff = retryPolicy(this, itemIndex);
	const results: BatchResult[] = [];
	for (const [index, { to, retryKey }] of requests.entries()) {
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
			throw partialFailure(this, itemIndex, error as Error, results, requests.length);
		}
	}
	return [
		{
			sent: true,
			duplicate: results.every((r) => r.duplicate),
			recipientCount: sendTo.length,
			newlySentTo: results.reduce((sum, r) => sum + (r.duplicate ? 0 : r.recipients), 0),
			requestCount: results.length,
			messageCount: plan.messages.length,
			batches: results,
		},
		...notSentItem,
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
