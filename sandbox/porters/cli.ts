/* eslint-disable no-console */
/**
 * Runs the PORTERS sandbox as its own process:
 *
 *   node build/sandbox/porters/cli.js serve [--port 8788] [--fixture file.json]
 *        [--switch name=value …] [--token-lifetime ms]
 *
 * Prints one JSON line with the URL, app ID/secret and partition once it listens, then serves
 * until SIGINT/SIGTERM. Switch values are parsed as JSON when possible (numbers, booleans,
 * objects), otherwise taken as strings, e.g. `--switch errorRoot=system --switch errorHttpStatus=200`.
 */
import { readFileSync } from 'node:fs';

import { PortersSandbox, type PortersSwitches } from './server';
import type { PortersFixture } from './store';

function usage(): never {
	console.error(
		'usage: node build/sandbox/porters/cli.js serve [--port 8788] [--fixture file.json] ' +
			'[--switch name=value ...] [--token-lifetime ms]',
	);
	process.exit(2);
}

function parseValue(raw: string): unknown {
	try {
		return JSON.parse(raw);
	} catch {
		return raw;
	}
}

async function main(argv: string[]): Promise<void> {
	const [command, ...rest] = argv;
	if (command !== 'serve') usage();
	let port = 8788;
	let fixture: PortersFixture | undefined;
	const switches: Record<string, unknown> = {};
	for (let i = 0; i < rest.length; i++) {
		const arg = rest[i];
		const value = rest[i + 1];
		if (arg === '--port' && value !== undefined) {
			port = Number(value);
			i++;
		} else if (arg === '--fixture' && value !== undefined) {
			fixture = JSON.parse(readFileSync(value, 'utf8')) as PortersFixture;
			i++;
		} else if (arg === '--switch' && value !== undefined && value.includes('=')) {
			const eq = value.indexOf('=');
			switches[value.slice(0, eq)] = parseValue(value.slice(eq + 1));
			i++;
		} else if (arg === '--token-lifetime' && value !== undefined) {
			switches.accessTokenLifetimeMs = Number(value);
			i++;
		} else {
			usage();
		}
	}
	if (!Number.isInteger(port) || port < 0 || port > 65535) usage();

	const sandbox = new PortersSandbox({ fixture, switches: switches as Partial<PortersSwitches> });
	const actual = await sandbox.start(port);
	console.log(
		JSON.stringify({
			service: 'porters-sandbox',
			url: sandbox.url,
			host: sandbox.host,
			port: actual,
			appId: sandbox.app.appId,
			secret: sandbox.app.secret,
			partitionId: sandbox.partitionId,
			admin: `${sandbox.url}/__sandbox/state`,
		}),
	);
	const shutdown = () => {
		sandbox.stop().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
}

main(process.argv.slice(2)).catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
