/**
 * Upsert by LINE user ID when several executions run at the same moment for the same new LINE
 * user: each execution is a separate execute() run, started together, against one PORTERS sandbox.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import type { PortersSandbox } from '../../sandbox/porters/server';
import { credentialsFor, LINE_FIELD, LINE_STATUS_FIELD, lineUserId, runPorters, startSandbox } from '../support/portersNode';

let sandbox: PortersSandbox;

beforeAll(async () => {
	sandbox = await startSandbox();
});

afterAll(async () => {
	await sandbox.stop();
});

beforeEach(() => {
	sandbox.reset();
});

const upsert = (extra: Record<string, unknown> = {}) => ({
	resource: 'candidate',
	operation: 'upsertByLineUserId',
	lineUserIdField: LINE_FIELD,
	lineUserId: lineUserId(0x5ace),
	owner: { __rl: true, mode: 'list', value: '' },
	fieldValues: { field: [{ alias: LINE_STATUS_FIELD, value: 'Option.U_LineFollowing' }] },
	createFieldValues: { field: [{ alias: 'Person.P_Name', value: 'LINE 表示名' }] },
	options: {},
	...extra,
});

const holders = (id: string) => [...sandbox.store.records.candidate.values()].filter((r) => r[LINE_FIELD] === id);
const markedAsDuplicateOf = (survivor: number) =>
	[...sandbox.store.records.candidate.values()].filter((r) => r['Person.P_Memo'] === `LINE重複: 候補者 ${survivor} に統合`);

async function race(copies: number, extra: Record<string, unknown> = {}): Promise<INodeExecutionData[]> {
	const credentials = credentialsFor(sandbox);
	// Obtain the session first, so that the race is about the candidate, not the token.
	await runPorters(upsert({ lineUserId: lineUserId(1) }), { credentials });
	const before = sandbox.store.records.candidate.size;
	// Slow creates: every execution has looked (and found nothing) before the first create lands.
	sandbox.injectFaults({ kind: 'slow', target: 'write', delayMs: 300, times: copies });
	const runs = await Promise.all(Array.from({ length: copies }, () => runPorters(upsert(extra), { credentials })));
	expect(sandbox.store.records.candidate.size - before).toBeGreaterThanOrEqual(1);
	return runs.map((r) => r.output[0]);
}

describe.each([2, 3, 10])('%i concurrent upserts for the same new LINE user', (copies) => {
	it('leave one candidate holding the LINE user ID and mark every other one created', async () => {
		const outputs = await race(copies);
		const [survivor] = holders(lineUserId(0x5ace));
		expect(holders(lineUserId(0x5ace))).toHaveLength(1);
		const survivorId = survivor['Person.P_Id'] as number;
		// Every execution returns the survivor, whichever created it.
		expect(outputs.map((o) => o.json['Person.P_Id'])).toEqual(Array(copies).fill(survivorId));
		const createdInRace = [...sandbox.store.records.candidate.values()].filter(
			(r) => (r['Person.P_Id'] as number) > survivorId,
		);
		// They all found nothing and all created: this is the race, not a lucky ordering.
		expect(createdInRace).toHaveLength(copies - 1);
		const marked = outputs.flatMap((o) => (o.json.duplicatesMarked as number[] | undefined) ?? []);
		expect(marked.sort()).toEqual(createdInRace.map((r) => r['Person.P_Id']).sort());
		expect(markedAsDuplicateOf(survivorId)).toHaveLength(createdInRace.length);
		for (const duplicate of createdInRace) expect(duplicate[LINE_FIELD] ?? null).toBeNull();
		// The survivor is the lowest ID and keeps its own data.
		expect(survivorId).toBe(Math.min(survivorId, ...createdInRace.map((r) => r['Person.P_Id'] as number)));
		expect(survivor['Person.P_Name']).toBe('LINE 表示名');
		expect(survivor['Person.P_Memo'] ?? null).toBeNull();
	});
});

describe('converging', () => {
	it('costs three PORTERS calls for a new LINE user without a race, two for a known one', async () => {
		const credentials = credentialsFor(sandbox);
		await runPorters(upsert({ lineUserId: lineUserId(1) }), { credentials });
		sandbox.resetCounters();
		const created = await runPorters(upsert(), { credentials });
		expect(created.output[0].json).toMatchObject({ action: 'created', resultCode: 0 });
		expect(created.output[0].json.converged).toBeUndefined();
		expect(sandbox.counters).toMatchObject({ billed: 3, reads: 2, writes: 1 });
		sandbox.resetCounters();
		await runPorters(upsert(), { credentials });
		expect(sandbox.counters).toMatchObject({ billed: 2, reads: 1, writes: 1 });
	});

	it('never copies the losing create over data entered on the survivor', async () => {
		const credentials = credentialsFor(sandbox);
		await runPorters(upsert({ lineUserId: lineUserId(1) }), { credentials });
		// Another execution's candidate, already edited by a recruiter, appears while this one creates.
		const { output } = await runPorters(upsert(), {
			credentials,
			onRequest: (call) => {
				if (call.method === 'POST' && String(call.url).includes('/candidate') && !holders(lineUserId(0x5ace)).length) {
					sandbox.store.insert('candidate', {
						'Person.P_Id': 9001,
						'Person.P_Owner': 5,
						'Person.P_Name': '山田 花子',
						'Person.P_Mail': 'hanako@example.jp',
						[LINE_FIELD]: lineUserId(0x5ace),
					});
				}
			},
		});
		expect(output[0].json).toMatchObject({
			'Person.P_Id': 9001,
			action: 'merged',
			converged: true,
			survivorUpdated: true,
			lineUserId: lineUserId(0x5ace),
		});
		const [own] = output[0].json.duplicatesMarked as number[];
		expect(own).toBeGreaterThan(9001);
		const survivor = sandbox.store.records.candidate.get(9001);
		expect(survivor).toMatchObject({ 'Person.P_Name': '山田 花子', 'Person.P_Mail': 'hanako@example.jp' });
		// The always-written status reaches the survivor; the create-only name does not.
		expect(survivor?.[LINE_STATUS_FIELD]).toBeDefined();
		expect(sandbox.store.records.candidate.get(own)).toMatchObject({
			'Person.P_Name': 'LINE 表示名',
			'Person.P_Memo': 'LINE重複: 候補者 9001 に統合',
		});
		expect(holders(lineUserId(0x5ace)).map((r) => r['Person.P_Id'])).toEqual([9001]);
	});

	it('only clears the LINE user ID when no Duplicate Mark Field is set', async () => {
		const outputs = await race(3, { options: { duplicateMarkField: '' } });
		expect(holders(lineUserId(0x5ace))).toHaveLength(1);
		const marked = outputs.flatMap((o) => (o.json.duplicatesMarked as number[] | undefined) ?? []);
		expect(marked.length).toBeGreaterThan(0);
		for (const id of marked) expect(sandbox.store.records.candidate.get(id)?.['Person.P_Memo'] ?? null).toBeNull();
	});

	it('updates the same survivor from every execution when duplicates already exist', async () => {
		sandbox.store.insert('candidate', { 'Person.P_Id': 30002, 'Person.P_Owner': 5, [LINE_FIELD]: lineUserId(0x5ace) });
		sandbox.store.insert('candidate', { 'Person.P_Id': 30001, 'Person.P_Owner': 5, [LINE_FIELD]: lineUserId(0x5ace) });
		const credentials = credentialsFor(sandbox);
		const runs = await Promise.all([1, 2, 3].map(() => runPorters(upsert(), { credentials })));
		for (const { output } of runs) {
			expect(output[0].json).toMatchObject({ 'Person.P_Id': 30001, action: 'updated', matchedIds: [30001, 30002] });
		}
	});

	it('updates the lowest ID also when PORTERS lists the newest holder first', async () => {
		sandbox.store.insert('candidate', { 'Person.P_Id': 30001, 'Person.P_Owner': 5, [LINE_FIELD]: lineUserId(0x5ace) });
		sandbox.store.insert('candidate', { 'Person.P_Id': 30002, 'Person.P_Owner': 5, [LINE_FIELD]: lineUserId(0x5ace) });
		sandbox.setSwitches({ defaultReadOrder: 'idDesc' });
		try {
			const { output } = await runPorters(upsert(), { credentials: credentialsFor(sandbox) });
			expect(output[0].json).toMatchObject({ 'Person.P_Id': 30001, action: 'updated', matchedIds: [30001, 30002] });
			expect(sandbox.store.records.candidate.get(30002)?.[LINE_STATUS_FIELD]).toBeUndefined();
		} finally {
			sandbox.setSwitches({ defaultReadOrder: 'idAsc' });
		}
	});

	it('keeps the created candidate as the result when the second look fails', async () => {
		const credentials = credentialsFor(sandbox);
		await runPorters(upsert({ lineUserId: lineUserId(1) }), { credentials });
		let reads = 0;
		const { output } = await runPorters(upsert(), {
			credentials,
			onRequest: (call) => {
				if (call.method === 'GET' && String(call.url).includes('/candidate') && ++reads === 2) {
					sandbox.injectFaults({ kind: 'status', status: 400, target: 'read' });
				}
			},
		});
		expect(output[0].json).toMatchObject({ action: 'created', resultCode: 0 });
		expect(typeof output[0].json.convergenceError).toBe('string');
	});
});
