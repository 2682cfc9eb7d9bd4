import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { XMLParser } from 'fast-xml-parser';

import { PortersSandbox, type PortersSwitches } from '../../sandbox/porters/server';

// Responses are read with fast-xml-parser, independently of the package's own codec.
const xml = new XMLParser({
	ignoreAttributes: false,
	attributeNamePrefix: '@',
	parseTagValue: false,
	trimValues: true,
	isArray: (name) => name === 'Item',
});

type Doc = Record<string, Record<string, unknown>>;

let sandbox: PortersSandbox;
const LINE_FIELD = 'Person.U_20A292C634376220CB97FC77478A5A';

beforeAll(async () => {
	sandbox = new PortersSandbox();
	await sandbox.start(0);
});

afterAll(async () => {
	await sandbox.stop();
});

const baseSwitches: Partial<PortersSwitches> = {
	errorRoot: 'resource',
	errorHttpStatus: 400,
	tokenErrorHttpStatus: 401,
	authErrorHttpStatus: 400,
	rateLimitMode: 'reset',
	readsPerMinute: 2000,
	writesPerMinute: 500,
	maxRequestBytes: 0,
	codeLifetimeMs: 30_000,
	accessTokenLifetimeMs: 1_800_000,
	refreshTokenLifetimeMs: 7_200_000,
	clearOnEmpty: true,
	missingOwnerCode: 107,
	optionWrapper: 'root',
	optionNames: false,
};

beforeEach(() => {
	sandbox.setSwitches(baseSwitches);
	sandbox.reset();
});

async function call(method: string, pathAndQuery: string, init: { headers?: Record<string, string>; body?: string } = {}) {
	const response = await fetch(sandbox.url + pathAndQuery, { method, headers: init.headers, body: init.body });
	const text = await response.text();
	return { status: response.status, text, doc: text.startsWith('<') ? (xml.parse(text) as Doc) : undefined, response };
}

async function code(): Promise<string> {
	const r = await call('GET', `/v1/oauth?app_id=${sandbox.app.appId}&response_type=code_direct`);
	return String(r.doc!.Authentication.Code);
}

async function token(grant: Record<string, string> = {}): Promise<Doc> {
	const form = new URLSearchParams({
		app_id: sandbox.app.appId,
		secret: sandbox.app.secret,
		grant_type: 'oauth_code',
		code: grant.code ?? (grant.grant_type ? '' : await code()),
		...grant,
	});
	const r = await call('POST', '/v1/token', {
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: form.toString(),
	});
	return r.doc!;
}

async function accessToken(): Promise<string> {
	return String((await token()).Authentication.AccessToken);
}

async function read(resource: string, query: string, tokenValue?: string) {
	const t = tokenValue ?? (await accessToken());
	return await call('GET', `/v1/${resource}?${query}`, { headers: { 'X-porters-hrbc-oauth-token': t } });
}

async function write(resource: string, body: string, headers: Record<string, string> = {}, tokenValue?: string) {
	const t = tokenValue ?? (await accessToken());
	return await call('POST', `/v1/${resource}?partition=999999`, {
		headers: { 'X-porters-hrbc-oauth-token': t, 'content-type': 'application/xml; charset=UTF-8', ...headers },
		body,
	});
}

describe('authentication (code_direct, token, refresh)', () => {
	it('issues a code, exchanges it once, and answers in the documented shapes', async () => {
		const c = await code();
		expect(c).toMatch(/^[0-9a-f]{32}$/);
		const answer = await token({ code: c });
		expect(answer.Authentication).toMatchObject({
			AccessTokenExpiresIn: '1800000',
			RefreshTokenExpiresIn: '7200000',
			Error: '0',
			Message: 'Success',
		});
		const again = await token({ code: c });
		expect(again.Authentication.Error).toBe('103');
		expect(sandbox.counters).toMatchObject({ oauth: 1, token: 2, auth: 3, billed: 3, tokensIssued: 1 });
	});

	it('refuses a wrong app ID, secret, grant, scope, and expired codes and refresh tokens', async () => {
		const badApp = await call('GET', '/v1/oauth?app_id=nope&response_type=code_direct');
		expect(badApp.status).toBe(400);
		expect(badApp.doc!.Authentication.Error).toBe('104');
		const scoped = await call('GET', `/v1/oauth?app_id=${sandbox.app.appId}&response_type=code_direct&scope=candidate_r`);
		expect(scoped.doc!.Authentication.Error).toBe('102');
		expect((await token({ secret: 'wrong' })).Authentication.Error).toBe('105');
		expect((await token({ grant_type: 'password' })).Authentication.Error).toBe('112');
		sandbox.setSwitches({ codeLifetimeMs: 1 });
		const c = await code();
		await new Promise((r) => setTimeout(r, 5));
		expect((await token({ code: c })).Authentication.Error).toBe('103');
		sandbox.setSwitches({ codeLifetimeMs: 30_000 });
		const first = await token();
		const refresh = String(first.Authentication.RefreshToken);
		const refreshed = await token({ grant_type: 'refresh_token', code: refresh });
		expect(refreshed.Authentication.Error).toBe('0');
		expect(sandbox.counters.refreshes).toBe(1);
		sandbox.expireTokens(true);
		expect((await token({ grant_type: 'refresh_token', code: refresh })).Authentication.Error).toBe('401');
		expect((await token({ grant_type: 'refresh_token', code: 'unknown' })).Authentication.Error).toBe('107');
	});

	it.each([
		['resource', 401, 'Candidate'],
		['system', 200, 'System'],
		['system', 500, 'System'],
	] as const)('reports token problems as codes 101/402/401 under a %s root with HTTP %i', async (root, status, rootName) => {
		sandbox.setSwitches({ errorRoot: root, tokenErrorHttpStatus: status });
		const none = await call('GET', '/v1/candidate?partition=999999');
		expect([none.status, none.doc![rootName].Code]).toEqual([status, '101']);
		const bad = await read('candidate', 'partition=999999', 'not-a-token');
		expect([bad.status, bad.doc![rootName].Code]).toEqual([status, '402']);
		const t = await accessToken();
		sandbox.expireTokens();
		const expired = await read('candidate', 'partition=999999', t);
		expect([expired.status, expired.doc![rootName].Code]).toEqual([status, '401']);
	});
});

describe('reads', () => {
	it('answers the documented Get Resume request with the parent candidate nested', async () => {
		const r = await read(
			'resume',
			`partition=999999&count=200&start=0&field=Resume.P_Id,Resume.P_Name,Resume.P_UpdateDate,Resume.P_Candidate(Person.P_Id,Person.P_Name,${LINE_FIELD})&condition=Resume.P_Candidate:eq=10001`,
		);
		expect(r.status).toBe(200);
		expect(r.response.headers.get('content-type')).toBe('application/xml;charset=UTF-8');
		expect(r.text.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')).toBe(true);
		expect(r.doc!.Resume).toMatchObject({ '@Total': '1', '@Count': '1', '@Start': '0', Code: '0' });
		expect((r.doc!.Resume.Item as unknown[])[0]).toEqual({
			'Resume.P_Id': '20001',
			'Resume.P_Name': '鈴木 一郎(20001)',
			'Resume.P_UpdateDate': '2026/01/11 00:00:00',
			'Resume.P_Candidate': {
				Candidate: { 'Person.P_Id': '10001', 'Person.P_Name': '鈴木 一郎', [LINE_FIELD]: 'U1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a' },
			},
		});
	});

	it('accepts commas, colons and parentheses raw or percent-encoded', async () => {
		const t = await accessToken();
		const field = `Resume.P_Id,Resume.P_Candidate(Person.P_Name)`;
		const condition = `Resume.P_UpdateDate:ge=2026/01/10 00:00:00`;
		const raw = await read('resume', `partition=999999&field=${field}&condition=${condition.replace(' ', '%20')}`, t);
		const encoded = await read(
			'resume',
			`partition=999999&field=${encodeURIComponent(field)}&condition=${encodeURIComponent(condition)}`,
			t,
		);
		expect(raw.text).toBe(encoded.text);
		expect(raw.doc!.Resume['@Total']).toBe('2');
	});

	it('defaults to the primary key and 10 items, and pages with start', async () => {
		const t = await accessToken();
		for (let i = 0; i < 25; i++) sandbox.store.insert('candidate', { 'Person.P_Owner': 5, 'Person.P_Name': `n${i}` });
		const first = await read('candidate', 'partition=999999', t);
		expect(first.doc!.Candidate).toMatchObject({ '@Total': '28', '@Count': '10', '@Start': '0' });
		expect(Object.keys((first.doc!.Candidate.Item as object[])[0])).toEqual(['Person.P_Id']);
		const last = await read('candidate', 'partition=999999&count=200&start=20', t);
		expect(last.doc!.Candidate).toMatchObject({ '@Count': '8', '@Start': '20' });
	});

	it.each([
		['count=201', 'partition=999999&count=201', '103'],
		['count=0', 'partition=999999&count=0', '103'],
		['no partition', 'count=1', '101'],
		['unknown partition', 'partition=123', '404'],
		['unknown alias', 'partition=999999&field=Person.U_NOPE', '100'],
		['unknown alias in condition', 'partition=999999&condition=Person.U_NOPE:full=x', '100'],
		['bad date', 'partition=999999&condition=Person.P_UpdateDate:ge=yesterday', '103'],
		['unsortable order', 'partition=999999&order=Person.P_Name:asc', '100'],
		['bad itemstate', 'partition=999999&itemstate=gone', '133'],
		['P_Deleted in condition', 'partition=999999&condition=Person.P_Deleted:eq=1', '100'],
	])('answers %s with its result code', async (_name, query, expected) => {
		const r = await read('candidate', query);
		expect(r.status).toBe(400);
		expect(r.doc!.Candidate.Code).toBe(expected);
	});

	it('searches text exactly with full and by substring by default', async () => {
		const t = await accessToken();
		const full = await read('candidate', `partition=999999&condition=${LINE_FIELD}:full=U1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6`, t);
		expect(full.doc!.Candidate['@Total']).toBe('0');
		const part = await read('candidate', `partition=999999&condition=${LINE_FIELD}=U1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6`, t);
		expect(part.doc!.Candidate['@Total']).toBe('1');
	});

	it.each([
		[
			{ optionWrapper: 'root', optionNames: false },
			'<Person.U_91E9887643B6E451FD379449382DE2><Option.P_Area><Option.P_Tokyo><Option.P_Id>87</Option.P_Id></Option.P_Tokyo><Option.P_Osaka><Option.P_Id>88</Option.P_Id></Option.P_Osaka></Option.P_Area></Person.U_91E9887643B6E451FD379449382DE2>',
		],
		[
			{ optionWrapper: 'none', optionNames: true },
			'<Person.U_91E9887643B6E451FD379449382DE2><Option.P_Tokyo><Option.P_Name>東京都</Option.P_Name><Option.P_Id>87</Option.P_Id></Option.P_Tokyo><Option.P_Osaka><Option.P_Name>大阪府</Option.P_Name><Option.P_Id>88</Option.P_Id></Option.P_Osaka></Person.U_91E9887643B6E451FD379449382DE2>',
		],
		[
			{ optionWrapper: 'OptionRoot', optionNames: true },
			'<Person.U_91E9887643B6E451FD379449382DE2><OptionRoot><Option.P_Tokyo><Option.P_Name>東京都</Option.P_Name><Option.P_Id>87</Option.P_Id></Option.P_Tokyo><Option.P_Osaka><Option.P_Name>大阪府</Option.P_Name><Option.P_Id>88</Option.P_Id></Option.P_Osaka></OptionRoot></Person.U_91E9887643B6E451FD379449382DE2>',
		],
	] as Array<[Partial<PortersSwitches>, string]>)('renders options per switch %j (U4)', async (switches, expected) => {
		sandbox.setSwitches(switches);
		const r = await read('candidate', 'partition=999999&field=Person.U_91E9887643B6E451FD379449382DE2&condition=Person.P_Id:eq=10001');
		expect(r.text).toContain(expected);
	});

	it('renders users nested, and a bare reference nested or flat (U7)', async () => {
		const t = await accessToken();
		const nested = await read('resume', 'partition=999999&field=Resume.P_Owner,Resume.P_Candidate&condition=Resume.P_Id:eq=20001', t);
		expect(nested.text).toContain(
			'<Resume.P_Owner><User><User.P_Id>5</User.P_Id><User.P_Name>山田 花子</User.P_Name></User></Resume.P_Owner><Resume.P_Candidate><Candidate><Person.P_Id>10001</Person.P_Id></Candidate></Resume.P_Candidate>',
		);
		sandbox.setSwitches({ bareReference: 'flat' });
		const flat = await read('resume', 'partition=999999&field=Resume.P_Candidate&condition=Resume.P_Id:eq=20001', t);
		expect(flat.text).toContain('<Resume.P_Candidate>10001</Resume.P_Candidate>');
		sandbox.setSwitches({ bareReference: 'nested' });
	});

	it('serves the masters: partition, user (app user for request_type=0), field, option', async () => {
		const t = await accessToken();
		const partitions = await read('partition', 'request_type=1', t);
		expect((partitions.doc!.Partition.Item as object[]).length).toBe(2);
		const me = await read('user', 'partition=999999&request_type=0', t);
		expect(me.doc!.User.Item).toEqual([
			{ 'User.P_Type': '2', 'User.P_Id': '1', 'User.P_Name': 'PORTERS API アプリ', 'User.P_Mail': 'api-app@sandbox.example.jp' },
		]);
		const fields = await read('field', 'partition=999999&resource=1&count=200', t);
		const line = (fields.doc!.Field.Item as Array<Record<string, unknown>>).find((f) => f['Field.P_Alias'] === LINE_FIELD);
		expect(line).toMatchObject({ 'Field.P_Type': '1', 'Field.P_Max': '50', 'Field.P_ResourceType': '1' });
		const options = await read('option', 'partition=999999', t);
		expect(options.doc!.Option['@Total']).toBeUndefined();
		expect(options.text).toContain(
			'<Items><Item><Option.P_Id>101</Option.P_Id><Option.P_Name>友だち</Option.P_Name><Option.P_Alias>Option.U_LineFollowing</Option.P_Alias>',
		);
	});

	it('accepts Partition Read with or without partition, or insists on it (U15)', async () => {
		const t = await accessToken();
		expect((await read('partition', 'request_type=0', t)).doc!.Partition.Code).toBe('0');
		expect((await read('partition', 'partition=999999&request_type=1', t)).doc!.Partition.Code).toBe('0');
		sandbox.setSwitches({ partitionReadNeedsPartition: true });
		try {
			expect((await read('partition', 'request_type=1', t)).doc!.Partition.Code).toBe('101');
		} finally {
			sandbox.setSwitches({ partitionReadNeedsPartition: false });
		}
	});

	it('finds deleted records only within 90 days and only by id/date/updater', async () => {
		const t = await accessToken();
		sandbox.store.remove('candidate', 10002);
		const recent = new Date(Date.now() - 3600_000).toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, '/');
		const deleted = await read('candidate', `partition=999999&itemstate=deleted&field=Person.P_Id,Person.P_Deleted&condition=Person.P_UpdateDate:ge=2026/01/01 00:00:00`, t);
		expect(deleted.doc!.Candidate.Code).toBe(
			Date.now() - Date.UTC(2026, 0, 1) > 90 * 24 * 3600_000 ? '124' : '0',
		);
		const ok = await read('candidate', `partition=999999&itemstate=deleted&field=Person.P_Id,Person.P_Deleted&condition=Person.P_UpdateDate:le=${recent}`, t);
		expect(ok.doc!.Candidate.Code).toBe('0');
		const wrongField = await read('candidate', 'partition=999999&itemstate=all&condition=Person.P_Name:part=佐藤', t);
		expect(wrongField.doc!.Candidate.Code).toBe('100');
	});
});

describe('writes', () => {
	const item = (fields: string) => `<Item>${fields}</Item>`;

	it('creates and updates items in one request with one result per item', async () => {
		const r = await write(
			'candidate',
			`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Candidate>${item(
				'<Person.P_Id>-1</Person.P_Id><Person.P_Owner>5</Person.P_Owner><Person.P_Name>新規 &amp; &lt;テスト&gt;</Person.P_Name>',
			)}${item('<Person.P_Id>10002</Person.P_Id><Person.P_Memo>更新</Person.P_Memo>')}${item(
				'<Person.P_Id>-1</Person.P_Id><Person.P_Name>no owner</Person.P_Name>',
			)}${item('<Person.P_Id>55555</Person.P_Id><Person.P_Memo>x</Person.P_Memo>')}</Candidate>`,
		);
		expect(r.status).toBe(200);
		expect(r.doc!.Candidate.Code).toBeUndefined();
		const results = (r.doc!.Candidate.Item as Array<Record<string, string>>).map((i) => [i.Id, i.Code]);
		expect(results).toEqual([
			['10004', '0'],
			['10002', '0'],
			['-1', '107'],
			['55555', '7'],
		]);
		expect(sandbox.store.records.candidate.get(10004)).toMatchObject({
			'Person.P_Name': '新規 & <テスト>',
			'Person.P_RegisteredBy': 1,
			'Person.P_UpdatedBy': 1,
		});
		expect(sandbox.store.records.candidate.get(10002)?.['Person.P_Name']).toBe('佐藤 花子');
		expect(sandbox.counters).toMatchObject({ writes: 1, itemsWritten: 4 });
	});

	it('fills Resume.P_Name as Name(Id) and requires the candidate', async () => {
		const r = await write(
			'resume',
			`<Resume>${item('<Resume.P_Id>-1</Resume.P_Id><Resume.P_Owner>5</Resume.P_Owner><Resume.P_Candidate>10002</Resume.P_Candidate>')}${item(
				'<Resume.P_Id>-1</Resume.P_Id><Resume.P_Owner>5</Resume.P_Owner>',
			)}</Resume>`,
		);
		const results = r.doc!.Resume.Item as Array<Record<string, string>>;
		expect(results.map((i) => i.Code)).toEqual(['0', '107']);
		expect(sandbox.store.records.resume.get(Number(results[0].Id))?.['Resume.P_Name']).toBe(`佐藤 花子(${results[0].Id})`);
	});

	it('writes options as bare leaf aliases and checks them', async () => {
		const r = await write(
			'candidate',
			`<Candidate>${item(`<Person.P_Id>10002</Person.P_Id><Person.U_3943E30B5FAC0675FBA4FD084D516F><Option.U_LineBlocked/></Person.U_3943E30B5FAC0675FBA4FD084D516F>`)}${item(
				`<Person.P_Id>10002</Person.P_Id><Person.U_3943E30B5FAC0675FBA4FD084D516F><Option.P_Tokyo/></Person.U_3943E30B5FAC0675FBA4FD084D516F>`,
			)}</Candidate>`,
		);
		expect((r.doc!.Candidate.Item as Array<Record<string, string>>).map((i) => i.Code)).toEqual(['0', '103']);
		expect(sandbox.store.records.candidate.get(10002)?.['Person.U_3943E30B5FAC0675FBA4FD084D516F']).toEqual(['Option.U_LineBlocked']);
	});

	it('clears with an empty element, or ignores it, per switch (U13)', async () => {
		await write('candidate', `<Candidate>${item('<Person.P_Id>10001</Person.P_Id><Person.P_Mobile/>')}</Candidate>`);
		expect(sandbox.store.records.candidate.get(10001)?.['Person.P_Mobile']).toBeNull();
		sandbox.setSwitches({ clearOnEmpty: false });
		await write('candidate', `<Candidate>${item('<Person.P_Id>10001</Person.P_Id><Person.P_Mail/>')}</Candidate>`);
		expect(sandbox.store.records.candidate.get(10001)?.['Person.P_Mail']).toBe('ichiro.suzuki@example.jp');
	});

	it.each([
		['no charset', { 'content-type': 'application/xml' }, '<Candidate><Item><Person.P_Id>10001</Person.P_Id></Item></Candidate>', '101'],
		['malformed XML', {}, '<Candidate><Item>', '103'],
		['wrong root', {}, '<Resume><Item><Person.P_Id>10001</Person.P_Id></Item></Resume>', '100'],
		['201 items', {}, `<Candidate>${'<Item><Person.P_Id>10001</Person.P_Id></Item>'.repeat(201)}</Candidate>`, '102'],
	])('refuses the whole request for %s with a root code (U8)', async (_name, headers, body, expected) => {
		const r = await write('candidate', body, headers as Record<string, string>);
		expect(r.doc!.Candidate.Code).toBe(expected);
	});

	it('makes the missing-owner code and the request-length limit configurable (U9, U11)', async () => {
		sandbox.setSwitches({ missingOwnerCode: 5, maxRequestBytes: 400 });
		const r = await write('candidate', `<Candidate>${item('<Person.P_Id>-1</Person.P_Id>')}</Candidate>`);
		expect((r.doc!.Candidate.Item as Array<Record<string, string>>)[0].Code).toBe('5');
		const long = await write('candidate', `<Candidate>${item(`<Person.P_Id>10001</Person.P_Id><Person.P_Memo>${'あ'.repeat(200)}</Person.P_Memo>`)}</Candidate>`);
		expect(long.status).toBe(400);
	});
});

describe('limits, faults and admin', () => {
	it('cuts the connection or answers 429 over the read limit (U10)', async () => {
		sandbox.setSwitches({ readsPerMinute: 2 });
		const t = await accessToken();
		await read('candidate', 'partition=999999', t);
		await read('candidate', 'partition=999999', t);
		await expect(read('candidate', 'partition=999999', t)).rejects.toThrow();
		sandbox.setSwitches({ rateLimitMode: '429' });
		expect((await read('candidate', 'partition=999999', t)).status).toBe(429);
		expect(sandbox.counters.rateLimited).toBe(2);
		expect(sandbox.counters.reads).toBe(4);
	});

	it('injects result codes, HTTP errors, resets and slow answers, as often as asked', async () => {
		const t = await accessToken();
		sandbox.injectFaults([
			{ kind: 'code', code: 9, times: 2 },
			{ kind: 'status', status: 503 },
			{ kind: 'reset' },
			{ kind: 'slow', delayMs: 150 },
		]);
		expect((await read('candidate', 'partition=999999', t)).doc!.Candidate.Code).toBe('9');
		expect((await read('candidate', 'partition=999999', t)).doc!.Candidate.Code).toBe('9');
		expect((await read('candidate', 'partition=999999', t)).status).toBe(503);
		await expect(read('candidate', 'partition=999999', t)).rejects.toThrow();
		const started = Date.now();
		expect((await read('candidate', 'partition=999999', t)).doc!.Candidate.Code).toBe('0');
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		expect((await read('candidate', 'partition=999999', t)).doc!.Candidate.Code).toBe('0');
		expect(sandbox.counters.faults).toBe(5);
	});

	it('applies probabilistic faults repeatably from the seed', async () => {
		const run = async () => {
			const s = new PortersSandbox({ seed: 7 });
			await s.start(0);
			try {
				s.injectFaults({ kind: 'code', code: 302, probability: 0.5 });
				const t = String(
					(
						xml.parse(
							await (
								await fetch(`${s.url}/v1/token`, {
									method: 'POST',
									headers: { 'content-type': 'application/x-www-form-urlencoded' },
									body: new URLSearchParams({
										app_id: s.app.appId,
										secret: s.app.secret,
										grant_type: 'oauth_code',
										code: String(
											(xml.parse(await (await fetch(`${s.url}/v1/oauth?app_id=${s.app.appId}&response_type=code_direct`)).text()) as Doc)
												.Authentication.Code,
										),
									}).toString(),
								})
							).text(),
						) as Doc
					).Authentication.AccessToken,
				);
				const codes: string[] = [];
				for (let i = 0; i < 20; i++) {
					const r = await fetch(`${s.url}/v1/candidate?partition=999999`, { headers: { 'X-porters-hrbc-oauth-token': t } });
					codes.push(String((xml.parse(await r.text()) as Doc).Candidate.Code));
				}
				return codes.join('');
			} finally {
				await s.stop();
			}
		};
		const a = await run();
		expect(a).toBe(await run());
		expect(a).toMatch(/302/);
		expect(a).toMatch(/0(?!2)/);
	});

	it('exposes state and changes through /__sandbox/ without billing', async () => {
		const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as Record<string, unknown>;
		expect(state).toMatchObject({ partitionId: 999999, records: { candidate: 3, resume: 3, activity: 0 } });
		const touched = (await (
			await fetch(`${sandbox.url}/__sandbox/records/resume/20002`, {
				method: 'PATCH',
				body: JSON.stringify({ 'Resume.P_Memo': 'changed in the UI' }),
			})
		).json()) as Record<string, unknown>;
		expect(touched['Resume.P_Memo']).toBe('changed in the UI');
		expect(String(touched['Resume.P_UpdateDate'])).toBe(
			new Date().toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, '/'),
		);
		await fetch(`${sandbox.url}/__sandbox/switches`, { method: 'POST', body: JSON.stringify({ errorRoot: 'system' }) });
		expect(sandbox.switches.errorRoot).toBe('system');
		await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ rules: [{ kind: 'reset' }] }) });
		await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
		const list = (await (await fetch(`${sandbox.url}/__sandbox/records/candidate?where=Person.P_Owner=5`)).json()) as unknown[];
		expect(list).toHaveLength(2);
		expect(sandbox.counters.billed).toBe(0);
	});
});

describe('command line', () => {
	it('serves on the given port and prints where', async () => {
		const cli = path.join(__dirname, '../../sandbox/porters/cli.js');
		const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--switch', 'errorRoot=system']);
		try {
			const lines = createInterface({ input: child.stdout });
			const [first] = (await once(lines, 'line')) as [string];
			const info = JSON.parse(first) as { url: string; appId: string; partitionId: number };
			expect(info).toMatchObject({ appId: 'sandbox-app', partitionId: 999999 });
			const state = (await (await fetch(`${info.url}/__sandbox/state`)).json()) as { switches: { errorRoot: string } };
			expect(state.switches.errorRoot).toBe('system');
		} finally {
			child.kill('SIGTERM');
			await once(child, 'exit');
		}
	});
});
