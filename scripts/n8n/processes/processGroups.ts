import { spawn, type ChildProcess, type SpawnOptions } from 'child_process';
import { appendFileSync } from 'fs';
import { join } from 'path';

/**
 * Child processes of the harness. Every child is started as the leader of its own process group,
 * so that it and everything it starts (npm's scripts, n8n's task runner) can be stopped together,
 * and so that a Ctrl-C in the terminal reaches only the harness, which then stops them in order.
 */

/** The compiled guardian (guardian.ts), run by path as the parent of each long-lived server. */
export const GUARDIAN_SCRIPT = join(__dirname, 'guardian.js');

/** npm settings worth passing on; everything else `npm run` exports would leak this repository's
 * settings (its local prefix, `ignore-scripts`, a `nodedir` pointing at the system Node) into npm
 * and node-gyp calls made elsewhere. */
const NPM_VARIABLES_KEPT = new Set([
	'npm_config_registry',
	'npm_config_cafile',
	'npm_config_cache',
	'npm_config_userconfig',
	'npm_config_globalconfig',
	'npm_config_proxy',
	'npm_config_https_proxy',
	'npm_config_noproxy',
	'npm_config_strict_ssl',
]);

export function cleanChildEnv(
	extra: Record<string, string | undefined> = {},
	base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(base)) {
		if (value === undefined) continue;
		if (/^npm_/i.test(key) && !NPM_VARIABLES_KEPT.has(key.toLowerCase())) continue;
		env[key] = value;
	}
	for (const [key, value] of Object.entries(extra)) {
		if (value === undefined) delete env[key];
		else env[key] = value;
	}
	return env;
}

const liveGroups = new Map<number, string>();
let exitHookInstalled = false;

function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	// Last resort when the harness exits without stopping a child (a bug or an uncaught error).
	process.on('exit', () => {
		for (const pgid of liveGroups.keys()) signalGroup(pgid, 'SIGKILL');
	});
}

/** Process groups started by this process and not yet confirmed gone. */
export function liveProcessGroups(): Array<{ pgid: number; description: string }> {
	return [...liveGroups].map(([pgid, description]) => ({ pgid, description }));
}

export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
	try {
		process.kill(-pgid, signal);
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
		throw error;
	}
}

/** Whether any process of the group still exists. */
export function isGroupAlive(pgid: number): boolean {
	try {
		return signalGroup(pgid, 0);
	} catch {
		return true; // EPERM: it exists but belongs to someone else
	}
}

function delay(ms: number): Promise<void> {
	return new Promise((resolveDelay) => setTimeout(resolveDelay, ms));
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (isGroupAlive(pgid)) {
		if (Date.now() >= deadline) return false;
		await delay(100);
	}
	return true;
}

/**
 * Stops a whole process group: SIGTERM, then SIGKILL when it has not ended within `graceMs`.
 * Resolves once no process of the group is left; returns how it ended.
 */
export async function stopGroup(
	pgid: number,
	graceMs = 15000,
): Promise<'gone' | 'terminated' | 'killed'> {
	if (!isGroupAlive(pgid)) {
		liveGroups.delete(pgid);
		return 'gone';
	}
	signalGroup(pgid, 'SIGTERM');
	if (await waitGroupGone(pgid, graceMs)) {
		liveGroups.delete(pgid);
		return 'terminated';
	}
	signalGroup(pgid, 'SIGKILL');
	if (!(await waitGroupGone(pgid, 5000))) {
		throw new Error(`Process group ${pgid} (${liveGroups.get(pgid)}) survived SIGKILL`);
	}
	liveGroups.delete(pgid);
	return 'killed';
}

/** Starts `command` as the leader of a new process group and keeps track of the group. */
export function spawnGroup(
	command: string,
	args: string[],
	options: SpawnOptions & { description?: string },
): ChildProcess {
	installExitHook();
	const { description, ...spawnOptions } = options;
	const child = spawn(command, args, { ...spawnOptions, detached: true });
	if (child.pid !== undefined) {
		liveGroups.set(child.pid, description ?? `${command} ${args.join(' ')}`);
	}
	return child;
}

export interface RunOptions {
	cwd: string;
	env?: NodeJS.ProcessEnv;
	/** Output is appended here as it arrives (useful for long installs). */
	logFile?: string;
	/** Called with each complete output line. */
	onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
	timeoutMs?: number;
	description?: string;
}

export interface RunResult {
	code: number;
	stdout: string;
	stderr: string;
	durationMs: number;
}

export class CommandError extends Error {
	constructor(
		message: string,
		readonly result: RunResult,
	) {
		super(message);
		this.name = 'CommandError';
	}
}

function lastLines(text: string, count: number): string {
	const lines = text.trimEnd().split('\n');
	return lines.slice(-count).join('\n');
}

const MAX_CAPTURED_CHARS = 32 * 1024 * 1024;

/**
 * Runs a command to completion in its own process group, capturing its output. Rejects with a
 * `CommandError` carrying the output's tail when it exits non-zero, is killed or times out.
 */
export async function run(
	command: string,
	args: string[],
	options: RunOptions,
): Promise<RunResult> {
	const startedAt = Date.now();
	const description = options.description ?? `${command} ${args.join(' ')}`;
	const child = spawnGroup(command, args, {
		cwd: options.cwd,
		env: options.env ?? cleanChildEnv(),
		stdio: ['ignore', 'pipe', 'pipe'],
		description,
	});
	const captured = { stdout: '', stderr: '' };
	const pending = { stdout: '', stderr: '' };
	const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
		const text = chunk.toString('utf8');
		if (captured[stream].length < MAX_CAPTURED_CHARS) captured[stream] += text;
		if (options.logFile) appendFileSync(options.logFile, text);
		if (options.onLine) {
			pending[stream] += text;
			const lines = pending[stream].split('\n');
			pending[stream] = lines.pop() ?? '';
			for (const line of lines) options.onLine(line, stream);
		}
	};
	child.stdout?.on('data', collect('stdout'));
	child.stderr?.on('data', collect('stderr'));

	let timedOut = false;
	const timer =
		options.timeoutMs === undefined
			? undefined
			: setTimeout(() => {
					timedOut = true;
					if (child.pid !== undefined) void stopGroup(child.pid, 5000).catch(() => undefined);
				}, options.timeoutMs);

	const { code, signal } = await new Promise<{
		code: number | null;
		signal: NodeJS.Signals | null;
	}>((resolveExit, rejectExit) => {
		child.once('error', rejectExit);
		child.once('close', (exitCode, exitSignal) =>
			resolveExit({ code: exitCode, signal: exitSignal }),
		);
	});
	if (timer) clearTimeout(timer);
	if (child.pid !== undefined) await stopGroup(child.pid, 5000);
	if (options.onLine) {
		for (const stream of ['stdout', 'stderr'] as const) {
			if (pending[stream] !== '') options.onLine(pending[stream], stream);
		}
	}

	const result: RunResult = {
		code: code ?? -1,
		stdout: captured.stdout,
		stderr: captured.stderr,
		durationMs: Date.now() - startedAt,
	};
	if (timedOut || signal !== null || code !== 0) {
		const why = timedOut
			? `timed out after ${options.timeoutMs} ms`
			: signal !== null
				? `was killed by ${signal}`
				: `exited with code ${code}`;
		const tail = lastLines(`${captured.stdout}\n${captured.stderr}`, 40);
		throw new CommandError(`${description} ${why}\n${tail}`, result);
	}
	return result;
}
