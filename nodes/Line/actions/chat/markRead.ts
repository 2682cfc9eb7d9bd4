/** Mark Read: marks a user's message (and everything before it in that chat) as read. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { lineApiRequest } from '../../transport';
import { forOperation } from '../../../shared/displayOptions';
import { defineOperation } from '../operation';
import { inputError, stringParameter } from '../../helpers/parameters';
import { retryPolicy } from '../../helpers/retryPolicy';

export const description = forOperation('chat', 'markRead', [
	{
		displayName: 'Mark-as-Read Token',
		name: 'markAsReadToken',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '={{ $json.message.markAsReadToken }}',
		description:
			'The markAsReadToken of a message event from the LINE Trigger. Works only when Chat is on in LINE Official Account Manager (see Check Setup).',
	},
]);

function prepare(this: IExecuteFunctions, itemIndex: number): { markAsReadToken: string } {
	const markAsReadToken = stringParameter(this, 'markAsReadToken', itemIndex);
	if (!markAsReadToken) {
		throw inputError(this, itemIndex, [
			{
				property: 'markAsReadToken',
				message: 'is required (message events from the LINE Trigger carry it in message.markAsReadToken)',
			},
		]);
	}
	return { markAsReadToken };
}

async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	{ markAsReadToken }: { markAsReadToken: string },
): Promise<IDataObject[]> {
	const response = await lineApiRequest.call(this, {
		method: 'POST',
		path: '/v2/bot/chat/markAsRead',
		body: { markAsReadToken },
		backoff: retryPolicy(this, itemIndex),
		itemIndex,
	});
	return [{ markedRead: true, requestId: response.requestId ?? null }];
}

export const markRead = defineOperation({ description, prepare, execute });
