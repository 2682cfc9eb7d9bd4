/* eslint-disable no-console */
/**
 * Benchmark (not a test): follows for new LINE users, each delivered 1, 3 or 10 times at the same
 * moment, every copy a separate Upsert run against one PORTERS sandbox. Prints, side by side, the
 * candidates created, the duplicates still holding a LINE user ID afterwards (the goal: 0), the
 * duplicates retired and marked, PORTERS calls per follow and per delivery, and wall time.
 * Run with instant creates, with creates that take 100 ms like a real tenant, and with every copy
 * forced to find nothing (the sandbox's emptyReadRendezvous): the worst case, every copy creates.
 *
 *   npm run build:dev && node build/bench/upsert-race.js [--users 10]
 */
import { PortersSandbox } from '../sandbox/porters/server';
import { credentialsFor, LINE_FIELD, LINE_STATUS_FIELD, lineUserId, runPorters } from '../test/support/portersNode';

/** How the race is set up: creates slowed by `createDelayMs`, or every copy made to find nothing. */
interface RaceMode {
	label: string;
	createDelayMs: number;
	forced: boolean;
}

const MODES: RaceMode[] = [
	{ label: 'create 0 ms', createDelayMs: 0, forced: false },
	{ label: 'create 100 ms', createDelayMs: 100, forced: false },
	{ label: 'all copies race', createDelayMs: 0, forced: true },
];

interface RaceRow {
	copies: number;
	mode: RaceMode;
	users: number;
	created: number;
	holdersLeftOver: number;
	marked: number;
	callsPerFollow: number;
	callsPerDelivery: number;
	ms: number;
}

const upsert = (id: string) => ({
	resource: 'candidate',
	operation: 'upsertByLineUserId',
	lineUserIdField: LINE_FIELD,
	lineUserId: id,
	owner: { __rl: true, mode: 'list', value: '' },
	fieldValues: { field: [{ alias: LINE_STATUS_FIELD, value: 'Option.U_LineFollowing' }] },
	createFieldValues: { field: [{ alias: 'Person.P_Name', value: 'LINE 表示名' }] },
	options: {},
});

async function race(sandbox: PortersSandbox, users: number, copies: number, mode: RaceMode): Promise<RaceRow> {
	sandbox.reset();
	const credentials = credentialsFor(sandbox);
	await runPorters(upsert(lineUserId(0xffff)), { credentials });
	const before = sandbox.store.records.candidate.size;
	if (mode.createDelayMs > 0) sandbox.injectFaults({ kind: 'slow', target: 'write', delayMs: mode.createDelayMs, probability: 1 });
	if (mode.forced) sandbox.setSwitches({ emptyReadRendezvous: copies, emptyReadRendezvousMs: 10_000 });
	sandbox.resetCounters();
	const ids = Array.from({ length: users }, (_, u) => lineUserId(0x1000 + u));
	const started = process.hrtime.bigint();
	await Promise.all(ids.flatMap((id) => Array.from({ length: copies }, () => runPorters(upsert(id), { credentials }))));
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	sandbox.clearFaults();
	sandbox.setSwitches({ emptyReadRendezvous: 0 });
	const records = [...sandbox.store.records.candidate.values()];
	const holdersLeftOver = ids.reduce((sum, id) => sum + Math.max(0, records.filter((r) => r[LINE_FIELD] === id).length - 1), 0);
	const marked = records.filter((r) => String(r['Person.P_Memo'] ?? '').startsWith('LINE重複')).length;
	const billed = sandbox.counters.billed;
	return {
		copies,
		mode,
		users,
		created: sandbox.store.records.candidate.size - before,
		holdersLeftOver,
		marked,
		callsPerFollow: billed / users,
		callsPerDelivery: billed / (users * copies),
		ms,
	};
}

async function main(): Promise<void> {
	const usersArg = process.argv.indexOf('--users');
	const users = usersArg > 0 ? Number(process.argv[usersArg + 1]) : 10;
	const sandbox = new PortersSandbox();
	await sandbox.start(0);
	const rows: RaceRow[] = [];
	try {
		for (const mode of MODES) {
			for (const copies of [1, 3, 10]) rows.push(await race(sandbox, users, copies, mode));
		}
	} finally {
		await sandbox.stop();
	}
	console.log(`Upsert race: ${users} new LINE users, each follow delivered N times at once (one Upsert run per copy)`);
	console.log('race            | copies | created | left holding ID | marked | calls/follow | calls/delivery | ms total | ms vs 1 copy');
	for (const row of rows) {
		const base = rows.find((r) => r.mode === row.mode && r.copies === 1) as RaceRow;
		console.log(
			[
				row.mode.label.padEnd(15),
				String(row.copies).padStart(6),
				String(row.created).padStart(7),
				String(row.holdersLeftOver).padStart(15),
				String(row.marked).padStart(6),
				row.callsPerFollow.toFixed(1).padStart(12),
				row.callsPerDelivery.toFixed(2).padStart(14),
				row.ms.toFixed(0).padStart(8),
				`${(row.ms / base.ms).toFixed(2)}x`.padStart(12),
			].join(' | '),
		);
	}
}

void main();
