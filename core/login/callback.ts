import type { LinkKeys } from './keys';
import { deriveCodeVerifier, deriveNonce } from './pkce';
import { verifyLinkState } from './state';

/**
 * First half of "Link Candidate": everything that can be decided from the callback's query alone,
 * before any request to LINE. The result either names why the link fails or carries what the
 * token exchange needs (code, PKCE verifier, expected nonce).
 */

export type LinkFailureReason =
	| 'expired'
	| 'tampered'
	| 'denied'
	| 'code_rejected'
	| 'id_token_invalid';

export interface CallbackQuery {
	code?: unknown;
	state?: unknown;
	error?: unknown;
	error_description?: unknown;
	friendship_status_changed?: unknown;
}

export type CallbackCheck =
	| {
			ok: true;
			candidateId: string;
			expiresAt: number;
			stateId: string;
			state: string;
			code: string;
			codeVerifier: string;
			nonce: string;
			/** null when LINE did not show the add-friend option (or no bot prompt was asked for). */
			friendshipStatusChanged: boolean | null;
	  }
	| {
			ok: false;
			reason: LinkFailureReason;
			detail: string;
			candidateId?: string;
			lineError?: string;
			lineErrorDescription?: string;
	  };

const MAX_CODE_LENGTH = 512;
const MAX_ERROR_TEXT = 300;

function single(value: unknown): { ok: true; value: string | undefined } | { ok: false } {
	if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
	if (typeof value === 'string') return { ok: true, value };
	if (typeof value === 'number' || typeof value === 'boolean')
		return { ok: true, value: String(value) };
	// A repeated query parameter arrives as an array: never pick one of them.
	return { ok: false };
}

function parseFriendshipChanged(value: string | undefined): boolean | null {
	if (value === 'true') return true;
	if (value === 'false') return false;
	return null;
}

/** Printable ASCII only, and short: LINE's error fields end up in outputs and pages. */
function safeText(value: string | undefined): string | undefined {
	if (value === undefined) return undefined;
	return value.replace(/[^\x20-\x7e]/g, '').slice(0, MAX_ERROR_TEXT);
}

export function checkCallback(keys: LinkKeys, query: CallbackQuery, now: number): CallbackCheck {
	const fields = {
		code: single(query.code),
		state: single(query.state),
		error: single(query.error),
		errorDescription: single(query.error_description),
		friendship: single(query.friendship_status_changed),
	};
	for (const [name, field] of Object.entries(fields)) {
		if (!field.ok) {
			return {
				ok: false,
				reason: 'tampered',
				detail: `The callback repeats the parameter "${name}"`,
			};
		}
	}
	const value = (field: (typeof fields)[keyof typeof fields]) =>
		field.ok ? field.value : undefined;
	const state = value(fields.state);
	const code = value(fields.code);
	const lineError = safeText(value(fields.error));

	const stateCheck = verifyLinkState(keys, state, now);
	if (!stateCheck.ok && stateCheck.reason === 'tampered') {
		return { ok: false, reason: 'tampered', detail: stateCheck.detail, lineError };
	}
	// From here on the state is genuine, so its candidate ID can be reported.
	const candidateId = stateCheck.candidateId;
	if (lineError !== undefined) {
		return {
			ok: false,
			reason: 'denied',
			detail: `LINE reported ${lineError}`,
			candidateId,
			lineError,
			lineErrorDescription: safeText(value(fields.errorDescription)),
		};
	}
	if (!stateCheck.ok) {
		return { ok: false, reason: 'expired', detail: stateCheck.detail, candidateId };
	}
	if (code === undefined) {
		return {
			ok: false,
			reason: 'code_rejected',
			detail: 'The callback has no authorization code',
			candidateId,
		};
	}
	if (code.length > MAX_CODE_LENGTH) {
		return {
			ok: false,
			reason: 'code_rejected',
			detail: 'The authorization code is too long',
			candidateId,
		};
	}
	const verifiedState = state as string;
	return {
		ok: true,
		candidateId: stateCheck.candidateId,
		expiresAt: stateCheck.expiresAt,
		stateId: stateCheck.stateId,
		state: verifiedState,
		code,
		codeVerifier: deriveCodeVerifier(keys, verifiedState),
		nonce: deriveNonce(keys, verifiedState),
		friendshipStatusChanged: parseFriendshipChanged(value(fields.friendship)),
	};
}

/** Plain-language explanation for a recruiter (and for the candidate's result page). */
export function describeLinkFailure(reason: LinkFailureReason, lineError?: string): string {
	switch (reason) {
		case 'expired':
			return 'This LINE link has expired. Please send the candidate a new link.';
		case 'tampered':
			return 'This LINE link is not valid: it was changed, cut short, or made for another LINE Login channel. Please send the candidate a new link.';
		case 'denied':
			return describeLineError(lineError);
		case 'code_rejected':
			return 'LINE did not accept the login: it was already used, took longer than 10 minutes, or belongs to another login attempt. Ask the candidate to open the link again.';
		case 'id_token_invalid':
			return "LINE's answer could not be verified, so the candidate was not linked. Check that the LINE Login credential has the right channel ID and channel secret.";
	}
}

function describeLineError(lineError: string | undefined): string {
	switch (lineError) {
		case 'ACCESS_DENIED':
			return 'The candidate cancelled the LINE login or did not allow access, so nothing was linked.';
		case 'INVALID_SCOPE':
			return 'LINE refused the requested permissions. The email permission must first be approved in the LINE Developers console (LINE Login channel, OpenID Connect).';
		case 'SERVER_ERROR':
			return 'LINE had a temporary problem during the login. Ask the candidate to open the link again.';
		case 'LOGIN_REQUIRED':
		case 'INTERACTION_REQUIRED':
			return 'LINE needs the candidate to log in again. Ask the candidate to open the link again.';
		case 'INVALID_REQUEST':
		case 'UNSUPPORTED_RESPONSE_TYPE':
			return 'LINE refused the login request as invalid. Check the LINE Login channel settings (callback URL, channel ID).';
		default:
			return `LINE reported an error during the login${lineError ? ` (${lineError})` : ''}, so nothing was linked.`;
	}
}
