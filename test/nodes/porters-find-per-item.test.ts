import type { INodeExecutionData } from 'n8n-workflow';

import type { PortersSandbox } from '../../sandbox/porters/server';
import { credentialsFor, LINE_FIELD, runPorters, startSandbox } from '../support/portersNode';

/**
 * Find Candidate's "One Item per Input Item": one output item for every input item, whatever the
 * number of matches, so that later nodes can pair results with their input reliably.
 */

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

// In the seed, 10001 holds this LINE user ID; nobody holds the second one.
const KNOWN = 'U1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a';
const UNKNOWN = `U${'0abc'.repeat(8)}`;
const TWICE = `U${'7e57'.repeat(8)}`;

function lineEvents(userIds: string[]): INodeExecutionData[] {
	return userIds.map((userId) => ({ json: { source: { userId } } }));
}

const findByLineUserId = (userIds: string[], options: Record<string, unknown>) => ({
	resource: 'candidate',
	operation: 'find',
	searchBy: 'lineUserId',
	lineUserIdField: LINE_FIELD,
	lineUserId: (i: number) => userIds[i],
	fields: ['Person.P_Name'],
	returnAll: true,
	options,
});

/** Two candidates holding the same LINE user ID (PORTERS has no unique key), the newer updated later. */
function insertTwoCandidatesFor(userId: string): void {
	sandbox.store.insert('candidate', {
		'Person.P_Id': 10040,
		'Person.P_Owner': 5,
		'Person.P_Name': '重複 一号',
		[LINE_FIELD]: userId,
		'Person.P_UpdateDate': '2026/01/20 00:00:00',
	});
	sandbox.store.insert('candidate', {
		'Person.P_Id': 10041,
		'Person.P_Owner': 5,
		'Person.P_Name': '重複 二号',
		[LINE_FIELD]: userId,
		'Person.P_UpdateDate': '2026/02/20 00:00:00',
	});
}

describe('Find Candidate, One Item per Input Item', () => {
	it('gives one item per input item for 0, 1 and 2 matches in one run, each paired with its input', async () => {
		insertTwoCandidatesFor(TWICE);
		const userIds = [UNKNOWN, KNOWN, TWICE, UNKNOWN];
		const { output, ctx } = await runPorters(findByLineUserId(userIds, { oneItemPerInput: true }), {
			items: lineEvents(userIds),
			credentials: credentialsFor(sandbox),
		});

		expect(output.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		const none = { found: false, count: 0, candidate: null, candidates: [] };
		expect(output[0].json).toEqual(none);
		expect(output[3].json).toEqual(none);
		expect(output[1].json).toEqual({
			found: true,
			count: 1,
			candidate: { 'Person.P_Id': 10001, 'Person.P_Name': '鈴木 一郎', [LINE_FIELD]: KNOWN },
			candidates: [{ 'Person.P_Id': 10001, 'Person.P_Name': '鈴木 一郎', [LINE_FIELD]: KNOWN }],
		});
		expect(output[2].json).toMatchObject({ found: true, count: 2 });
		expect((output[2].json.candidates as Array<Record<string, unknown>>).map((c) => c['Person.P_Id'])).toEqual([
			10040, 10041,
		]);
		// The oldest (lowest ID) comes first unless the workflow orders otherwise; sorting needs no
		// `order` parameter (whether PORTERS sorts by ID is not documented).
		expect((output[2].json.candidate as Record<string, unknown>)['Person.P_Id']).toBe(10040);
		const orders = ctx.http
			.filter((call) => call.url.includes('/v1/candidate'))
			.map((call) => new URL(call.url).searchParams.get('order'));
		expect(orders).toEqual([null, null, null, null]);
	});

	it('gives the oldest as the candidate also when PORTERS lists the newest first (the survivor rule)', async () => {
		insertTwoCandidatesFor(TWICE);
		sandbox.setSwitches({ defaultReadOrder: 'idDesc' });
		try {
			const { output } = await runPorters(findByLineUserId([TWICE], { oneItemPerInput: true }), {
				items: lineEvents([TWICE]),
				credentials: credentialsFor(sandbox),
			});
			expect((output[0].json.candidate as Record<string, unknown>)['Person.P_Id']).toBe(10040);
		} finally {
			sandbox.setSwitches({ defaultReadOrder: 'idAsc' });
		}
	});

	it('takes the first match in the order the workflow chose', async () => {
		insertTwoCandidatesFor(TWICE);
		const { output } = await runPorters(
			findByLineUserId([TWICE], { oneItemPerInput: true, order: 'Person.P_UpdateDate:desc' }),
			{ items: lineEvents([TWICE]), credentials: credentialsFor(sandbox) },
		);
		expect(output).toHaveLength(1);
		expect((output[0].json.candidate as Record<string, unknown>)['Person.P_Id']).toBe(10041);
		expect(output[0].json.count).toBe(2);
	});

	it('is off by default: as many items as matches, none for no match', async () => {
		insertTwoCandidatesFor(TWICE);
		const userIds = [UNKNOWN, KNOWN, TWICE];
		const { output, ctx } = await runPorters(findByLineUserId(userIds, {}), {
			items: lineEvents(userIds),
			credentials: credentialsFor(sandbox),
		});
		expect(output.map((o) => [o.json['Person.P_Id'], o.pairedItem])).toEqual([
			[10001, { item: 1 }],
			[10040, { item: 2 }],
			[10041, { item: 2 }],
		]);
		const orders = ctx.http
			.filter((call) => call.url.includes('/v1/candidate'))
			.map((call) => new URL(call.url).searchParams.get('order'));
		expect(orders).toEqual([null, null, null]);
	});

	it('keeps one item per input item when one search fails and the node continues on fail', async () => {
		const userIds = [KNOWN, 'not-a-line-user-id', UNKNOWN];
		const { output } = await runPorters(findByLineUserId(userIds, { oneItemPerInput: true }), {
			items: lineEvents(userIds),
			credentials: credentialsFor(sandbox),
			continueOnFail: true,
		});
		expect(output.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[0].json).toMatchObject({ found: true, count: 1 });
		expect(output[1].json.error).toContain('is not a LINE user ID');
		expect(output[2].json).toMatchObject({ found: false, count: 0 });
	});
});
