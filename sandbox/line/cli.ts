/* eslint-disable no-console */
/**
 * LINE sandbox command line.
 *
 *   serve    --port 8787 [--data-port 8789] [--users users.json] [--webhook-endpoint URL]
 *            [--webhook-timeout MS] [--followers N [--followers-seed S]]
 *            [--account-type unverified|verified|premium] [--content-preparation-ms MS]
 *            [--relay-via TOOL_URL]
 *            [--seed N --share429 X --share500 X --share-reset X --share-slow X --slow-ms MS]
 *   follow   --sandbox URL --to WEBHOOK_URL [--user Uxxx] [--unblocked] [--via TOOL_URL]
 *   unfollow --sandbox URL --to WEBHOOK_URL [--user Uxxx] [--via TOOL_URL]
 *   message  --sandbox URL --to WEBHOOK_URL [--user Uxxx] --text "…" [--via TOOL_URL]
 *   image|video|audio|file --sandbox URL --to WEBHOOK_URL [--user Uxxx] [--file PATH]
 *            [--file-name NAME] [--content-type TYPE] [--transcoding-ms MS] [--via TOOL_URL]
 *   verify   --sandbox URL --to WEBHOOK_URL [--via TOOL_URL]
 *   tool     --port 8790 [--channel-secret S] [--forward-to URL] [--forward-mode bytes|reserialized]
 *            [--shared-secret S --secret-in header|query --secret-name NAME]
 *            [--mode ok|slow|down|fail --delay-ms MS --fail-status N] [--forward-before-answer]
 *
 * The event commands ask a running sandbox (through its admin API) to send a signed webhook and
 * print the HTTP status the receiver answered with; `--via` relays it through a marketing tool.
 * `tool` runs a stand-in marketing tool (toolReceiver.ts) that prints its URL.
 */
import { readFileSync } from 'fs';
import { MEDIA_TYPES } from './content';
import type { AccountType } from './followers';
import type { SandboxUser } from './model';
import { LineSandbox, type LineSandboxOptions } from './server';
import { DEFAULT_TOOL_SETTINGS, ToolReceiver, type ToolSettings } from './toolReceiver';

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
	const accountType = text(flags, 'account-type');
	if (accountType !== undefined && !['unverified', 'verified', 'premium'].includes(accountType)) {
		throw new Error('--account-type must be unverified, verified or premium');
	}
	const options: LineSandboxOptions = {
		webhookEndpoint: text(flags, 'webhook-endpoint'),
		webhookTimeoutMs: number(flags, 'webhook-timeout'),
		accountType: accountType as AccountType | undefined,
		contentPreparationMs: number(flags, 'content-preparation-ms'),
		relayVia: text(flags, 'relay-via'),
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
	const port = await sandbox.start(number(flags, 'port') ?? 8787, number(flags, 'data-port') ?? 0);
	const followers = number(flags, 'followers');
	if (followers !== undefined) sandbox.seedFollowers(followers, text(flags, 'followers-seed'));
	console.log(`LINE sandbox listening on ${sandbox.url} (data API ${sandbox.dataUrl})`);
	console.log(
		JSON.stringify(
			{
				url: sandbox.url,
				dataUrl: sandbox.dataUrl,
				port,
				accountType: sandbox.accountType,
				friends: sandbox.users.filter((user) => user.isFriend).length,
				messaging: sandbox.messaging,
				login: sandbox.loginChannel,
				users: sandbox.users.slice(0, 20).map((user) => user.userId),
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
	const via = text(flags, 'via');
	let result: Record<string, unknown>;
	if (command === 'verify') {
		result = await admin(base, '/__sandbox/verify', { url, via });
	} else {
		const userId = text(flags, 'user');
		const isMedia = (MEDIA_TYPES as readonly string[]).includes(command);
		const event: Record<string, unknown> = { type: isMedia ? 'message' : command };
		if (userId) event.userId = userId;
		if (command === 'follow' && flags.unblocked) event.isUnblocked = true;
		if (command === 'message') event.text = required(flags, 'text');
		if (isMedia) Object.assign(event, mediaFields(command, flags));
		result = await admin(base, '/__sandbox/webhook', { url, events: [event], via });
	}
	console.log(`HTTP ${String(result.status)} ${String(result.body ?? '')}`.trim());
	const status = Number(result.status);
	process.exitCode = status >= 200 && status < 300 ? 0 : 1;
}

function mediaFields(messageType: string, flags: Flags): Record<string, unknown> {
	const fields: Record<string, unknown> = { messageType };
	const file = text(flags, 'file');
	if (file) {
		fields.content = readFileSync(file).toString('base64');
		fields.fileName = file.split(/[\\/]/).pop();
	}
	const fileName = text(flags, 'file-name');
	if (fileName) fields.fileName = fileName;
	const contentType = text(flags, 'content-type');
	if (contentType) fields.contentType = contentType;
	const transcodingMs = number(flags, 'transcoding-ms');
	if (transcodingMs !== undefined) fields.transcodingMs = transcodingMs;
	return fields;
}

async function tool(flags: Flags): Promise<void> {
	const settings: Partial<ToolSettings> = {
		channelSecret: text(flags, 'channel-secret') ?? DEFAULT_TOOL_SETTINGS.channelSecret,
		forwardTo: text(flags, 'forward-to'),
		sharedSecret: text(flags, 'shared-secret'),
	};
	const forwardMode = text(flags, 'forward-mode');
	if (forwardMode) {
		if (forwardMode !== 'bytes' && forwardMode !== 'reserialized') throw new Error('--forward-mode must be bytes or reserialized');
		settings.forwardMode = forwardMode;
	}
	const secretIn = text(flags, 'secret-in');
	if (secretIn) {
		if (secretIn !== 'header' && secretIn !== 'query') throw new Error('--secret-in must be header or query');
		settings.secretIn = secretIn;
	}
	const secretName = text(flags, 'secret-name');
	if (secretName) settings.secretName = secretName;
	const delayMs = number(flags, 'delay-ms');
	if (delayMs !== undefined) settings.delayMs = delayMs;
	const failStatus = number(flags, 'fail-status');
	if (failStatus !== undefined) settings.failStatus = failStatus;
	if (flags['forward-before-answer']) settings.forwardTiming = 'before-answer';
	const receiver = new ToolReceiver(settings);
	await receiver.start(number(flags, 'port') ?? 8790);
	const mode = text(flags, 'mode');
	if (mode) {
		if (!['ok', 'slow', 'down', 'fail'].includes(mode)) throw new Error('--mode must be ok, slow, down or fail');
		await receiver.configure({ mode: mode as ToolSettings['mode'] });
	}
	console.log(`LINE marketing tool stand-in listening on ${receiver.url}`);
	console.log(
		JSON.stringify({ url: receiver.url, base: receiver.base, state: `${receiver.base}/__tool/state`, settings: receiver.state().settings }, null, 2),
	);
	const shutdown = (): void => {
		receiver.stop().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
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
		case 'image':
		case 'video':
		case 'audio':
		case 'file':
		case 'verify':
			await sendEvent(command, flags);
			return;
		case 'tool':
			await tool(flags);
			return;
		default:
			console.log(
				[
					'Usage:',
					'  cli.js serve --port 8787 [--data-port 8789] [--users users.json] [--webhook-endpoint URL]',
					'        [--followers N] [--account-type unverified|verified|premium] [--content-preparation-ms MS] [--relay-via TOOL_URL]',
					'  cli.js follow --sandbox URL --to WEBHOOK_URL [--user Uxxx] [--unblocked] [--via TOOL_URL]',
					'  cli.js unfollow --sandbox URL --to WEBHOOK_URL [--user Uxxx] [--via TOOL_URL]',
					'  cli.js message --sandbox URL --to WEBHOOK_URL [--user Uxxx] --text "…" [--via TOOL_URL]',
					'  cli.js image|video|audio|file --sandbox URL --to WEBHOOK_URL [--user Uxxx] [--file PATH] [--transcoding-ms MS]',
					'  cli.js verify --sandbox URL --to WEBHOOK_URL [--via TOOL_URL]',
					'  cli.js tool --port 8790 [--forward-to URL] [--forward-mode bytes|reserialized] [--shared-secret S]',
					'        [--secret-in header|query] [--mode ok|slow|down|fail] [--delay-ms MS]',
				].join('\n'),
			);
			process.exitCode = command === 'help' ? 0 : 1;
	}
}

main().catch((failure: Error) => {
	console.error(failure.message);
	process.exit(1);
});
