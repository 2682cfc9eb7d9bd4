/**
 * Stand-ins for the n8n execution contexts, so node code runs in tests exactly as it is written,
 * against real HTTP servers (the sandboxes). What n8n does around a node is emulated after the
 * behaviour of n8n-core 2.40: credential `preAuthentication` when its expirable field is empty
 * (with the refreshed value saved back, as n8n saves it to its database), the credential's
 * `authenticate` applied to every request, a retry after re-authenticating on HTTP 401, axios-like
 * bodies and errors wrapped in `NodeApiError`.
 */
import {
	NodeApiError,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type ICredentialTestRequest,
	type IDataObject,
	type IExecuteFunctions,
	type IHookFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type INodeExecutionData,
	type IPollFunctions,
	type IWebhookFunctions,
	type JsonObject,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

export interface RecordedHttpCall {
	method: string;
	url: string;
	headers: Record<string, string>;
	body: unknown;
	status?: number;
	error?: string;
}

/** A parameter value, or a function giving the value for one item (like an n8n expression). */
export type ParameterValue = unknown | ((itemIndex: number) => unknown);

export interface ContextOptions {
	parameters?: Record<string, ParameterValue>;
	items?: INodeExecutionData[];
	/** Decrypted credential data by credential type name; mutated when a token is refreshed. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Credential type classes by name, to apply `authenticate` and `preAuthentication`. */
	credentialTypes?: Record<string, ICredentialType>;
	continueOnFail?: boolean;
	node?: Partial<INode>;
	staticData?: IDataObject;
	mode?: WorkflowExecuteMode;
	/** Webhook URLs by webhook name (for `getNodeWebhookUrl`). */
	webhookUrls?: Record<string, string>;
	/** Called for every outgoing request before it is sent (for assertions). */
	onRequest?: (call: RecordedHttpCall) => void;
}

export interface WebhookRequestOptions {
	rawBody?: Buffer;
	headers?: Record<string, string>;
	body?: unknown;
	query?: Record<string, string>;
	method?: string;
	webhookName?: string;
	/**
	 * Whether n8n read and parsed the body before calling the node (default). n8n skips that for
	 * version-2 webhook nodes when the content type is not one it parses; the node then reads the
	 * raw body itself.
	 */
	bodyReadByN8n?: boolean;
}

export interface FakeResponse {
	statusCode: number;
	headers: Record<string, string>;
	body: unknown;
	ended: boolean;
}

export interface TestContextExtras {
	/** Every HTTP request the node made, in order. */
	http: RecordedHttpCall[];
	staticData: IDataObject;
	credentials: Record<string, ICredentialDataDecryptedObject>;
}

class HttpStatusError extends Error {
	constructor(
		readonly response: { status: number; statusText: string; headers: Record<string, string>; data: unknown },
		readonly config: { method: string; url: string },
	) {
		super(`Request failed with status code ${response.status}`);
	}
	readonly isAxiosError = true;
	get status() {
		return this.response.status;
	}
}

function readPath(source: unknown, path: string): unknown {
	let value: unknown = source;
	for (const key of path.split('.')) {
		if (value === null || value === undefined || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

/**
 * Resolves the small expression language credentials use (`={{$credentials.x}}`,
 * `=Bearer {{ $credentials?.token }}`); anything else in braces is a test-setup error.
 */
export function resolveCredentialExpression(
	value: unknown,
	credentials: ICredentialDataDecryptedObject,
): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	const template = value.slice(1);
	const whole = /^\{\{\s*\$credentials\??\.([\w.]+)\s*\}\}$/.exec(template);
	if (whole) return readPath(credentials, whole[1]);
	return template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
		const m = /^\$credentials\??\.([\w.]+)$/.exec(expr.trim());
		if (!m) throw new Error(`Unsupported expression in test context: ${expr}`);
		const resolved = readPath(credentials, m[1]);
		return resolved === undefined || resolved === null ? '' : String(resolved);
	});
}

function resolveDeep(value: unknown, credentials: ICredentialDataDecryptedObject): unknown {
	if (Array.isArray(value)) return value.map((v) => resolveDeep(v, credentials));
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([k, v]) => [k, resolveDeep(v, credentials)]),
		);
	}
	return resolveCredentialExpression(value, credentials);
}

function buildUrl(options: IHttpRequestOptions): string {
	const base = options.baseURL ?? '';
	const url = /^https?:\/\//.test(options.url) ? new URL(options.url) : new URL(base.replace(/\/$/, '') + options.url);
	for (const [key, value] of Object.entries(options.qs ?? {})) {
		if (value === undefined) continue;
		if (Array.isArray(value)) for (const v of value) url.searchParams.append(`${key}[]`, String(v));
		else url.searchParams.append(key, String(value));
	}
	return url.toString();
}

function lowerCaseHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = String(v);
	return out;
}

/** One HTTP request with the semantics of n8n's `helpers.httpRequest` (axios underneath). */
export async function performHttpRequest(
	options: IHttpRequestOptions,
	log: RecordedHttpCall[],
	onRequest?: (call: RecordedHttpCall) => void,
): Promise<unknown> {
	const method = (options.method ?? 'GET').toUpperCase();
	const url = buildUrl(options);
	const headers = lowerCaseHeaders(options.headers as Record<string, unknown>);
	let payload: string | Buffer | undefined;
	const body = options.body as unknown;
	const hasBody =
		body !== undefined &&
		body !== null &&
		!(typeof body === 'object' && !Buffer.isBuffer(body) && !(body instanceof URLSearchParams) && Object.keys(body).length === 0);
	if (hasBody && method !== 'GET') {
		if (typeof body === 'string' || Buffer.isBuffer(body)) {
			payload = body;
		} else if (body instanceof URLSearchParams) {
			payload = body.toString();
			headers['content-type'] ??= 'application/x-www-form-urlencoded';
		} else if (headers['content-type'] === 'application/x-www-form-urlencoded') {
			payload = new URLSearchParams(body as Record<string, string>).toString();
		} else {
			payload = JSON.stringify(body);
			headers['content-type'] ??= 'application/json';
		}
	}
	if (options.json && !headers.accept) headers.accept = 'application/json';
	headers['user-agent'] ??= 'n8n';

	const call: RecordedHttpCall = { method, url, headers, body: payload === undefined ? undefined : body };
	log.push(call);
	onRequest?.(call);

	let response: Response;
	try {
		response = await fetch(url, {
			method,
			headers,
			body: payload,
			redirect: options.disableFollowRedirect ? 'manual' : 'follow',
			signal: AbortSignal.timeout(options.timeout ?? 30_000),
		});
	} catch (error) {
		call.error = (error as Error).message;
		const wrapped = new Error((error as Error).cause ? String((error as Error).cause) : (error as Error).message);
		(wrapped as Error & { code?: string }).code = 'ECONNRESET';
		throw wrapped;
	}
	call.status = response.status;
	const responseHeaders: Record<string, string> = {};
	response.headers.forEach((value, key) => (responseHeaders[key] = value));
	const buffer = Buffer.from(await response.arrayBuffer());
	let data: unknown;
	if (options.encoding === 'arraybuffer' || options.encoding === 'stream') {
		data = buffer;
	} else {
		const text = buffer.toString('utf8');
		data = text;
		if (options.encoding !== 'text' && text.length > 0) {
			try {
				data = JSON.parse(text);
			} catch {
				data = text;
			}
		}
	}

	const ignore = options.ignoreHttpStatusErrors as boolean | { except: number[] } | undefined;
	const statusAccepted =
		(response.status >= 200 && response.status < 300) ||
		(ignore === true) ||
		(typeof ignore === 'object' && !ignore.except.includes(response.status)) ||
		(options.disableFollowRedirect === true && response.status >= 300 && response.status < 400);
	if (!statusAccepted) {
		throw new HttpStatusError(
			{ status: response.status, statusText: response.statusText, headers: responseHeaders, data },
			{ method, url },
		);
	}
	if (options.returnFullResponse) {
		return { body: data, headers: responseHeaders, statusCode: response.status, statusMessage: response.statusText };
	}
	return data;
}

async function applyAuthentication(
	type: ICredentialType | undefined,
	credentials: ICredentialDataDecryptedObject,
	options: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const authenticate = type?.authenticate;
	if (!authenticate) return options;
	if (typeof authenticate === 'function') return authenticate(credentials, { ...options });
	const props = resolveDeep(authenticate.properties, credentials) as {
		headers?: IDataObject;
		qs?: IDataObject;
		body?: IDataObject;
		auth?: { username: string; password: string };
	};
	return {
		...options,
		headers: { ...(options.headers ?? {}), ...(props.headers ?? {}) },
		qs: props.qs ? { ...(options.qs ?? {}), ...props.qs } : options.qs,
		body: props.body ? { ...((options.body as IDataObject) ?? {}), ...props.body } : options.body,
		auth: props.auth ?? options.auth,
	};
}

/** Runs `preAuthentication` as n8n does: when the expirable field is empty, or when forced. */
async function preAuthenticate(
	type: ICredentialType | undefined,
	credentials: ICredentialDataDecryptedObject,
	force: boolean,
	helpers: { httpRequest: (o: IHttpRequestOptions) => Promise<unknown> },
	stored?: ICredentialDataDecryptedObject,
): Promise<void> {
	if (!type?.preAuthentication) return;
	const expirable = type.properties.find((p) => p.typeOptions?.expirable === true);
	if (!expirable) return;
	if (!force && credentials[expirable.name] !== '' && credentials[expirable.name] !== undefined) return;
	const update = await type.preAuthentication.call({ helpers } as never, credentials);
	if (update) {
		Object.assign(credentials, update);
		// n8n saves the refreshed value under the node's credential, also when the request was
		// made with explicitly passed credential data.
		if (stored && stored !== credentials) Object.assign(stored, update);
	}
}

function createHttpHelpers(node: INode, opts: ContextOptions, log: RecordedHttpCall[]) {
	const credentials = opts.credentials ?? {};
	const httpRequest = async (options: IHttpRequestOptions) =>
		performHttpRequest({ ...options }, log, opts.onRequest);

	const httpRequestWithAuthentication = async (
		credentialType: string,
		options: IHttpRequestOptions,
		additional?: { preAuthenticationRetryStatusCode?: number; credentialsDecrypted?: { data: ICredentialDataDecryptedObject } },
	) => {
		const type = opts.credentialTypes?.[credentialType];
		const data = additional?.credentialsDecrypted?.data ?? credentials[credentialType];
		if (!data) throw new Error(`Test context has no credentials of type "${credentialType}"`);
		try {
			await preAuthenticate(type, data, false, { httpRequest }, credentials[credentialType]);
			return await httpRequest(await applyAuthentication(type, data, options));
		} catch (error) {
			const status = (error as HttpStatusError).response?.status;
			if (status === (additional?.preAuthenticationRetryStatusCode ?? 401) && type?.preAuthentication) {
				try {
					await preAuthenticate(type, data, true, { httpRequest }, credentials[credentialType]);
					return await httpRequest(await applyAuthentication(type, data, options));
				} catch (retryError) {
					throw new NodeApiError(node, retryError as JsonObject);
				}
			}
			throw new NodeApiError(node, error as JsonObject);
		}
	};
	return { httpRequest, httpRequestWithAuthentication };
}

function createNode(opts: ContextOptions): INode {
	return {
		id: 'node-under-test',
		name: 'Node Under Test',
		type: 'n8n-nodes-line-porters.test',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		...opts.node,
	} as INode;
}

function parameterGetter(node: INode, parameters: Record<string, ParameterValue>) {
	return (...args: [string, number?, unknown?, { extractValue?: boolean }?]) => {
		const [name, itemIndex = 0, fallback, options] = args;
		let value: unknown = readPath(parameters, name);
		if (typeof value === 'function') value = (value as (i: number) => unknown)(itemIndex);
		if (value === undefined) {
			if (args.length >= 3) return fallback;
			throw new Error(`Could not get parameter "${name}" of node "${node.name}"`);
		}
		if (options?.extractValue && value && typeof value === 'object' && '__rl' in value) {
			return (value as unknown as { value: unknown }).value;
		}
		return value;
	};
}

function commonFunctions(opts: ContextOptions) {
	const node = createNode(opts);
	const http: RecordedHttpCall[] = [];
	const staticData = opts.staticData ?? {};
	const credentials = opts.credentials ?? {};
	const { httpRequest, httpRequestWithAuthentication } = createHttpHelpers(
		node,
		{ ...opts, credentials },
		http,
	);
	const common = {
		getNode: () => node,
		getNodeParameter: parameterGetter(node, opts.parameters ?? {}),
		getCredentials: async (type: string) => {
			const data = credentials[type];
			if (!data) throw new Error(`Node "${node.name}" does not have any credentials of type "${type}" set`);
			return data;
		},
		getWorkflowStaticData: () => staticData,
		getMode: () => opts.mode ?? 'trigger',
		getWorkflow: () => ({ id: 'wf-test', name: 'Workflow Under Test', active: true }),
		getTimezone: () => 'UTC',
		getNodeWebhookUrl: (name: string) => opts.webhookUrls?.[name],
		getInstanceId: () => 'test-instance',
		logger: { debug() {}, info() {}, warn() {}, error() {} },
		helpers: {
			httpRequest,
			httpRequestWithAuthentication,
			returnJsonArray: (data: IDataObject | IDataObject[]) =>
				(Array.isArray(data) ? data : [data]).map((json) => ({ json })),
			constructExecutionMetaData: (
				inputData: INodeExecutionData[],
				options: { itemData: { item: number } | { item: number }[] },
			) => inputData.map((item) => ({ ...item, pairedItem: options.itemData })),
		},
	};
	const extras: TestContextExtras = { http, staticData, credentials };
	return { common, extras };
}

export function createExecuteContext(opts: ContextOptions = {}): IExecuteFunctions & TestContextExtras {
	const { common, extras } = commonFunctions({ mode: 'manual', ...opts });
	const items = opts.items ?? [{ json: {} }];
	return {
		...common,
		...extras,
		getInputData: () => items,
		continueOnFail: () => opts.continueOnFail ?? false,
		getExecutionId: () => 'exec-test',
	} as unknown as IExecuteFunctions & TestContextExtras;
}

export function createLoadOptionsContext(opts: ContextOptions = {}): ILoadOptionsFunctions & TestContextExtras {
	const { common, extras } = commonFunctions(opts);
	return {
		...common,
		...extras,
		getCurrentNodeParameter: (name: string) => readPath(opts.parameters ?? {}, name),
	} as unknown as ILoadOptionsFunctions & TestContextExtras;
}

export function createHookContext(opts: ContextOptions = {}): IHookFunctions & TestContextExtras {
	const { common, extras } = commonFunctions(opts);
	return {
		...common,
		...extras,
		getWebhookName: () => 'default',
		getActivationMode: () => 'activate',
	} as unknown as IHookFunctions & TestContextExtras;
}

export function createPollContext(opts: ContextOptions = {}): IPollFunctions & TestContextExtras {
	const { common, extras } = commonFunctions({ mode: 'trigger', ...opts });
	return { ...common, ...extras, getActivationMode: () => 'activate' } as unknown as IPollFunctions &
		TestContextExtras;
}

export function createWebhookContext(
	opts: ContextOptions,
	request: WebhookRequestOptions,
): IWebhookFunctions & TestContextExtras & { response: FakeResponse } {
	const { common, extras } = commonFunctions({ mode: 'webhook', ...opts });
	const headers = lowerCaseHeaders(request.headers);
	const rawBody = request.rawBody ?? Buffer.alloc(0);
	const bodyRead = request.bodyReadByN8n ?? true;
	let parsed: unknown = request.body;
	if (parsed === undefined && bodyRead && rawBody.length > 0) {
		try {
			parsed = JSON.parse(rawBody.toString('utf8'));
		} catch {
			parsed = {};
		}
	}
	const response: FakeResponse = { statusCode: 200, headers: {}, body: undefined, ended: false };
	const res = {
		status(code: number) {
			response.statusCode = code;
			return res;
		},
		setHeader(name: string, value: string) {
			response.headers[name.toLowerCase()] = value;
			return res;
		},
		header(name: string, value: string) {
			return res.setHeader(name, value);
		},
		json(body: unknown) {
			response.headers['content-type'] ??= 'application/json';
			response.body = body;
			response.ended = true;
			return res;
		},
		send(body: unknown) {
			response.body = body;
			response.ended = true;
			return res;
		},
		end(body?: unknown) {
			if (body !== undefined) response.body = body;
			response.ended = true;
			return res;
		},
	};
	const req: { rawBody?: Buffer } & Record<string, unknown> = {
		method: request.method ?? 'POST',
		headers,
		rawBody: bodyRead ? rawBody : undefined,
		body: parsed ?? {},
		query: request.query ?? {},
		readRawBody: async () => {
			req.rawBody = rawBody;
		},
	};
	return {
		...common,
		...extras,
		response,
		getRequestObject: () => req,
		getResponseObject: () => res,
		getHeaderData: () => headers,
		getBodyData: () => (parsed ?? {}) as IDataObject,
		getQueryData: () => request.query ?? {},
		getParamsData: () => ({}),
		getWebhookName: () => request.webhookName ?? 'default',
	} as unknown as IWebhookFunctions & TestContextExtras & { response: FakeResponse };
}

/** Runs a credential's declarative `test` request the way n8n's credential test does. */
export async function runCredentialTest(
	type: ICredentialType,
	credentials: ICredentialDataDecryptedObject,
): Promise<{ status: 'OK' | 'Error'; message: string; statusCode?: number }> {
	const test = type.test as ICredentialTestRequest | undefined;
	if (!test) throw new Error(`Credential type ${type.name} has no test request`);
	const log: RecordedHttpCall[] = [];
	const node = createNode({});
	const { httpRequestWithAuthentication } = createHttpHelpers(
		node,
		{ credentials: { [type.name]: credentials }, credentialTypes: { [type.name]: type } },
		log,
	);
	const request = resolveDeep(test.request, credentials) as IHttpRequestOptions;
	try {
		const response = (await httpRequestWithAuthentication(type.name, {
			...request,
			url: request.url ?? '',
			returnFullResponse: true,
		})) as { statusCode: number; body: unknown };
		for (const rule of test.rules ?? []) {
			if (rule.type === 'responseSuccessBody') {
				const actual = readPath(response.body, rule.properties.key);
				if (actual === rule.properties.value) return { status: 'Error', message: rule.properties.message };
			}
		}
		return { status: 'OK', message: 'Connection successful!', statusCode: response.statusCode };
	} catch (error) {
		const status = (error as NodeApiError).httpCode ? Number((error as NodeApiError).httpCode) : undefined;
		for (const rule of test.rules ?? []) {
			if (rule.type === 'responseCode' && rule.properties.value === status) {
				return { status: 'Error', message: rule.properties.message, statusCode: status };
			}
		}
		return { status: 'Error', message: (error as Error).message, statusCode: status };
	}
}
