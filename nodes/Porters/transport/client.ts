/**
 * The PORTERS client: every request goes through n8n's `httpRequestWithAuthentication` with the
 * PORTERS credential, which fetches and stores the app token itself (see
 * credentials/PortersApi.credentials.ts). What an answer means is decided in
 * core/porters/answer.ts; this loop paces, sends, renews the token and repeats.
 *
 * Token renewal, in every variant PORTERS may use (../shared/docs/porters-api.md §3.7, U2/U3):
 * - PORTERS's HTTP status on errors is undocumented, so statuses never throw here
 *   (`ignoreHttpStatusErrors`) and the result code is read from the body under any root.
 * - Before a request, a token past its recorded expiry is renewed without spending a call on it.
 * - On result code 401 (expired) or 402 (invalid), or an HTTP 401 without a code, the request is
 *   repeated once with the credential's `session` emptied: n8n then runs the credential's
 *   `preAuthentication` and saves the new session with the credential, exactly as it does for
 *   an empty session, so the next execution reuses it. The emptied copy keeps the old session in
 *   `staleSession`, so a still-valid refresh token is used (one billable call instead of two).
 * - n8n's own status-based refresh (`preAuthenticationRetryStatusCode`) is not used: it would
 *   re-authenticate on any HTTP 401, including errors that are not about the token.
 *
 * Limits: 200 records per request, 2,000 reads and 500 writes per minute. Requests are paced
 * within one execution (nodes keep no state between executions, which may run on different
 * workers); PORTERS's own over-limit answers (cut connection, 429) are retried with backoff.
 */
import {
	NodeApiError,
	NodeOperationError,
	sleep,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type IHookFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type IPollFunctions,
	type JsonObject,
} from 'n8n-workflow';

import type { BackoffPolicy } from '../../../core/http/backoff';
import { answerText, classifyAnswer, mayMeanTooLarge, outcomeUnknown } from '../../../core/porters/answer';
import { isSessionUsable, parseSession, portersBaseUrl } from '../../../core/porters/auth';
import {
	decodeRecord,
	encodeWriteRequest,
	readEnvelope,
	readWriteResponse,
	type PortersRecord,
	type ReadEnvelope,
	type WriteItem,
	type WriteItemResult,
} from '../../../core/porters/codec';
import { PORTERS_BACKOFF, RequestPacer, retryDelay, shouldRetry, type RequestKind } from '../../../core/porters/pacing';
import { DEFAULT_MAX_REQUEST_CHARS } from '../../../core/porters/writePlan';
import type { XmlElement } from '../../../core/porters/xml';
import {
	authFailureError,
	findAuthError,
	isNetworkError,
	requestFailureError,
	tokenRejectedAgainError,
} from './errors';

export const PORTERS_CREDENTIAL = 'portersApi';

/**
 * Partition Read lists the partitions the app can reach; its documented parameters are only
 * `request_type`, `count` and `start` (Partition-Read, …/115012006227), so it is sent without
 * the `partition` every other call carries. What PORTERS does with an undocumented one is unknown.
 */
const PARTITION_READ_PATH = 'partition';

export type PortersContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions | IHookFunctions;

export interface PortersClientOptions {
	/** First backoff delay; later ones double. Tests set it low. */
	backoffBaseMs?: number;
	maxRetries?: number;
	readsPerMinute?: number;
	writesPerMinute?: number;
	/** For errors: which input item the request belongs to. */
	itemIndex?: number;
	/** Longest write body in characters (0 = count only); see core/porters/writePlan.ts. */
	maxRequestChars?: number;
}

/** Statistics of one client (one node run), for tests and the Check Setup output. */
export interface PortersClientStats {
	requests: number;
	retries: number;
	reauthentications: number;
}

export interface PortersResponse {
	root: XmlElement;
	status: number;
}

/** What came back for one request: the HTTP status and body text, or nothing (no answer). */
type Sent = { status: number; text: string } | undefined;

export class PortersClient {
	readonly baseUrl: string;
	readonly partitionId: number;
	readonly defaultOwnerUserId?: number;
	readonly stats: PortersClientStats = { requests: 0, retries: 0, reauthentications: 0 };
	/** Backoff for repeated requests, also used by callers that repeat single items. */
	readonly retryPolicy: BackoffPolicy;
	/** Longest write body in characters that writers should plan for; 0 = no size limit. */
	readonly maxRequestChars: number;
	private credentials: ICredentialDataDecryptedObject;
	private readonly appId: string;
	private readonly pacer: RequestPacer;
	/** Set when PORTERS rejected the token: the next request renews it. */
	private renew: 'expired' | 'invalid' | undefined;

	private constructor(
		private readonly ctx: PortersContext,
		credentials: ICredentialDataDecryptedObject,
		private readonly options: PortersClientOptions,
	) {
		this.credentials = credentials;
		try {
			this.baseUrl = portersBaseUrl(credentials.protocol, credentials.host);
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), (error as Error).message, {
				description: 'Fix the host or protocol in the PORTERS credential.',
			});
		}
		this.appId = String(credentials.appId ?? '').trim();
		const partition = Number(credentials.partitionId);
		if (!Number.isInteger(partition) || partition <= 0) {
			throw new NodeOperationError(ctx.getNode(), 'The PORTERS credential has no partition ID', {
				description: 'Enter the numeric Partition ID of your PORTERS company database in the credential.',
			});
		}
		this.partitionId = partition;
		const owner = Number(credentials.defaultOwnerUserId);
		if (Number.isInteger(owner) && owner > 0) this.defaultOwnerUserId = owner;
		this.retryPolicy = {
			...PORTERS_BACKOFF,
			baseDelayMs: options.backoffBaseMs ?? PORTERS_BACKOFF.baseDelayMs,
			maxRetries: options.maxRetries ?? PORTERS_BACKOFF.maxRetries,
		};
		const maxChars = Number(options.maxRequestChars ?? DEFAULT_MAX_REQUEST_CHARS);
		this.maxRequestChars = Number.isFinite(maxChars) && maxChars > 0 ? Math.floor(maxChars) : 0;
		this.pacer = new RequestPacer({
			readsPerMinute: options.readsPerMinute,
			writesPerMinute: options.writesPerMinute,
		});
	}

	static async create(ctx: PortersContext, options: PortersClientOptions = {}): Promise<PortersClient> {
		const credentials = (await ctx.getCredentials(PORTERS_CREDENTIAL)) as ICredentialDataDecryptedObject;
		return new PortersClient(ctx, { ...credentials }, options);
	}

	private get node() {
		return this.ctx.getNode();
	}

	/** The credential data to send with: as stored, or with the session emptied to renew it. */
	private credentialsForRequest(): ICredentialDataDecryptedObject {
		const current = this.credentials;
		const session = parseSession(current.session);
		const usable = isSessionUsable(session, Date.now(), this.baseUrl, this.appId);
		if (usable && this.renew === undefined) return current;
		// An invalid token's refresh token is not trusted; an expired one's may still work.
		const keep = this.renew === 'invalid' ? '' : String(current.session ?? '');
		return { ...current, session: '', staleSession: keep };
	}

	private async pace(kind: RequestKind): Promise<void> {
		for (;;) {
			const wait = this.pacer.waitTime(kind, Date.now());
			if (wait <= 0) break;
			await sleep(wait);
		}
		this.pacer.record(kind, Date.now());
	}

	/**
	 * Sends one request with the current token (or an emptied session, so that n8n renews it).
	 * Returns the answer, or nothing when PORTERS did not answer; throws for anything else.
	 */
	private async send(
		method: IHttpRequestMethods,
		path: string,
		qs: IDataObject,
		body: string | undefined,
		itemIndex: number | undefined,
	): Promise<Sent> {
		const data = this.credentialsForRequest();
		const renewing = data !== this.credentials;
		const options: IHttpRequestOptions = {
			method,
			baseURL: this.baseUrl,
			url: `/v1/${path}`,
			qs: path === PARTITION_READ_PATH ? qs : { partition: this.partitionId, ...qs },
			headers: { Accept: 'application/xml' },
			encoding: 'text',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 60_000,
		};
		if (body !== undefined) {
			options.body = body;
			options.headers = { ...options.headers, 'Content-Type': 'application/xml; charset=UTF-8' };
		}
		this.stats.requests++;
		if (renewing) this.stats.reauthentications++;
		try {
			const response = (await this.ctx.helpers.httpRequestWithAuthentication.call(
				this.ctx,
				PORTERS_CREDENTIAL,
				options,
				{ credentialsDecrypted: { id: '', name: '', type: PORTERS_CREDENTIAL, data } },
			)) as { statusCode: number; body: unknown };
			return { status: response.statusCode, text: answerText(response.body) };
		} catch (error) {
			const authError = findAuthError(error);
			if (authError) throw authFailureError(this.node, error, authError, itemIndex);
			if (!isNetworkError(error)) throw new NodeApiError(this.node, error as JsonObject, { itemIndex });
			return undefined;
		} finally {
			if (renewing) {
				// n8n filled in the new session (and saved it with the credential).
				this.credentials = data;
				if (parseSession(data.session)) this.renew = undefined;
			}
		}
	}

	/**
	 * One PORTERS call with pacing, token renewal and retries. Returns the parsed document of a
	 * successful answer; throws for anything else.
	 */
	async request(
		kind: RequestKind,
		method: IHttpRequestMethods,
		path: string,
		qs: IDataObject,
		body?: string,
		opts: { idempotentWrite?: boolean; itemIndex?: number } = {},
	): Promise<PortersResponse> {
		const itemIndex = opts.itemIndex ?? this.options.itemIndex;
		const idempotentWrite = !!opts.idempotentWrite;
		let attempt = 0;
		let renewedOnce = false;
		for (;;) {
			await this.pace(kind);
			const sent = await this.send(method, path, qs, body, itemIndex);
			const answer = classifyAnswer(sent);
			const status = sent?.status ?? 0;
			if (answer.kind === 'success') return { root: answer.root, status };
			if (answer.kind === 'tokenRejected') {
				if (renewedOnce) throw tokenRejectedAgainError(this.node, answer.code, status, this.partitionId, itemIndex);
				renewedOnce = true;
				this.renew = answer.renew;
				continue;
			}
			const { failure } = answer;
			if (!shouldRetry(failure, kind, idempotentWrite) || attempt >= this.retryPolicy.maxRetries) {
				throw requestFailureError(this.node, {
					failure,
					unknownOutcome: outcomeUnknown(failure, kind, idempotentWrite),
					tooLarge: kind === 'write' && mayMeanTooLarge(failure),
					readable: answer.readable,
					status,
					text: sent?.text ?? '',
					path: `/v1/${path}`,
					itemIndex,
				});
			}
			attempt++;
			this.stats.retries++;
			await sleep(retryDelay(attempt, this.retryPolicy));
		}
	}

	async read(resource: string, qs: IDataObject, itemIndex?: number): Promise<ReadEnvelope> {
		const { root } = await this.request('read', 'GET', resource, qs, undefined, { itemIndex });
		return readEnvelope(root);
	}

	/**
	 * Pages through a read with `count=200` until `Total` (or `limit`) is reached. Pages are
	 * handed over one by one, so callers need not hold the raw documents.
	 */
	async readPages(
		resource: string,
		qs: IDataObject,
		onPage: (items: XmlElement[], envelope: ReadEnvelope) => void | Promise<void>,
		opts: { limit?: number; pageSize?: number; itemIndex?: number } = {},
	): Promise<number> {
		const pageSize = Math.min(200, Math.max(1, opts.pageSize ?? 200));
		const limit = opts.limit ?? Infinity;
		let start = 0;
		let seen = 0;
		for (;;) {
			const count = Math.min(pageSize, limit - seen);
			if (count <= 0) break;
			const envelope = await this.read(resource, { ...qs, count, start }, opts.itemIndex);
			const items = envelope.items;
			seen += items.length;
			await onPage(items, envelope);
			start += items.length;
			const total = envelope.total ?? start;
			if (items.length === 0 || start >= total || items.length < count) break;
		}
		return seen;
	}

	async readRecords(
		resource: string,
		qs: IDataObject,
		opts: { limit?: number; itemIndex?: number } = {},
	): Promise<PortersRecord[]> {
		const out: PortersRecord[] = [];
		await this.readPages(resource, qs, (items) => {
			for (const item of items) out.push(decodeRecord(item));
		}, opts);
		return out;
	}

	/**
	 * Writes up to 200 items in one request and returns one result per item, in order.
	 * `idempotent` (only updates of existing IDs) allows repeating after an unknown outcome.
	 */
	async write(
		resource: string,
		root: string,
		items: WriteItem[],
		opts: { idempotent: boolean; itemIndex?: number },
	): Promise<WriteItemResult[]> {
		if (items.length === 0) return [];
		if (items.length > 200) {
			throw new NodeOperationError(this.node, 'PORTERS accepts at most 200 items per write request');
		}
		let body: string;
		try {
			body = encodeWriteRequest(root, items);
		} catch (error) {
			throw new NodeOperationError(this.node, (error as Error).message, { itemIndex: opts.itemIndex });
		}
		const response = await this.request('write', 'POST', resource, {}, body, {
			idempotentWrite: opts.idempotent,
			itemIndex: opts.itemIndex,
		});
		const result = readWriteResponse(response.root);
		if (result.items.length !== items.length) {
			throw new NodeApiError(this.node, { message: 'item count mismatch' } as JsonObject, {
				message: `PORTERS returned ${result.items.length} results for ${items.length} items`,
				description: 'The answer cannot be matched to the input items. Check the records in PORTERS.',
			});
		}
		return result.items;
	}
}
