import { runCredentialTest } from '../support/n8nContext';
import { searchUsers } from '../../nodes/Porters/methods/listSearch';
import { getCandidateFields, getCandidateTextFields } from '../../nodes/Porters/methods/loadOptions';
import { checkPortersPartition } from '../../nodes/Porters/transport';
import type { PortersSandbox, PortersSwitches } from '../../sandbox/porters/server';
import {
	credentialsFor,
	credentialType,
	executeContext,
	items,
	LINE_FIELD,
	loadOptionsContext,
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

const defaults: Partial<PortersSwitches> = {
	errorRoot: 'resource',
	tokenErrorHttpStatus: 401,
	accessTokenLifetimeMs: 1_800_000,
	refreshTokenLifetimeMs: 7_200_000,
};

beforeEach(() => {
	sandbox.setSwitches(defaults);
	sandbox.reset();
});

const createMany = {
	resource: 'candidate',
	operation: 'create',
	owner: { __rl: true, mode: 'list', value: '' },
	fieldValues: (i: number) => ({ field: [{ alias: 'Person.P_Name', value: `候補者 ${i}` }] }),
	options: { validateFields: false },
};

describe('PORTERS token lifecycle', () => {
	it('gets a token once (two billable calls) and reuses it in later executions', async () => {
		const credentials = credentialsFor(sandbox);
		await runPorters(createMany, { items: items(1), credentials });
		expect(sandbox.counters.oauth).toBe(1);
		expect(sandbox.counters.token).toBe(1);
		expect(credentials.session).not.toBe('');
		await runPorters(createMany, { items: items(1), credentials });
		await runPorters(createMany, { items: items(1), credentials });
		expect(sandbox.counters.auth).toBe(2);
		expect(sandbox.counters.writes).toBe(3);
	});

	it.each([
		['<Candidate> root, HTTP 401', { errorRoot: 'resource', tokenErrorHttpStatus: 401 }],
		['<System> root, HTTP 401', { errorRoot: 'system', tokenErrorHttpStatus: 401 }],
		['<System> root, HTTP 200', { errorRoot: 'system', tokenErrorHttpStatus: 200 }],
		['<Candidate> root, HTTP 500', { errorRoot: 'resource', tokenErrorHttpStatus: 500 }],
	] as Array<[string, Partial<PortersSwitches>]>)(
		're-authenticates exactly once when the token expires mid-run (%s)',
		async (_name, switches) => {
			sandbox.setSwitches(switches);
			const credentials = credentialsFor(sandbox);
			let writesSeen = 0;
			// Batching by count alone (450 = 200 + 200 + 50), so the request count is exact.
			const byCount = { ...createMany, options: { ...createMany.options, maxRequestSize: 0 } };
			const { output } = await runPorters(byCount, {
				items: items(450),
				credentials,
				onRequest: (call) => {
					if (call.method === 'POST' && call.url.includes('/v1/candidate') && ++writesSeen === 2) {
						sandbox.expireTokens();
					}
				},
			});
			// One rejected write, one refresh (the refresh token is still valid), then the rest.
			expect(sandbox.counters.refreshes).toBe(1);
			expect(sandbox.counters.tokensIssued).toBe(2);
			expect(sandbox.counters.auth).toBe(3);
			expect(sandbox.counters.writes).toBe(4);
			expect(output.every((o) => o.json.resultCode === 0)).toBe(true);
			expect(sandbox.store.records.candidate.size).toBe(3 + 450);
			// The renewed session was saved with the credential: the next run needs no token call.
			await runPorters(createMany, { items: items(1), credentials });
			expect(sandbox.counters.auth).toBe(3);
		},
	);

	it('renews a token past its lifetime before sending, without a wasted call', async () => {
		sandbox.setSwitches({ accessTokenLifetimeMs: 600 });
		const credentials = credentialsFor(sandbox);
		await runPorters(createMany, { items: items(1), credentials });
		await new Promise((resolve) => setTimeout(resolve, 700));
		const { ctx } = await runPorters(createMany, { items: items(1), credentials });
		expect(sandbox.counters.refreshes).toBe(1);
		expect(ctx.http.filter((c) => c.status === 401 || c.status === 400)).toEqual([]);
		expect(sandbox.counters.writes).toBe(2);
	});

	it('asks for a new code when the refresh token has expired too', async () => {
		const credentials = credentialsFor(sandbox);
		await runPorters(createMany, { items: items(1), credentials });
		sandbox.expireTokens(true);
		await runPorters(createMany, { items: items(1), credentials });
		expect(sandbox.counters.oauth).toBe(2);
		expect(sandbox.counters.token).toBe(3);
		expect(sandbox.counters.tokensIssued).toBe(2);
		expect(sandbox.counters.writes).toBe(3);
	});

	it('gets a new code, not a refresh, when PORTERS calls the token invalid (402)', async () => {
		const credentials = credentialsFor(sandbox);
		await runPorters(createMany, { items: items(1), credentials });
		sandbox.reset(); // forgets every token: the stored one is now unknown → 402
		await runPorters(createMany, { items: items(1), credentials });
		expect(sandbox.counters.refreshes).toBe(0);
		expect(sandbox.counters.oauth).toBe(1);
		expect(sandbox.counters.writes).toBe(2);
	});

	it('does not reuse a session issued for another app or host', async () => {
		const credentials = credentialsFor(sandbox);
		await runPorters(createMany, { items: items(1), credentials });
		const session = JSON.parse(String(credentials.session));
		credentials.session = JSON.stringify({ ...session, appId: 'another-app' });
		await runPorters(createMany, { items: items(1), credentials });
		expect(sandbox.counters.oauth).toBe(2);
	});

	it('stops after one renewal if PORTERS keeps rejecting the token', async () => {
		const credentials = credentialsFor(sandbox);
		const ctx = executeContext(createMany, {
			items: items(1),
			credentials,
			onRequest: (call) => {
				if (call.url.includes('/v1/candidate')) sandbox.expireTokens(true);
			},
		});
		const { Porters } = await import('../../nodes/Porters/Porters.node');
		await expect(new Porters().execute.call(ctx)).rejects.toThrow(
			'PORTERS rejected the access token again right after a new one was issued',
		);
		expect(sandbox.counters.writes).toBe(2);
	});

	it('explains authentication failures in plain words and sends nothing else', async () => {
		await expect(
			runPorters(createMany, { items: items(1), credentials: credentialsFor(sandbox, { appSecret: 'wrong' }) }),
		).rejects.toThrow('PORTERS authentication failed with error 105: the secret is wrong');
		await expect(
			runPorters(createMany, { items: items(1), credentials: credentialsFor(sandbox, { appId: 'nope' }) }),
		).rejects.toThrow('PORTERS authentication failed with error 104: the app ID is wrong');
		sandbox.setSwitches({ grantDone: false });
		try {
			await expect(runPorters(createMany, { items: items(1), credentials: credentialsFor(sandbox) })).rejects.toThrow(
				'complete the one-time grant in the browser first',
			);
		} finally {
			sandbox.setSwitches({ grantDone: true });
		}
		expect(sandbox.counters.writes).toBe(0);
	});

	it('refuses plain HTTP to a non-local host before sending anything', async () => {
		await expect(
			runPorters(createMany, {
				items: items(1),
				credentials: credentialsFor(sandbox, { host: 'api-hrbc-jp.porterscloud.com' }),
			}),
		).rejects.toThrow('HTTP (without TLS) is only allowed for a local PORTERS sandbox');
	});
});

describe('PORTERS credential test and setup check', () => {
	// C2: Partition Read documents only request_type, count and start; the sandbox refuses
	// anything else with code 100 while this switch is on.
	beforeEach(() => {
		sandbox.setSwitches({ partitionReadRejectsUndocumented: true });
	});
	afterEach(() => {
		sandbox.setSwitches({ partitionReadRejectsUndocumented: false });
	});

	it('passes for working settings and reads the partition with documented parameters only', async () => {
		const result = await runCredentialTest(credentialType, credentialsFor(sandbox));
		expect(result).toMatchObject({ status: 'OK' });
		expect(sandbox.counters.byEndpoint['GET /v1/partition']).toBe(1);
	});

	it('fails with the reason for a wrong secret', async () => {
		const wrongSecret = await runCredentialTest(credentialType, credentialsFor(sandbox, { appSecret: 'x' }));
		expect(wrongSecret.status).toBe('Error');
		expect(wrongSecret.message).toContain('the secret is wrong');
	});

	it('checkPortersPartition finds the partition ID in the list, or lists the reachable ones', async () => {
		const ctx = executeContext({}, { credentials: credentialsFor(sandbox) });
		await expect(checkPortersPartition(ctx)).resolves.toEqual({
			partitionId: 999999,
			name: 'サンドボックス人材株式会社',
			companyId: 'sandbox-company',
		});
		const sent = ctx.http.filter((c) => c.url.includes('/v1/partition'));
		expect(sent).toHaveLength(1);
		expect([...new URL(sent[0].url).searchParams.keys()].sort()).toEqual(['count', 'request_type', 'start']);
		sandbox.setSwitches({ multiPartition: false });
		try {
			const other = executeContext({}, { credentials: credentialsFor(sandbox, { partitionId: 888888 }) });
			const error = (await checkPortersPartition(other).then(
				() => undefined,
				(e: unknown) => e,
			)) as Error & { description?: string };
			expect(error).toBeInstanceOf(Error);
			expect(error.message).toBe('The PORTERS app cannot reach partition 888888');
			expect(error.description).toContain('999999 (サンドボックス人材株式会社)');
		} finally {
			sandbox.setSwitches({ multiPartition: true });
		}
	});
});

describe('editor lists', () => {
	it('lists users for the owner chooser, filtered', async () => {
		const ctx = loadOptionsContext(credentialsFor(sandbox));
		const all = await searchUsers.call(ctx);
		expect(all.results.map((r) => r.value)).toEqual(['1', '5', '6']);
		const filtered = await searchUsers.call(ctx, '山田');
		expect(filtered.results).toEqual([{ name: '山田 花子 (hanako.yamada@sandbox.example.jp)', value: '5' }]);
	});

	it('offers custom text fields for the LINE user ID and all candidate fields', async () => {
		const ctx = loadOptionsContext(credentialsFor(sandbox));
		const text = await getCandidateTextFields.call(ctx);
		expect(text).toEqual([{ name: `LINE ユーザーID (${LINE_FIELD})`, value: LINE_FIELD }]);
		const all = await getCandidateFields.call(ctx);
		expect(all.map((o) => o.value)).toEqual(expect.arrayContaining(['Person.P_Name', LINE_FIELD, 'Person.P_Owner']));
	});
});
