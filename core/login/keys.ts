import { createHmac, hkdfSync } from 'crypto';

/**
 * Keys for the candidate-link flow. One root secret (the credential's link-signing secret, or a
 * key derived from the Login channel secret when none is set) is expanded with HKDF-SHA256 into
 * independent keys for the state MAC, the OIDC nonce and the PKCE verifier. The Login channel ID
 * is the HKDF salt, so a state minted for one channel never verifies on another, even when both
 * share a signing secret.
 */

export interface LinkSecrets {
	/** LINE Login channel ID (the OAuth `client_id`). */
	channelId: string;
	/** LINE Login channel secret. */
	channelSecret: string;
	/** Optional separate secret for link states; empty or missing = derive from the channel secret. */
	linkSigningSecret?: string;
}

export interface LinkKeys {
	channelId: string;
	stateMac: Buffer;
	nonce: Buffer;
	pkceVerifier: Buffer;
}

/** Fixed label that turns the channel secret into the default link-signing root key. */
const DEFAULT_ROOT_LABEL = 'n8n-nodes-line-porters/link-signing-root/v1';

const LABELS = {
	stateMac: 'link-state-mac/v1',
	nonce: 'link-oidc-nonce/v1',
	pkceVerifier: 'link-pkce-verifier/v1',
} as const;

function expand(root: Buffer, channelId: string, label: string): Buffer {
	return Buffer.from(hkdfSync('sha256', root, Buffer.from(channelId, 'utf8'), label, 32));
}

export function deriveLinkKeys(secrets: LinkSecrets): LinkKeys {
	const channelId = String(secrets.channelId ?? '').trim();
	const channelSecret = String(secrets.channelSecret ?? '');
	const signingSecret = String(secrets.linkSigningSecret ?? '');
	if (channelId === '') throw new Error('The LINE Login channel ID is empty');
	if (channelSecret === '' && signingSecret === '') {
		throw new Error('The LINE Login channel secret is empty');
	}
	const root =
		signingSecret !== ''
			? Buffer.from(signingSecret, 'utf8')
			: createHmac('sha256', channelSecret).update(DEFAULT_ROOT_LABEL).digest();
	return {
		channelId,
		stateMac: expand(root, channelId, LABELS.stateMac),
		nonce: expand(root, channelId, LABELS.nonce),
		pkceVerifier: expand(root, channelId, LABELS.pkceVerifier),
	};
}
