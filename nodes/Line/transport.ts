/**
 * The only place that talks to the LINE Messaging API. It adds the credential's base URL, maps
 * LINE's error bodies to `NodeApiError` with LINE's own message, details and request ID, and
 * retries what is safe to retry (429, 5xx, dropped connections) with bounded backoff.
 */
import {
	NodeApiError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IHookFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type IWebhookFunctions,
	type JsonObject,
} from 'n8n-workflow';
import { DEFAULT_BACKOFF, backoffDelay, parseRetryAfter, type BackoffPolicy } from '../../core/http/backoff';

export const LINE_CREDENTIAL = 'lineMessagingApi';

export type LineContext = IExecuteFunctions | IHookFunctions | IWebhookFunctions | ILoadOptionsFunctions;

export interface LineRequest {
	method: IHttpRequestMethods;
	path: string;
	body?: IDataObject | IDataObject[];
	qs?: IDataObject;
	headers?: Record<string, string>;
	/** Retry 5xx and dropped connections; off for calls that are not safe to repeat. */
	retryServerErrors?: boolean;
	/**
	 * Retry 429 (default on). Off for endpoints whose limit is per hour (webhook test), where
	 * waiting seconds cannot help.
	 */
	retryRateLimited?: boolean;
	/** Status codes that are an answer, not an error (e.g. 409 for an accepted retry key). */
	acceptStatus?: number[];
	backoff?: BackoffPolicy;
	itemIndex?: number;
	/**
	 * `data`: LINE's data API host (message content), from the credential's Data API Base URL.
	 * Default `api`: the Messaging API host.
	 */
	host?: 'api' | 'data';
	/** The answer is a file: its bytes are returned in `bytes` instead of a parsed body. */
	binary?: boolean;
}

export interface LineResponse<T = IDataObject> {
	statusCode: number;
	body: T;
	headers: Record<string, string>;
	requestId?: string;
	/** The raw bytes of a `binary` request's answer. */
	bytes?: Buffer;
}

interface FullResponse {
	statusCode: number;
	body: unknown;
	headers: Record<string, string | string[] | undefined>;
}

function header(headers: FullResponse['headers'], name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

function lowerCaseHeaders(headers: FullResponse['headers']): Record<string, string> {
	return Object.fromEntries(
		Object.entries(headers).map(([name, value]) => [
			name.toLowerCase(),
			Array.isArray(value) ? value.join(', ') : String(value ?? ''),
		]),
	);
}

function asObject(body: unknown): IDataObject {
	// A binary request's error answer arrives as bytes holding LINE's JSON error body.
	if (Buffer.isBuffer(body)) return body.length > 0 ? parseJsonObject(body.toString('utf8')) : {};
	if (body && typeof body === 'object') return body as IDataObject;
	if (typeof body === 'string' && body.length > 0) return { message: body };
	return {};
}

function parseJsonObject(text: string): IDataObject {
	try {
		const parsed: unknown = JSON.parse(text);
		if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as IDataObject;
	} catch {
		// not JSON: keep the text as the message
	}
	return { message: text };
}

/** LINE's `details[]` turned into one readable line: "messages[0].text: must be specified". */
export function describeLineDetails(body: IDataObject): string | undefined {
	const details = Array.isArray(body.details) ? (body.details as IDataObject[]) : [];
	if (details.length === 0) return undefined;
	return details
		.map((d) => (d.property ? `${String(d.property)}: ${String(d.message ?? '')}` : String(d.message ?? '')))
		.join('; ');
}

const PLAIN_MEANINGS: Record<number, string> = {
	400: 'LINE rejected the request as invalid',
	401: 'LINE did not accept the channel access token. Check the LINE Messaging API credential (Messaging API tab → Channel access token)',
	403: 'This channel is not allowed to use this LINE feature',
	404: 'LINE could not find what was asked for (for example a user who is not a friend of the account)',
	409: 'LINE has already accepted this request',
	410: 'The resource is no longer available at LINE',
	413: 'The request is too large for LINE',
	415: 'LINE does not accept this file type',
	429: 'LINE rate limit or monthly message limit reached',
	500: 'LINE had an internal error',
};

export function lineApiError(
	ctx: LineContext,
	response: { statusCode: number; body: unknown; headers: FullResponse['headers'] },
	itemIndex?: number,
): NodeApiError {
	const body = asObject(response.body);
	const lineMessage = typeof body.message === 'string' ? body.message : undefined;
	const details = describeLineDetails(body);
	const requestId = header(response.headers, 'x-line-request-id');
	const quotaExhausted = isQuotaExhaustedAnswer(response.statusCode, body);
	const meaning = quotaExhausted
		? QUOTA_EXHAUSTED_MEANING
		: PLAIN_MEANINGS[response.statusCode] ?? `LINE answered with HTTP ${response.statusCode}`;
	const message = lineMessage ? `${meaning}: ${lineMessage}` : meaning;
	const description = [
		quotaExhausted && QUOTA_EXHAUSTED_FIX,
		details && `Details: ${details}`,
		requestId && `LINE request ID: ${requestId}`,
	]
		.filter(Boolean)
		.join('\n');
	const error = new NodeApiError(
		ctx.getNode(),
		{ ...body, ...(requestId ? { requestId } : {}) } as JsonObject,
		{
			message,
			description: description || undefined,
			httpCode: String(response.statusCode),
			itemIndex,
		},
	);
	return error;
}

function isRetryable(statusCode: number, retryServerErrors: boolean, retryRateLimited: boolean): boolean {
	return (retryRateLimited && statusCode === 429) || (retryServerErrors && statusCode >= 500);
}

function networkErrorSummary(error: unknown): JsonObject {
	const source = (error ?? {}) as { message?: unknown; code?: unknown };
	const summary: JsonObject = { message: String(source.message ?? 'Network error') };
	if (typeof source.code === 'string') summary.code = source.code;
	return summary;
}

const QUOTA_EXHAUSTED_MEANING = 'The monthly message limit of this LINE Official Account is used up';
const QUOTA_EXHAUSTED_FIX =
	'No more push or multicast messages can be sent this month (replies are still free). Raise the plan or the limit in LINE Official Account Manager → Settings → Plan, or wait for next month. The LINE node\'s "Get Quota" operation shows the limit and the usage.';

function isQuotaExhaustedAnswer(statusCode: number, body: IDataObject): boolean {
	return statusCode === 429 && /monthly limit/i.test(String(body.message ?? ''));
}

/**
 * Sends one LINE API request and returns the full response. Non-2xx answers that are not in
 * `acceptStatus` become a `NodeApiError` after the retries allowed for them.
 */
export async function lineApiRequest(
	this: LineContext,
	request: LineRequest,
): Promise<LineResponse> {
	const credentials = await this.getCredentials(LINE_CREDENTIAL);
	const configured =
		request.host === 'data'
			? credentials.dataApiBaseUrl || 'https://api-data.line.me'
			: credentials.apiBaseUrl || 'https://api.line.me';
	const baseURL = String(configured).replace(/\/+$/, '');
	const policy = request.backoff ?? DEFAULT_BACKOFF;
	const retryServerErrors = request.retryServerErrors ?? true;
	const options: IHttpRequestOptions = {
		method: request.method,
		baseURL,
		url: request.path,
		headers: request.headers,
		qs: request.qs,
		body: request.body,
		json: !request.binary,
		...(request.binary ? { encoding: 'arraybuffer' as const } : {}),
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};

	for (let attempt = 0; ; attempt++) {
		let response: FullResponse;
		try {
			response = (await this.helpers.httpRequestWithAuthentication.call(
				this,
				LINE_CREDENTIAL,
				options,
			)) as FullResponse;
		} catch (error) {
			// No HTTP answer at all (connection reset, timeout): the request may or may not have
			// reached LINE, so it is only repeated where repeating is harmless.
			if (retryServerErrors && attempt < policy.maxRetries) {
				await sleep(backoffDelay(attempt + 1, policy));
				continue;
			}
			// Only the message and code are kept: a client error object can carry the request
			// configuration, headers included, and the access token must never reach an output.
			throw new NodeApiError(this.getNode(), networkErrorSummary(error), {
				message: 'Could not reach LINE. Check the network and the API base URL in the credential.',
				itemIndex: request.itemIndex,
			});
		}
		const ok =
			(response.statusCode >= 200 && response.statusCode < 300) ||
			(request.acceptStatus ?? []).includes(response.statusCode);
		if (ok) {
			const bytes = request.binary ? asBuffer(response.body) : undefined;
			return {
				statusCode: response.statusCode,
				body: bytes ? {} : asObject(response.body),
				headers: lowerCaseHeaders(response.headers),
				requestId: header(response.headers, 'x-line-request-id'),
				...(bytes ? { bytes } : {}),
			};
		}
		if (
			isRetryable(response.statusCode, retryServerErrors, request.retryRateLimited ?? true) &&
			attempt < policy.maxRetries &&
			!isQuotaExhausted(response)
		) {
			const retryAfter = parseRetryAfter(header(response.headers, 'retry-after'));
			await sleep(backoffDelay(attempt + 1, policy, Math.random, retryAfter));
			continue;
		}
		throw lineApiError(this, response, request.itemIndex);
	}
}

function asBuffer(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (typeof body === 'string') return Buffer.from(body, 'utf8');
	return Buffer.alloc(0);
}

/** The monthly limit is a 429 too, but waiting seconds will not lift it: fail at once. */
function isQuotaExhausted(response: FullResponse): boolean {
	return isQuotaExhaustedAnswer(response.statusCode, asObject(response.body));
}

/**
 * A 409 that means "this retry key was already accepted": the message went out earlier (by a
 * previous run of the same event, or by an attempt whose answer was lost), so it is a success.
 */
export function isAcceptedRetryKeyConflict(response: LineResponse<unknown>): boolean {
	if (response.statusCode !== 409) return false;
	const body = asObject(response.body);
	return (
		response.headers['x-line-accepted-request-id'] !== undefined ||
		/retry key/i.test(String(body.message ?? ''))
	);
}
