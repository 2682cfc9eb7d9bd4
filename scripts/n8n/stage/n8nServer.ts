import type { ChildProcess } from 'child_process';
import {
	appendFileSync,
	closeSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'fs';
import { join } from 'path';

import { N8nRestClient, type OwnerAccount } from '../clients/rest';
import type { N8nInstallation } from '../install/n8nInstallation';
import {
	installPackedPackage,
	type InstalledPackage,
	type PackedPackage,
} from '../install/package';
import { hasPublishCommand } from '../install/versions';
import { findFreePort } from '../processes/ports';
import {
	CommandError,
	GUARDIAN_SCRIPT,
	run,
	spawnGroup,
	stopGroup,
	type RunResult,
} from '../processes/processGroups';
import { Progress } from '../processes/progress';
import { onShutdown } from '../processes/shutdown';
import type { CredentialSpec } from './credentials';
import { n8nEnvironment } from './n8nEnv';
import { queueEnvironment, type QueueBackends } from './queueBackends';
import type { PreparedWorkflow } from './workflows';

/**
 * One real n8n instance in a user folder of its own: CLI commands while it is stopped (import,
 * publish), then the server, reachable on 127.0.0.1 only. See ../shared/docs/n8n-platform.md §7.
 *
 * In queue mode (§9) the instance is four processes on one Postgres database and one Redis queue:
 * main (editor, REST, activation, pollers; production webhooks disabled), a webhook processor
 * serving `/webhook/*` on a port of its own, and two workers running the executions.
 */

export const E2E_ENCRYPTION_KEY = 'line-porters-e2e-fixed-encryption-key-v1';

export const DEFAULT_OWNER: OwnerAccount = {
	email: 'owner@line-porters.test',
	password: 'Sandbox-Owner-2026',
	firstName: 'Sandbox',
	lastName: 'Owner',
};

/** Printed by `n8n start` once the server listens and every published workflow was activated. */
const ACTIVATION_DONE_LINE = 'Editor is now accessible via';
/** Printed by `n8n webhook` once it listens. */
const WEBHOOK_LISTENING_LINE = 'Webhook listener waiting for requests.';
/** Printed by `n8n worker` once it takes jobs from the queue. */
const WORKER_READY_LINE = 'n8n worker is now ready';
const WORKER_CONCURRENCY = 5;
/** Two workers, so that executions for the same LINE user can run on different processes. */
const WORKERS = 2;

export interface N8nServerOptions {
	installation: N8nInstallation;
	/** n8n's data goes into `<userFolder>/.n8n`. */
	userFolder: string;
	/** Fixed port, or a free one chosen at creation. */
	port?: number;
	encryptionKey?: string;
	owner?: OwnerAccount;
	progress?: Progress;
	logLevel?: 'error' | 'warn' | 'info' | 'debug';
	extraEnv?: Record<string, string>;
	readyTimeoutMs?: number;
	/** Run in queue mode on these backends (they must be reset by the caller). */
	queue?: QueueBackends;
}

type ProcessRole = 'main' | 'webhook' | 'worker';

/** How one n8n process of the instance is started and known to be ready. */
interface ProcessPlan {
	role: ProcessRole;
	args: string[];
	env: NodeJS.ProcessEnv;
	logFile: string;
	/** Where it answers; for the worker, its health server. */
	port: number;
	readyLine: string;
	readinessUrl: string;
}

interface ServerPorts {
	main: number;
	mainBroker: number;
	webhook: number;
	webhookBroker: number;
	/** One health server and task broker port per worker. */
	workers: Array<{ health: number; broker: number }>;
}

interface RunningServer {
	plan: ProcessPlan;
	child: ChildProcess;
	pgid: number;
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
	hasExited: boolean;
	unregisterShutdown: () => void;
}

/** Reads `length` bytes of a file from `offset` (fewer at its end). */
function readFileRange(file: string, offset: number, length: number): string {
	const fd = openSync(file, 'r');
	try {
		const buffer = Buffer.alloc(length);
		const read = readSync(fd, buffer, 0, length, offset);
		return buffer.subarray(0, read).toString('utf8');
	} finally {
		closeSync(fd);
	}
}

export class N8nServer {
	readonly userFolder: string;
	readonly baseUrl: string;
	/** Base URL of production webhooks: main's own, or the webhook processor's in queue mode. */
	readonly webhookBaseUrl: string;
	readonly mode: 'regular' | 'queue';
	/** Main's log. */
	readonly logFile: string;
	readonly port: number;
	readonly owner: OwnerAccount;
	readonly rest: N8nRestClient;
	private readonly progress: Progress;
	/** Main's environment, also used for CLI commands. */
	private readonly env: NodeJS.ProcessEnv;
	private readonly plans: ProcessPlan[];
	private servers: RunningServer[] = [];

	private constructor(
		private readonly options: N8nServerOptions,
		ports: ServerPorts,
	) {
		this.port = ports.main;
		this.mode = options.queue ? 'queue' : 'regular';
		this.userFolder = options.userFolder;
		this.baseUrl = `http://127.0.0.1:${ports.main}`;
		this.webhookBaseUrl = options.queue ? `http://127.0.0.1:${ports.webhook}` : this.baseUrl;
		this.logFile = join(options.userFolder, 'n8n-server.log');
		this.owner = options.owner ?? DEFAULT_OWNER;
		this.progress = options.progress ?? new Progress('n8n');
		this.rest = new N8nRestClient(this.baseUrl);
		const environment = (port: number, runnerBrokerPort: number, extra: Record<string, string>) =>
			n8nEnvironment({
				installation: options.installation,
				userFolder: options.userFolder,
				port,
				runnerBrokerPort,
				encryptionKey: options.encryptionKey ?? E2E_ENCRYPTION_KEY,
				webhookBaseUrl: `${this.webhookBaseUrl}/`,
				logLevel: options.logLevel,
				extra: {
					N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
					...(options.queue ? queueEnvironment(options.queue) : {}),
					// Links in every process's output point at main's editor.
					N8N_EDITOR_BASE_URL: `${this.baseUrl}/`,
					...extra,
					...options.extraEnv,
				},
			});
		this.env = environment(
			ports.main,
			ports.mainBroker,
			options.queue ? { N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' } : {},
		);
		this.plans = [
			{
				role: 'main',
				args: ['start'],
				env: this.env,
				logFile: this.logFile,
				port: ports.main,
				readyLine: ACTIVATION_DONE_LINE,
				readinessUrl: `${this.baseUrl}/healthz/readiness`,
			},
		];
		if (options.queue) {
			this.plans.push(
				{
					role: 'webhook',
					args: ['webhook'],
					env: environment(ports.webhook, ports.webhookBroker, {}),
					logFile: join(options.userFolder, 'n8n-webhook.log'),
					port: ports.webhook,
					readyLine: WEBHOOK_LISTENING_LINE,
					readinessUrl: `${this.webhookBaseUrl}/healthz/readiness`,
				},
				...ports.workers.map(({ health, broker }, index) => ({
					role: 'worker' as const,
					args: ['worker', `--concurrency=${WORKER_CONCURRENCY}`],
					env: environment(ports.main, broker, {
						QUEUE_HEALTH_CHECK_ACTIVE: 'true',
						QUEUE_HEALTH_CHECK_PORT: String(health),
						N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					}),
					logFile: join(options.userFolder, index === 0 ? 'n8n-worker.log' : `n8n-worker-${index + 1}.log`),
					port: health,
					readyLine: WORKER_READY_LINE,
					readinessUrl: `http://127.0.0.1:${health}/healthz/readiness`,
				})),
			);
		}
	}

	static async create(options: N8nServerOptions): Promise<N8nServer> {
		mkdirSync(options.userFolder, { recursive: true });
		const main = options.port && options.port > 0 ? options.port : await findFreePort();
		const taken = new Set([main]);
		const freePort = async () => {
			let port = await findFreePort();
			while (taken.has(port)) port = await findFreePort();
			taken.add(port);
			return port;
		};
		const mainBroker = await freePort();
		const ports: ServerPorts = {
			main,
			mainBroker,
			webhook: options.queue ? await freePort() : 0,
			webhookBroker: options.queue ? await freePort() : 0,
			workers: [],
		};
		for (let i = 0; options.queue && i < WORKERS; i++) {
			ports.workers.push({ health: await freePort(), broker: await freePort() });
		}
		return new N8nServer(options, ports);
	}

	get isRunning(): boolean {
		return this.servers.some((server) => !server.hasExited);
	}

	/** Log files of every process of the instance (main's first). */
	get logFiles(): string[] {
		return this.plans.map((plan) => plan.logFile);
	}

	webhookUrl(path: string): string {
		return `${this.webhookBaseUrl}/webhook/${path.replace(/^\/+/, '')}`;
	}

	/** Runs an n8n CLI command (n8n must be stopped: the CLI writes the database directly). */
	async cli(
		args: string[],
		options: { timeoutMs?: number; expectOutput?: RegExp } = {},
	): Promise<RunResult> {
		if (this.isRunning) throw new Error(`n8n ${args[0]} must run while the server is stopped`);
		const { nodeBin, n8nBin } = this.options.installation;
		const result = await run(nodeBin, [n8nBin, ...args], {
			cwd: this.userFolder,
			env: this.env,
			timeoutMs: options.timeoutMs ?? 180000,
			description: `n8n ${args.join(' ')}`,
		});
		// Several n8n commands log an error and still exit 0: check for their success line.
		if (options.expectOutput && !options.expectOutput.test(`${result.stdout}\n${result.stderr}`)) {
			throw new CommandError(
				`n8n ${args.join(' ')} did not report success:\n${`${result.stdout}\n${result.stderr}`.trim().slice(-3000)}`,
				result,
			);
		}
		return result;
	}

	async installPackage(packed: PackedPackage): Promise<InstalledPackage> {
		return await installPackedPackage(packed, this.userFolder, {
			npmEnv: this.env,
			progress: this.progress,
		});
	}

	/** Imports (or updates, by ID) credentials; their data is encrypted by n8n on import. */
	async importCredentials(credentials: CredentialSpec[]): Promise<void> {
		if (credentials.length === 0) return;
		const scratch = mkdtempSync(join(this.userFolder, 'import-'));
		try {
			const file = join(scratch, 'credentials.json');
			writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
			const count = credentials.length;
			await this.cli(['import:credentials', `--input=${file}`], {
				expectOutput: new RegExp(
					`Successfully imported ${count} ${count === 1 ? 'credential\\.' : 'credentials\\.'}`,
				),
			});
		} finally {
			rmSync(scratch, { recursive: true, force: true });
		}
	}

	/**
	 * Imports workflows (inactive) in one CLI call. n8n reports how many it imported and names the
	 * ones it skipped (content policy), so a count lower than expected fails here.
	 */
	async importWorkflows(workflows: PreparedWorkflow[]): Promise<void> {
		if (workflows.length === 0) return;
		const scratch = mkdtempSync(join(this.userFolder, 'import-'));
		try {
			const file = join(scratch, 'workflows.json');
			writeFileSync(
				file,
				JSON.stringify(
					workflows.map((workflow) => workflow.json),
					null,
					2,
				),
			);
			const count = workflows.length;
			await this.cli(['import:workflow', `--input=${file}`], {
				expectOutput: new RegExp(
					`Successfully imported ${count} ${count === 1 ? 'workflow\\.' : 'workflows\\.'}`,
				),
			});
		} finally {
			rmSync(scratch, { recursive: true, force: true });
		}
	}

	async listWorkflows(): Promise<Array<{ id: string; name: string }>> {
		const result = await this.cli(['list:workflow']);
		return result.stdout
			.split('\n')
			.map((line) => line.trim())
			.filter((line) => /^[^|\s]+\|/.test(line))
			.map((line) => {
				const separator = line.indexOf('|');
				return { id: line.slice(0, separator), name: line.slice(separator + 1) };
			});
	}

	/**
	 * Publishes (activates) workflows; they go live when the server starts. n8n 1.x has no
	 * `publish:workflow` and activates with `update:workflow --active=true` (deprecated in 2.x).
	 */
	async publishWorkflows(ids: string[]): Promise<void> {
		const publishes = hasPublishCommand(this.options.installation.n8nVersion);
		for (const id of ids) {
			const [args, confirmation] = publishes
				? [['publish:workflow', `--id=${id}`], /Note: Changes will not take effect if n8n is running/]
				: [
						['update:workflow', `--id=${id}`, '--active=true'],
						/Activation or deactivation will not take effect if n8n is running/,
					];
			await this.cli(args, { expectOutput: confirmation });
		}
	}

	/**
	 * Starts the server (in queue mode main, then the webhook processor and the workers) and resolves
	 * once every process is ready and main has activated its workflows.
	 */
	async start(): Promise<void> {
		if (this.isRunning) return;
		const [main, ...others] = this.plans;
		try {
			await this.launch(main);
			await Promise.all(others.map((plan) => this.launch(plan)));
		} catch (error) {
			await this.stop();
			throw error;
		}
	}

	private async launch(plan: ProcessPlan): Promise<void> {
		const startedAt = Date.now();
		const { nodeBin, n8nBin } = this.options.installation;
		const label = this.mode === 'queue' ? `n8n ${plan.role}` : 'n8n';
		appendFileSync(plan.logFile, `\n----- n8n ${plan.args[0]} at ${new Date().toISOString()} -----\n`);
		const logOffset = statSync(plan.logFile).size;
		// n8n writes to the log file, not to a pipe: a pipe would break if this process died.
		const logFd = openSync(plan.logFile, 'a');
		let child: ChildProcess;
		try {
			child = spawnGroup(
				process.execPath,
				[GUARDIAN_SCRIPT, nodeBin, n8nBin, ...plan.args],
				{
					cwd: this.userFolder,
					env: plan.env,
					// stdin stays open: the guardian stops n8n when this process goes away
					stdio: ['pipe', logFd, logFd],
					description: `n8n ${plan.args[0]} on port ${plan.port}`,
				},
			);
		} finally {
			closeSync(logFd);
		}
		if (child.pid === undefined) throw new Error(`Could not start ${label}`);
		const server: RunningServer = {
			plan,
			child,
			pgid: child.pid,
			hasExited: false,
			exited: new Promise((resolveExit) => {
				child.once('exit', (code, signal) => {
					server.hasExited = true;
					resolveExit({ code, signal });
				});
			}),
			unregisterShutdown: onShutdown(`${label} on port ${plan.port}`, () => this.stop()),
		};
		this.servers.push(server);

		const deadline = startedAt + (this.options.readyTimeoutMs ?? 180000);
		try {
			for (;;) {
				if (server.hasExited) {
					const { code, signal } = await server.exited;
					throw new Error(`${label} exited during start-up (code ${code}, signal ${signal})`);
				}
				const output = readFileRange(plan.logFile, logOffset, 1024 * 1024);
				if (output.includes(plan.readyLine) && (await isReady(plan.readinessUrl))) break;
				if (Date.now() > deadline) throw new Error(`${label} did not become ready in time`);
				await new Promise((resolveWait) => setTimeout(resolveWait, 200));
			}
		} catch (error) {
			throw new Error(
				`${(error as Error).message}; last log lines:\n${logTailOf(plan.logFile, 40)}`,
			);
		}
		const where = plan.role === 'worker' ? `health on port ${plan.port}` : `on http://127.0.0.1:${plan.port}`;
		this.progress.info(`${label} ready ${where} (${Date.now() - startedAt} ms after start)`);
	}

	/** Creates the owner on first use, otherwise logs in; the REST client keeps the cookie. */
	async signIn(): Promise<N8nRestClient> {
		await this.rest.ensureOwner(this.owner);
		return this.rest;
	}

	/**
	 * Checks that each workflow is active in the running server; returns the activation errors
	 * n8n recorded for those that are not.
	 */
	async activationProblems(ids: string[]): Promise<Array<{ id: string; error: string }>> {
		const active = new Set(await this.rest.request<string[]>('GET', 'active-workflows'));
		const problems: Array<{ id: string; error: string }> = [];
		for (const id of ids) {
			if (active.has(id)) continue;
			problems.push({
				id,
				error: (await this.rest.activationError(id)) ?? 'not active (no error recorded)',
			});
		}
		return problems;
	}

	/** Resolves when the first process of the instance ends (by `stop()` or on its own). */
	async waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
		if (this.servers.length === 0) return { code: null, signal: null };
		return await Promise.race(this.servers.map((server) => server.exited));
	}

	/** The end of main's log. */
	logTail(lines = 40): string {
		return logTailOf(this.logFile, lines);
	}

	/** The end of every process's log, each under its file name. */
	logTails(lines = 30): string {
		if (this.plans.length === 1) return this.logTail(lines);
		return this.plans
			.map((plan) => `== ${plan.logFile}\n${logTailOf(plan.logFile, lines)}`)
			.join('\n');
	}

	/**
	 * Stops every process and everything it started: SIGTERM, then SIGKILL after 20 s. In queue
	 * mode they stop together (each finishes or gives up its running work on its own).
	 */
	async stop(): Promise<void> {
		const servers = this.servers;
		this.servers = [];
		await Promise.all(
			servers.map(async (server) => {
				server.unregisterShutdown();
				const how = await stopGroup(server.pgid, 20000);
				await server.exited;
				if (how !== 'gone') {
					const label = this.mode === 'queue' ? `n8n ${server.plan.role}` : 'n8n';
					this.progress.info(`${label} on port ${server.plan.port} stopped (${how})`);
				}
			}),
		);
	}
}

async function isReady(readinessUrl: string): Promise<boolean> {
	try {
		const response = await fetch(readinessUrl);
		return response.status === 200;
	} catch {
		return false;
	}
}

function logTailOf(file: string, lines: number): string {
	if (!existsSync(file)) return '';
	const size = statSync(file).size;
	const chunk = 64 * 1024;
	const text = readFileRange(file, Math.max(0, size - chunk), chunk);
	return text.trimEnd().split('\n').slice(-lines).join('\n');
}
