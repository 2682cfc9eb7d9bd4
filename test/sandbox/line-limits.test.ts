import type { SandboxClock } from '../../sandbox/line/model';
import { FaultPlan } from '../../sandbox/line/limits';
import { LineSandbox } from '../../sandbox/line/server';
import { TARO, api, text } from '../support/lineSandbox';

const pushBody = { to: TARO, messages: [text('hi')] };

/** Time stands still unless advanced, so bucket refills depend on the test only. */
class FrozenClock implements SandboxClock {
	private time = Date.UTC(2025, 10, 21, 9, 0, 0);

	now(): number {
		return this.time;
	}

	advance(ms: number): void {
		this.time += ms;
	}
}

describe('LINE sandbox: rate limits', () => {
	const clock = new FrozenClock();
	const sandbox = new LineSandbox({ clock, rateLimits: { push: 3, markAsRead: 1 } });

	const push = () => api(sandbox, 'POST', '/v2/bot/message/push', pushBody);
	const broadcast = () => api(sandbox, 'POST', '/v2/bot/message/broadcast', { messages: [text('x')] });

	beforeAll(() => sandbox.start(0));
	afterAll(() => sandbox.stop());
	beforeEach(() => sandbox.reset());

	it('returns 429 once an endpoint bucket is empty, per endpoint, refilling with time', async () => {
		const statuses: number[] = [];
		for (let i = 0; i < 4; i++) statuses.push((await push()).status);
		expect(statuses).toEqual([200, 200, 200, 429]);
		const limited = await push();
		expect(limited.json).toEqual({ message: 'The API rate limit has been exceeded. Try again later.' });
		expect(sandbox.deliveries).toHaveLength(3);

		// Another endpoint has its own bucket.
		expect((await api(sandbox, 'GET', '/v2/bot/info')).status).toBe(200);

		clock.advance(1000);
		expect((await push()).status).toBe(200);
	});

	it('applies LINE\'s documented hourly limit to broadcast by default', async () => {
		const statuses: number[] = [];
		for (let i = 0; i < 61; i++) {
			statuses.push((await broadcast()).status);
		}
		expect(statuses.filter((s) => s === 200)).toHaveLength(60);
		expect(statuses[60]).toBe(429);
		clock.advance(60_000); // one more request per minute
		expect((await broadcast()).status).toBe(200);
	});
});

describe('LINE sandbox: fault injection', () => {
	const sandbox = new LineSandbox();
	const push = () => api(sandbox, 'POST', '/v2/bot/message/push', pushBody);

	beforeAll(() => sandbox.start(0));
	afterAll(() => sandbox.stop());
	beforeEach(() => sandbox.reset());

	it('serves the queue first, by path and count; faulted requests are not delivered', async () => {
		sandbox.injectFaults([
			{ status: 429, path: '/v2/bot/message/push', count: 2 },
			{ status: 503 },
		]);
		const info = await api(sandbox, 'GET', '/v2/bot/info');
		expect(info.status).toBe(503);
		const statuses: number[] = [];
		for (let i = 0; i < 3; i++) statuses.push((await push()).status);
		expect(statuses).toEqual([429, 429, 200]);
		expect(sandbox.deliveries).toHaveLength(1);
		expect(sandbox.requests.map((r) => r.status)).toEqual([503, 429, 429, 200]);
	});

	it("refuses one user's profile with LINE's 404 for as many requests as told, then serves it", async () => {
		const friend = `U${'5a1e'.repeat(8)}`;
		sandbox.users.push({ userId: friend, displayName: '友だち', isFriend: true });
		sandbox.injectFaults([{ status: 404, path: `/v2/bot/profile/${friend}`, count: 1 }]);
		const refused = await api(sandbox, 'GET', `/v2/bot/profile/${friend}`);
		expect(refused.status).toBe(404);
		expect(refused.json).toEqual({ message: 'Not found' });
		expect((await api(sandbox, 'GET', '/v2/bot/info')).status).toBe(200);
		const served = await api(sandbox, 'GET', `/v2/bot/profile/${friend}`);
		expect(served.status).toBe(200);
		expect(served.json).toEqual(expect.objectContaining({ userId: friend, displayName: '友だち' }));
	});

	it('delays and then serves normally when only a delay is queued', async () => {
		sandbox.injectFaults([{ delayMs: 150 }]);
		const started = Date.now();
		const res = await api(sandbox, 'POST', '/v2/bot/message/push', pushBody);
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		expect(res.status).toBe(200);
		expect(sandbox.deliveries).toHaveLength(1);
	});

	it('drops the connection for a reset fault', async () => {
		sandbox.injectFaults([{ reset: true }]);
		await expect(api(sandbox, 'POST', '/v2/bot/message/push', pushBody)).rejects.toThrow();
		expect(sandbox.deliveries).toHaveLength(0);
		expect(sandbox.requests[0].status).toBe(0);
		expect((await api(sandbox, 'POST', '/v2/bot/message/push', pushBody)).status).toBe(200);
	});

	it('draws random faults from a seeded generator: same seed, same sequence', () => {
		const decide = (seed: number): string[] => {
			const plan = new FaultPlan({ share429: 0.2, share500: 0.2, shareReset: 0.1, seed });
			return Array.from({ length: 200 }, () => {
				const d = plan.next('/v2/bot/message/push');
				return d ? (d.reset ? 'reset' : String(d.status)) : 'ok';
			});
		};
		const first = decide(42);
		expect(decide(42)).toEqual(first);
		expect(decide(43)).not.toEqual(first);
		const count = (kind: string) => first.filter((k) => k === kind).length;
		// Shares are probabilities; with 200 draws each lands well inside these bounds.
		expect(count('429')).toBeGreaterThan(20);
		expect(count('500')).toBeGreaterThan(20);
		expect(count('reset')).toBeGreaterThan(5);
		expect(count('ok')).toBeGreaterThan(60);
	});

	it('limits random faults to the configured paths', async () => {
		const faulty = new LineSandbox({ faults: { share500: 1, paths: ['/v2/bot/message/'] } });
		await faulty.start(0);
		try {
			expect((await api(faulty, 'GET', '/v2/bot/info')).status).toBe(200);
			expect((await api(faulty, 'POST', '/v2/bot/message/push', pushBody)).status).toBe(500);
			expect(faulty.deliveries).toHaveLength(0);
		} finally {
			await faulty.stop();
		}
	});
});
