import type { PortersSandbox } from '../../sandbox/porters/server';
import { credentialsFor, runPorters, startSandbox } from '../support/portersNode';

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

describe('Get User', () => {
	it('gives each item its user (name, e-mail) from one read of the user list', async () => {
		const ids = ['6', '5', '', '999', 'abc'];
		const { output } = await runPorters(
			{ resource: 'user', operation: 'get', userId: (i: number) => ids[i] },
			{ credentials: credentialsFor(sandbox), items: ids.map(() => ({ json: {} })) },
		);
		expect(output).toEqual([
			{ json: { found: true, userId: 6, name: '田中 誠', mail: 'makoto.tanaka@sandbox.example.jp' }, pairedItem: { item: 0 } },
			{ json: { found: true, userId: 5, name: '山田 花子', mail: 'hanako.yamada@sandbox.example.jp' }, pairedItem: { item: 1 } },
			{ json: { found: false, userId: null }, pairedItem: { item: 2 } },
			{ json: { found: false, userId: '999' }, pairedItem: { item: 3 } },
			{ json: { found: false, userId: 'abc' }, pairedItem: { item: 4 } },
		]);
		expect(sandbox.counters.byEndpoint['GET /v1/user']).toBe(1);
	});
});

describe('Get Many Activities', () => {
	const seedActivity = (resourceId: number, resource: number, title: string, fromDate: string) =>
		sandbox.store.insert('activity', {
			'Activity.P_Owner': 5,
			'Activity.P_Title': title,
			'Activity.P_Memo': `${title} memo`,
			'Activity.P_Resource': resource,
			'Activity.P_ResourceId': resourceId,
			'Activity.P_FromDate': fromDate,
		});

	it("reads one candidate's activities, newest first, and no other record's", async () => {
		seedActivity(10001, 1, 'LINE メッセージ受信', '2026/12/01 01:00:00');
		seedActivity(10001, 1, 'LINE 返信送信', '2026/12/01 02:00:00');
		seedActivity(10002, 1, 'LINE メッセージ受信', '2026/12/01 03:00:00');
		seedActivity(10001, 17, '面談', '2026/12/01 04:00:00');
		const { output, ctx } = await runPorters(
			{ resource: 'activity', operation: 'getMany', attachTo: 'candidate', recordId: '10001', returnAll: true, options: {} },
			{ credentials: credentialsFor(sandbox) },
		);
		expect(output.map((o) => [o.json['Activity.P_Title'], o.json['Activity.P_FromDate']])).toEqual([
			['LINE 返信送信', '2026/12/01 02:00:00'],
			['LINE メッセージ受信', '2026/12/01 01:00:00'],
		]);
		expect(output.every((o) => (o.pairedItem as { item: number }).item === 0)).toBe(true);
		const url = new URL(ctx.http.find((c) => c.url.includes('/v1/activity'))!.url);
		expect(url.searchParams.get('condition')).toBe('Activity.P_Resource:eq=1,Activity.P_ResourceId:eq=10001');
		expect(url.searchParams.get('order')).toBe('Activity.P_FromDate:desc');
	});

	it('gives nothing for a candidate without activities and honours the limit', async () => {
		for (let i = 0; i < 5; i++) seedActivity(10003, 1, `LINE ${i}`, `2026/12/01 0${i}:00:00`);
		const none = await runPorters(
			{ resource: 'activity', operation: 'getMany', attachTo: 'candidate', recordId: '10002', returnAll: true, options: {} },
			{ credentials: credentialsFor(sandbox) },
		);
		expect(none.output).toEqual([]);
		const limited = await runPorters(
			{ resource: 'activity', operation: 'getMany', attachTo: 'candidate', recordId: '10003', returnAll: false, limit: 2, options: {} },
			{ credentials: credentialsFor(sandbox) },
		);
		expect(limited.output.map((o) => o.json['Activity.P_Title'])).toEqual(['LINE 4', 'LINE 3']);
	});
});
