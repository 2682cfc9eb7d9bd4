import { seededUserId } from '../../sandbox/line/followers';
import { ManualClock } from '../../sandbox/line/model';
import { DEFAULT_MESSAGING_SPEC_PATH, OpenApiSpec } from '../../sandbox/line/openapi';
import { LineSandbox } from '../../sandbox/line/server';
import { HANAKO, TARO, api } from '../support/lineSandbox';

const spec = OpenApiSpec.load(DEFAULT_MESSAGING_SPEC_PATH, { closedDiscriminators: true });
const getFollowers = spec.operations.find((op) => op.operationId === 'getFollowers')!;

describe('Get follower IDs (GET /v2/bot/followers/ids)', () => {
	const clock = new ManualClock();
	const sandbox = new LineSandbox({ clock });

	beforeAll(async () => {
		await sandbox.start(0);
	});
	afterAll(async () => {
		await sandbox.stop();
	});
	beforeEach(() => {
		sandbox.reset();
	});

	/** Every page from the first, each checked against messaging-api.yml. */
	async function allPages(limit?: number): Promise<Array<{ userIds: string[]; next?: string }>> {
		const pages: Array<{ userIds: string[]; next?: string }> = [];
		let start: string | undefined;
		do {
			const query = new URLSearchParams();
			if (limit !== undefined) query.set('limit', String(limit));
			if (start !== undefined) query.set('start', start);
			const answer = await api(sandbox, 'GET', `/v2/bot/followers/ids?${query}`);
			expect(answer.status).toBe(200);
			expect(spec.validateResponse(getFollowers, answer.status, answer.headers.get('content-type') ?? '', answer.json)).toEqual([]);
			const page = answer.json as { userIds: string[]; next?: string };
			pages.push(page);
			start = page.next;
		} while (start !== undefined && pages.length < 100);
		return pages;
	}

	it('pages through 1,000 seeded friends with the default limit of 300 and next tokens', async () => {
		const added = sandbox.seedFollowers(1000);
		expect(added).toHaveLength(1000);
		expect(added[0]).toBe(seededUserId('followers', 0));
		expect(added.every((id) => /^U[0-9a-f]{32}$/.test(id))).toBe(true);
		const pages = await allPages();
		expect(pages.map((page) => page.userIds.length)).toEqual([300, 300, 300, 100]);
		const ids = pages.flatMap((page) => page.userIds);
		expect(ids).toEqual(added);
		// The token is opaque: not a number a client could compute.
		expect(pages[0].next).not.toMatch(/^\d+$/);
		expect(pages[3].next).toBeUndefined();
	});

	it('takes up to 1,000 IDs a page and refuses other limits', async () => {
		sandbox.seedFollowers(1001);
		const pages = await allPages(1000);
		expect(pages.map((page) => page.userIds.length)).toEqual([1000, 1]);
		for (const limit of ['1001', '0', '-1', 'ten']) {
			const refused = await api(sandbox, 'GET', `/v2/bot/followers/ids?limit=${limit}`);
			expect([limit, refused.status]).toEqual([limit, 400]);
		}
	});

	it('leaves out users who blocked the OA, so a page may be short while next is given', async () => {
		const ids = sandbox.seedFollowers(10);
		for (const userId of [ids[1], ids[2], ids[9]]) {
			await sandbox.sendWebhook('http://127.0.0.1:9/unused', { type: 'unfollow', userId });
		}
		const pages = await allPages(5);
		expect(pages.map((page) => page.userIds)).toEqual([[ids[0], ids[3], ids[4]], [ids[5], ids[6], ids[7], ids[8]]]);
		expect(pages[0].next).toBeDefined();
		expect(pages[1].next).toBeUndefined();
	});

	it('keeps paging stable while follows arrive: nobody twice, the newcomers at the end', async () => {
		const before = sandbox.seedFollowers(250);
		const first = await api(sandbox, 'GET', '/v2/bot/followers/ids?limit=100');
		await sandbox.sendWebhook('http://127.0.0.1:9/unused', { type: 'follow', userId: TARO });
		await sandbox.sendWebhook('http://127.0.0.1:9/unused', { type: 'follow', userId: HANAKO });
		const rest: string[] = [];
		let start = first.json.next as string | undefined;
		while (start) {
			const page = await api(sandbox, 'GET', `/v2/bot/followers/ids?limit=100&start=${encodeURIComponent(start)}`);
			rest.push(...(page.json.userIds as string[]));
			start = page.json.next as string | undefined;
		}
		// Friends in the order they became friends: nobody twice, nobody missed.
		expect([...(first.json.userIds as string[]), ...rest]).toEqual([...before, TARO, HANAKO]);
	});

	it('refuses a tampered or expired continuation token', async () => {
		sandbox.seedFollowers(20);
		const first = await api(sandbox, 'GET', '/v2/bot/followers/ids?limit=5');
		const next = first.json.next as string;
		const tampered = next.slice(0, -2) + (next.endsWith('A') ? 'BB' : 'AA');
		expect((await api(sandbox, 'GET', `/v2/bot/followers/ids?start=${tampered}`)).status).toBe(400);
		expect((await api(sandbox, 'GET', `/v2/bot/followers/ids?start=${next}`)).status).toBe(200);
		clock.advance(24 * 3600_000 + 1);
		const expired = await api(sandbox, 'GET', `/v2/bot/followers/ids?start=${next}`);
		expect(expired.status).toBe(400);
	});

	it('answers 403 with LINE\'s message for an account that is not verified or premium', async () => {
		sandbox.seedFollowers(3);
		const settings = await fetch(`${sandbox.url}/__sandbox/settings`, {
			method: 'POST',
			body: JSON.stringify({ accountType: 'unverified' }),
		});
		expect(await settings.json()).toMatchObject({ accountType: 'unverified' });
		const refused = await api(sandbox, 'GET', '/v2/bot/followers/ids');
		expect([refused.status, refused.json]).toEqual([403, { message: 'Access to this API is not available for your account' }]);
		sandbox.accountType = 'premium';
		expect((await api(sandbox, 'GET', '/v2/bot/followers/ids')).status).toBe(200);
		sandbox.reset();
		expect(sandbox.accountType).toBe('verified');
		const unverified = new LineSandbox({ accountType: 'unverified' });
		expect(unverified.accountType).toBe('unverified');
	});

	it('seeds followers through the admin API', async () => {
		const seeded = await fetch(`${sandbox.url}/__sandbox/followers`, {
			method: 'POST',
			body: JSON.stringify({ count: 1000, seed: 'agency' }),
		});
		expect(await seeded.json()).toEqual({ added: 1000, friends: 1000 });
		expect(sandbox.users.some((user) => user.userId === seededUserId('agency', 999))).toBe(true);
		const again = await fetch(`${sandbox.url}/__sandbox/followers`, { method: 'POST', body: JSON.stringify({ count: 1000, seed: 'agency' }) });
		expect(await again.json()).toEqual({ added: 0, friends: 1000 });
	});
});
