/**
 * The node's essential reads and writes against every pair of the wire shapes PORTERS may use
 * (../shared/docs/porters-api.md §8 U2–U6: error status and root, token-error status, option
 * rendering, the Candidate wrapper, the prefix inside parentheses).
 *
 * The rows are the sandbox's `pairwiseMatrix()`: every pair of values of the seven switches
 * appears in some row, in about 13 rows. The full product (`switchMatrix()`, 648 rows) runs the
 * same cases when PORTERS_FULL_MATRIX=1; it takes minutes on a shared machine, and the wire
 * handling reads each point on its own, so pairs are where interactions would show.
 */
import {
	DEFAULT_SWITCHES,
	pairwiseMatrix,
	switchMatrix,
	type PortersSandbox,
	type PortersSwitches,
} from '../../sandbox/porters/server';
import {
	credentialsFor,
	INTERVIEW_FIELD,
	items,
	LINE_FIELD,
	lineUserId,
	runPorters,
	startSandbox,
} from '../support/portersNode';

const ROWS: Array<Partial<PortersSwitches>> = process.env.PORTERS_FULL_MATRIX === '1' ? switchMatrix() : pairwiseMatrix();

let sandbox: PortersSandbox;

beforeAll(async () => {
	sandbox = await startSandbox();
});

afterAll(async () => {
	await sandbox.stop();
});

const getResume = {
	resource: 'resume',
	operation: 'get',
	searchBy: 'candidateId',
	candidateId: '10001',
	resumeFields: `Resume.P_Id,Resume.P_Name,Resume.P_Owner,${INTERVIEW_FIELD}`,
	candidateFields: ['Person.P_Id', 'Person.P_Name', LINE_FIELD],
	returnAll: true,
	options: {},
};

const createCandidates = {
	resource: 'candidate',
	operation: 'create',
	owner: { __rl: true, mode: 'list', value: '' },
	lineUserIdField: LINE_FIELD,
	lineUserId: (i: number) => lineUserId(i + 1),
	fieldValues: (i: number) => ({ field: [{ alias: 'Person.P_Name', value: `候補者 ${i}` }] }),
	options: {},
};

const findByLineId = {
	resource: 'candidate',
	operation: 'find',
	searchBy: 'lineUserId',
	lineUserIdField: LINE_FIELD,
	lineUserId: 'U1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a',
	fields: [],
	returnAll: false,
	limit: 50,
	options: {},
};

const label = (row: Partial<PortersSwitches>) =>
	Object.entries(row)
		.map(([name, value]) => `${name}=${String(value)}`)
		.join(' ');

describe.each(ROWS.map((row) => [label(row), row] as const))('wire shape %s', (_label, row) => {
	beforeEach(() => {
		sandbox.setSwitches({ ...DEFAULT_SWITCHES, ...row });
		sandbox.reset();
	});

	it('Get Resume returns the parent candidate and readable option values', async () => {
		const { output } = await runPorters(getResume, { credentials: credentialsFor(sandbox) });
		expect(output).toHaveLength(1);
		expect(output[0].json).toMatchObject({
			'Resume.P_Id': 20001,
			'Resume.P_Owner': 5,
			[INTERVIEW_FIELD]: '面談予定',
			'Person.P_Id': 10001,
			'Person.P_Name': '鈴木 一郎',
			[LINE_FIELD]: 'U1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a',
		});
	});

	it('Find Candidate finds by LINE user ID', async () => {
		const { output } = await runPorters(findByLineId, { credentials: credentialsFor(sandbox) });
		expect(output.map((o) => o.json['Person.P_Id'])).toEqual([10001]);
	});

	it('Create Candidate writes each item once and renews an expired token once', async () => {
		const credentials = credentialsFor(sandbox);
		await runPorters(createCandidates, { items: items(1), credentials });
		sandbox.expireTokens();
		const { output } = await runPorters(createCandidates, { items: items(3), credentials });
		expect(output.map((o) => o.json.resultCode)).toEqual([0, 0, 0]);
		expect(sandbox.counters.refreshes).toBe(1);
		expect(sandbox.store.records.candidate.size).toBe(3 + 4);
	});

	it('a request-level error says what PORTERS answered', async () => {
		const run = runPorters(
			{ ...getResume, resumeFields: 'Resume.P_Id,Resume.U_NOPE' },
			{ credentials: credentialsFor(sandbox) },
		);
		await expect(run).rejects.toThrow('PORTERS result code 100: a parameter is invalid');
	});
});
