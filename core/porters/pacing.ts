/**
 * PORTERS limits: 2,000 reads and 500 writes per minute, and 200 records per request. The pacer
 * keeps a sliding one-minute window of the requests one execution has made and says how long to
 * wait before the next one. It cannot see other executions (nodes keep no shared state, and
 * several workers may run at once), so per-minute budgets can be lowered for workflows that run
 * in parallel; an over-limit answer from PORTERS is still handled by retrying with backoff.
 */
import { backoffDelay, type BackoffPolicy } from '../http/backoff';
import { resultCodeReaction } from './resultCodes';

export const MAX_ITEMS_PER_REQUEST = 200;
export const READS_PER_MINUTE = 2000;
export const WRITES_PER_MINUTE = 500;
const WINDOW_MS = 60_000;

export type RequestKind = 'read' | 'write';

export class SlidingWindow {
	private readonly stamps: number[] = [];
	private head = 0;

	constructor(
		readonly limit: number,
		readonly windowMs = WINDOW_MS,
	) {
		if (!Number.isInteger(limit) || limit < 1) throw new RangeError('The limit must be at least 1');
	}

	private prune(now: number): void {
		while (this.head < this.stamps.length && this.stamps[this.head] <= now - this.windowMs) this.head++;
		if (this.head > 1024 && this.head * 2 > this.stamps.length) {
			this.stamps.splice(0, this.head);
			this.head = 0;
		}
	}

	/** Milliseconds to wait before one more request fits in the window (0 = now). */
	waitTime(now: number): number {
		this.prune(now);
		const inWindow = this.stamps.length - this.head;
		if (inWindow < this.limit) return 0;
		const oldestThatMustLeave = this.stamps[this.head + inWindow - this.limit];
		return Math.max(0, oldestThatMustLeave + this.windowMs - now);
	}

	record(now: number): void {
		this.stamps.push(now);
	}

	get size(): number {
		return this.stamps.length - this.head;
	}
}

export interface PacerLimits {
	readsPerMinute?: number;
	writesPerMinute?: number;
}

export class RequestPacer {
	private readonly windows: Record<RequestKind, SlidingWindow>;

	constructor(limits: PacerLimits = {}) {
		this.windows = {
			read: new SlidingWindow(clampLimit(limits.readsPerMinute, READS_PER_MINUTE)),
			write: new SlidingWindow(clampLimit(limits.writesPerMinute, WRITES_PER_MINUTE)),
		};
	}

	waitTime(kind: RequestKind, now: number): number {
		return this.windows[kind].waitTime(now);
	}

	record(kind: RequestKind, now: number): void {
		this.windows[kind].record(now);
	}
}

function clampLimit(value: number | undefined, max: number): number {
	if (value === undefined || !Number.isFinite(value) || value <= 0) return max;
	return Math.max(1, Math.min(max, Math.floor(value)));
}

/** Splits a list into consecutive chunks of at most `size`. */
export function chunk<T>(items: T[], size = MAX_ITEMS_PER_REQUEST): T[][] {
	if (!Number.isInteger(size) || size < 1) throw new RangeError('The chunk size must be at least 1');
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

// ---------------------------------------------------------------------------------------------
// Retry decisions

export const PORTERS_BACKOFF: BackoffPolicy = { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 16_000 };

export type FailureKind =
	/** No answer: connection reset or refused, timeout. Whether a write happened is unknown. */
	| { kind: 'network' }
	/** An HTTP status without a PORTERS code (5xx from a proxy, 429 from a rate limiter). */
	| { kind: 'http'; status: number }
	/** A PORTERS result code for the whole request. */
	| { kind: 'code'; code: number };

/**
 * Whether to try again. Reads are always safe to repeat. A write whose outcome is unknown
 * (no answer, 5xx) is repeated only when repeating cannot duplicate data: `writeIsIdempotent`
 * (updates of existing IDs only). Code 9, code 302 and 429 mean nothing was written.
 */
export function shouldRetry(failure: FailureKind, kind: RequestKind, writeIsIdempotent: boolean): boolean {
	switch (failure.kind) {
		case 'code':
			return resultCodeReaction(failure.code) === 'retry';
		case 'http':
			if (failure.status === 429) return true;
			if (failure.status >= 500) return kind === 'read' || writeIsIdempotent;
			return false;
		case 'network':
			return kind === 'read' || writeIsIdempotent;
	}
}

/**
 * A create that got no answer is not repeated blindly; an upsert looks for the record first and
 * only then creates again. Over PORTERS's write limit the connection is cut, and the limit is per
 * minute for the whole tenant: a burst of 1,000 new friends needs some 2,000 writes, four minutes
 * of budget, and every execution competes for it. So these rounds wait far longer than ordinary
 * retries: twelve, growing to 30 s each (at most four and a half minutes in all). Scaled by the
 * client's base delay.
 */
export function lookAgainPolicy(base: BackoffPolicy): BackoffPolicy {
	return { maxRetries: 12, baseDelayMs: 2 * base.baseDelayMs, maxDelayMs: 30 * base.baseDelayMs };
}

export function retryDelay(attempt: number, policy: BackoffPolicy, random?: () => number): number {
	// Never zero: an immediate repeat is what a struggling server needs least.
	return Math.max(Math.min(50, policy.baseDelayMs), backoffDelay(attempt, policy, random));
}
