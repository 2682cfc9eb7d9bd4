import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import type { LineSandbox } from '../../sandbox/line/server';
import { friendUsers, requestsTo, runLine, startSandbox, textMessages } from '../support/lineNode';

const QUOTA = '/v2/bot/message/quota';
const CONSUMPTION = '/v2/bot/message/quota/consumption';
const SENDS = new Set(['/v2/bot/message/push', '/v2/bot/message/multicast']);

describe('LINE node: Quota Guard on Send Message and Multicast', () => {
	let sandbox: LineSandbox;
	const friends = friendUsers(1300).map((user) => user.userId);

	beforeAll(async () => {
		sandbox = await startSandbox({ users: friendUsers(1300) });
	});
	afterAll(() => sandbox.stop());
	beforeEach(() => sandbox.reset());

	function quotaLeft(limit: number, used: number) {
		sandbox.setQuota(limit);
		sandbox.setConsumption(used);
	}

	/** One input item per recipient list; a list of one is pushed, longer ones multicast. */
	function run(operation: 'send' | 'multicast', recipients: string[][], quotaGuard: string, extra = {}) {
		const perItem = (i: number) => (operation === 'send' ? recipients[i][0] : recipients[i]);
		return runLine(sandbox, {
			resource: 'message',
			operation,
			parameters: {
				[operation === 'send' ? 'to' : 'userIds']: perItem,
				messageSource: 'fields',
				messages: textMessages('面接日程のご案内', '詳細は後ほどお送りします'),
				options: { quotaGuard },
			},
			items: recipients.map(() => ({ json: {} })),
			...extra,
		});
	}

	function sendPaths(): string[] {
		return sandbox.requests.filter((r) => SENDS.has(r.path) || r.path.startsWith(QUOTA)).map((r) => r.path);
	}

	it('sends everything when the run fits, reading the quota once before the first send', async () => {
		quotaLeft(10, 4);
		const { json } = await run('multicast', [friends.slice(0, 3), friends.slice(3, 6)], 'refuse');
		expect(json.map((j) => j.sent)).toEqual([true, true]);
		// Two messages per request still count once per recipient: 4 + 6 = 10, exactly the limit.
		expect(sandbox.quota.consumption).toBe(10);
		const paths = sendPaths();
		expect(paths.slice(0, 2).sort()).toEqual([QUOTA, CONSUMPTION].sort());
		expect(paths.slice(2)).toEqual(['/v2/bot/message/multicast', '/v2/bot/message/multicast']);
	});

	it('refuses the whole run with the numbers when it does not fit, and sends nothing', async () => {
		quotaLeft(5000, 4688);
		const attempt = run('multicast', [friends.slice(0, 200), friends.slice(200, 1200)], 'refuse');
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(run('multicast', [friends.slice(0, 200), friends.slice(200, 1200)], 'refuse')).rejects.toThrow(
			'Nothing sent: this run needs 1,200 messages, 312 left this month',
		);
		expect(sandbox.deliveries).toEqual([]);
		expect(sandbox.requests.filter((r) => SENDS.has(r.path))).toEqual([]);
		expect(sandbox.quota.consumption).toBe(4688);
	});

	it('with Continue On Fail, every refused item gets the error and still nothing is sent', async () => {
		quotaLeft(10, 8);
		const { json, output } = await run('send', [[friends[0]], [friends[1]], [friends[2]]], 'refuse', {
			continueOnFail: true,
		});
		expect(json.map((j) => j.error)).toEqual(Array(3).fill('Nothing sent: this run needs 3 messages, 2 left this month'));
		expect(json[0].description).toContain('limit of this LINE Official Account is 10 messages and 8 are used');
		expect(output.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(sandbox.deliveries).toEqual([]);
		expect(requestsTo(sandbox, QUOTA)).toHaveLength(1);
	});

	it('Send What Fits: multicasts to as many as fit in input order and reports the rest', async () => {
		quotaLeft(10, 3);
		const lists = [friends.slice(0, 5), friends.slice(5, 6), friends.slice(6, 10)];
		const { json, output } = await run('multicast', lists, 'fit');
		expect(sandbox.deliveries.map((d) => d.to)).toEqual([friends.slice(0, 5), friends.slice(5, 6), friends.slice(6, 7)]);
		expect(sandbox.quota.consumption).toBe(10);
		expect(json).toHaveLength(4);
		expect(json[2]).toMatchObject({ sent: true, recipientCount: 1 });
		expect(json[3]).toEqual({ sent: false, reason: 'quota', recipientCount: 3, to: friends.slice(7, 10) });
		expect(output.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 2 }]);
	});

	it('Send What Fits: pushes until the quota ends; later items are output as not sent', async () => {
		quotaLeft(200, 198);
		const { json } = await run('send', friends.slice(0, 4).map((id) => [id]), 'fit');
		expect(json.map((j) => j.sent)).toEqual([true, true, false, false]);
		expect(json[2]).toMatchObject({ sent: false, reason: 'quota', to: friends[2] } as IDataObject);
		expect(sandbox.deliveries.map((d) => d.to[0])).toEqual(friends.slice(0, 2));
	});

	it('Off (the default) does not read the quota', async () => {
		quotaLeft(10, 0);
		await run('send', [[friends[0]]], 'off');
		expect(requestsTo(sandbox, QUOTA)).toHaveLength(0);
		expect(requestsTo(sandbox, CONSUMPTION)).toHaveLength(0);
		expect(sandbox.deliveries).toHaveLength(1);
	});
});
