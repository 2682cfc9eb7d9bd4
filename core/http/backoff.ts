/** Retry timing shared by the transports: exponential backoff with full jitter, bounded. */

export interface BackoffPolicy {
	/** Retries after the first attempt. */
	maxRetries: number;
	baseDelayMs: number;
	maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 8000 };

/**
 * Delay before retry number `attempt` (1-based). Full jitter spreads retries of many executions
 * that failed together, so they do not hit a rate-limited API again in one burst.
 */
export function backoffDelay(
	attempt: number,
	policy: BackoffPolicy,
	random: () => number = Math.random,
	retryAfterSeconds?: number,
): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	const jittered = Math.floor(random() * ceiling);
	if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0) {
		return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterSeconds * 1000));
	}
	return jittered;
}

/** Parses a `Retry-After` header given in seconds; dates and garbage are ignored. */
export function parseRetryAfter(value: unknown): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const seconds = Number(value);
	return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}
