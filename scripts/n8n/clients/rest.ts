import { parseFlatted } from './flatted';

/**
 * A small client for n8n's internal REST API (`/rest/…`, the one the editor uses), with the auth
 * cookie of the owner. Response bodies are wrapped as `{ data: … }`.
 */

export interface OwnerAccount {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

export type ExecutionStatus =
	'canceled' | 'crashed' | 'error' | 'new' | 'running' | 'success' | 'unknown' | 'waiting';

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	mode: string;
	status: ExecutionStatus;
	finished: boolean;
	startedAt: string | null;
	stoppedAt: string | null;
	createdAt?: string;
	retryOf?: string | null;
}

/** The parts of n8n's `IRunExecutionData` the tests look at. */
export interface ExecutionRunData {
	resultData: {
		runData: Record<string, NodeRun[]>;
		lastNodeExecuted?: string;
		error?: { message?: string; description?: string; name?: string; [key: string]: unknown };
	};
	[key: string]: unknown;
}

export interface NodeRun {
	startTime?: number;
	executionTime?: number;
	executionStatus?: string;
	error?: { message?: string; description?: string; [key: string]: unknown };
	data?: { main?: Array<Array<{ json: Record<string, unknown>; [key: string]: unknown }> | null> };
	[key: string]: unknown;
}

export interface ExecutionDetail extends ExecutionSummary {
	data: ExecutionRunData;
	workflowData?: { id?: string; name?: string; nodes?: unknown[] };
}

export interface WorkflowSummary {
	id: string;
	name: string;
	active: boolean;
	activeVersionId?: string | null;
	versionId?: string;
}

export class N8nRequestError extends Error {
	constructor(
		message: string,
		readonly status: number,
		readonly body: string,
	) {
		super(message);
		this.name = 'N8nRequestError';
	}
}

const BROWSER_ID = 'line-porters-e2e-harness';

function delay(ms: number): Promise<void> {
	return new Promise((resolveDelay) => setTimeout(resolveDelay, ms));
}

export class N8nRestClient {
	private cookie: string | undefined;

	constructor(readonly baseUrl: string) {}

	get isAuthenticated(): boolean {
		return this.cookie !== undefined;
	}

	/** Raw request against `/rest/<path>`; returns the unwrapped `data`. */
	async request<T>(method: string, path: string, body?: unknown): Promise<T> {
		const send = async () =>
			await fetch(`${this.baseUrl}/rest/${path.replace(/^\//, '')}`, {
				method,
				headers: {
					'content-type': 'application/json',
					'browser-id': BROWSER_ID,
					...(this.cookie ? { cookie: this.cookie } : {}),
				},
				body: body === undefined ? undefined : JSON.stringify(body),
			});
		const { response, text } = await whileDatabaseNotReady(async () => {
			const answer = method === 'GET' ? await withReconnect(send) : await send();
			return { response: answer, text: await answer.text() };
		});
		const setCookie = response.headers.get('set-cookie');
		const authCookie = setCookie?.match(/n8n-auth=[^;]+/)?.[0];
		if (authCookie) this.cookie = authCookie;
		if (!response.ok) {
			throw new N8nRequestError(
				`${method} /rest/${path} → ${response.status}: ${text.slice(0, 500)}`,
				response.status,
				text,
			);
		}
		const parsed = text === '' ? undefined : (JSON.parse(text) as { data?: T });
		return (parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed) as T;
	}

	/** GET of any path outside `/rest` (e.g. `/types/nodes.json`) with the session cookie. */
	async getWithSession(path: string): Promise<Response> {
		return await fetch(`${this.baseUrl}/${path.replace(/^\//, '')}`, {
			headers: { 'browser-id': BROWSER_ID, ...(this.cookie ? { cookie: this.cookie } : {}) },
		});
	}

	async settings(): Promise<{
		userManagement?: { showSetupOnFirstLoad?: boolean };
		[key: string]: unknown;
	}> {
		return await this.request('GET', 'settings');
	}

	/** Creates the instance owner on a fresh instance, or logs in when an owner already exists. */
	async ensureOwner(owner: OwnerAccount): Promise<void> {
		const settings = await this.settings();
		if (settings.userManagement?.showSetupOnFirstLoad) {
			await this.request('POST', 'owner/setup', owner);
		} else {
			await this.login(owner.email, owner.password);
		}
	}

	async login(email: string, password: string): Promise<void> {
		await this.request('POST', 'login', { emailOrLdapLoginId: email, password });
	}

	async listWorkflows(): Promise<WorkflowSummary[]> {
		const data = await this.request<WorkflowSummary[] | { data?: WorkflowSummary[] }>(
			'GET',
			'workflows',
		);
		return Array.isArray(data) ? data : (data.data ?? []);
	}

	async getWorkflow(id: string): Promise<WorkflowSummary & { nodes: unknown[] }> {
		return await this.request('GET', `workflows/${encodeURIComponent(id)}`);
	}

	/** Activation errors n8n keeps for a workflow that failed to activate (empty when none). */
	async activationError(workflowId: string): Promise<string | undefined> {
		const data = await this.request<unknown>(
			'GET',
			`active-workflows/error/${encodeURIComponent(workflowId)}`,
		);
		if (data === null || data === undefined || data === '') return undefined;
		return typeof data === 'string' ? data : JSON.stringify(data);
	}

	/** Newest first; at most 100 (n8n's page limit). */
	async listExecutions(
		filter: { workflowId?: string; status?: ExecutionStatus[] } = {},
		limit = 100,
	): Promise<ExecutionSummary[]> {
		const query = new URLSearchParams({ filter: JSON.stringify(filter), limit: String(limit) });
		const data = await this.request<{ results: ExecutionSummary[] }>('GET', `executions?${query}`);
		return data.results;
	}

	/** One execution with its run data (decoded from n8n's flatted encoding). */
	async getExecution(id: string): Promise<ExecutionDetail> {
		const raw = await this.request<Omit<ExecutionDetail, 'data'> & { data: unknown }>(
			'GET',
			`executions/${encodeURIComponent(id)}`,
		);
		const data = typeof raw.data === 'string' ? parseFlatted(raw.data) : raw.data;
		return { ...raw, data: data as ExecutionRunData };
	}

	/**
	 * Waits for `count` finished executions of a workflow that are not in `exclude` (ids seen
	 * before the action under test), and returns them oldest first with their run data.
	 */
	async waitForExecutions(
		workflowId: string,
		options: { exclude?: Iterable<string>; count?: number; timeoutMs?: number } = {},
	): Promise<ExecutionDetail[]> {
		const excluded = new Set(options.exclude ?? []);
		const wanted = options.count ?? 1;
		const deadline = Date.now() + (options.timeoutMs ?? 30000);
		let lastSeen: ExecutionSummary[] = [];
		for (;;) {
			const fresh = (await this.listExecutions({ workflowId })).filter(
				(execution) => !excluded.has(execution.id),
			);
			lastSeen = fresh;
			const done = fresh.filter(
				(execution) => !['new', 'running', 'waiting'].includes(execution.status),
			);
			if (done.length >= wanted && done.length === fresh.length) {
				const ordered = done.sort((a, b) => Number(a.id) - Number(b.id));
				return await Promise.all(
					ordered.map(async (execution) => await this.getExecution(execution.id)),
				);
			}
			if (Date.now() > deadline) {
				throw new Error(
					`Timed out waiting for ${wanted} finished execution(s) of workflow ${workflowId}; saw ` +
						JSON.stringify(lastSeen.map(({ id, status }) => ({ id, status }))),
				);
			}
			await delay(250);
		}
	}

	/** Ids of the executions a workflow has so far (to exclude them in `waitForExecutions`). */
	async executionIds(workflowId: string): Promise<string[]> {
		return (await this.listExecutions({ workflowId })).map((execution) => execution.id);
	}
}

/** The JSON items a node produced on its first output in the first run of an execution. */
export function nodeOutput(
	execution: ExecutionDetail,
	nodeName: string,
	output = 0,
): Array<Record<string, unknown>> {
	const runs = execution.data.resultData.runData[nodeName];
	if (!runs || runs.length === 0) {
		throw new Error(
			`Node "${nodeName}" did not run in execution ${execution.id}; ran: ` +
				Object.keys(execution.data.resultData.runData).join(', '),
		);
	}
	return (runs[0].data?.main?.[output] ?? []).map((item) => item.json);
}

/**
 * n8n pings its database every few seconds; when a ping times out (SQLite behind a long execution
 * in regular mode on a loaded machine) it answers every request with 503 "Database is not ready!"
 * until a ping succeeds again. That answer comes before any handler ran, so the same request is
 * sent again once n8n is ready, for up to two minutes.
 */
async function whileDatabaseNotReady(
	send: () => Promise<{ response: Response; text: string }>,
	limitMs = 120_000,
): Promise<{ response: Response; text: string }> {
	const deadline = Date.now() + limitMs;
	for (;;) {
		const answer = await send();
		const notReady = answer.response.status === 503 && answer.text.includes('Database is not ready');
		if (!notReady || Date.now() > deadline) return answer;
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
}

/**
 * A busy n8n closes idle keep-alive connections while a poll is about to reuse one, and fetch then
 * fails with ECONNRESET before anything reached n8n. Reads are safe to send again.
 */
async function withReconnect(send: () => Promise<Response>, attempts = 3): Promise<Response> {
	for (let attempt = 1; ; attempt += 1) {
		try {
			return await send();
		} catch (error) {
			const cause = (error as { cause?: { code?: string } }).cause;
			const dropped = cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET';
			if (!dropped || attempt >= attempts) throw error;
			await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
		}
	}
}
