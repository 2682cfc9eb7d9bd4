/**
 * Get follower IDs (`GET /v2/bot/followers/ids`), as LINE's reference describes it
 * (https://developers.line.biz/en/reference/messaging-api/#get-follower-ids; line-platform.md §3.7):
 *
 * - verified or premium accounts only; other accounts get 403 "Access to this API is not available
 *   for your account" (LINE's message for an API the account may not use);
 * - `limit` up to 1,000 (default 300); `start` = the `next` continuation token of the previous page,
 *   which expires after 24 hours;
 * - users who blocked the OA are left out, so a page can hold fewer IDs than `limit` while `next`
 *   is still given.
 *
 * Order: the order in which users became friends (an append-only log; a user who follows again
 * moves to the end). LINE does not document its order; this one keeps paging stable while follows
 * arrive, because the opaque token (an HMAC-sealed position in the log) never shifts. Messages
 * for a bad `limit` or token are the sandbox's own wording; LINE documents neither.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'crypto';
import type { SandboxUser } from './model';

export type AccountType = 'unverified' | 'verified' | 'premium';

export const FOLLOWER_IDS_DEFAULT_LIMIT = 300;
export const FOLLOWER_IDS_MAX_LIMIT = 1000;
const TOKEN_TTL_MS = 24 * 3600_000;

export type FollowerPage =
	| { ok: true; userIds: string[]; next?: string }
	| { ok: false; status: number; message: string; details?: { message: string; property: string }[] };

export class FollowerIds {
	private readonly key = randomBytes(16);
	/** User IDs in the order they became friends; only the latest entry of a user counts. */
	private readonly log: string[] = [];
	private readonly latest = new Map<string, number>();

	/** A follow event: the user (again) becomes the newest friend. */
	noteFollow(userId: string): void {
		this.latest.set(userId, this.log.length);
		this.log.push(userId);
	}

	clear(): void {
		this.log.length = 0;
		this.latest.clear();
	}

	/** Friends made some other way (initial users, the admin API, LINE Login's add-friend option). */
	sync(users: readonly SandboxUser[]): void {
		for (const user of users) if (user.isFriend && !this.latest.has(user.userId)) this.noteFollow(user.userId);
	}

	/** One page of follower IDs, or LINE's refusal. */
	page(
		users: readonly SandboxUser[],
		account: AccountType,
		query: URLSearchParams,
		now: number,
		isBlocking: (userId: string) => boolean,
	): FollowerPage {
		if (account === 'unverified') {
			return { ok: false, status: 403, message: 'Access to this API is not available for your account' };
		}
		const rawLimit = query.get('limit');
		const limit = rawLimit === null ? FOLLOWER_IDS_DEFAULT_LIMIT : Number(rawLimit);
		if (!/^\d+$/.test(rawLimit ?? '0') || !Number.isInteger(limit) || limit < 1 || limit > FOLLOWER_IDS_MAX_LIMIT) {
			return {
				ok: false,
				status: 400,
				message: 'The request has 1 error(s)',
				details: [{ message: `Must be between 1 and ${FOLLOWER_IDS_MAX_LIMIT}`, property: 'limit' }],
			};
		}
		const start = query.get('start');
		let offset = 0;
		if (start !== null) {
			const opened = this.open(start, now);
			if (opened === undefined) return { ok: false, status: 400, message: 'Invalid start' };
			offset = opened;
		}
		this.sync(users);
		const friends = new Set(users.filter((user) => user.isFriend && !isBlocking(user.userId)).map((u) => u.userId));
		const counts = (index: number) => friends.has(this.log[index]) && this.latest.get(this.log[index]) === index;
		const end = Math.min(offset + limit, this.log.length);
		const userIds: string[] = [];
		for (let index = offset; index < end; index++) if (counts(index)) userIds.push(this.log[index]);
		let more = false;
		for (let index = end; index < this.log.length && !more; index++) more = counts(index);
		return more ? { ok: true, userIds, next: this.seal(end, now) } : { ok: true, userIds };
	}

	private seal(offset: number, now: number): string {
		const payload = Buffer.from(JSON.stringify({ o: offset, t: now }));
		const mac = createHmac('sha256', this.key).update(payload).digest().subarray(0, 12);
		return Buffer.concat([mac, payload]).toString('base64url');
	}

	private open(token: string, now: number): number | undefined {
		const raw = Buffer.from(token, 'base64url');
		if (raw.length < 13) return undefined;
		const mac = raw.subarray(0, 12);
		const payload = raw.subarray(12);
		const expected = createHmac('sha256', this.key).update(payload).digest().subarray(0, 12);
		if (!timingSafeEqual(mac, expected)) return undefined;
		try {
			const { o, t } = JSON.parse(payload.toString('utf8')) as { o: number; t: number };
			if (!Number.isInteger(o) || o < 0 || now - t > TOKEN_TTL_MS) return undefined;
			return o;
		} catch {
			return undefined;
		}
	}
}

/** A LINE-shaped user ID (`U` + 32 hex) derived from a seed and an index, stable across runs. */
export function seededUserId(seed: string, index: number): string {
	return 'U' + createHash('sha256').update(`${seed}:${index}`).digest('hex').slice(0, 32);
}

/** `count` friends with stable IDs and Japanese display names, e.g. for a 1,000-friend backfill. */
export function seededFollowers(count: number, seed = 'followers'): SandboxUser[] {
	return Array.from({ length: count }, (_, index) => ({
		userId: seededUserId(seed, index),
		displayName: `友だち ${String(index + 1).padStart(4, '0')}`,
		language: 'ja',
		isFriend: true,
	}));
}
