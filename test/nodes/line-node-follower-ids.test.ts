import type { LineSandbox } from '../../sandbox/line/server';
import { requestsTo, runLine, startSandbox } from '../support/lineNode';

describe('LINE node: Get Follower IDs', () => {
	let sandbox: LineSandbox;

	beforeAll(async () => {
		sandbox = await startSandbox({ accountType: 'verified' });
	});
	afterAll(async () => {
		await sandbox.stop();
	});
	beforeEach(() => {
		sandbox.reset();
	});

	function run(parameters: Record<string, unknown>, continueOnFail = false) {
		return runLine(sandbox, { resource: 'user', operation: 'getFollowerIds', parameters, continueOnFail });
	}

	it('pages through every friend with the start token, one item per user, none twice', async () => {
		sandbox.seedFollowers(2345);
		const { json, output } = await run({ returnAll: true });
		expect(json).toHaveLength(2345);
		expect(new Set(json.map((item) => item.userId)).size).toBe(2345);
		expect(json.every((item) => /^U[0-9a-f]{32}$/.test(String(item.userId)))).toBe(true);
		expect(output.every((item) => JSON.stringify(item.pairedItem) === JSON.stringify({ item: 0 }))).toBe(true);
		const pages = requestsTo(sandbox, '/v2/bot/followers/ids');
		expect(pages).toHaveLength(3);
		expect(pages.map((p) => p.query.start !== undefined)).toEqual([false, true, true]);
		expect(pages.map((p) => p.query.limit)).toEqual(['1000', '1000', '1000']);
	});

	it('stops at the limit and asks LINE only for what it needs', async () => {
		sandbox.seedFollowers(2345);
		const { json } = await run({ returnAll: false, limit: 1200 });
		expect(json).toHaveLength(1200);
		expect(requestsTo(sandbox, '/v2/bot/followers/ids')).toHaveLength(2);
	});

	it('gives a clear error for an account that is not verified', async () => {
		sandbox.accountType = 'unverified';
		await expect(run({ returnAll: true })).rejects.toThrow('LINE offers the follower list only to verified and premium accounts');
		const { json } = await run({ returnAll: true }, true);
		expect(json[0].error).toBe('LINE offers the follower list only to verified and premium accounts');
		expect(String(json[0].description)).toContain('Access to this API is not available for your account');
	});
});
