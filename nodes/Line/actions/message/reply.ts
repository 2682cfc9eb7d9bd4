/** Reply: answer a webhook event with its reply token (free of charge, single use, ~1 minute). */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { LineMessage } from '../../../../core/line/messages';
import { lineApiRequest } from '../../transport';
import { forOperation } from '../../../shared/displayOptions';
import { defineOperation } from '../operation';
import { inputError, stringParameter } from '../../helpers/parameters';
import { retryPolicy } from '../../helpers/retryPolicy';
import { messageProperties, sendOptions } from './message.descriptions';
import { readMessages } from './readMessages';

/**
 * Tokens of the dummy events LINE's console "Verify" button used to send. Replying to them can
 * only fail, so they are skipped.
 */
const VERIFY_REPLY_TOKENS = new Set(['00000000000000000000000000000000', 'ffffffffffffffffffffffffffffffff']);

export const description = forOperation('message', 'reply', [
	{
		displayName: 'Reply Token',
		name: 'replyToken',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '={{ $json.replyToken }}',
		description:
			'The replyToken of the event from the LINE Trigger. It can be used once, within about a minute of the event.',
	},
	...messageProperties,
	sendOptions(false),
]);

interface ReplyPlan {
	replyToken: string;
	messages: LineMessage[];
	notificationDisabled: boolean;
}

function prepare(this: IExecuteFunctions, itemIndex: number): ReplyPlan {
	const replyToken = stringParameter(this, 'replyToken', itemIndex);
	if (!replyToken) {
		throw inputError(this, itemIndex, [
			{
				property: 'replyToken',
				message:
					'is required. Events without one: unfollow, events in standby mode, and anything not from the LINE Trigger.',
			},
		]);
	}
	const messages = readMessages(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return { replyToken, messages, notificationDisabled: options.notificationDisabled === true };
}

async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	plan: ReplyPlan,
): Promise<IDataObject[]> {
	if (VERIFY_REPLY_TOKENS.has(plan.replyToken)) {
		return [{ sent: false, skipped: true, reason: 'Reply token of a LINE console verification event' }];
	}
	const body: IDataObject = { replyToken: plan.replyToken, messages: plan.messages };
	if (plan.notificationDisabled) body.notificationDisabled = true;

	// No retry key here: LINE rejects it on replies. A reply token works only once, so a repeated
	// request after a server error cannot deliver twice either.
	const response = await lineApiRequest.call(this, {
		method: 'POST',
		path: '/v2/bot/message/reply',
		body,
		backoff: retryPolicy(this, itemIndex),
		itemIndex,
	});
	return [
		{
			sent: true,
			messageCount: plan.messages.length,
			requestId: response.requestId ?? null,
			sentMessages: (response.body.sentMessages as IDataObject[] | undefined) ?? [],
		},
	];
}

export const reply = defineOperation({ description, prepare, execute });
