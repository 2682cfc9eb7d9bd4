import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

import type { Progress } from '../processes/progress';
import type { LineSandboxValues, PortersSandboxValues, SmtpSandboxValues } from './credentials';

/**
 * Starts the local sandboxes (LINE, PORTERS and the SMTP mail receiver) in this process for the e2e run and the demo.
 * They are built by `tsc -p tsconfig.dev.json` into `build/sandbox/…`; they are loaded at run time
 * so that the harness still builds and runs its smoke test while a sandbox is missing.
 */

interface LineSandboxLike {
	start(port?: number): Promise<number>;
	stop(): Promise<void>;
	readonly url: string;
	/** The data API server; absent in sandboxes built before it had one. */
	readonly dataUrl?: string;
	readonly messaging: {
		channelId: string;
		channelSecret: string;
		accessTokens: string[];
		basicId?: string;
	};
	readonly loginChannel: { channelId: string; channelSecret: string; callbackUrls: string[] };
	/** The webhook URL set "in the LINE console". */
	webhookEndpoint?: { endpoint: string; active: boolean };
}

interface PortersSandboxLike {
	start(port?: number): Promise<number>;
	stop(): Promise<void>;
	readonly url: string;
	[key: string]: unknown;
}

interface SmtpSandboxLike {
	start(smtpPort?: number, webPort?: number): Promise<unknown>;
	stop(): Promise<void>;
	readonly port: number;
	readonly url: string;
}

export interface RunningSandboxes {
	line?: { sandbox: LineSandboxLike; values: LineSandboxValues };
	porters?: { sandbox: PortersSandboxLike; values: PortersSandboxValues };
	smtp?: { sandbox: SmtpSandboxLike; values: SmtpSandboxValues };
	/** Why a sandbox is not running (not built yet), for the progress output. */
	missing: string[];
	stop(): Promise<void>;
}

export interface SandboxPorts {
	line?: number;
	porters?: number;
	/** SMTP and the mailbox page. */
	smtp?: number;
	mailbox?: number;
}

function loadClass<T>(
	buildRoot: string,
	relative: string,
	exportName: string,
): (new (options?: object) => T) | undefined {
	const file = join(buildRoot, relative);
	if (!existsSync(file)) return undefined;
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const exported = require(file) as Record<string, unknown>;
	const constructor = exported[exportName];
	if (typeof constructor !== 'function') {
		throw new Error(`${file} does not export ${exportName}`);
	}
	return constructor as new (options?: object) => T;
}

interface PortersSeed {
	app?: { appId?: string; secret?: string };
	partitions?: Array<{ id: number | string }>;
	users?: Array<{ id: number | string; type?: number }>;
}

/**
 * Connection values of a running PORTERS sandbox: its `app` and `partitionId` getters, with the
 * seed fixture it loads by default (`sandbox/porters/seed.json`) for the rest (a default owner).
 */
function portersValues(sandbox: PortersSandboxLike, repoRoot: string): PortersSandboxValues {
	const seedFile = join(repoRoot, 'sandbox', 'porters', 'seed.json');
	const seed: PortersSeed = existsSync(seedFile)
		? (JSON.parse(readFileSync(seedFile, 'utf8')) as PortersSeed)
		: {};
	const app = (sandbox.app as PortersSeed['app'] | undefined) ?? seed.app;
	const partition =
		(sandbox.partitionId as number | string | undefined) ?? seed.partitions?.[0]?.id;
	if (!app?.appId || !app.secret || partition === undefined) {
		throw new Error('Cannot tell the PORTERS sandbox app ID, secret and partition');
	}
	const owner = seed.users?.find((user) => user.type === 1)?.id;
	return {
		url: sandbox.url,
		appId: app.appId,
		secret: app.secret,
		partitionId: String(partition),
		ownerUserId: owner === undefined ? undefined : String(owner),
	};
}

/**
 * Starts whichever sandboxes are built, on the given ports (0 or undefined: ephemeral). Stops
 * whatever it started if a later start fails.
 */
export async function startSandboxes(
	repoRoot: string,
	ports: SandboxPorts,
	progress: Progress,
	options: { line?: object; porters?: object } = {},
): Promise<RunningSandboxes> {
	const buildRoot = join(repoRoot, 'build');
	const running: RunningSandboxes = {
		missing: [],
		stop: async () => {
			await Promise.allSettled([
				running.line?.sandbox.stop(),
				running.porters?.sandbox.stop(),
				running.smtp?.sandbox.stop(),
			]);
		},
	};
	try {
		const LineSandbox = loadClass<LineSandboxLike>(
			buildRoot,
			'sandbox/line/server.js',
			'LineSandbox',
		);
		if (LineSandbox) {
			const sandbox = new LineSandbox(options.line ?? {});
			await sandbox.start(ports.line ?? 0);
			running.line = {
				sandbox,
				values: {
					url: sandbox.url,
					dataUrl: sandbox.dataUrl,
					channelId: sandbox.messaging.channelId,
					channelSecret: sandbox.messaging.channelSecret,
					accessToken: sandbox.messaging.accessTokens[0],
					loginChannelId: sandbox.loginChannel.channelId,
					loginChannelSecret: sandbox.loginChannel.channelSecret,
					basicId: sandbox.messaging.basicId,
				},
			};
			progress.info(`LINE sandbox on ${sandbox.url}`);
		} else {
			running.missing.push('LINE sandbox (build/sandbox/line/server.js) is not built');
		}

		const PortersSandbox = loadClass<PortersSandboxLike>(
			buildRoot,
			'sandbox/porters/server.js',
			'PortersSandbox',
		);
		if (PortersSandbox) {
			const sandbox = new PortersSandbox(options.porters ?? {});
			await sandbox.start(ports.porters ?? 0);
			running.porters = { sandbox, values: portersValues(sandbox, repoRoot) };
			progress.info(`PORTERS sandbox on ${sandbox.url}`);
		} else {
			running.missing.push('PORTERS sandbox (build/sandbox/porters/server.js) is not built');
		}

		const SmtpSandbox = loadClass<SmtpSandboxLike>(buildRoot, 'sandbox/smtp/server.js', 'SmtpSandbox');
		if (SmtpSandbox) {
			const sandbox = new SmtpSandbox({});
			await sandbox.start(ports.smtp ?? 0, ports.mailbox ?? 0);
			running.smtp = {
				sandbox,
				values: { host: '127.0.0.1', port: sandbox.port, mailboxUrl: sandbox.url },
			};
			progress.info(`SMTP sandbox on 127.0.0.1:${sandbox.port}, mailbox ${sandbox.url}`);
		} else {
			running.missing.push('SMTP sandbox (build/sandbox/smtp/server.js) is not built');
		}
	} catch (error) {
		await running.stop();
		throw error;
	}
	for (const reason of running.missing) progress.info(`note: ${reason}; continuing without it`);
	return running;
}
