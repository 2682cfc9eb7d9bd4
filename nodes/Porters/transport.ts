/**
 * The only place that talks to PORTERS. Every request goes through n8n's
 * `httpRequestWithAuthentication` with the PORTERS credential, which fetches and stores the app
 * token itself (see credentials/PortersApi.credentials.ts).
 *
 * Token renewal, in every variant PORTERS may use (docs/porters-api.md §3.7, U2/U3):
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

import { isSessionUsable, parseSession, portersBaseUrl, PortersConfigError } from '../../core/porters/auth';
import { describeResultCode, resultCodeReaction } from '../../core/porters/resultCodes';
import {
	decodeRecord,
	encodeWriteRequest,
	readEnvelope,
	readWriteResponse,
	type PortersRecord,
	type ReadEnvelope,
	type WriteItem,
	type WriteItemResult,
} from '../../core/porters/codec';
import {
	PORTERS_BACKOFF,
	RequestPacer,
	retryDelay,
	shouldRetry,
	type FailureKind,
	type RequestKind,
} from '../../core/porters/pacing';
import type { BackoffPolicy } from '../../core/http/backoff';
import { childElements, firstChild, parseXml, textOf, type XmlElement } from '../../core/porters/xml';

export const PORTERS_CREDENTIAL = 'portersApi';

export type PortersContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions | IHookFunctions;

export interface PortersClientOptions {
	/** First backoff delay; later ones double. Tests set it low. */
	backoffBaseMs?: number;
	maxRetries?: number;
	readsPerMinute?: number;
	writesPerMinute?: number;
	/** For errors: which input item the request belongs to. */
	itemIndex?: number;
}

/** Statistics of one client (one node run), for tests and the Check Setup output. */
export interface PortersClientStats {
	requests: number;
	retries: number;
	reauthentications: number;
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

function findAuthError(error: unknown): Error | undefined {
	return causeChain(error).find((e) => e.name === 'PortersAuthError' || e.name === 'PortersConfigError') as
		| Error
		| undefined;
}

function isNetworkError(error: unknown): boolean {
	return causeChain(error).some(
		(e) =>
			(typeof e.code === 'string' && NETWORK_CODES.has(e.code)) ||
			(typeof e.message === 'string' && /socket hang up|ECONNRESET|timeout|network|fetch failed/i.test(e.message)),
	);
}

function bodyText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (body instanceof Uint8Array) return new TextDecoder('utf-8').decode(body);
	if (body === undefined || body === null) return '';
	return typeof body === 'object' ? JSON.stringify(body) : String(body);
}

/** A PORTERS result code that ends a request, with its plain-language meaning. */
export class PortersResultError extends NodeApiError {
	readonly resultCode: number;

	constructor(ctx: PortersContext, code: number, httpStatus: number, path: string, itemIndex?: number) {
		super(
			ctx.getNode(),
			{ message: describeResultCode(code), resultCode: code, httpStatus } as unknown as JsonObject,
			{
				message: describeResultCode(code),
				description: `PORTERS answered ${path} with result code ${code} (HTTP ${httpStatus}).`,
				httpCode: String(httpStatus),
				itemIndex,
			},
		);
		this.resultCode = code;
	}
}

/** A write that may or may not have been applied (no answer, or a server error). */
export class PortersUnknownOutcomeError extends NodeApiError {
	readonly unknownOutcome = true;
}

export interface PortersResponse {
	root: XmlElement;
	status: number;
}

export class PortersClient {
	readonly baseUrl: string;
	readonly partitionId: number;
	readonly defaultOwnerUserId?: number;
	readonly stats: PortersClientStats = { requests: 0, retries: 0, reauthentications: 0 };
	/** Backoff for repeated requests, also used by callers that repeat single items. */
	readonly retryPolicy: BackoffPolicy;
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
		const policy = this.retryPolicy;
		let attempt = 0;
		let renewedOnce = false;
		for (;;) {
			await this.pace(kind);
			const data = this.credentialsForRequest();
			const renewing = data !== this.credentials;
			const options: IHttpRequestOptions = {
				method,
				baseURL: this.baseUrl,
				url: `/v1/${path}`,
				qs: { partition: this.partitionId, ...qs },
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
			let failure: FailureKind | undefined;
			let response: { statusCode: number; body: unknown } | undefined;
			try {
				response = (await this.ctx.helpers.httpRequestWithAuthentication.call(
					this.ctx,
					PORTERS_CREDENTIAL,
					options,
					{ credentialsDecrypted: { id: '', name: '', type: PORTERS_CREDENTIAL, data } },
				)) as { statusCode: number; body: unknown };
			} catch (error) {
				const authError = findAuthError(error);
				if (authError) {
					throw new NodeApiError(this.node, error as JsonObject, {
						message: authError.message,
						description:
							authError.name === 'PortersConfigError'
								? 'Fix the PORTERS credential.'
								: 'PORTERS refused to issue an access token. Check the PORTERS credential; the request was not sent.',
						itemIndex,
					});
				}
				if (!isNetworkError(error)) throw new NodeApiError(this.node, error as JsonObject, { itemIndex });
				failure = { kind: 'network' };
			} finally {
				if (renewing) {
					// n8n filled in the new session (and saved it with the credential).
					this.credentials = data;
					if (parseSession(data.session)) this.renew = undefined;
				}
			}

			let root: XmlElement | undefined;
			if (response) {
				const status = response.statusCode;
				const text = bodyText(response.body);
				try {
					root = parseXml(text);
				} catch {
					root = undefined;
				}
				const code = root ? this.resultCode(root) : undefined;
				const tokenRejected = code === 401 || code === 402 || (code === undefined && status === 401);
				if (tokenRejected) {
					if (!renewedOnce) {
						renewedOnce = true;
						this.renew = code === 402 ? 'invalid' : 'expired';
						continue;
					}
					throw new NodeApiError(this.node, { message: 'token rejected', status } as JsonObject, {
						message: 'PORTERS rejected the access token again right after a new one was issued',
						description:
							`${describeResultCode(code ?? 401)}. Check that the app still has access to partition ` +
							`${this.partitionId} and that the one-time grant in the browser was done.`,
						httpCode: String(status),
						itemIndex,
					});
				}
				if (code !== undefined && code !== 0) {
					failure = { kind: 'code', code };
					if (!shouldRetry(failure, kind, !!opts.idempotentWrite) || attempt >= policy.maxRetries) {
						throw new PortersResultError(this.ctx, code, status, `/v1/${path}`, itemIndex);
					}
				} else if (root && status < 400) {
					return { root, status };
				} else {
					failure = { kind: 'http', status };
					if (!shouldRetry(failure, kind, !!opts.idempotentWrite) || attempt >= policy.maxRetries) {
						const unknown = kind === 'write' && !opts.idempotentWrite && status >= 500;
						const ErrorClass = unknown ? PortersUnknownOutcomeError : NodeApiError;
						throw new ErrorClass(this.node, { message: text.slice(0, 300), status } as JsonObject, {
							message: root
								? `PORTERS answered with HTTP ${status}`
								: `PORTERS answered with HTTP ${status} and no readable result`,
							description:
								status === 429
									? 'Too many requests: PORTERS allows 2,000 reads and 500 writes a minute. Lower the requests per minute in the node options if several workflows share the app.'
									: unknown
										? 'It is unknown whether the records were created: search PORTERS for them before running this again, so that nothing is created twice.'
										: text.slice(0, 300),
							httpCode: String(status),
							itemIndex,
						});
					}
				}
			} else if (failure?.kind === 'network') {
				if (!shouldRetry(failure, kind, !!opts.idempotentWrite) || attempt >= policy.maxRetries) {
					const ErrorClass = kind === 'write' && !opts.idempotentWrite ? PortersUnknownOutcomeError : NodeApiError;
					throw new ErrorClass(this.node, { message: 'no answer' } as JsonObject, {
						message:
							kind === 'write' && !opts.idempotentWrite
								? 'PORTERS did not answer a write request; it is unknown whether the records were created'
								: 'PORTERS did not answer (the connection was cut or timed out)',
						description:
							kind === 'write' && !opts.idempotentWrite
								? 'Search PORTERS for the records before running this again, so that nothing is created twice. A cut connection can also mean the 500 writes per minute limit was exceeded.'
								: 'PORTERS may be in maintenance, or the 2,000 reads / 500 writes per minute limit was exceeded. Try again later.',
						itemIndex,
					});
				}
			}
			attempt++;
			this.stats.retries++;
			await sleep(retryDelay(attempt, policy));
		}
	}

	/** `<Code>` under the root, whatever the root; undefined when there is none. */
	private resultCode(root: XmlElement): number | undefined {
		const el = firstChild(root, 'Code');
		if (!el) return undefined;
		const n = Number(textOf(el).trim());
		return Number.isInteger(n) ? n : undefined;
	}

	// -------------------------------------------------------------------------------------------
	// Reads

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

	// -------------------------------------------------------------------------------------------
	// Writes

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

	// -------------------------------------------------------------------------------------------
	// Masters

	async listUsers(): Promise<Array<{ id: number; name: string; mail: string }>> {
		const records = await this.readRecords('user', { request_type: 1, user_type: -1 });
		return records.map((r) => ({
			id: Number(text(r['User.P_Id'])),
			name: text(r['User.P_Name']),
			mail: text(r['User.P_Mail']),
		}));
	}

	async listFields(resourceValue: number): Promise<PortersFieldInfo[]> {
		const records = await this.readRecords('field', { resource: resourceValue });
		return records.map((r) => {
			const referTo = r['Field.P_ReferTo'];
			return {
				alias: text(r['Field.P_Alias']),
				name: text(r['Field.P_Name']),
				type: Number(text(r['Field.P_Type'])),
				optionRoot:
					referTo && referTo.type === 'option' && referTo.options.length > 0
						? referTo.options[0].alias
						: undefined,
			};
		});
	}

	/** Option aliases and IDs mapped to names, from Option Read (children nest under `<Items>`). */
	async optionNames(): Promise<{ byAlias: Map<string, string>; byId: Map<number, string> }> {
		const { root } = await this.request('read', 'GET', 'option', { level: 0, enabled: -1 });
		const byAlias = new Map<string, string>();
		const byId = new Map<number, string>();
		const walk = (parent: XmlElement) => {
			for (const item of childElements(parent).filter((e) => e.name === 'Item')) {
				const name = textOf(firstChild(item, 'Option.P_Name') ?? item);
				const alias = firstChild(item, 'Option.P_Alias');
				const id = firstChild(item, 'Option.P_Id');
				if (alias) byAlias.set(textOf(alias).trim(), name);
				if (id) byId.set(Number(textOf(id).trim()), name);
				const nested = firstChild(item, 'Items');
				if (nested) walk(nested);
			}
		};
		walk(root);
		return { byAlias, byId };
	}
}

export interface PortersFieldInfo {
	alias: string;
	name: string;
	/** Numeric PORTERS field type (1 = single-line text, 7 = dropdown, 17 = user, …). */
	type: number;
	optionRoot?: string;
}

function text(value: PortersRecord[string] | undefined): string {
	return value && value.type === 'text' ? value.value : '';
}

/** Result code → whether repeating can help; exported for operations that handle per-item codes. */
export function isRetryableCode(code: number): boolean {
	return resultCodeReaction(code) === 'retry';
}

/**
 * Reads the credential's partition, for the credential check of other nodes ("Check Setup").
 * Resolves with the partition's name, or rejects with an error that says what is wrong.
 */
export async function checkPortersPartition(
	ctx: PortersContext,
): Promise<{ partitionId: number; name: string; companyId: string }> {
	const client = await PortersClient.create(ctx, { maxRetries: 1 });
	const records = await client.readRecords('partition', { request_type: 1 });
	const mine = records.find((r) => Number(text(r['Partition.P_Id'])) === client.partitionId);
	if (!mine) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The PORTERS app cannot reach partition ${client.partitionId}`,
			{
				description: `Partitions this app can reach: ${
					records.map((r) => `${text(r['Partition.P_Id'])} (${text(r['Partition.P_Name'])})`).join(', ') || 'none'
				}. Fix the Partition ID in the PORTERS credential.`,
			},
		);
	}
	return {
		partitionId: client.partitionId,
		name: text(mine['Partition.P_Name']),
		companyId: text(mine['Partition.P_CompanyId']),
	};
}

export { PortersConfigError };
