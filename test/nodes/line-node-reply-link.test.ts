import type { IDataObject } from 'n8n-workflow';
import { createReplyToken, deriveReplyLinkKey } from '../../core/line/replyLink';
import type { LineSandbox } from '../../sandbox/line/server';
import { runLine, startSandbox } from '../support/lineNode';

describe('LINE node: reply links', () => {
	let sandbox: LineSandbox;

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.stop());

	const create = (parameters: Record<string, unknown>, continueOnFail = false) =>
		runLine(sandbox, {
			resource: 'replyLink',
			operation: 'create',
			parameters: { pageUrl: 'https://n8n.example.jp/webhook/line-reply', validityHours: 72, ...parameters },
			items: [{ json: {} }, { json: {} }],
			continueOnFail,
		});
	const verify = (tokens: string[]) =>
		runLine(sandbox, {
			resource: 'replyLink',
			operation: 'verify',
			parameters: { token: (i: number) => tokens[i] },
			items: tokens.map(() => ({ json: {} })),
		});

	it('makes a link per candidate that Verify accepts, without calling LINE', async () => {
		const requestsBefore = sandbox.requests.length;
		const before = Date.now();
		const { json, output } = await create({ candidateId: (i: number) => String(10001 + i) });
		expect(json.map((j) => j.candidateId)).toEqual(['10001', '10002']);
		expect(String(json[0].url)).toMatch(/^https:\/\/n8n\.example\.jp\/webhook\/line-reply\?t=[A-Za-z0-9]+$/);
		const expires = Date.parse(String(json[0].expiresAt));
		expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 72 * 3_600_000);
		expect(output.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);

		const checked = await verify(json.map((j) => String(j.token)));
		expect(checked.json).toEqual([
			{ valid: true, candidateId: '10001', expiresAt: json[0].expiresAt },
			{ valid: true, candidateId: '10002', expiresAt: json[1].expiresAt },
		]);
		expect(sandbox.requests.length).toBe(requestsBefore);
	});

	it('answers a changed or expired token with valid: false and no candidate', async () => {
		const key = deriveReplyLinkKey(sandbox.messaging);
		const expired = createReplyToken(key, '10001', Date.now() - 1000).state;
		const good = createReplyToken(key, '10001', Date.now() + 60_000).state;
		const changed = good.slice(0, 5) + (good[5] === 'A' ? 'B' : 'A') + good.slice(6);
		const { json } = await verify([expired, changed, '']);
		expect(json.map((j: IDataObject) => [j.valid, j.reason, j.candidateId])).toEqual([
			[false, 'expired', undefined],
			[false, 'tampered', undefined],
			[false, 'tampered', undefined],
		]);
	});

	it('refuses an unusable candidate ID or page URL before anything is made', async () => {
		await expect(create({ candidateId: '' })).rejects.toThrow(/candidateId is not usable/);
		await expect(create({ candidateId: '10001', pageUrl: 'line-reply' })).rejects.toThrow(/pageUrl must be an http/);
		await expect(create({ candidateId: '10001', validityHours: 0 })).rejects.toThrow(/validityHours/);
	});
});
