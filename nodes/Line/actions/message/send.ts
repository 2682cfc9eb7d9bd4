/** Send Message: a push to one user, group or room, with an X-Line-Retry-Key. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { validateRecipients, type LineMessage } from '../../../../core/line/messages';
import { retryKeyFor, webhookEventIdOf, type RetryKey } from '../../../../core/line/retryKey';
import { isAcceptedRetryKeyConflict, lineApiError, lineApiRequest } from '../../transport';
import { forOperation } from '../../../shared/displayOptions';
import { defineOperation, type RunState } from '../operation';
import { inputError, stringParameter } from '../../helpers/parameters';
import { retryPolicy } from '../../helpers/retryPolicy';
import { messageProperties, sendOptions } from './message.descriptions';
import { QuotaGuard, quotaGuardMode } from './quotaGuard';
import { readMessages } from './readMessages';

export const description = forOperation('message', 'send', [
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		required: true,
		default: '={{ $json.source.userId }}',
		placeholder: 'U4af4980629b8f2f9d1b34f6b0e1a7c01',
		description:
			'User ID (U…), group ID (C…) or room ID (R…). The default takes the user of the event from the LINE Trigger.',
	},
	...messageProperties,
	sendOptions(true),
]);

interface PushPlan {
	to: string;
	messages: LineMessage[];
	notificationDisabled: boolean;
	retryKey: RetryKey;
	quotaGuard: QuotaGuard;
}

function prepare(this: IExecuteFunctions, itemIndex: number, run: RunState): PushPlan {
	const to = stringParameter(this, 'to', itemIndex);
	if (!to) throw inputError(this, itemIndex, [{ property: 'to', message: 'is required' }]);
	const recipientProblems = validateRecipients([to], 'chats', 'to').map((p) => ({ ...p, property: 'to' }));
	if (recipientProblems.length > 0) throw inputError(this, itemIndex, recipientProblems);
	const messages = readMessages(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const webhookEventId = webhookEventIdOf(this.getInputData()[itemIndex]?.json);
	// Chosen once per item, so that every retry of this request carries the same key.
	const retryKey = retryKeyFor({
		customKey: typeof options.retryKey === 'string' ? options.retryKey : undefined,
		webhookEventId,
		nodeId: this.getNode().id,
		batchIndex: 0,
		recipients: [to],
		occurrence: webhookEventId ? run.occurrence(`${webhookEventId} ${to}`) : 0,
	});
	const quotaGuard = QuotaGuard.forRun(run);
	quotaGuard.add(itemIndex, quotaGuardMode(this, itemIndex), 1);
	return { to, messages, notificationDisabled: options.notificationDisabled === true, retryKey, quotaGuard };
}

async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	plan: PushPlan,
): Promise<IDataObject[]> {
	if ((await plan.quotaGuard.allowance(this, itemIndex)) < 1) {
		return [{ sent: false, reason: 'quota', to: plan.to, messageCount: plan.messages.length }];
	}
	const body: IDataObject = { to: plan.to, messages: plan.messages };
	if (plan.notificationDisabled) body.notificationDisabled = true;
	const response = await lineApiRequest.call(this, {
		method: 'POST',
		path: '/v2/bot/message/push',
		body,
		headers: { 'X-Line-Retry-Key': plan.retryKey.key },
		acceptStatus: [409],
		backoff: retryPolicy(this, itemIndex),
		itemIndex,
	});
	const duplicate = isAcceptedRetryKeyConflict(response);
	// A 409 that is not about the retry key cannot be counted as sent.
	if (response.statusCode === 409 && !duplicate) throw lineApiError(this, response, itemIndex);
	return [
		{
			sent: true,
			duplicate,
			to: plan.to,
			messageCount: plan.messages.length,
			retryKey: plan.retryKey.key,
			retryKeySource: plan.retryKey.source,
			// For a duplicate, the request that really delivered.
			requestId:
				(duplicate ? response.headers['x-line-accepted-request-id'] : undefined) ||
				response.requestId ||
				null,
			sentMessages: (response.body.sentMessages as IDataObject[] | undefined) ?? [],
		},
	];
}

export const send = defineOperation({ description, prepare, execute });
