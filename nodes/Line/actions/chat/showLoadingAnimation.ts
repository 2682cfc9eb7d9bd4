/** Show Loading Animation: the "typing" indicator in a 1:1 chat while a workflow works. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { isLineUserId } from '../../../../core/line/ids';
import { lineApiRequest } from '../../transport';
import { forOperation } from '../../../shared/displayOptions';
import { defineOperation } from '../operation';
import { inputError, stringParameter } from '../../helpers/parameters';
import { retryPolicy } from '../../helpers/retryPolicy';

export const description = forOperation('chat', 'showLoadingAnimation', [
	{
		displayName: 'User ID',
		name: 'chatId',
		type: 'string',
		required: true,
		default: '={{ $json.source.userId }}',
		description: 'The user whose chat shows the animation (1:1 chats only, not groups or rooms)',
	},
	{
		displayName: 'Seconds',
		name: 'loadingSeconds',
		type: 'options',
		default: 20,
		description: 'How long the animation is shown at most; it disappears as soon as a message is sent',
		options: [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60].map((seconds) => ({
			name: `${seconds} Seconds`,
			value: seconds,
		})),
	},
]);

interface LoadingPlan {
	chatId: string;
	loadingSeconds: number;
}

function prepare(this: IExecuteFunctions, itemIndex: number): LoadingPlan {
	const chatId = stringParameter(this, 'chatId', itemIndex);
	if (!isLineUserId(chatId)) {
		throw inputError(this, itemIndex, [
			{
				property: 'chatId',
				message: chatId
					? `"${chatId}" is not a LINE user ID (U followed by 32 characters 0-9 a-f); the animation works in 1:1 chats only`
					: 'is required',
			},
		]);
	}
	const loadingSeconds = Number(this.getNodeParameter('loadingSeconds', itemIndex, 20));
	const valid = Number.isInteger(loadingSeconds) && loadingSeconds >= 5 && loadingSeconds <= 60;
	if (!valid || loadingSeconds % 5 !== 0) {
		throw inputError(this, itemIndex, [{ property: 'loadingSeconds', message: 'must be 5 to 60 in steps of 5' }]);
	}
	return { chatId, loadingSeconds };
}

async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	plan: LoadingPlan,
): Promise<IDataObject[]> {
	const response = await lineApiRequest.call(this, {
		method: 'POST',
		path: '/v2/bot/chat/loading/start',
		body: { chatId: plan.chatId, loadingSeconds: plan.loadingSeconds },
		backoff: retryPolicy(this, itemIndex),
		itemIndex,
	});
	return [{ started: true, ...plan, requestId: response.requestId ?? null }];
}

export const showLoadingAnimation = defineOperation({ description, prepare, execute });
