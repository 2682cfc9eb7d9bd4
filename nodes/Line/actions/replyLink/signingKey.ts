/** The reply-link key of the node's Messaging API credential (channel ID and secret). */
import type { IExecuteFunctions } from 'n8n-workflow';
import { deriveReplyLinkKey } from '../../../../core/line/replyLink';
import type { StateMacKey } from '../../../../core/login/state';
import { LINE_CREDENTIAL } from '../../transport';

export async function replyLinkKey(ctx: IExecuteFunctions): Promise<StateMacKey> {
	const credentials = await ctx.getCredentials(LINE_CREDENTIAL);
	return deriveReplyLinkKey({
		channelId: String(credentials.channelId ?? ''),
		channelSecret: String(credentials.channelSecret ?? ''),
	});
}
