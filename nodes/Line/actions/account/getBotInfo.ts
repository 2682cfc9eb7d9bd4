/** Get Bot Info: the account's user ID, basic ID, name, chat mode and read mode. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { lineApiRequest } from '../../transport';
import { forOperation } from '../../../shared/displayOptions';
import { defineOperation } from '../operation';
import { retryPolicy } from '../../helpers/retryPolicy';

export const description = forOperation('account', 'getBotInfo', []);

async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const response = await lineApiRequest.call(this, {
		method: 'GET',
		path: '/v2/bot/info',
		backoff: retryPolicy(this, itemIndex),
		itemIndex,
	});
	return [{ ...response.body }];
}

export const getBotInfo = defineOperation({ description, prepare: () => undefined, execute });
