/** Get Quota: this month's message limit and how much of it is used. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { lineApiRequest } from '../../transport';
import { forOperation } from '../../../shared/displayOptions';
import { defineOperation } from '../operation';
import { retryPolicy } from '../../helpers/retryPolicy';

export const description = forOperation('account', 'getQuota', []);

async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const backoff = retryPolicy(this, itemIndex);
	const quota = await lineApiRequest.call(this, {
		method: 'GET',
		path: '/v2/bot/message/quota',
		backoff,
		itemIndex,
	});
	const consumption = await lineApiRequest.call(this, {
		method: 'GET',
		path: '/v2/bot/message/quota/consumption',
		backoff,
		itemIndex,
	});
	const type = String(quota.body.type ?? 'none');
	const limit = type === 'limited' && typeof quota.body.value === 'number' ? quota.body.value : null;
	const totalUsage = typeof consumption.body.totalUsage === 'number' ? consumption.body.totalUsage : 0;
	return [
		{
			type,
			limit,
			totalUsage,
			// LINE's usage figure is approximate, so the remainder is an estimate too.
			remaining: limit === null ? null : Math.max(0, limit - totalUsage),
			exhausted: limit !== null && totalUsage >= limit,
		},
	];
}

export const getQuota = defineOperation({ description, prepare: () => undefined, execute });
