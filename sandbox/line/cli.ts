/* eslint-disable no-console */
/**
 * LINE sandbox command line.
 *
 *   serve    --port 8787 [--users users.json] [--webhook-endpoint URL] [--webhook-timeout MS]
 *            [--seed N --share429 X --share500 X --share-reset X --share-slow X --slow-ms MS]
 *   follow   --sandbox URL --to WEBHOOK_URL [--user Uxxx] [--unblocked]
 *   unfollow --sandbox URL --to WEBHOOK_URL [--user Uxxx]
 *   message  --sandbox URL --to WEBHOOK_URL [--user Uxxx] --text "…"
 *   verify   --sandbox URL --to WEBHOOK_URL
 *
 * The event commands ask a running sandbox (through its admin API) to send a signed webhook and
 * print the HTTP status the receiver answered with.
 */
import { readFileSync } from 'fs';
import type { SandboxUser } from './model';
import { LineSandbox, type LineSandboxOptions } from './server';

type Flags = Record<string, string | true>;

function parseArgs(argv: string[]): { command: string; flags: Flags } {
	const [command = 'help', ...rest] = argv;
	const flags: Flags = {};
	for (let i = 0; i < rest.length; i++) {
		const arg = rest[i];
		if (!arg.startsWith('--')) throw new Error(`Unexpected argument ${arg}`);
		const name = arg.slice(2);
		const next = rest[i + 1];
		if (next === undefined || next.startsWith('--')) {
			flags[name] = true;
		} else {
			flags[name] = next;
			i++;
		}
	}
	return { command, flags };
}

function text(flags: Flags, name: string): string | undefined {
	const value = flags[name];
	return typeof value === 'string' ? value : undefined;
}

function required(flags: Flags, name: string): string {
	const value = text(flags, name);
	if (!value) throw new Error(`--${name} is required`);
	return value;
}

function number(flags: Flags, name: string): number | undefined {
	const value = text(flags, name);
	if (value === undefined) return undefined;
	const parsed = Number(value);
	if (!Number.isFinite(parsed)) throw new Error(`--${name} must be a number`);
	return parsed;
}

async function serve(flags: Flags): Promise<void> {
	const options: LineSandboxOptions = {
		webhookEndpoint: text(flags, 'webhook-endpoint'),
		webhookTimeoutMs: number(flags, 'webhook-timeout'),
		faults: {
			seed: number(flags, 'seed'),
			share429: number(flags, 'share429'),
			share500: number(flags, 'share500'),
			shareReset: number(flags, 'share-reset'),
			shareSlow: number(flags, 'share-slow'),
			slowMs: number(flags, 'slow-ms'),
		},
	};
	const usersFile = text(flags, 'users');
	if (usersFile) options.users = JSON.parse(readFileSync(usersFile, 'utf8')) as SandboxUser[];
	const sandbox = new LineSandbox(options);
	const port = await sandbox.start(number(flags, 'port') ?? 8787);
	console.log(`LINE sandbox listening on ${sandbox.url}`);
	console.log(
		JSON.stringify(
			{
				url: sandbox.url,
				port,
				messaging: sandbox.messaging,
				login: sandbox.loginChannel,
				users: sandbox.users.map((user) => user.userId),
			},
			null,
			2,
		),
	);
	const shutdown = (): void => {
		sandbox.stop().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
}

async function admin(base: string, path: string, body: unknown): Promise<Record<string, unknown>> {
	const response = await fetch(new URL(path, base), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const parsed = (await response.json()) as Record<string, unknown>;
	if (!response.ok) throw new Error(`Sandbox answered ${response.status}: ${String(parsed.message)}`);
	return parsed;
}

async function sendEvent(command: string, flags: Flags): Promise<void> {
	const base = required(flags, 'sandbox');
	const url = required(flags, 'to');
	let result: Record<string, unknown>;
	if (command === 'verify') {
		result = await admin(base, '/__sandbox/verify', { url });
	} else {
		const userId = text(flags, 'user');
		const event: Record<string, unknown> = { type: command };
		if (userId) event.userId = userId;
		if (command === 'follow' && flags.unblocked) event.isUnblocked = true;
		if (command === 'message') event.text = required(flags, 'text');
		result = await admin(base, '/__sandbox/webhook', { url, events: [event] });
	}
	console.log(`HTTP ${String(result.status)} ${String(result.body ?? '')}`.trim());
	const status = Number(result.status);
	process.exitCode = status >= 200 && status < 300 ? 0 : 1;
}

async function main(): Promise<void> {
	const { command, flags } = parseArgs(process.argv.slice(2));
	switch (command) {
		case 'serve':
			await serve(flags);
			return;
		case 'follow':
		case 'unfollow':
		case 'message':
		case 'verify':
			await sendEvent(command, flags);
			return;
		default:
			console.log(
				[
					'Usage:',
					'  cli.js serve --port 8787 [--users users.json] [--webhook-endpoint URL]',
					'  cli.js follow --sandbox URL --to WEBHOOK_URL [--user Uxxx] [--unblocked]',
					'  cli.js unfollow --sandbox URL --to WEBHOOK_URL [--user Uxxx]',
					'  cli.js message --sandbox URL --to WEBHOOK_URL [--user Uxxx] --text "…"',
					'  cli.js verify --sandbox URL --to WEBHOOK_URL',
				].join('\n'),
			);
			process.exitCode = command === 'help' ? 0 : 1;
	}
}

main().catch((failure: Error) => {
	console.error(failure.message);
	process.exit(1);
});
