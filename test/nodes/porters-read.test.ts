import { NodeOperationError } from 'n8n-workflow';

import type { PortersSandbox, PortersSwitches } from '../../sandbox/porters/server';
import {
	AREA_FIELD,
	credentialsFor,
	INTERVIEW_FIELD,
	items,
	LINE_FIELD,
	runPorters,
	startSandbox,
} from '../support/portersNode';

let sandbox: PortersSandbox;

beforeAll(async () => {
	sandbox = await startSandbox();
});

afterAll(async () => {
	await sandbox.stop();
});

const defaultSwitches: Partial<PortersSwitches> = {
	optionWrapper: 'root',
	optionNames: false,
	referenceWrapper: 'resource',
	bareReference: 'nested',
	candidateSubPrefix: 'Person',
	xmlDeclaration: 'standalone',
	errorRoot: 'resource',
};

beforeEach(() => {
	sandbox.setSwitches(defaultSwitches);
	sandbox.reset();
});

const getResume = (extra: Record<string, unknown> = {}) => ({
	resource: 'resume',
	operation: 'get',
	searchBy: 'candidateId',
	candidateId: '10001',
	resumeFields: `Resume.P_Id,Resume.P_Name,Resume.P_Owner,${INTERVIEW_FIELD}`,
	candidateFields: ['Person.P_Id', 'Person.P_Name', LINE_FIELD, 'Person.P_Owner'],
	returnAll: true,
	options: {},
	...extra,
});

const EXPECTED_RESUME = {
	'Resume.P_Id': 20001,
	'Resume.P_Name': '鈴木 一郎(20001)',
	'Resume.P_Owner': 5,
	'Resume.P_Owner.name': '山田 花子',
	[INTERVIEW_FIELD]: '面談予定',
	[`${INTERVIEW_FIELD}.options`]: [{ alias: 'Option.U_InterviewScheduled', id: 201, name: '面談予定' }],
	'Resume.P_Candidate': 10001,
	'Person.P_Id': 10001,
	'Person.P_Name': '鈴木 一郎',
	[LINE_FIELD]: 'U1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a',
	'Person.P_Owner': 5,
	'Person.P_Owner.name': '山田 花子',
};

describe('Get Resume', () => {
	it('returns flat resumes with the parent candidate fields and readable option values', async () => {
		const { output, ctx } = await runPorters(getResume(), { credentials: credentialsFor(sandbox) });
		expect(output).toEqual([{ json: EXPECTED_RESUME, pairedItem: { item: 0 } }]);
		const read = ctx.http.find((c) => c.url.includes('/v1/resume'));
		const url = new URL(read!.url);
		expect(url.searchParams.get('field')).toBe(
			`Resume.P_Id,Resume.P_Name,Resume.P_Owner,${INTERVIEW_FIELD},Resume.P_Candidate(Person.P_Id,Person.P_Name,${LINE_FIELD},Person.P_Owner)`,
		);
		expect(url.searchParams.get('condition')).toBe('Resume.P_Candidate:eq=10001');
		expect(url.searchParams.get('count')).toBe('200');
		// The default rendering has only option IDs: one Option Read supplies the names.
		expect(sandbox.counters.byEndpoint['GET /v1/option']).toBe(1);
	});

	it.each([
		['options without root wrapper, with names (U4)', { optionWrapper: 'none', optionNames: true }],
		['literal <OptionRoot> (U4)', { optionWrapper: 'OptionRoot', optionNames: true }],
		['parent fields without a <Candidate> wrapper (U5)', { referenceWrapper: 'none' }],
		['no XML declaration (U14)', { xmlDeclaration: 'none' }],
		['plain XML declaration (U14)', { xmlDeclaration: 'plain' }],
	] as Array<[string, Partial<PortersSwitches>]>)('gives the same output for %s', async (_name, switches) => {
		sandbox.setSwitches(switches);
		const { output } = await runPorters(getResume(), { credentials: credentialsFor(sandbox) });
		expect(output.map((o) => o.json)).toEqual([EXPECTED_RESUME]);
	});

	it('reads Candidate.-prefixed parent fields when PORTERS wants them (U6)', async () => {
		sandbox.setSwitches({ candidateSubPrefix: 'Candidate' });
		const { output } = await runPorters(
			getResume({ resumeFields: 'Resume.P_Id,Resume.P_Candidate(Candidate.P_Name)', candidateFields: [] }),
			{ credentials: credentialsFor(sandbox) },
		);
		expect(output[0].json).toMatchObject({ 'Resume.P_Id': 20001, 'Resume.P_Candidate': null, 'Candidate.P_Name': '鈴木 一郎' });
	});

	it('accepts the candidate reference nested or flat when no parent fields are asked (U7)', async () => {
		const params = getResume({ resumeFields: 'Resume.P_Id,Resume.P_Candidate', candidateFields: [] });
		const nested = await runPorters(params, { credentials: credentialsFor(sandbox) });
		sandbox.setSwitches({ bareReference: 'flat' });
		const flat = await runPorters(params, { credentials: credentialsFor(sandbox) });
		expect(nested.output[0].json).toEqual({ 'Resume.P_Id': 20001, 'Resume.P_Candidate': 10001, 'Person.P_Id': 10001 });
		expect(flat.output[0].json).toEqual({ 'Resume.P_Id': 20001, 'Resume.P_Candidate': 10001 });
	});

	it('pages with count=200 until Total for Return All (450 resumes → 3 reads)', async () => {
		for (let i = 0; i < 447; i++) {
			sandbox.store.insert('resume', {
				'Resume.P_Id': 30000 + i,
				'Resume.P_Owner': 6,
				'Resume.P_Candidate': 10002,
				'Resume.P_Name': `バルク ${i} 🎯`,
			});
		}
		const { output, ctx } = await runPorters(
			getResume({ searchBy: 'all', candidateFields: ['Person.P_Name'], options: { resolveOptionNames: false } }),
			{ credentials: credentialsFor(sandbox) },
		);
		expect(output).toHaveLength(450);
		const reads = ctx.http.filter((c) => c.url.includes('/v1/resume')).map((c) => new URL(c.url).searchParams);
		expect(reads.map((p) => [p.get('count'), p.get('start')])).toEqual([
			['200', '0'],
			['200', '200'],
			['200', '400'],
		]);
		expect(new Set(output.map((o) => o.json['Resume.P_Id'])).size).toBe(450);
		expect(output[449].json['Person.P_Name']).toBe('佐藤 花子');
	});

	it('stops at the limit without Return All', async () => {
		const { output, ctx } = await runPorters(getResume({ searchBy: 'all', returnAll: false, limit: 2 }), {
			credentials: credentialsFor(sandbox),
		});
		expect(output).toHaveLength(2);
		expect(new URL(ctx.http.find((c) => c.url.includes('/v1/resume'))!.url).searchParams.get('count')).toBe('2');
	});

	it('gets one resume by ID and keeps the nested form on request', async () => {
		const { output } = await runPorters(
			getResume({ searchBy: 'id', resumeId: '20003', candidateFields: ['Person.P_Name'], options: { simplify: false } }),
			{ credentials: credentialsFor(sandbox) },
		);
		expect(output).toHaveLength(1);
		expect(output[0].json['Resume.P_Candidate']).toEqual({ Candidate: { 'Person.P_Name': 'ＴＡＫＡＨＡＳＨＩ　健太 🎉' } });
	});

	it('retries a read after a server error and a cut connection', async () => {
		sandbox.injectFaults([
			{ kind: 'status', status: 502, target: 'read', path: '/v1/resume' },
			{ kind: 'reset', target: 'read', path: '/v1/resume' },
		]);
		const { output } = await runPorters(getResume(), { credentials: credentialsFor(sandbox) });
		expect(output).toHaveLength(1);
		expect(sandbox.counters.byEndpoint['GET /v1/resume']).toBe(3);
	});

	it('explains an unknown field alias in the field list', async () => {
		const run = runPorters(getResume({ resumeFields: 'Resume.P_Id,Resume.U_NOPE' }), {
			credentials: credentialsFor(sandbox),
		});
		await expect(run).rejects.toThrow('PORTERS result code 100: a parameter is invalid');
	});

	it('rejects a broken field list before calling PORTERS', async () => {
		const run = runPorters(getResume({ resumeFields: 'Resume.P_Id,Resume.P_Candidate(Person.P_Name' }), {
			credentials: credentialsFor(sandbox),
		});
		await expect(run).rejects.toThrow(NodeOperationError);
		await expect(run).rejects.toThrow('Missing ")" after the fields of Resume.P_Candidate');
		expect(sandbox.counters.reads).toBe(0);
	});
});

describe('Find Candidate', () => {
	const find = (extra: Record<string, unknown>) => ({
		resource: 'candidate',
		operation: 'find',
		fields: [],
		returnAll: false,
		limit: 50,
		options: {},
		...extra,
	});

	it('finds by LINE user ID with an exact match', async () => {
		const { output, ctx } = await runPorters(
			find({ searchBy: 'lineUserId', lineUserIdField: LINE_FIELD, lineUserId: 'U1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a' }),
			{ credentials: credentialsFor(sandbox) },
		);
		expect(output.map((o) => o.json['Person.P_Id'])).toEqual([10001]);
		expect(output[0].json[LINE_FIELD]).toBe('U1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a');
		const url = new URL(ctx.http.find((c) => c.url.includes('/v1/candidate'))!.url);
		expect(url.searchParams.get('condition')).toBe(`${LINE_FIELD}:full=U1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a`);
	});

	it('finds by e-mail, by ID and by condition; nothing found gives no items', async () => {
		const credentials = credentialsFor(sandbox);
		const byMail = await runPorters(find({ searchBy: 'email', email: 'hanako.sato@example.jp' }), { credentials });
		expect(byMail.output.map((o) => o.json['Person.P_Name'])).toEqual(['佐藤 花子']);
		const byId = await runPorters(find({ searchBy: 'id', candidateId: '10003', fields: ['Person.P_Memo', AREA_FIELD] }), {
			credentials,
		});
		expect(byId.output[0].json).toEqual({
			'Person.P_Id': 10003,
			'Person.P_Memo': '第一希望: "Web 開発" & <インフラ>\n第二希望: \'PM\'',
			[AREA_FIELD]: '',
		});
		const byCondition = await runPorters(
			find({ searchBy: 'condition', condition: 'Person.P_Owner:eq=5,Person.P_UpdateDate:ge=2026/01/11 00:00:00' }),
			{ credentials },
		);
		expect(byCondition.output.map((o) => o.json['Person.P_Id'])).toEqual([10003]);
		const none = await runPorters(find({ searchBy: 'email', email: 'nobody@example.jp' }), { credentials });
		expect(none.output).toEqual([]);
	});

	it('reads option values of a checkbox field readably', async () => {
		const { output } = await runPorters(find({ searchBy: 'id', candidateId: '10001', fields: [AREA_FIELD] }), {
			credentials: credentialsFor(sandbox),
		});
		expect(output[0].json[AREA_FIELD]).toBe('東京都, 大阪府');
	});

	it('runs one search per input item, each paired with its item', async () => {
		const { output } = await runPorters(
			find({ searchBy: 'id', candidateId: (i: number) => String(10001 + i) }),
			{ items: items(3), credentials: credentialsFor(sandbox) },
		);
		expect(output.map((o) => [o.json['Person.P_Id'], o.pairedItem])).toEqual([
			[10001, { item: 0 }],
			[10002, { item: 1 }],
			[10003, { item: 2 }],
		]);
	});

	it('refuses a value PORTERS conditions cannot express', async () => {
		await expect(
			runPorters(find({ searchBy: 'email', email: 'a,b@example.jp' }), { credentials: credentialsFor(sandbox) }),
		).rejects.toThrow('contains a comma, which PORTERS conditions cannot express');
	});
});
