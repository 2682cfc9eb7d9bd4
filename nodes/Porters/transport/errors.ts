/**
 * The errors a PORTERS request ends with, each saying what to do: a result code in plain words,
 * a write whose outcome is unknown (so that nobody repeats it blindly), a token PORTERS keeps
 * refusing, a credential that cannot get a token, and no answer at all. Also which thrown errors
 * mean "no answer" (a cut connection or a timeout), as opposed to a bug or a refused credential.
 */
import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';

import type { FailureKind } from '../../../core/porters/pacing';
import { describeResultCode } from '../../../core/porters/resultCodes';

/** A PORTERS result code that ends a request, with its plain-language meaning. */
export class PortersResultError extends NodeApiError {
	readonly resultCode: number;

	constructor(node: INode, code: number, httpStatus: number, path: string, itemIndex?: number) {
		super(node, { message: describeResultCode(code), resultCode: code, httpStatus } as unknown as JsonObject, {
			message: describeResultCode(code),
			description: `PORTERS answered ${path} with result code ${code} (HTTP ${httpStatus}).`,
			httpCode: String(httpStatus),
			itemIndex,
		});
		this.resultCode = code;
	}
}

/**
 * A write PORTERS refused whole in a way that may mean "too large" (see `mayMeanTooLarge`):
 * nothing was written, so its items may be sent again in smaller requests.
 */
export class PortersTooLargeError extends NodeApiError {
	readonly tooLarge = true;

	readonly resultCode?: number;

	constructor(node: INode, request: FailedRequest) {
		const code = request.failure.kind === 'code' ? request.failure.code : undefined;
		const answer = code !== undefined ? `result code ${code}` : `HTTP ${request.status} without a result code`;
		super(node, { message: request.text.slice(0, 300), status: request.status } as JsonObject, {
			message: `PORTERS refused the write request as a whole (${answer}), possibly because it was too large`,
			description:
				'Nothing was written. Lower "Max Request Size (Characters)" or "Items per Request" in the node options.',
			httpCode: String(request.status),
			itemIndex: request.itemIndex,
		});
		this.resultCode = code;
	}
}

/** A write that may or may not have been applied (no answer, or a server error). */
export class PortersUnknownOutcomeError extends NodeApiError {
	readonly unknownOutcome = true;
}

const NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'EPIPE',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'UND_ERR_SOCKET',
]);

function causeChain(error: unknown): Array<Record<string, unknown>> {
	const chain: Array<Record<string, unknown>> = [];
	let current = error as Record<string, unknown> | undefined;
	for (let i = 0; i < 5 && current && typeof current === 'object'; i++) {
		chain.push(current);
		current = current.cause as Record<string, unknown> | undefined;
	}
	return chain;
}

/** The credential's own error (core/porters/auth.ts), wherever n8n wrapped it. */
export function findAuthError(error: unknown): Error | undefined {
	return causeChain(error).find((e) => e.name === 'PortersAuthError' || e.name === 'PortersConfigError') as
		| Error
		| undefined;
}

/** A cut connection, a refused one or a timeout: PORTERS did not answer. */
export function isNetworkError(error: unknown): boolean {
	return causeChain(error).some(
		(e) =>
			(typeof e.code === 'string' && NETWORK_CODES.has(e.code)) ||
			(typeof e.message === 'string' && /socket hang up|ECONNRESET|timeout|network|fetch failed/i.test(e.message)),
	);
}

/** The credential could not get a token; nothing was sent. */
export function authFailureError(node: INode, error: unknown, authError: Error, itemIndex?: number): NodeApiError {
	return new NodeApiError(node, error as JsonObject, {
		message: authError.message,
		description:
			authError.name === 'PortersConfigError'
				? 'Fix the PORTERS credential.'
				: 'PORTERS refused to issue an access token. Check the PORTERS credential; the request was not sent.',
		itemIndex,
	});
}

/** PORTERS refused a token it had just issued. */
export function tokenRejectedAgainError(
	node: INode,
	code: number | undefined,
	status: number,
	partitionId: number,
	itemIndex?: number,
): NodeApiError {
	return new NodeApiError(node, { message: 'token rejected', status } as JsonObject, {
		message: 'PORTERS rejected the access token again right after a new one was issued',
		description:
			`${describeResultCode(code ?? 401)}. Check that the app still has access to partition ` +
			`${partitionId} and that the one-time grant in the browser was done.`,
		httpCode: String(status),
		itemIndex,
	});
}

export interface FailedRequest {
	failure: FailureKind;
	/** A write that may have been applied (see `outcomeUnknown`). */
	unknownOutcome: boolean;
	/** A write refused whole, possibly as too large (see `mayMeanTooLarge`). */
	tooLarge?: boolean;
	/** Whether the body was an XML document. */
	readable: boolean;
	status: number;
	text: string;
	path: string;
	itemIndex?: number;
}

function noAnswerError(node: INode, request: FailedRequest): NodeApiError {
	const ErrorClass = request.unknownOutcome ? PortersUnknownOutcomeError : NodeApiError;
	return new ErrorClass(node, { message: 'no answer' } as JsonObject, {
		message: request.unknownOutcome
			? 'PORTERS did not answer a write request; it is unknown whether the records were created'
			: 'PORTERS did not answer (the connection was cut or timed out)',
		description: request.unknownOutcome
			? 'Search PORTERS for the records before running this again, so that nothing is created twice. A cut connection can also mean the 500 writes per minute limit was exceeded.'
			: 'PORTERS may be in maintenance, or the 2,000 reads / 500 writes per minute limit was exceeded. Try again later.',
		itemIndex: request.itemIndex,
	});
}

function httpStatusError(node: INode, request: FailedRequest): NodeApiError {
	const { status, text, unknownOutcome } = request;
	const ErrorClass = unknownOutcome ? PortersUnknownOutcomeError : NodeApiError;
	return new ErrorClass(node, { message: text.slice(0, 300), status } as JsonObject, {
		message: request.readable
			? `PORTERS answered with HTTP ${status}`
			: `PORTERS answered with HTTP ${status} and no readable result`,
		description:
			status === 429
				? 'Too many requests: PORTERS allows 2,000 reads and 500 writes a minute. Lower the requests per minute in the node options if several workflows share the app.'
				: unknownOutcome
					? 'It is unknown whether the records were created: search PORTERS for them before running this again, so that nothing is created twice.'
					: text.slice(0, 300),
		httpCode: String(status),
		itemIndex: request.itemIndex,
	});
}

/** The error for a request that failed for good (no retries left, or not worth one). */
export function requestFailureError(node: INode, request: FailedRequest): NodeApiError {
	const { failure } = request;
	if (request.tooLarge) return new PortersTooLargeError(node, request);
	if (failure.kind === 'code') {
		return new PortersResultError(node, failure.code, request.status, request.path, request.itemIndex);
	}
	if (failure.kind === 'network') return noAnswerError(node, request);
	return httpStatusError(node, request);
}
