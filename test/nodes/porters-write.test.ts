import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { PortersSandbox } from '../../sandbox/porters/server';
import {
	credentialsFor,
	items,
	LINE_FIELD,
	LINE_STATUS_FIELD,
	lineUserId,
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

beforeEach(() => {
	sandbox.reset();
});

const createParams = (extra: Record<string, unknown> = {}) => ({
	resource: 'candidate',
	operation: 'create',
	owner: { __rl: true, mode: 'list', value: '' },
	lineUserIdField: LINE_FIELD,
	lineUserId: '',
	// A function-valued parameter is resolved per item, like an expression.
	fieldValues: (i: number) => ({ field: [{ alias: 'Person.P_Name', value: `候補者 ${i}` }] }),
	options: {},
	...extra,
});

describe('Create Candidate', () => {
	it('sends 450 items in 3 write requests by count alone and gives every item its own ID and code', async () => {
		const credentials = credentialsFor(sandbox);
		const { output, ctx } = await runPorters(
			{ ...createParams(), lineUserId: (i: number) => lineUserId(i + 1), options: { maxRequestSize: 0 } },
			{ items: items(450), credentials },
		);
		expect(sandbox.counters.writes).toBe(3);
		const writes = ctx.http.filter((c) => c.method === 'POST' && c.url.includes('/v1/candidate'));
		expect(writes.map((c) => String(c.body).split('<Item>').length - 1)).toEqual([200, 200, 50]);
		expect(sandbox.counters.itemsWritten).toBe(450);
		expect(output).toHaveLength(450);
		const ids = output.map((o) => o.json['Person.P_Id'] as number);
		expect(new Set(ids).size).toBe(450);
		output.forEach((o, i) => {
			expect(o.pairedItem).toEqual({ item: i });
			expect(o.json).toMatchObject({ action: 'created', resultCode: 0, lineUserId: lineUserId(i + 1) });
			const stored = sandbox.store.records.candidate.get(ids[i]);
			expect(stored?.['Person.P_Name']).toBe(`候補者 ${i}`);
			expect(stored?.[LINE_FIELD]).toBe(lineUserId(i + 1));
			expect(stored?.['Person.P_Owner']).toBe(5);
		});
		// One token (two calls) for the whole run: authentication is not paid per batch.
		expect(sandbox.counters.reads).toBe(0);
		expect(sandbox.counters.auth).toBe(2);
	});

	it('keeps Japanese, full-width characters, emoji and &<>"\' unchanged', async () => {
		const values = [
			'鈴木 一郎',
			'ＴＡＮＡＫＡ　ﾀﾛｳ（全角・半角）',
			'絵文字 👩‍💻🎉😀 𠮷',
			`Tom & Jerry <b>"quoted"</b> 'single'`,
			'複数行\nメモ\twith tab',
		];
		const { output } = await runPorters(
			{
				...createParams(),
				fieldValues: (i: number) => ({
					field: [
						{ alias: 'Person.P_Name', value: values[i] },
						{ alias: 'Person.P_Memo', value: values[values.length - 1 - i] },
					],
				}),
			},
			{ items: items(values.length), credentials: credentialsFor(sandbox) },
		);
		output.forEach((o, i) => {
			const stored = sandbox.store.records.candidate.get(o.json['Person.P_Id'] as number);
			expect(stored?.['Person.P_Name']).toBe(values[i]);
			expect(stored?.['Person.P_Memo']).toBe(values[values.length - 1 - i]);
		});
	});

	it('maps each per-item result code back to its own item (continue on fail)', async () => {
		const { output } = await runPorters(
			{
				...createParams(),
				owner: (i: number) => ({ __rl: true, mode: 'id', value: i === 1 ? '999' : '6' }),
			},
			{ items: items(3), credentials: credentialsFor(sandbox), continueOnFail: true },
		);
		expect(output).toHaveLength(3);
		expect(output[0].json).toMatchObject({ action: 'created', resultCode: 0 });
		expect(output[1].json).toMatchObject({ resultCode: 5 });
		expect(String(output[1].json.error)).toContain('PORTERS result code 5: the user ID is not valid');
		expect(output[1].pairedItem).toEqual({ item: 1 });
		expect(output[2].json).toMatchObject({ action: 'created', resultCode: 0 });
		expect(sandbox.counters.writes).toBe(1);
	});

	it('fails with a plain-language error naming the item, and says what was already saved', async () => {
		const run = runPorters(
			{
				...createParams(),
				owner: (i: number) => ({ __rl: true, mode: 'id', value: i === 2 ? '999' : '5' }),
			},
			{ items: items(3), credentials: credentialsFor(sandbox) },
		);
		await expect(run).rejects.toThrow(NodeApiError);
		await run.catch((error: NodeApiError) => {
			expect(error.message).toBe(
				'PORTERS did not save the candidate of item 2: PORTERS result code 5: the user ID is not valid (the user is not active yet or no longer active). Choose an owner who is an active PORTERS user.',
			);
			expect(error.description).toMatch(/^Before this, PORTERS created 2 \(IDs \d+, \d+\) candidates\./);
		});
	});

	it('turns a whole failed request into one error item per input item (continue on fail)', async () => {
		sandbox.injectFaults({ kind: 'code', code: 103, target: 'write' });
		const { output } = await runPorters(createParams(), {
			items: items(3),
			credentials: credentialsFor(sandbox),
			continueOnFail: true,
		});
		expect(output.map((o) => [o.json.resultCode, o.pairedItem])).toEqual([
			[103, { item: 0 }],
			[103, { item: 1 }],
			[103, { item: 2 }],
		]);
		expect(String(output[0].json.error)).toContain('PORTERS result code 103: a parameter value is invalid');
	});

	it('says which candidates earlier requests already created when a later request fails', async () => {
		let writes = 0;
		const run = runPorters(createParams({ options: { maxRequestSize: 0 } }), {
			items: items(250),
			credentials: credentialsFor(sandbox),
			onRequest: (call) => {
				if (call.method === 'POST' && call.url.includes('/v1/candidate') && ++writes === 2) sandbox.injectFaults({ kind: 'code', code: 103, target: 'write' });
			},
		});
		await expect(run).rejects.toThrow('PORTERS result code 103');
		await run.catch((error: NodeApiError) => {
			expect(error.description).toMatch(/Earlier requests of this run created 200 candidates \(IDs 10004, 10005, /);
		});
		expect(sandbox.store.records.candidate.size).toBe(203);
	});

	it('reports codes 104–116 as a rejected value with the fields sent, claiming no more', async () => {
		const { output } = await runPorters(
			{
				...createParams(),
				fieldValues: (i: number) => ({
					field: [{ alias: 'Person.P_Zipcode', value: i === 1 ? '1'.repeat(20) : '100-0001' }],
				}),
			},
			{ items: items(2), credentials: credentialsFor(sandbox), continueOnFail: true },
		);
		expect(output[0].json).toMatchObject({ action: 'created', resultCode: 0 });
		expect(output[1].json).toMatchObject({ resultCode: 106 });
		const error = String(output[1].json.error);
		expect(error).toMatch(/^PORTERS result code 106: value rejected \(format, type or range\) in (the field|one of the fields) /);
		expect(error).toContain('Person.P_Zipcode');
		expect(error).not.toMatch(/too long|required/);
	});

	it('names an unknown field alias in the error when PORTERS refuses it', async () => {
		const run = runPorters(
			{
				...createParams(),
				fieldValues: { field: [{ alias: 'Person.U_DOESNOTEXIST000000000000000000', value: 'x' }] },
			},
			{ items: items(2), credentials: credentialsFor(sandbox) },
		);
		await expect(run).rejects.toThrow(
			'PORTERS did not save the candidate of item 0: The field Person.U_DOESNOTEXIST000000000000000000 does not exist in PORTERS (PORTERS result code 100',
		);
		// The field list is read only after the failure, to name the culprit.
		expect(sandbox.counters.byEndpoint['GET /v1/field']).toBe(1);
		expect(sandbox.store.records.candidate.size).toBe(3);
	});

	it('with "Check Field Names First" refuses an unknown alias before writing anything', async () => {
		const run = runPorters(
			{
				...createParams(),
				options: { validateFields: true },
				fieldValues: { field: [{ alias: 'Person.U_DOESNOTEXIST000000000000000000', value: 'x' }] },
			},
			{ items: items(2), credentials: credentialsFor(sandbox) },
		);
		await expect(run).rejects.toThrow(NodeOperationError);
		await expect(run).rejects.toThrow('The field Person.U_DOESNOTEXIST000000000000000000 does not exist in PORTERS');
		expect(sandbox.counters.writes).toBe(0);
	});

	it('refuses a malformed alias and a missing owner before any PORTERS call', async () => {
		await expect(
			runPorters(
				{ ...createParams(), fieldValues: { field: [{ alias: 'LINE ID', value: 'x' }] } },
				{ credentials: credentialsFor(sandbox) },
			),
		).rejects.toThrow('"LINE ID" is not a PORTERS field alias');
		await expect(
			runPorters(createParams(), { credentials: credentialsFor(sandbox, { defaultOwnerUserId: 0 }) }),
		).rejects.toThrow('PORTERS needs an owner for a new record');
		await expect(
			runPorters({ ...createParams(), lineUserId: 'not-a-line-id' }, { credentials: credentialsFor(sandbox) }),
		).rejects.toThrow('"not-a-line-id" is not a LINE user ID');
		expect(sandbox.counters.billed).toBe(0);
	});

	it('tells PORTERS\'s meaning when PORTERS rejects an alias the check let through', async () => {
		const { output } = await runPorters(
			{
				...createParams(),
				options: { validateFields: false },
				fieldValues: { field: [{ alias: 'Person.U_NOPE', value: 'x' }] },
			},
			{ items: items(1), credentials: credentialsFor(sandbox), continueOnFail: true },
		);
		expect(output[0].json.resultCode).toBe(100);
		expect(String(output[0].json.error)).toContain('a field alias that does not exist in this PORTERS account');
	});

	it('retries code 9 (maintenance) with backoff and succeeds', async () => {
		sandbox.injectFaults({ kind: 'code', code: 9, target: 'write' });
		const { output } = await runPorters(createParams(), { items: items(3), credentials: credentialsFor(sandbox) });
		expect(sandbox.counters.faults).toBe(1);
		expect(sandbox.counters.writes).toBe(2);
		expect(output.map((o) => o.json.resultCode)).toEqual([0, 0, 0]);
		expect(sandbox.store.records.candidate.size).toBe(6);
	});

	it('retries code 302 under a <System> root with HTTP 200 too', async () => {
		sandbox.setSwitches({ errorRoot: 'system', errorHttpStatus: 200 });
		try {
			sandbox.injectFaults({ kind: 'code', code: 302, target: 'write', times: 2 });
			const { output } = await runPorters(createParams(), { items: items(1), credentials: credentialsFor(sandbox) });
			expect(sandbox.counters.writes).toBe(3);
			expect(output[0].json.resultCode).toBe(0);
		} finally {
			sandbox.setSwitches({ errorRoot: 'resource', errorHttpStatus: 400 });
		}
	});

	it('does not repeat a create whose outcome is unknown (cut connection), and says so', async () => {
		sandbox.injectFaults({ kind: 'reset', target: 'write' });
		const run = runPorters(createParams(), { items: items(2), credentials: credentialsFor(sandbox) });
		await expect(run).rejects.toThrow(
			'PORTERS did not answer a write request; it is unknown whether the records were created',
		);
		expect(sandbox.counters.writes).toBe(1);
	});

	it('gives up on code 9 after the retries with PORTERS\'s meaning', async () => {
		sandbox.injectFaults({ kind: 'code', code: 9, target: 'write', times: 10 });
		await expect(runPorters(createParams(), { items: items(1), credentials: credentialsFor(sandbox) })).rejects.toThrow(
			'PORTERS result code 9: PORTERS is temporarily unavailable (maintenance or overload). Try again later.',
		);
		expect(sandbox.counters.writes).toBe(4);
	});
});

describe('Update Candidate', () => {
	it('marks a candidate as blocked on LINE and leaves other fields alone', async () => {
		const before = { ...sandbox.store.records.candidate.get(10001) };
		const { output } = await runPorters(
			{
				resource: 'candidate',
				operation: 'update',
				candidateId: '10001',
				lineUserId: '',
				fieldValues: { field: [{ alias: LINE_STATUS_FIELD, value: 'Option.U_LineBlocked' }] },
				options: {},
			},
			{ credentials: credentialsFor(sandbox) },
		);
		expect(output[0].json).toEqual({ 'Person.P_Id': 10001, action: 'updated', resultCode: 0 });
		const after = sandbox.store.records.candidate.get(10001);
		expect(after?.[LINE_STATUS_FIELD]).toEqual(['Option.U_LineBlocked']);
		expect(after?.['Person.P_Name']).toBe(before['Person.P_Name']);
		expect(after?.[LINE_FIELD]).toBe(before[LINE_FIELD]);
	});

	it('reports an unknown candidate ID with PORTERS\'s meaning', async () => {
		const { output } = await runPorters(
			{
				resource: 'candidate',
				operation: 'update',
				candidateId: '99999',
				fieldValues: { field: [{ alias: 'Person.P_Memo', value: 'x' }] },
				options: {},
			},
			{ credentials: credentialsFor(sandbox), continueOnFail: true },
		);
		expect(output[0].json.resultCode).toBe(7);
		expect(String(output[0].json.error)).toContain('the record does not exist');
	});

	it('repeats an update after a server error, since repeating cannot duplicate', async () => {
		sandbox.injectFaults({ kind: 'status', status: 503, target: 'write' });
		const { output } = await runPorters(
			{
				resource: 'candidate',
				operation: 'update',
				candidateId: '10002',
				lineUserId: lineUserId(77),
				lineUserIdField: LINE_FIELD,
				options: {},
			},
			{ credentials: credentialsFor(sandbox) },
		);
		expect(sandbox.counters.writes).toBe(2);
		expect(output[0].json.resultCode).toBe(0);
		expect(sandbox.store.records.candidate.get(10002)?.[LINE_FIELD]).toBe(lineUserId(77));
	});
});

describe('Upsert Candidate by LINE user ID', () => {
	const upsert = (extra: Record<string, unknown> = {}) => ({
		resource: 'candidate',
		operation: 'upsertByLineUserId',
		lineUserIdField: LINE_FIELD,
		lineUserId: lineUserId(0xabc),
		owner: { __rl: true, mode: 'list', value: '' },
		fieldValues: { field: [{ alias: LINE_STATUS_FIELD, value: 'Option.U_LineFollowing' }] },
		createFieldValues: { field: [{ alias: 'Person.P_Name', value: 'LINE 表示名' }] },
		options: {},
		...extra,
	});

	it('creates once for a follow delivered twice, then updates the same candidate', async () => {
		const credentials = credentialsFor(sandbox);
		const first = await runPorters(upsert(), { credentials });
		const second = await runPorters(upsert(), { credentials });
		expect(first.output[0].json).toMatchObject({ action: 'created', resultCode: 0 });
		expect(second.output[0].json).toMatchObject({
			action: 'updated',
			'Person.P_Id': first.output[0].json['Person.P_Id'],
		});
		const matches = [...sandbox.store.records.candidate.values()].filter((r) => r[LINE_FIELD] === lineUserId(0xabc));
		expect(matches).toHaveLength(1);
		expect(matches[0]['Person.P_Name']).toBe('LINE 表示名');
	});

	it('costs three PORTERS calls for a new LINE user once a token exists: look, create, look again', async () => {
		const credentials = credentialsFor(sandbox);
		await runPorters(upsert(), { credentials });
		sandbox.resetCounters();
		await runPorters(upsert({ lineUserId: lineUserId(0xdef) }), { credentials });
		expect(sandbox.counters.billed).toBe(3);
		expect(sandbox.counters.reads).toBe(2);
		expect(sandbox.counters.writes).toBe(1);
	});

	it('does not overwrite the real name of an existing candidate with create-only fields', async () => {
		const { output } = await runPorters(upsert({ lineUserId: 'U1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a' }), {
			credentials: credentialsFor(sandbox),
		});
		expect(output[0].json).toMatchObject({ 'Person.P_Id': 10001, action: 'updated' });
		expect(sandbox.store.records.candidate.get(10001)?.['Person.P_Name']).toBe('鈴木 一郎');
	});

	it('writes the same LINE user ID twice in one run as one create and one update', async () => {
		const { output } = await runPorters(upsert({ lineUserId: (i: number) => lineUserId(i % 2 === 0 ? 1 : 2) }), {
			items: items(4),
			credentials: credentialsFor(sandbox),
		});
		expect(output.map((o) => o.json.action)).toEqual(['created', 'created', 'updated', 'updated']);
		expect(output[2].json['Person.P_Id']).toBe(output[0].json['Person.P_Id']);
		expect(output[3].json['Person.P_Id']).toBe(output[1].json['Person.P_Id']);
		expect(output.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(sandbox.store.records.candidate.size).toBe(5);
	});

	const holdersOfTestUser = () =>
		[...sandbox.store.records.candidate.values()].filter((r) => r[LINE_FIELD] === lineUserId(0xabc));

	// The sandbox cuts the connection before processing; the client cannot know that. Cut again and
	// again is PORTERS's write limit in a burst, filled by other executions for a while.
	it.each([
		{ cuts: 1, writes: 2 },
		{ cuts: 4, writes: 5 },
	])('after $cuts cut connection(s) waits, looks again and creates once', async ({ cuts, writes }) => {
		sandbox.injectFaults({ kind: 'reset', target: 'write', times: cuts });
		const { output } = await runPorters(upsert({ retryDelayMs: 1 }), { credentials: credentialsFor(sandbox) });
		expect(output[0].json).toMatchObject({ action: 'created', resultCode: 0 });
		expect(sandbox.counters.writes).toBe(writes);
		expect(holdersOfTestUser()).toHaveLength(1);
	});

	it('gives up after twelve rounds of looking again, saying the outcome is unknown', async () => {
		sandbox.injectFaults({ kind: 'reset', target: 'write', times: 20 });
		await expect(runPorters(upsert({ retryDelayMs: 1 }), { credentials: credentialsFor(sandbox) })).rejects.toThrow(
			'it is unknown whether the records were created',
		);
		expect(sandbox.counters.writes).toBe(13);
		expect(holdersOfTestUser()).toEqual([]);
	});

	it('updates the oldest match and lists all matches if duplicates already exist', async () => {
		sandbox.store.insert('candidate', { 'Person.P_Id': 30002, 'Person.P_Owner': 5, [LINE_FIELD]: lineUserId(9) });
		sandbox.store.insert('candidate', { 'Person.P_Id': 30001, 'Person.P_Owner': 5, [LINE_FIELD]: lineUserId(9) });
		const { output } = await runPorters(upsert({ lineUserId: lineUserId(9) }), { credentials: credentialsFor(sandbox) });
		expect(output[0].json).toMatchObject({ 'Person.P_Id': 30001, action: 'updated', matchedIds: [30001, 30002] });
	});
});

describe('Create Activity', () => {
	it('records an incoming LINE message against a candidate', async () => {
		const { output } = await runPorters(
			{
				resource: 'activity',
				operation: 'create',
				attachTo: 'candidate',
				recordId: '10001',
				title: 'LINE メッセージ受信',
				memo: '面談の日程を変更したいです 🙏 <急ぎ> & "確認"',
				date: '2026-03-01T10:00:00+09:00',
				owner: { __rl: true, mode: 'list', value: '' },
				fieldValues: {},
				options: {},
			},
			{ credentials: credentialsFor(sandbox) },
		);
		expect(output[0].json).toMatchObject({ action: 'created', resultCode: 0 });
		const activity = sandbox.store.records.activity.get(output[0].json['Activity.P_Id'] as number);
		expect(activity).toMatchObject({
			'Activity.P_Title': 'LINE メッセージ受信',
			'Activity.P_Memo': '面談の日程を変更したいです 🙏 <急ぎ> & "確認"',
			'Activity.P_Resource': 1,
			'Activity.P_ResourceId': 10001,
			'Activity.P_Owner': 5,
			'Activity.P_FromDate': '2026/03/01 01:00:00',
		});
	});

	it('reports a candidate that does not exist', async () => {
		const { output } = await runPorters(
			{
				resource: 'activity',
				operation: 'create',
				attachTo: 'candidate',
				recordId: '424242',
				title: 't',
				memo: '',
				date: '',
				owner: { __rl: true, mode: 'id', value: '6' },
				options: {},
			},
			{ credentials: credentialsFor(sandbox), continueOnFail: true },
		);
		expect(output[0].json.resultCode).toBe(7);
	});
});
