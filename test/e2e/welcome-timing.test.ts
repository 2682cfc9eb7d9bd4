import { randomBytes } from 'crypto';

import type { N8nRestClient } from '../../scripts/n8n/clients/rest';
import { e2e, lineSandbox, portersSandbox, shippedWorkflow, shippedWorkflows, signedIn, webhookOf } from '../support/e2e';

/**
 * A new friend is welcomed exactly once, however late flow 01 gets to the event. LINE takes a
 * reply token for about a minute; in a burst an event can wait longer than that for a worker, so
 * an event older than 50 s is welcomed by push, keyed by its webhookEventId (LINE accepts one push
 * per key), and a redelivered stale copy sends nothing. Each test mixes fresh and late follows in
 * one delivery; the late one is also sent twice at once and redelivered.
 */

const FILES = { router: '00-line-events-router.json', friendAdded: '01-line-friend-added-to-porters.json' };
const present = Object.values(FILES).every((file) => shippedWorkflows().some((w) => w.file === file));
const describeIfShipped = present && e2e().line && e2e().porters ? describe : describe.skip;

type Json = Record<string, unknown>;
const WELCOME_ACTIVITY = 'LINE ウェルカムメッセージ送信';
/** Well past the 50 s after which flow 01 no longer trusts the reply token. */
const LATE_MS = 120_000;
const setting = (key: string) => String(e2e().settings[key]);

interface Delivery {
	kind: string;
	to: string[];
	retryKey?: string;
	messages: Array<{ text?: string }>;
}

interface SentWebhook {
	status: number;
	events: Array<Json & { webhookEventId: string; source: { userId: string } }>;
}

const newLineUserId = () => `U${randomBytes(16).toString('hex')}`;

/** A webhookEventId as LINE writes it: a ULID (time in the first 10 characters). */
function webhookEventId(timeMs: number): string {
	const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
	let head = '';
	for (let time = timeMs, i = 0; i < 10; i++, time = Math.floor(time / 32)) head = alphabet[time % 32] + head;
	const tail = [...randomBytes(16)].map((byte) => alphabet[byte % 32]).join('');
	return head + tail;
}

/** A follow event as LINE sends it, built here so that two deliveries can carry the very same event. */
function followEvent(userId: string, timestamp: number): Json {
	return {
		type: 'follow',
		follow: { isUnblocked: false },
		webhookEventId: webhookEventId(timestamp),
		deliveryContext: { isRedelivery: false },
		timestamp,
		source: { type: 'user', userId },
		replyToken: randomBytes(16).toString('hex'),
		mode: 'active',
	};
}

async function deliveriesTo(userId: string): Promise<Delivery[]> {
	const state = await lineSandbox<{ deliveries: Delivery[] }>('GET', 'state');
	return state.deliveries.filter((delivery) => delivery.to.includes(userId));
}

async function candidatesWithLineId(userId: string): Promise<Json[]> {
	const where = encodeURIComponent(`${setting('lineUserIdField')}=${userId}`);
	return await portersSandbox<Json[]>('GET', `records/candidate?where=${where}`);
}

async function welcomeActivities(candidateId: unknown): Promise<Json[]> {
	const activities = await portersSandbox<Json[]>('GET', 'records/activity');
	return activities.filter(
		(a) => a['Activity.P_Title'] === WELCOME_ACTIVITY && String(a['Activity.P_ResourceId']) === String(candidateId),
	);
}

describeIfShipped('the welcome of a new friend: reply while fresh, push once when late', () => {
	let rest: N8nRestClient;
	let triggerUrl: string;
	const flowId = () => shippedWorkflow(FILES.friendAdded).id;

	beforeAll(async () => {
		rest = await signedIn();
		triggerUrl = webhookOf(shippedWorkflow(FILES.router), 'LINE Trigger');
	});

	async function newFriends(count: number, tag: string): Promise<string[]> {
		const userIds = Array.from({ length: count }, newLineUserId);
		await lineSandbox(
			'POST',
			'users',
			userIds.map((userId, i) => ({ userId, displayName: `${tag} ${i}`, language: 'ja', isFriend: false })),
		);
		return userIds;
	}

	/** Each user: one candidate, the given welcome deliveries, and one welcome on record. */
	async function expectWelcomedOnce(userId: string, kind: 'reply' | 'push', retryKeyOf?: string) {
		const deliveries = await deliveriesTo(userId);
		expect({ userId, kinds: deliveries.map((d) => d.kind) }).toEqual({ userId, kinds: [kind] });
		expect(deliveries[0].messages.map((m) => m.text)).toEqual([expect.stringContaining('友だち追加')]);
		if (kind === 'push') expect(deliveries[0].retryKey).toMatch(/^[0-9a-f-]{36}$/);
		if (retryKeyOf) expect(deliveries[0].retryKey).toBe(retryKeyOf);
		const candidates = await candidatesWithLineId(userId);
		expect({ userId, candidates: candidates.length }).toEqual({ userId, candidates: 1 });
		const welcomes = await welcomeActivities(candidates[0]['Person.P_Id']);
		expect({ userId, welcomes: welcomes.map((a) => a['Activity.P_Memo']) }).toEqual({
			userId,
			welcomes: [deliveries[0].messages[0].text],
		});
	}

	it('one delivery with fresh and late follows: the fresh ones get a reply, the late ones a push', async () => {
		const [freshA, lateA, freshB, lateB] = await newFriends(4, 'welcome-mix');
		const now = Date.now();
		const before = await rest.executionIds(flowId());
		const sent = await lineSandbox<SentWebhook>('POST', 'webhook', {
			url: triggerUrl,
			events: [
				{ type: 'follow', userId: freshA, timestamp: now },
				{ type: 'follow', userId: lateA, timestamp: now - LATE_MS },
				{ type: 'follow', userId: freshB, timestamp: now + 1 },
				// Just past the limit.
				{ type: 'follow', userId: lateB, timestamp: now - 55_000 },
			],
		});
		expect(sent.status).toBe(200);
		const runs = await rest.waitForExecutions(flowId(), { exclude: before, count: 4, timeoutMs: 90_000 });
		expect(runs.map((run) => run.status)).toEqual(['success', 'success', 'success', 'success']);

		await expectWelcomedOnce(freshA, 'reply');
		await expectWelcomedOnce(freshB, 'reply');
		await expectWelcomedOnce(lateA, 'push');
		await expectWelcomedOnce(lateB, 'push');
	}, 150_000);

	it('a late follow sent twice at once beside a fresh one, then redelivered: one push, one candidate', async () => {
		const [late, fresh] = await newFriends(2, 'welcome-late-copies');
		const lateEvent = followEvent(late, Date.now() - LATE_MS);
		const before = await rest.executionIds(flowId());
		const copies = await Promise.all([
			lineSandbox<SentWebhook>('POST', 'webhook', {
				url: triggerUrl,
				events: [lateEvent, { type: 'follow', userId: fresh, timestamp: Date.now() }],
			}),
			lineSandbox<SentWebhook>('POST', 'webhook', { url: triggerUrl, events: [lateEvent] }),
		]);
		expect(copies.map((copy) => copy.status)).toEqual([200, 200]);
		const runs = await rest.waitForExecutions(flowId(), { exclude: before, count: 3, timeoutMs: 90_000 });
		expect(runs.map((run) => run.status)).toEqual(['success', 'success', 'success']);
		const [push] = await deliveriesTo(late);
		await expectWelcomedOnce(late, 'push', push?.retryKey);
		await expectWelcomedOnce(fresh, 'reply');

		// LINE redelivers the late event: a redelivered stale copy sends nothing and records nothing.
		const seen = [...before, ...runs.map((run) => run.id)];
		const redelivered = await lineSandbox<{ status: number }>('POST', 'redeliver', { url: triggerUrl, event: lateEvent });
		expect(redelivered.status).toBe(200);
		const [redeliveryRun] = await rest.waitForExecutions(flowId(), { exclude: seen, timeoutMs: 60_000 });
		expect(redeliveryRun.status).toBe('success');
		await expectWelcomedOnce(late, 'push', push?.retryKey);
	}, 210_000);
});
