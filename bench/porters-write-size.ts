/* eslint-disable no-console */
/**
 * Benchmark: PORTERS calls to create typical candidates (450 by default) with the Create
 * Candidate operation, side by side for a PORTERS with no request-size limit, one at 32 KB
 * (32,768 characters, the withdrawn figure) and one at 15,000 characters (the unverified
 * second-hand figure, U11), each with the node batching by count only (Max Request Size 0) and
 * with its default size bound (12,000 characters). Refused requests are billed and count as
 * calls; the node then sends their halves.
 *
 *   npm run build:dev && node build/bench/porters-write-size.js [--candidates 450]
 */
import { DEFAULT_MAX_REQUEST_CHARS } from '../core/porters/writePlan';
import { DEFAULT_SWITCHES, PortersSandbox } from '../sandbox/porters/server';
import { typicalCandidateFields } from '../test/support/portersCandidates';
import { credentialsFor, items, LINE_FIELD, lineUserId, runPorters } from '../test/support/portersNode';

interface Row {
	limit: string;
	batching: string;
	writeCalls: number;
	refused: number;
	billed: number;
	written: number;
	largestBody: number;
}

function argument(name: string, fallback: number): number {
	const at = process.argv.indexOf(`--${name}`);
	return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

async function run(sandbox: PortersSandbox, candidates: number, limit: number, maxRequestSize: number): Promise<Row> {
	sandbox.setSwitches({ ...DEFAULT_SWITCHES, maxWriteBodySize: limit });
	sandbox.reset();
	const { ctx } = await runPorters(
		{
			resource: 'candidate',
			operation: 'create',
			owner: { __rl: true, mode: 'list', value: '' },
			lineUserIdField: LINE_FIELD,
			lineUserId: (i: number) => lineUserId(i + 1),
			fieldValues: (i: number) => typicalCandidateFields(i),
			options: { maxRequestSize },
		},
		{ items: items(candidates), credentials: credentialsFor(sandbox) },
	);
	const bodies = ctx.http.filter((c) => c.method === 'POST' && c.url.includes('/v1/candidate')).map((c) => String(c.body));
	const c = sandbox.counters;
	return {
		limit: limit === 0 ? 'none' : limit.toLocaleString('en-US'),
		batching: maxRequestSize === 0 ? 'count only (200)' : `≤ ${maxRequestSize.toLocaleString('en-US')} chars`,
		writeCalls: c.writes,
		refused: c.oversize,
		billed: c.billed,
		written: c.itemsWritten,
		largestBody: Math.max(...bodies.map((b) => b.length)),
	};
}

async function main(): Promise<void> {
	const candidates = argument('candidates', 450);
	const sandbox = new PortersSandbox();
	await sandbox.start(0);
	const rows: Row[] = [];
	try {
		for (const limit of [0, 32_768, 15_000]) {
			for (const size of [0, DEFAULT_MAX_REQUEST_CHARS]) rows.push(await run(sandbox, candidates, limit, size));
		}
	} finally {
		await sandbox.stop();
	}
	console.log(`Create Candidate, ${candidates} typical candidates (PORTERS calls; refused calls are billed too)`);
	console.table(
		rows.map((r) => ({
			'PORTERS limit (chars)': r.limit,
			'node batching': r.batching,
			'write calls': r.writeCalls,
			'refused as too large': r.refused,
			'billed calls (with auth)': r.billed,
			'candidates written': r.written,
			'largest request (chars)': r.largestBody,
		})),
	);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
