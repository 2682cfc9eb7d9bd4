/**
 * Link LINE User ID against the PORTERS sandbox: after LINE Login, the linked candidate becomes
 * the only holder of the LINE user ID; a friend-add placeholder is merged, a candidate with
 * recruiter data keeps it and is flagged for review.
 */
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

const USER = lineUserId(0x11c);
const LINKED = 10002; // in the fixture, without a LINE user ID

const link = (extra: Record<string, unknown> = {}) => ({
	resource: 'candidate',
	operation: 'linkLineUserId',
	candidateId: String(LINKED),
	lineUserIdField: LINE_FIELD,
	lineUserId: USER,
	options: {},
	...extra,
});

const upsert = {
	resource: 'candidate',
	operation: 'upsertByLineUserId',
	lineUserIdField: LINE_FIELD,
	lineUserId: USER,
	owner: { __rl: true, mode: 'list', value: '' },
	fieldValues: { field: [{ alias: LINE_STATUS_FIELD, value: 'Option.U_LineFollowing' }] },
	createFieldValues: { field: [{ alias: 'Person.P_Name', value: 'LINE 表示名' }] },
	options: {},
};

const record = (id: number) => sandbox.store.records.candidate.get(id) as Record<string, unknown>;
const holders = () => [...sandbox.store.records.candidate.values()].filter((r) => r[LINE_FIELD] === USER);

/** The candidate flow 01 creates for a friend-add, as the placeholder that linking absorbs. */
async function friendAddPlaceholder(): Promise<number> {
	const { output } = await runPorters(upsert, { credentials: credentialsFor(sandbox) });
	return output[0].json['Person.P_Id'] as number;
}

describe('Link LINE User ID', () => {
	it('absorbs the friend-add placeholder: cleared and marked merged, the linked candidate holds the ID', async () => {
		const credentials = credentialsFor(sandbox);
		const { output: created } = await runPorters(upsert, { credentials });
		const placeholder = created[0].json['Person.P_Id'] as number;
		expect(placeholder).toBeGreaterThan(LINKED);
		const before = { ...record(LINKED) };
		sandbox.resetCounters();

		const { output } = await runPorters(link(), { credentials });

		expect(output).toEqual([
			{
				json: { 'Person.P_Id': LINKED, action: 'linked', lineUserId: USER, merged: [placeholder], review: [] },
				pairedItem: { item: 0 },
			},
		]);
		expect(holders().map((r) => r['Person.P_Id'])).toEqual([LINKED]);
		expect(record(placeholder)[LINE_FIELD] ?? null).toBeNull();
		expect(record(placeholder)['Person.P_Memo']).toBe(`LINE連携: 候補者 ${LINKED} に統合`);
		// Nothing of the placeholder reaches the linked candidate.
		expect(record(LINKED)['Person.P_Name']).toBe(before['Person.P_Name']);
		// Write the ID, read the holders, look for the placeholder's resumes, retire it.
		expect(sandbox.counters).toMatchObject({ billed: 4, reads: 2, writes: 2 });
	});

	it('keeps recruiter data on another holder, clears its LINE user ID and flags it for review', async () => {
		const other = await friendAddPlaceholder();
		sandbox.store.records.candidate.set(other, {
			...record(other),
			'Person.P_Mail': 'sakura@example.jp',
			'Person.P_Memo': '一次面接済み\n来週連絡',
		});

		const { output } = await runPorters(link(), { credentials: credentialsFor(sandbox) });

		expect(output[0].json).toMatchObject({ merged: [], review: [other] });
		expect(holders().map((r) => r['Person.P_Id'])).toEqual([LINKED]);
		expect(record(other)).toMatchObject({
			'Person.P_Name': 'LINE 表示名',
			'Person.P_Mail': 'sakura@example.jp',
			'Person.P_Memo': `【要確認】LINE連携: このLINEユーザーは候補者 ${LINKED} に連携されました\n一次面接済み\n来週連絡`,
		});
		expect(record(other)[LINE_FIELD] ?? null).toBeNull();
		expect(record(other)[LINE_STATUS_FIELD]).toEqual(['Option.U_LineFollowing']);
	});

	it('treats a holder with a resume as recruiter data, even with every recruiter field empty', async () => {
		const other = await friendAddPlaceholder();
		sandbox.store.insert('resume', { 'Resume.P_Owner': 5, 'Resume.P_Candidate': other, 'Resume.P_Name': '選考中' });

		const { output } = await runPorters(link(), { credentials: credentialsFor(sandbox) });

		expect(output[0].json).toMatchObject({ merged: [], review: [other] });
		expect(record(other)['Person.P_Memo']).toBe(`【要確認】LINE連携: このLINEユーザーは候補者 ${LINKED} に連携されました`);
	});

	it('merges several placeholders and flags several holders in one write', async () => {
		const placeholder = await friendAddPlaceholder();
		const withData = sandbox.store.insert('candidate', {
			'Person.P_Owner': 5,
			'Person.P_Name': '別人かも',
			'Person.P_Mobile': '090-0000-0000',
			[LINE_FIELD]: USER,
		});
		const another = sandbox.store.insert('candidate', { 'Person.P_Owner': 5, 'Person.P_Name': 'LINE 表示名', [LINE_FIELD]: USER });
		const credentials = credentialsFor(sandbox);
		await runPorters(link({ lineUserId: lineUserId(1), candidateId: '10003' }), { credentials });
		sandbox.resetCounters();

		const { output } = await runPorters(link({ candidateId: '10001' }), { credentials });

		expect(output[0].json).toMatchObject({ merged: [placeholder, another], review: [withData] });
		expect(holders().map((r) => r['Person.P_Id'])).toEqual([10001]);
		expect(sandbox.counters).toMatchObject({ billed: 5, reads: 3, writes: 2 });
	});

	it('changes nothing the second time (same link again): no new holder, no mark written twice', async () => {
		const placeholder = await friendAddPlaceholder();
		const credentials = credentialsFor(sandbox);
		await runPorters(link(), { credentials });
		const memo = record(placeholder)['Person.P_Memo'];
		sandbox.resetCounters();

		const { output } = await runPorters(link(), { credentials });

		expect(output[0].json).toMatchObject({ merged: [], review: [] });
		expect(record(placeholder)['Person.P_Memo']).toBe(memo);
		expect(holders().map((r) => r['Person.P_Id'])).toEqual([LINKED]);
		// Without another holder: the write and the read, nothing more.
		expect(sandbox.counters).toMatchObject({ billed: 2, reads: 1, writes: 1 });
	});

	it('leaves the fields to the workflow: other mark fields, recruiter fields as a comma list', async () => {
		const other = await friendAddPlaceholder();
		sandbox.store.records.candidate.set(other, { ...record(other), 'Person.P_Zipcode': '100-0001' });

		const { output } = await runPorters(
			link({ recruiterDataFields: 'Person.P_Mail, Person.P_Memo', options: { mergedMarkField: 'Person.P_Reading' } }),
			{ credentials: credentialsFor(sandbox) },
		);

		// The zip code is not listed as recruiter data here, so the holder is a placeholder.
		expect(output[0].json).toMatchObject({ merged: [other], review: [] });
		expect(record(other)['Person.P_Reading']).toBe(`LINE連携: 候補者 ${LINKED} に統合`);
		expect(record(other)['Person.P_Memo'] ?? null).toBeNull();
	});

	it('checks the field names first when asked, before writing anything', async () => {
		const placeholder = await friendAddPlaceholder();
		await expect(
			runPorters(link({ options: { validateFields: true, reviewFlagField: 'Person.U_NOSUCHFIELD0000000000000000' } }), {
				credentials: credentialsFor(sandbox),
			}),
		).rejects.toThrow(/does not exist in PORTERS/);
		expect(holders().map((r) => r['Person.P_Id'])).toEqual([placeholder]);
	});

	it('reports a candidate that does not exist, without touching the other holders', async () => {
		const placeholder = await friendAddPlaceholder();
		await expect(runPorters(link({ candidateId: '99999' }), { credentials: credentialsFor(sandbox) })).rejects.toThrow(
			/did not save the candidate/,
		);
		expect(record(placeholder)[LINE_FIELD]).toBe(USER);
	});
});
