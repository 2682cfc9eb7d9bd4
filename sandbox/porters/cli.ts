/* eslint-disable no-console */
/**
 * Runs the PORTERS sandbox as its own process:
 *
 *   node build/sandbox/porters/cli.js serve [--port 8788] [--fixture file.json]
 *        [--switch name=value …] [--token-lifetime ms]
 *   node build/sandbox/porters/cli.js switches
 *
 * `serve` prints one JSON line with the URL, app ID/secret and partition once it listens, then
 * serves until SIGINT/SIGTERM. Switch values are parsed as JSON when possible (numbers, booleans,
 * null, objects), otherwise taken as strings, e.g. `--switch errorRoot=system --switch
 * errorHttpStatus=200`; unknown names and values are refused. `switches` prints the table of every
 * switch (name, open point, values worth testing, default) as JSON.
 */
import { readFileSync } from 'node:fs';

import { PortersSandbox } from './server';
import type { PortersFixture } from './store';
import { DEFAULT_SWITCHES, SWITCH_TABLE, parseSwitchAssignment, type PortersSwitches } from './switches';

function usage(): never {
	console.error(
		'usage: node build/sandbox/porters/cli.js serve [--port 8788] [--fixture file.json] ' +
			'[--switch name=value ...] [--token-lifetime ms]\n' +
			'       node build/sandbox/porters/cli.js switches',
	);
	process.exit(2);
}

async function main(argv: string[]): Promise<void> {
	const [command, ...rest] = argv;
	if (command === 'switches') {
		const table = SWITCH_TABLE.map((entry) => ({ ...entry, default: DEFAULT_SWITCHES[entry.name] }));
		console.log(JSON.stringify(table, null, 2));
		return;
	}
	if (command !== 'serve') usage();
	let port = 8788;
	let fixture: PortersFixture | undefined;
	let switches: Partial<PortersSwitches> = {};
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
			switches = { ...switches, ...parseSwitchAssignment(value) };
			i++;
		} else if (arg === '--token-lifetime' && value !== undefined) {
			switches.accessTokenLifetimeMs = Number(value);
			i++;
		} else {
			usage();
		}
	}
	if (!Number.isInteger(port) || port < 0 || port > 65535) usage();

	const sandbox = new PortersSandbox({ fixture, switches });
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
