/* eslint-disable no-console */
/**
 * SMTP sandbox command line.
 *
 *   serve --port 2525 [--http-port 8025] [--hostname NAME] [--max-size BYTES] [--require-auth]
 *   list  --mailbox http://127.0.0.1:8025 [--to ADDRESS]
 *
 * `serve` prints one JSON object with the SMTP host and port, the mailbox URL and the settings of
 * n8n's SMTP credential that reach it, then serves until SIGINT/SIGTERM. `list` prints the
 * received mail of a running sandbox as JSON.
 */
import { SmtpSandbox } from './server';

type Flags = Record<string, string | true>;

function parseArgs(argv: string[]): { command: string; flags: Flags } {
	const [command = 'help', ...rest] = argv;
	const flags: Flags = {};
	for (let i = 0; i < rest.length; i++) {
		const arg = rest[i];
		if (!arg.startsWith('--')) throw new Error(`Unexpected argument ${arg}`);
		const next = rest[i + 1];
		if (next === undefined || next.startsWith('--')) flags[arg.slice(2)] = true;
		else {
			flags[arg.slice(2)] = next;
			i++;
		}
	}
	return { command, flags };
}

function numberFlag(flags: Flags, name: string, fallback: number): number {
	const value = flags[name];
	if (value === undefined) return fallback;
	const parsed = Number(value);
	if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a whole number`);
	return parsed;
}

async function serve(flags: Flags): Promise<void> {
	const sandbox = new SmtpSandbox({
		hostname: typeof flags.hostname === 'string' ? flags.hostname : undefined,
		maxSize: flags['max-size'] === undefined ? undefined : numberFlag(flags, 'max-size', 0),
		requireAuth: flags['require-auth'] === true,
	});
	const { smtpPort } = await sandbox.start(numberFlag(flags, 'port', 2525), numberFlag(flags, 'http-port', 8025));
	console.log(
		JSON.stringify(
			{
				service: 'smtp-sandbox',
				smtpHost: sandbox.smtpHost,
				smtpPort,
				mailbox: sandbox.url,
				n8nSmtpCredential: {
					host: sandbox.smtpHost,
					port: smtpPort,
					secure: false,
					disableStartTls: true,
					user: 'sandbox',
					password: 'sandbox',
				},
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

async function list(flags: Flags): Promise<void> {
	const mailbox = flags.mailbox;
	if (typeof mailbox !== 'string') throw new Error('--mailbox is required');
	const query = typeof flags.to === 'string' ? `?to=${encodeURIComponent(flags.to)}` : '';
	const response = await fetch(`${mailbox.replace(/\/+$/, '')}/messages${query}`);
	console.log(JSON.stringify(await response.json(), null, 2));
}

async function main(): Promise<void> {
	const { command, flags } = parseArgs(process.argv.slice(2));
	if (command === 'serve') return serve(flags);
	if (command === 'list') return list(flags);
	console.log(
		[
			'Usage:',
			'  cli.js serve --port 2525 [--http-port 8025] [--hostname NAME] [--max-size BYTES] [--require-auth]',
			'  cli.js list --mailbox http://127.0.0.1:8025 [--to ADDRESS]',
		].join('\n'),
	);
	process.exitCode = command === 'help' ? 0 : 1;
}

main().catch((failure: Error) => {
	console.error(failure.message);
	process.exit(1);
});
