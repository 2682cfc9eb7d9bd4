/**
 * PORTERS result codes (resource calls, `<Code>`) and authentication error codes
 * (`<Authentication><Error>`), with their meaning in plain words and how a client should react.
 * Codes 0–101 are from the official Result Code List; 102 and above come from a secondary list
 * citing the same page; the retry classification is a guess (../shared/docs/porters-api.md
 * §3.8 and §2.4). Messages claim no more than those sources say.
 */

export type CodeReaction =
	/** Try again later with backoff: nothing was done. */
	| 'retry'
	/** The access token expired or is invalid: authenticate again, then repeat once. */
	| 'reauthenticate'
	/** Do not repeat: the request or the data has to change. */
	| 'fail';

interface CodeInfo {
	meaning: string;
	reaction: CodeReaction;
	/** What the user can do about it. */
	hint?: string;
}

const RESULT_CODES: Record<number, CodeInfo> = {
	0: { meaning: 'success', reaction: 'fail' },
	5: {
		meaning: 'the user ID is not valid (the user is not active yet or no longer active)',
		reaction: 'fail',
		hint: 'Choose an owner who is an active PORTERS user.',
	},
	6: { meaning: 'the accessing user has no privilege for this', reaction: 'fail' },
	7: {
		meaning: 'the record does not exist',
		reaction: 'fail',
		hint: 'Check the ID; the record may have been deleted.',
	},
	8: {
		meaning:
			'PORTERS could not process the data (control characters in a value, or several IDs combined in one condition)',
		reaction: 'fail',
	},
	9: {
		meaning: 'PORTERS is temporarily unavailable (maintenance or overload)',
		reaction: 'retry',
		hint: 'Try again later.',
	},
	100: {
		meaning:
			'a parameter is invalid (often a field alias that does not exist in this PORTERS account, or was deleted)',
		reaction: 'fail',
		hint: 'Check the field aliases in PORTERS (Settings › Fields) or pick them from the list.',
	},
	101: {
		meaning: 'a required parameter is missing (for example the access token or the partition)',
		reaction: 'fail',
	},
	// 102: "too many parameters" (secondary); "or items" is a guess that also covers U8.
	102: { meaning: 'too many parameters or items in one request', reaction: 'fail' },
	103: {
		meaning: 'a parameter value is invalid (date, option, version or content type)',
		reaction: 'fail',
	},
	// 104–116: every source says only "value format, type or range error", without telling the
	// codes apart (porters-evidence.md). Earlier guesses such as 107 = "required field missing"
	// are not claimed; see VALUE_REJECTED below.
	124: {
		meaning: 'out of range (deleted records can only be searched within the last 90 days)',
		reaction: 'fail',
	},
	126: { meaning: 'the phase could not be written', reaction: 'fail' },
	127: {
		meaning: 'a phase date or phase memo was sent without a phase',
		reaction: 'fail',
	},
	133: { meaning: 'the item state is invalid', reaction: 'fail' },
	146: { meaning: 'the API version header is invalid', reaction: 'fail' },
	301: { meaning: 'the data already exists', reaction: 'fail' },
	302: {
		meaning: 'a transaction error occurred (or the target was being changed or deleted)',
		reaction: 'retry',
	},
	303: { meaning: 'the record has child records', reaction: 'fail' },
	304: { meaning: 'the record is referenced elsewhere', reaction: 'fail' },
	400: { meaning: 'no permission, or not enough permission, on this data', reaction: 'fail' },
	401: { meaning: 'the access token has expired', reaction: 'reauthenticate' },
	402: { meaning: 'the access token is invalid', reaction: 'reauthenticate' },
	403: {
		meaning:
			'no permission on the data (the one-time grant in the browser was not done, or a scope is missing)',
		reaction: 'fail',
		hint: 'Have a PORTERS administrator complete the app grant and check its scopes.',
	},
	404: {
		meaning: 'the partition does not exist or is outside its usage period',
		reaction: 'fail',
		hint: 'Check the partition ID in the PORTERS credential.',
	},
	406: {
		meaning: 'the request came from an IP address PORTERS has not registered for this app',
		reaction: 'fail',
		hint: "Ask PORTERS to register this n8n server's outgoing IP address.",
	},
	500: { meaning: 'the maximum number of records that can be registered was exceeded', reaction: 'fail' },
	601: { meaning: 'the app lacks permission for this operation', reaction: 'fail' },
	1000: { meaning: 'processing failed', reaction: 'fail' },
};

/** 104–116 as documented: a value was rejected; which field, and why exactly, PORTERS does not say. */
const VALUE_REJECTED: CodeInfo = { meaning: 'value rejected (format, type or range)', reaction: 'fail' };

/** Whether the code is one of 104–116, "value format, type or range". */
export function isValueRejectedCode(code: number): boolean {
	return code >= 104 && code <= 116;
}

export function resultCodeInfo(code: number): CodeInfo {
	if (RESULT_CODES[code]) return RESULT_CODES[code];
	if (isValueRejectedCode(code)) return VALUE_REJECTED;
	return { meaning: 'an error PORTERS did not describe further', reaction: 'fail' };
}

/**
 * A write item answered 104–116: PORTERS's code and the fields the item sent. The answer names no
 * field, so with several fields the message says the value of one of them was rejected.
 */
export function describeRejectedValue(code: number, aliases: string[]): string {
	const where =
		aliases.length === 1 ? ` in the field ${aliases[0]}` : aliases.length > 1 ? ` in one of the fields ${aliases.join(', ')}` : '';
	return `${describeResultCode(code)}${where}. PORTERS does not say more; check these values against the field settings in PORTERS.`;
}

export function resultCodeReaction(code: number): CodeReaction {
	return resultCodeInfo(code).reaction;
}

/** One line a no-code user can act on, e.g. "PORTERS result code 100: a parameter is invalid …". */
export function describeResultCode(code: number): string {
	const info = resultCodeInfo(code);
	return `PORTERS result code ${code}: ${info.meaning}${info.hint ? `. ${info.hint}` : ''}`;
}

const AUTH_ERRORS: Record<number, { meaning: string; hint?: string }> = {
	0: { meaning: 'success' },
	[-1]: { meaning: 'the request was cancelled' },
	100: { meaning: 'the redirect URL is wrong' },
	101: { meaning: 'the redirect URL is missing' },
	102: { meaning: 'the scope is wrong' },
	103: {
		meaning: 'the authorisation code is wrong or has expired',
		hint: 'If this persists, check that the one-time grant in the browser was done.',
	},
	104: { meaning: 'the app ID is wrong', hint: 'Check the App ID in the PORTERS credential.' },
	105: { meaning: 'the secret is wrong', hint: 'Check the Secret in the PORTERS credential (it may have been reissued).' },
	106: { meaning: 'the access token is wrong' },
	107: { meaning: 'the refresh token is wrong' },
	108: { meaning: 'the PORTERS authentication server had an internal error' },
	109: { meaning: 'there is no session' },
	110: { meaning: 'the response type is wrong' },
	111: { meaning: 'there is no grant to revoke' },
	112: { meaning: 'the grant type is wrong' },
	113: {
		meaning: 'the app has no registered site',
		hint: "Ask PORTERS to register this n8n server for the app.",
	},
	114: { meaning: 'the user was not found' },
	115: {
		meaning: 'access was denied',
		hint: 'Have a PORTERS administrator complete the one-time grant in the browser first.',
	},
	116: {
		meaning: 'the app has no access right',
		hint: 'Have a PORTERS administrator complete the one-time grant in the browser first.',
	},
	117: { meaning: 'the access token is missing' },
	400: { meaning: 'the access token has expired' },
	401: { meaning: 'the refresh token has expired' },
	402: { meaning: 'no access permission' },
};

export function describeAuthError(code: number, message?: string): string {
	const info = AUTH_ERRORS[code];
	const meaning = info?.meaning ?? 'an authentication error PORTERS did not describe further';
	const detail = message && message !== 'Success' ? ` ("${message}")` : '';
	return `PORTERS authentication failed with error ${code}: ${meaning}${detail}${info?.hint ? `. ${info.hint}` : ''}`;
}
