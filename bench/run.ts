/* eslint-disable no-console */
/**
 * Runs every benchmark, one after another, each in its own Node process so that one's memory
 * does not colour the next one's figures. Benchmarks print ratios side by side; nothing here is
 * a pass/fail timing assertion.
 */
import { spawnSync } from 'child_process';
import { join } from 'path';

const benchmarks: Array<{ file: string; nodeArgs: string[] }> = [
	{ file: 'line-multicast.js', nodeArgs: [] },
	{ file: 'porters-line-bulk-send.js', nodeArgs: [] },
	{ file: 'porters-read.js', nodeArgs: ['--expose-gc'] },
	{ file: 'porters-codec.js', nodeArgs: [] },
	{ file: 'porters-write-size.js', nodeArgs: [] },
	{ file: 'upsert-race.js', nodeArgs: [] },
	{ file: 'relay-ack.js', nodeArgs: [] },
	// A real n8n in queue and in regular mode with the shipped workflows: minutes, CPU-heavy.
	{ file: 'burst.js', nodeArgs: [] },
];

let failed = 0;
for (const { file, nodeArgs } of benchmarks) {
	console.log(`\n=== ${file.replace(/\.js$/, '')} ===`);
	const result = spawnSync(process.execPath, [...nodeArgs, join(__dirname, file), ...process.argv.slice(2)], {
		stdio: 'inherit',
	});
	if (result.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
