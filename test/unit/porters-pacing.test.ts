import fc from 'fast-check';

import { chunk, RequestPacer, retryDelay, shouldRetry, SlidingWindow, PORTERS_BACKOFF } from '../../core/porters/pacing';

describe('sliding one-minute window', () => {
	it('lets the limit through, then waits until the oldest request leaves the window', () => {
		const w = new SlidingWindow(3, 60_000);
		for (const t of [0, 10, 20]) {
			expect(w.waitTime(t)).toBe(0);
			w.record(t);
		}
		expect(w.waitTime(30)).toBe(60_000 - 30);
		expect(w.waitTime(60_000)).toBe(0);
	});

	it('never allows more than the limit in any window (property)', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 20 }),
				fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 200 }),
				(limit, gaps) => {
					const w = new SlidingWindow(limit, 10_000);
					const sent: number[] = [];
					let now = 0;
					for (const gap of gaps) {
						now += gap;
						now += w.waitTime(now);
						w.record(now);
						sent.push(now);
					}
					for (let i = 0; i < sent.length; i++) {
						const inWindow = sent.filter((t) => t > sent[i] - 10_000 && t <= sent[i]).length;
						expect(inWindow).toBeLessThanOrEqual(limit);
					}
				},
			),
		);
	});

	it('paces reads and writes separately and clamps budgets to the PORTERS maximum', () => {
		const pacer = new RequestPacer({ readsPerMinute: 5000, writesPerMinute: 1 });
		pacer.record('write', 0);
		expect(pacer.waitTime('write', 1)).toBe(59_999);
		for (let i = 0; i < 2000; i++) pacer.record('read', 0);
		expect(pacer.waitTime('read', 0)).toBe(60_000);
		expect(() => new SlidingWindow(0)).toThrow('at least 1');
	});
});

describe('batches and retries', () => {
	it('splits 450 items into 200, 200, 50', () => {
		expect(chunk(Array.from({ length: 450 }, (_, i) => i)).map((c) => c.length)).toEqual([200, 200, 50]);
		expect(chunk([])).toEqual([]);
	});

	it('retries what cannot have written anything, and unknown outcomes only when repeating is harmless', () => {
		expect(shouldRetry({ kind: 'code', code: 9 }, 'write', false)).toBe(true);
		expect(shouldRetry({ kind: 'code', code: 302 }, 'write', false)).toBe(true);
		expect(shouldRetry({ kind: 'code', code: 100 }, 'read', true)).toBe(false);
		expect(shouldRetry({ kind: 'http', status: 429 }, 'write', false)).toBe(true);
		expect(shouldRetry({ kind: 'http', status: 503 }, 'read', false)).toBe(true);
		expect(shouldRetry({ kind: 'http', status: 503 }, 'write', true)).toBe(true);
		expect(shouldRetry({ kind: 'http', status: 503 }, 'write', false)).toBe(false);
		expect(shouldRetry({ kind: 'network' }, 'write', false)).toBe(false);
		expect(shouldRetry({ kind: 'http', status: 400 }, 'read', true)).toBe(false);
	});

	it('backs off exponentially with jitter, never with zero delay', () => {
		expect(retryDelay(1, PORTERS_BACKOFF, () => 0)).toBe(50);
		expect(retryDelay(3, PORTERS_BACKOFF, () => 0.999)).toBe(3996);
		expect(retryDelay(10, PORTERS_BACKOFF, () => 0.999)).toBeLessThanOrEqual(16_000);
	});
});
