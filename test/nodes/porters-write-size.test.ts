/**
 * Writes bounded by serialised size as well as by count (U11), against a sandbox that refuses
 * write bodies over 15,000 or 32,768 characters in every way PORTERS might answer it.
 */
import type { NodeApiError } from 'n8n-workflow';

import { DEFAULT_SWITCHES, type PortersSandbox, type PortersSwitches } from '../../sandbox/porters/server';
import { typicalCandidateFields } from '../support/portersCandidates';
import { credentialsFor, items, LINE_FIELD, lineUserId, runPorters, startSandbox } from '../support/portersNode';

let sandbox: PortersSandbox;

beforeAll(async () => {
	sandbox = await startSandbox();
});

afterAll(async () => {
	await sandbox.stop();
});

beforeEach(() => {
	sandbox.setSwitches({ ...DEFAULT_SWITCHES });
	sandbox.reset();
});

const createTypical = (options: Record<string, unknown> = {}) => ({
	resource: 'candidate',
	operation: 'create',
	owner: { __rl: true, mode: 'list', value: '' },
	lineUserIdField: LINE_FIELD,
	lineUserId: (i: number) => lineUserId(i + 1),
	fieldValues: (i: number) => typicalCandidateFields(i),
	options,
});

async function createMany(count: number, options: Record<string, unknown> = {}, continueOnFail = false) {
	const { output, ctx } = await runPorters(createTypical(options), {
		items: items(count),
		credentials: credentialsFor(sandbox),
		continueOnFail,
	});
	const bodies = ctx.http
		.filter((c) => c.method === 'POST' && c.url.includes('/v1/candidate'))
		.map((c) => String(c.body));
	return { output, bodies };
}

/** Every input item was created exactly once, with its own LINE user ID. */
function expectEachCreatedOnce(output: Awaited<ReturnType<typeof createMany>>['output'], count: number) {
	expect(output).toHaveLength(count);
	expect(sandbox.store.records.candidate.size).toBe(3 + count);
	const stored = [...sandbox.store.records.candidate.values()].map((r) => r[LINE_FIELD]).filter(Boolean);
	expect(new Set(stored).size).toBe(stored.length);
	output.forEach((o, i) => {
		expect(o.pairedItem).toEqual({ item: i });
		expect(o.json).toMatchObject({ action: 'created', resultCode: 0 });
		expect(sandbox.store.records.candidate.get(o.json['Person.P_Id'] as number)?.[LINE_FIELD]).toBe(lineUserId(i + 1));
	});
}

const OVERSIZE_ANSWERS: Array<Partial<PortersSwitches>> = [
	{ oversizeHttpStatus: 400, oversizeResultCode: null },
	{ oversizeHttpStatus: 413, oversizeResultCode: null },
	{ oversizeHttpStatus: 400, oversizeResultCode: 102 },
];

describe('write requests bounded by size', () => {
	it('by default keeps every request under 12,000 characters, so a 15,000 limit refuses none', async () => {
		sandbox.setSwitches({ maxWriteBodySize: 15_000 });
		const { output, bodies } = await createMany(450);
		expect(sandbox.counters.oversize).toBe(0);
		for (const body of bodies) expect(body.length).toBeLessThanOrEqual(12_000);
		// Greedy filling: no two neighbouring requests would have fitted in one.
		for (let b = 1; b < bodies.length; b++) {
			const firstItem = bodies[b].slice(bodies[b].indexOf('<Item>'), bodies[b].indexOf('</Item>') + 7);
			expect(bodies[b - 1].length + firstItem.length).toBeGreaterThan(12_000);
		}
		expect(sandbox.counters.writes).toBe(bodies.length);
		expectEachCreatedOnce(output, 450);
	});

	it('follows the Max Request Size option', async () => {
		const { bodies } = await createMany(60, { maxRequestSize: 5_000 });
		for (const body of bodies) expect(body.length).toBeLessThanOrEqual(5_000);
		expect(bodies.length).toBeGreaterThan(Math.ceil(bodies.join('').length / 5_000) - 1);
		expect(sandbox.counters.itemsWritten).toBe(60);
	});

	it.each([15_000, 32_768])('with the limit at %i and count-only batching, halves refused requests until all 450 are written once', async (limit) => {
		for (const answer of OVERSIZE_ANSWERS) {
			sandbox.reset();
			sandbox.setSwitches({ maxWriteBodySize: limit, ...answer });
			const { output, bodies } = await createMany(450, { maxRequestSize: 0 });
			expect(sandbox.counters.oversize).toBeGreaterThan(0);
			// Each refused request was sent again as two halves, never as a whole again.
			const refused = bodies.filter((b) => b.length > limit);
			expect(refused).toHaveLength(sandbox.counters.oversize);
			expect(new Set(refused).size).toBe(refused.length);
			expect(sandbox.counters.itemsWritten).toBe(450);
			expectEachCreatedOnce(output, 450);
		}
	});

	it('counts the limit in bytes too: Japanese text over 15,000 bytes is split and still written once', async () => {
		sandbox.setSwitches({ maxWriteBodySize: 15_000, writeSizeUnit: 'bytes' });
		const japanese = (i: number) => ({
			field: [
				{ alias: 'Person.P_Name', value: `山田 花子 ${i}` },
				{ alias: 'Person.P_Memo', value: '希望勤務地は東京都内、希望職種は正看護師。'.repeat(8) },
			],
		});
		const { output } = await runPorters(
			{ ...createTypical(), fieldValues: japanese },
			{ items: items(120), credentials: credentialsFor(sandbox) },
		);
		expect(sandbox.counters.oversize).toBeGreaterThan(0);
		expectEachCreatedOnce(output, 120);
	});

	describe('an item too large on its own', () => {
		const hugeMemo = (i: number) =>
			i === 2
				? { field: [{ alias: 'Person.P_Memo', value: 'あ'.repeat(16_000) }] }
				: typicalCandidateFields(i);

		it('becomes that item\'s error; the others are written (Continue On Fail)', async () => {
			sandbox.setSwitches({ maxWriteBodySize: 15_000 });
			const { output } = await runPorters(
				{ ...createTypical(), fieldValues: hugeMemo },
				{ items: items(5), credentials: credentialsFor(sandbox), continueOnFail: true },
			);
			expect(output).toHaveLength(5);
			expect(output[2].json).toMatchObject({ resultCode: -1, 'Person.P_Id': null });
			expect(String(output[2].json.error)).toMatch(
				/^PORTERS refused the write request as a whole \(HTTP 400 without a result code\), possibly because it was too large\. This item alone is 16,\d{3} characters long/,
			);
			expect(output[2].pairedItem).toEqual({ item: 2 });
			for (const i of [0, 1, 3, 4]) expect(output[i].json).toMatchObject({ action: 'created', resultCode: 0 });
			expect(sandbox.counters.itemsWritten).toBe(4);
			// Sent alone once: the planner puts it in its own request, PORTERS refuses it, nothing repeats it.
			expect(sandbox.counters.oversize).toBe(1);
		});

		it('stops the run with that item named (without Continue On Fail)', async () => {
			sandbox.setSwitches({ maxWriteBodySize: 15_000, oversizeResultCode: 102 });
			const run = runPorters(
				{ ...createTypical(), fieldValues: hugeMemo },
				{ items: items(5), credentials: credentialsFor(sandbox) },
			);
			await expect(run).rejects.toThrow(
				'PORTERS did not save the candidate of item 2: PORTERS refused the write request as a whole (result code 102), possibly because it was too large',
			);
			await run.catch((error: NodeApiError) => {
				expect(error.description).toMatch(/^Before this, PORTERS created 2 \(IDs /);
			});
			expect(sandbox.counters.itemsWritten).toBe(2);
		});
	});

	it('never splits or repeats a create whose outcome is unknown', async () => {
		sandbox.setSwitches({ maxWriteBodySize: 15_000 });
		const planned = (await createMany(40)).bodies.length;
		expect(planned).toBeGreaterThan(1);
		sandbox.reset();
		sandbox.injectFaults({ kind: 'reset', target: 'write' });
		const { output, bodies } = await createMany(40, {}, true);
		// The request cut off is not sent again, neither whole nor in halves.
		expect(bodies).toHaveLength(planned);
		expect(sandbox.counters.faults).toBe(1);
		expect(sandbox.counters.oversize).toBe(0);
		const lost = output.filter((o) => o.json.error !== undefined);
		expect(lost.length).toBe(bodies[0].split('<Item>').length - 1);
		expect(String(lost[0].json.error)).toContain('it is unknown whether the records were created');
		expect(sandbox.counters.itemsWritten).toBe(40 - lost.length);
	});
});
