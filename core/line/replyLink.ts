import { createHmac, hkdfSync } from 'crypto';

import {
	createLinkState,
	verifyLinkState,
	type IssuedLinkState,
	type LinkStateCheck,
	type StateMacKey,
} from '../login/state';

/**
 * The token in a reply-page link that a recruiter gets by e-mail: the candidate ID and an expiry,
 * signed, so the page needs no session and nothing is stored. It has the layout of the LINE Login
 * link state (../login/state.ts) under its own key, derived from the Messaging API channel secret
 * with a label of its own, so a login link state never passes as a reply link and back.
 */

const ROOT_LABEL = 'n8n-nodes-line-porters/reply-link-root/v1';
const MAC_LABEL = 'reply-link-mac/v1';

export const MAX_REPLY_LINK_VALIDITY_MS = 90 * 24 * 60 * 60 * 1000;

export function deriveReplyLinkKey(secrets: { channelId: string; channelSecret: string }): StateMacKey {
	const channelId = String(secrets.channelId ?? '').trim();
	const channelSecret = String(secrets.channelSecret ?? '');
	if (channelSecret === '') throw new Error('The Messaging API channel secret is empty');
	const root = createHmac('sha256', channelSecret).update(ROOT_LABEL).digest();
	return { stateMac: Buffer.from(hkdfSync('sha256', root, Buffer.from(channelId, 'utf8'), MAC_LABEL, 32)) };
}

export function createReplyToken(key: StateMacKey, candidateId: string, expiresAt: number): IssuedLinkState {
	return createLinkState(key, { candidateId, expiresAt });
}

export function verifyReplyToken(key: StateMacKey, token: unknown, now: number): LinkStateCheck {
	return verifyLinkState(key, token, now);
}

/** The page URL with the token as its `t` query parameter (other parameters are kept). */
export function replyLinkUrl(pageUrl: string, token: string): string {
	const url = new URL(pageUrl);
	url.searchParams.set('t', token);
	return url.toString();
}
