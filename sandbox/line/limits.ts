/**
 * Rate limits (token buckets on the sandbox clock) and fault injection (a deterministic queue,
 * then seeded random shares so that a run can be reproduced).
 */

export interface BucketSpec {
	/** Tokens added per second. */
	perSecond: number;
	/** Bucket size: how many requests may arrive at once. */
	capacity: number;
}

/**
 * LINE's documented per-endpoint limits (../shared/docs/line-platform.md §2.6, §3.4). Keys are
 * the sandbox's endpoint keys; anything not listed falls under `default` (2,000 per second).
 */
export const DEFAULT_RATE_LIMITS: Record<string, BucketSpec> = {
	default: { perSecond: 2000, capacity: 2000 },
	reply: { perSecond: 2000, capacity: 2000 },
	push: { perSecond: 2000, capacity: 2000 },
	multicast: { perSecond: 200, capacity: 200 },
	broadcast: { perSecond: 60 / 3600, capacity: 60 },
	narrowcast: { perSecond: 60 / 3600, capacity: 60 },
	webhookTest: { perSecond: 60 / 3600, capacity: 60 },
	webhookEndpointGet: { perSecond: 1000 / 60, capacity: 1000 },
	webhookEndpointSet: { perSecond: 1000 / 60, capacity: 1000 },
	loading: { perSecond: 100, capacity: 100 },
};

/** A rate given as requests per second allows a burst of one second's worth (at least 1). */
export function bucketFromRate(perSecond: number): BucketSpec {
	return { perSecond, capacity: Math.max(1, Math.floor(perSecond)) };
}

export class RateLimiter {
	private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

	constructor(
		private readonly specs: Record<string, BucketSpec>,
		private readonly now: () => number,
	) {}

	/** Takes one token for `key`; false when the bucket is empty (→ 429). */
	take(key: string): boolean {
		const spec = this.specs[key] ?? this.specs.default;
		const now = this.now();
		let bucket = this.buckets.get(key);
		if (!bucket) {
			bucket = { tokens: spec.capacity, updatedAt: now };
			this.buckets.set(key, bucket);
		}
		const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
		bucket.tokens = Math.min(spec.capacity, bucket.tokens + elapsedSeconds * spec.perSecond);
		bucket.updatedAt = now;
		if (bucket.tokens < 1) return false;
		bucket.tokens -= 1;
		return true;
	}

	clear(): void {
		this.buckets.clear();
	}
}

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface QueuedFault {
	/** 404 refuses the request as LINE does for a profile it will not give (e.g. one user's). */
	status?: 404 | 429 | 500 | 503;
	reset?: boolean;
	delayMs?: number;
	/** Only requests whose path starts with this are affected. */
	path?: string;
	/** How many matching requests this fault hits (default 1). */
	count?: number;
}

export interface RandomFaults {
	share429?: number;
	share500?: number;
	shareSlow?: number;
	slowMs?: number;
	shareReset?: number;
	seed?: number;
	/** Path prefixes eligible for random faults (default: every API path). */
	paths?: string[];
}

/** What to do with one request: optionally wait, then fail, drop the connection, or serve. */
export interface FaultDecision {
	delayMs: number;
	status?: 404 | 429 | 500 | 503;
	reset: boolean;
	source: 'queue' | 'random';
}

export class FaultPlan {
	private queue: QueuedFault[] = [];
	private random: () => number;

	constructor(private readonly shares: RandomFaults = {}) {
		this.random = seededRandom(shares.seed ?? 1);
	}

	enqueue(list: QueuedFault[]): void {
		for (const fault of list) this.queue.push({ ...fault, count: fault.count ?? 1 });
	}

	get pending(): QueuedFault[] {
		return this.queue.map((fault) => ({ ...fault }));
	}

	/** Decides the fate of a request; undefined means serve it normally. */
	next(path: string): FaultDecision | undefined {
		const index = this.queue.findIndex((fault) => !fault.path || path.startsWith(fault.path));
		if (index >= 0) {
			const fault = this.queue[index];
			fault.count = (fault.count ?? 1) - 1;
			if ((fault.count ?? 0) <= 0) this.queue.splice(index, 1);
			return {
				delayMs: fault.delayMs ?? 0,
				status: fault.status,
				reset: fault.reset === true,
				source: 'queue',
			};
		}
		const { paths } = this.shares;
		if (paths && paths.length > 0 && !paths.some((prefix) => path.startsWith(prefix))) {
			return undefined;
		}
		const share429 = this.shares.share429 ?? 0;
		const share500 = this.shares.share500 ?? 0;
		const shareReset = this.shares.shareReset ?? 0;
		const shareSlow = this.shares.shareSlow ?? 0;
		if (share429 + share500 + shareReset + shareSlow === 0) return undefined;
		// Two draws per request, always, so the sequence does not depend on earlier outcomes.
		const failureDraw = this.random();
		const slowDraw = this.random();
		const delayMs = slowDraw < shareSlow ? (this.shares.slowMs ?? 1500) : 0;
		let status: 429 | 500 | undefined;
		let reset = false;
		if (failureDraw < share429) status = 429;
		else if (failureDraw < share429 + share500) status = 500;
		else if (failureDraw < share429 + share500 + shareReset) reset = true;
		if (!status && !reset && delayMs === 0) return undefined;
		return { delayMs, status, reset, source: 'random' };
	}

	clear(): void {
		this.queue = [];
		this.random = seededRandom(this.shares.seed ?? 1);
	}
}
