/**
 * Get Follower IDs: the user IDs of the account's current friends, page by page with LINE's `start`
 * token, one item per user. LINE offers this only to verified and premium accounts.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { forOperation } from '../../../shared/displayOptions';
import { returnAllParameters } from '../../../shared/returnAllParameters';
import { retryPolicy } from '../../helpers/retryPolicy';
import { lineApiRequest } from '../../transport';
import { defineOperation } from '../operation';

/** LINE's largest page. */
const PAGE_SIZE = 1000;

export const description: INodeProperties[] = forOperation('user', 'getFollowerIds', returnAllParameters);

function prepare(this: IExecuteFunctions, itemIndex: number): { wanted: number } {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) === true;
	const limit = Math.floor(Number(this.getNodeParameter('limit', itemIndex, 50)));
	return { wanted: returnAll ? Number.POSITIVE_INFINITY : Math.max(1, Number.isFinite(limit) ? limit : 50) };
}

async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	{ wanted }: { wanted: number },
): Promise<IDataObject[]> {
	const results: IDataObject[] = [];
	let start: string | undefined;
	do {
		const response = await lineApiRequest.call(this, {
			method: 'GET',
			path: '/v2/bot/followers/ids',
			qs: { limit: Math.min(PAGE_SIZE, wanted - results.length), ...(start ? { start } : {}) },
			acceptStatus: [403],
			backoff: retryPolicy(this, itemIndex),
			itemIndex,
		});
		if (response.statusCode === 403) {
			throw new NodeOperationError(this.getNode(), 'LINE offers the follower list only to verified and premium accounts', {
				itemIndex,
				description: `LINE answered: ${String(response.body.message ?? 'HTTP 403')}. This account is not verified (認証済アカウント). Apply for verification in LINE Official Account Manager → Settings → Account settings, or collect user IDs from follow events and a marketing tool's export instead.`,
			});
		}
		const userIds = Array.isArray(response.body.userIds) ? (response.body.userIds as string[]) : [];
		for (const userId of userIds) {
			if (results.length < wanted) results.push({ userId });
		}
		start = typeof response.body.next === 'string' && response.body.next ? response.body.next : undefined;
	} while (start !== undefined && results.length < wanted);
	return results;
}

export const getFollowerIds = defineOperation({ description, prepare, execute });
