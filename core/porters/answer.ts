/**
 * What an answer from PORTERS means, decided without sending anything. PORTERS's HTTP status on
 * errors is undocumented, so the result code is read from the body under any root element, and
 * the status counts only where there is no code (../shared/docs/porters-api.md §3.7, §3.8).
 * Whether a failure is worth another try is `shouldRetry`'s decision (pacing.ts).
 */
import type { FailureKind, RequestKind } from './pacing';
import { firstChild, parseXml, textOf, type XmlElement } from './xml';

/** The text of a response body, whatever form n8n's HTTP helper hands it over in. */
export function answerText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (body instanceof Uint8Array) return new TextDecoder('utf-8').decode(body);
	if (body === undefined || body === null) return '';
	return typeof body === 'object' ? JSON.stringify(body) : String(body);
}

export type Answer =
	/** A readable document with code 0 (or none) and a status below 400. */
	| { kind: 'success'; root: XmlElement }
	/**
	 * Code 401 (expired), 402 (invalid), or HTTP 401 without a code: renew the token and send
	 * again. An invalid token's refresh token is not trusted; an expired one's may still work.
	 */
	| { kind: 'tokenRejected'; renew: 'expired' | 'invalid'; code?: number }
	/** Anything else; `readable` says whether the body was an XML document at all. */
	| { kind: 'failure'; failure: FailureKind; readable: boolean };

/** `<Code>` under the root, whatever the root; undefined when there is none or it is no number. */
export function answerCode(root: XmlElement): number | undefined {
	const el = firstChild(root, 'Code');
	if (!el) return undefined;
	const n = Number(textOf(el).trim());
	return Number.isInteger(n) ? n : undefined;
}

/** Classifies an HTTP answer (status and body text), or no answer at all (`undefined`). */
export function classifyAnswer(response: { status: number; text: string } | undefined): Answer {
	if (!response) return { kind: 'failure', failure: { kind: 'network' }, readable: false };
	const { status, text } = response;
	let root: XmlElement | undefined;
	try {
		root = parseXml(text);
	} catch {
		root = undefined;
	}
	const code = root ? answerCode(root) : undefined;
	if (code === 401 || code === 402 || (code === undefined && status === 401)) {
		return { kind: 'tokenRejected', renew: code === 402 ? 'invalid' : 'expired', code };
	}
	if (code !== undefined && code !== 0) return { kind: 'failure', failure: { kind: 'code', code }, readable: true };
	if (root && status < 400) return { kind: 'success', root };
	return { kind: 'failure', failure: { kind: 'http', status }, readable: root !== undefined };
}

/**
 * Whether a failed request may still have been applied: a write that creates got no answer or a
 * server error. Repeating it could create records twice; a PORTERS result code always means
 * nothing was done.
 */
export function outcomeUnknown(failure: FailureKind, kind: RequestKind, idempotentWrite: boolean): boolean {
	if (kind !== 'write' || idempotentWrite) return false;
	return failure.kind === 'network' || (failure.kind === 'http' && failure.status >= 500);
}

/**
 * Whether a write refused as a whole may mean "the request is too large" (U11). Nothing was
 * written, so the same items may go again in smaller requests. How PORTERS answers an oversize
 * request is undocumented [GUESS]: HTTP 413; HTTP 400 without a result code (the withdrawn
 * "32 KB → HTTP 400" figure); result code 102, whose documented meaning "too many parameters" is
 * the nearest one.
 */
export function mayMeanTooLarge(failure: FailureKind): boolean {
	if (failure.kind === 'code') return failure.code === 102;
	if (failure.kind === 'http') return failure.status === 413 || failure.status === 400;
	return false;
}
