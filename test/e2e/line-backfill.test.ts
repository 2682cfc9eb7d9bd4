import { nodeOutput, type N8nRestClient } from '../../scripts/n8n/clients/rest';
import { seededUserId } from '../../sandbox/line/followers';
import { e2e, lineSandbox, portersSandbox, recruiterHeaders, shippedWorkflow, shippedWorkflows, signedIn, webhookOf } from '../support/e2e';

/**
 * Flow 07, the backfill of existing friends, in the real n8n: every current friend from LINE's
 * follower list (paged), or the LINE user IDs of a marketing tool's CSV, become PORTERS candidates
 * through the same upsert as flow 01, run twice and while follows arrive through flow 01.
 */

const FILES = { router: '00-line-events-router.json', friendAdded: '01-line-friend-added-to-porters.json', backfill: '07-line-friends-backfill.json' };
const present = Object.values(FILES).every((file) => shippedWorkflows().some((w) => w.file === file));
const describeIfShipped = present && e2e().line && e2e().porters ? describe : describe.skip;

type Json = Record<string, unknown>;
interface Summary {
	friends: number;
	created: number;
	updated: number;
	merged: number;
	failed: number;
	skippedWithoutProfile: number;
}

const FRIENDS = 1000;

interface SentFollow {
	status: number;
	events: Array<Record<string, unknown>>;
}
const setting = (key: string) => String(e2e().settings[key]);

/** Candidates per LINE user ID among `userIds` (from the PORTERS sandbox's records). */
async function candidatesPerUser(userIds: string[]): Promise<Map<string, number>> {
	const wanted = new Set(userIds);
	const counts = new Map<string, number>();
	for (const record of await portersSandbox<Json[]>('GET', 'records/candidate')) {
		const id = String(record[setting('lineUserIdField')] ?? '');
		if (wanted.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
	}
	return counts;
}

describeIfShipped('07 backfill of existing LINE friends', () => {
	let rest: N8nRestClient;
	let backfillUrl: string;
	let routerUrl: string;
	const flow = () => shippedWorkflow(FILES.backfill);

	/** Starts the backfill (optionally with a CSV body) and returns its Summary once it finished. */
	async function runBackfill(csv?: string, during?: () => Promise<void>): Promise<Summary> {
		const before = await rest.executionIds(flow().id);
		const response = await fetch(backfillUrl, {
			method: 'POST',
			headers: { ...recruiterHeaders(), 'content-type': csv === undefined ? 'application/json' : 'text/csv' },
			body: csv ?? '{}',
		});
		expect(response.status).toBe(200);
		await during?.();
		const [execution] = await rest.waitForExecutions(flow().id, { exclude: before, timeoutMs: 300_000 });
		expect(execution.status).toBe('success');
		return nodeOutput(execution, 'Summary')[0] as unknown as Summary;
	}

	beforeAll(async () => {
		rest = await signedIn();
		backfillUrl = webhookOf(flow(), 'Backfill Request');
		routerUrl = webhookOf(shippedWorkflow(FILES.router), 'LINE Trigger');
	});

	it(`${FRIENDS} friends from the follower list: twice, then again while follows arrive, always exactly one candidate each`, async () => {
		const seeded = await lineSandbox<{ added: number }>('POST', 'followers', { count: FRIENDS, seed: 'e2e-backfill' });
		expect(seeded.added).toBe(FRIENDS);
		const userIds = Array.from({ length: FRIENDS }, (_, i) => seededUserId('e2e-backfill', i));
		expect((await candidatesPerUser(userIds)).size).toBe(0);

		const first = await runBackfill();
		expect(first.failed).toBe(0);
		expect(first.created).toBeGreaterThanOrEqual(FRIENDS);
		let counts = await candidatesPerUser(userIds);
		expect(counts.size).toBe(FRIENDS);
		expect([...counts.values()].every((n) => n === 1)).toBe(true);

		// Run again: nothing new, every friend updated.
		const second = await runBackfill();
		expect(second).toMatchObject({ created: 0, merged: 0, failed: 0, skippedWithoutProfile: 0 });
		expect(second.updated).toBe(second.friends);
		counts = await candidatesPerUser(userIds);
		expect(counts.size).toBe(FRIENDS);
		expect([...counts.values()].every((n) => n === 1)).toBe(true);

		// PORTERS counts reads per app over a minute, and the second run's reads are still in that
		// minute: a third full run now plus flow 01 would pass 2,000 (upserts then fail after their
		// retries, see the guide). An operator starts the next backfill later; so does this test.
		await new Promise((resolve) => setTimeout(resolve, 61_000));
		// A new batch of friends, backfilled while 50 of them follow through flow 01: the first 40 of the
		// follower list and 10 from its middle.
		const more = await lineSandbox<{ added: number }>('POST', 'followers', { count: FRIENDS, seed: 'e2e-backfill-2' });
		expect(more.added).toBe(FRIENDS);
		const newIds = Array.from({ length: FRIENDS }, (_, i) => seededUserId('e2e-backfill-2', i));
		const friendAddedBefore = await rest.executionIds(shippedWorkflow(FILES.friendAdded).id);
		const followers = [...newIds.slice(0, 40), ...newIds.slice(500, 510)];
		const unacknowledged: string[] = [];
		/**
		 * One follow as LINE delivers it with webhook redelivery on. In regular mode the same n8n
		 * process runs the backfill, so an acknowledgement may come later than LINE's 2 s, or n8n may
		 * answer 503 for a few seconds while its database ping waits behind the backfill's writes.
		 * LINE then redelivers the event later (its interval is not disclosed): here after 1, 2, 4, 8
		 * and 16 s.
		 */
		async function followAsLineDelivers(userId: string): Promise<void> {
			const sent = await lineSandbox<SentFollow>('POST', 'webhook', { url: routerUrl, events: [{ type: 'follow', userId }] });
			let status = sent.status;
			for (let redelivery = 0; status !== 200 && redelivery < 5; redelivery++) {
				await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** redelivery));
				status = (await lineSandbox<{ status: number }>('POST', 'redeliver', { url: routerUrl, event: sent.events[0] })).status;
			}
			if (status !== 200) unacknowledged.push(userId);
		}
		const third = await runBackfill(undefined, async () => {
			const deliveries: Array<Promise<void>> = [];
			// One new friend a second, spread over the backfill's run.
			for (const userId of followers) {
				deliveries.push(followAsLineDelivers(userId));
				await new Promise((resolve) => setTimeout(resolve, 1000));
			}
			await Promise.all(deliveries);
		});
		expect(unacknowledged).toEqual([]);
		expect(third.failed).toBe(0);
		const friendAddedRuns = await rest.waitForExecutions(shippedWorkflow(FILES.friendAdded).id, {
			exclude: friendAddedBefore,
			count: followers.length,
			timeoutMs: 120_000,
		});
		expect(friendAddedRuns.every((run) => run.status === 'success')).toBe(true);
		counts = await candidatesPerUser(newIds);
		expect(counts.size).toBe(FRIENDS);
		expect([...counts.values()].every((n) => n === 1)).toBe(true);
		expect((await candidatesPerUser(userIds)).size).toBe(FRIENDS);
	}, 900_000);

	it('a CSV exported by a marketing tool: its LINE user IDs and friend-add dates, non-friends skipped', async () => {
		const friends = Array.from({ length: 3 }, (_, i) => seededUserId('e2e-backfill-csv', i));
		await lineSandbox('POST', 'followers', { count: 3, seed: 'e2e-backfill-csv' });
		const stranger = seededUserId('e2e-backfill-csv-stranger', 0);
		const csv = [
			'表示名,LINEユーザーID,友だち追加日時,タグ',
			`友だち 0001,${friends[0]},2024/05/01 10:30:00,説明会`,
			`"友だち, 0002",${friends[1]},2024-06-15 09:00,`,
			`友だち 0003,${friends[2]},,`,
			`知らない人,${stranger},2024/07/01 12:00:00,`,
			'空行,,,',
		].join('\r\n');
		const summary = await runBackfill(csv);
		expect(summary).toMatchObject({ friends: 4, created: 3, updated: 0, failed: 0, skippedWithoutProfile: 1 });
		const records = await portersSandbox<Json[]>('GET', 'records/candidate');
		const byId = (id: string) => records.filter((r) => r[setting('lineUserIdField')] === id);
		// Tokyo time in the CSV, UTC in PORTERS.
		expect(byId(friends[0]).map((r) => r[setting('friendAddedAtField')])).toEqual(['2024/05/01 01:30:00']);
		expect(byId(friends[1]).map((r) => r[setting('friendAddedAtField')])).toEqual(['2024/06/15 00:00:00']);
		expect(byId(friends[2]).map((r) => r[setting('friendAddedAtField')] || null)).toEqual([null]);
		expect(byId(stranger)).toEqual([]);
	}, 300_000);
});
