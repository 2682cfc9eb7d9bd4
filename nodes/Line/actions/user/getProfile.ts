/** Get Profile: display name, picture, status message and language of a user. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { isLineUserId } from '../../../../core/line/ids';
import { lineApiRequest } from '../../transport';
import { forOperation } from '../../../shared/displayOptions';
import { defineOperation } from '../operation';
import { inputError, stringParameter } from '../../helpers/parameters';
import { retryPolicy } from '../../helpers/retryPolicy';

export const description = forOperation('user', 'getProfile', [
	{
		displayName: 'User ID',
		name: 'userId',
		type: 'string',
		required: true,
		default: '={{ $json.source.userId }}',
		placeholder: 'U4af4980629b8f2f9d1b34f6b0e1a7c01',
		description:
			'The user whose profile to read. LINE answers only for friends and for users who messaged the account, not for users who blocked it.',
	},
]);

function prepare(this: IExecuteFunctions, itemIndex: number): { userId: string } {
	const userId = stringParameter(this, 'userId', itemIndex);
	if (!isLineUserId(userId)) {
		throw inputError(this, itemIndex, [
			{
				property: 'userId',
				message: userId
					? `"${userId}" is not a LINE user ID (U followed by 32 characters 0-9 a-f)`
					: 'is required',
			},
		]);
	}
	return { userId };
}

async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	{ userId }: { userId: string },
): Promise<IDataObject[]> {
	const response = await lineApiRequest.call(this, {
		method: 'GET',
		path: `/v2/bot/profile/${encodeURIComponent(userId)}`,
		backoff: retryPolicy(this, itemIndex),
		itemIndex,
	});
	return [{ ...response.body }];
}

export const getProfile = defineOperation({ description, prepare, execute });
