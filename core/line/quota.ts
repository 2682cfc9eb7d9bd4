/**
 * The monthly message limit, as arithmetic. LINE counts a push or multicast by its recipients,
 * not by its message objects (up to five per request count once per recipient), and replies are
 * free (../shared/docs/line-platform.md §3.1, §3.6). Blocked or unknown recipients are not counted
 * by LINE, so counting every recipient gives an upper bound: a guard built on it never lets a run
 * exceed the limit.
 */

/** `GET /v2/bot/message/quota`: `none` = no limit; `limited` with the month's `value`. */
export interface MessageQuota {
	type: 'none' | 'limited' | string;
	value?: number;
}

/** Messages left this month; `null` when the plan has no limit. Never below 0. */
export function remainingThisMonth(quota: MessageQuota, totalUsage: number): number | null {
	if (quota.type !== 'limited') return null;
	const limit = Number(quota.value ?? 0);
	const used = Number.isFinite(totalUsage) ? totalUsage : 0;
	return Math.max(0, limit - used);
}

export function totalNeeded(counts: number[]): number {
	return counts.reduce((sum, count) => sum + Math.max(0, count), 0);
}

/**
 * How many recipients of each request can be sent, first come first served: earlier requests
 * are served in full before later ones get anything; the request where the quota ends gets what
 * is left. `null` remaining (no limit) lets everything through.
 */
export function allocateQuota(counts: number[], remaining: number | null): number[] {
	if (remaining === null) return counts.map((count) => Math.max(0, count));
	let left = Math.max(0, remaining);
	return counts.map((count) => {
		const granted = Math.min(Math.max(0, count), left);
		left -= granted;
		return granted;
	});
}

const NUMBER = new Intl.NumberFormat('en-US');

/** "needs 1,200 messages, 312 left this month". */
export function describeShortfall(needed: number, remaining: number): string {
	const noun = needed === 1 ? 'message' : 'messages';
	return `needs ${NUMBER.format(needed)} ${noun}, ${NUMBER.format(remaining)} left this month`;
}
