/**
 * Verify Reply Link: checks a reply-page token. A bad token is an answer, not an error
 * (`valid: false` with the reason), so the workflow can show the recruiter a page about it.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { verifyReplyToken } from '../../../../core/line/replyLink';
import { forOperation } from '../../../shared/displayOptions';
import { stringParameter } from '../../helpers/parameters';
import { defineOperation } from '../operation';
import { replyLinkKey } from './signingKey';

export const description = forOperation('replyLink', 'verify', [
	{
		displayName: 'Token',
		name: 'token',
		type: 'string',
		typeOptions: { password: true },
		default: '={{ $json.query.t }}',
		description: 'The t parameter of the reply link (from the Webhook node, or the form that posts it back)',
	},
]);

function prepare(this: IExecuteFunctions, itemIndex: number): { token: string } {
	return { token: stringParameter(this, 'token', itemIndex) };
}

async function execute(this: IExecuteFunctions, _itemIndex: number, { token }: { token: string }): Promise<IDataObject[]> {
	const check = verifyReplyToken(await replyLinkKey(this), token, Date.now());
	if (check.ok) {
		return [{ valid: true, candidateId: check.candidateId, expiresAt: new Date(check.expiresAt).toISOString() }];
	}
	// The candidate of an expired link is genuine, but it is left out so nothing acts on it.
	return [{ valid: false, reason: check.reason, detail: check.detail }];
}

export const verify = defineOperation({ description, prepare, execute });
