import { randomBytes } from 'crypto';

import { Browser } from '../../scripts/n8n/clients/browser';
import { nodeOutput, type ExecutionDetail, type N8nRestClient } from '../../scripts/n8n/clients/rest';
import {
	captured,
	e2e,
	lineSandbox,
	portersSandbox,
	recruiterHeaders,
	shippedWorkflow,
	shippedWorkflows,
	signedIn,
	webhookOf,
} from '../support/e2e';

/**
 * LINE puts several events into one webhook request. Every event of such a delivery must be
 * handled on its own: each follow and unfollow applied, each message recorded (for a candidate)
 * and sent to the recruiter, and one failing event (here a follow whose profile LINE refuses)
 * shows as a failed execution that can be retried, without stopping or hiding the others.
 * Every event is checked one by one against the sandboxes' records and n8n's executions.
 */

const FILES = {
	router: '00-line-events-router.json',
	friendAdded: '01-line-friend-added-to-porters.json',
	linkUrl: '02-candidate-link-url.json',
	callback: '03-line-login-callback.json',
	message: '04-line-message-to-porters.json',
	block: '06-line-block-to-porters.json',
};
const present = Object.values(FILES).every((file) => shippedWorkflows().some((w) => w.file === file));
const describeIfShipped = present && e2e().line && e2e().porters ? describe : describe.skip;

type Json = Record<string, unknown>;
type Kind = 'follow' | 'message' | 'unfollow';
/** known: a candidate holds the LINE user ID; unknown: nobody does; refused: LINE refuses the profile once. */
type Sender = 'known' | 'unknown' | 'refused';

interface PlannedEvent {
	kind: Kind;
	sender: Sender;
	/** Several events may come from the same sender (e.g. three messages in a row). */
	who: number;
}

interface LineUser {
	userId: string;
	displayName: string;
	candidateId?: number;
}

interface SentEvent {
	type: Kind;
	webhookEventId: string;
	source: { userId: string };
	message?: { text?: string };
}

interface SentWebhook {
	status: number;
	events: SentEvent[];
}

interface LineState {
	deliveries: Array<{ kind: string; to: string[]; reached: string[] }>;
}

const FLOW_OF: Record<Kind, { file: string; trigger: string }> = {
	follow: { file: FILES.friendAdded, trigger: 'Follow Event' },
	message: { file: FILES.message, trigger: 'Message Event' },
	unfollow: { file: FILES.block, trigger: 'Unfollow Event' },
};

const setting = (key: string) => String(e2e().settings[key]);
const newLineUserId = () => `U${randomBytes(16).toString('hex')}`;

async function candidatesWithLineId(userId: string): Promise<Json[]> {
	const where = encodeURIComponent(`${setting('lineUserIdField')}=${userId}`);
	return await portersSandbox<Json[]>('GET', `records/candidate?where=${where}`);
}

const ev = (kind: Kind, sender: Sender, who = 0): PlannedEvent => ({ kind, sender, who });

/** What one event must have left behind, checked against the sandboxes and n8n. */
interface Expectation {
	event: SentEvent;
	planned: PlannedEvent;
	user: LineUser;
}

describeIfShipped('one LINE delivery with several events: each event handled on its own', () => {
	let rest: N8nRestClient;
	let triggerUrl: string;
	const flowIds = () => ({
		router: shippedWorkflow(FILES.router).id,
		follow: shippedWorkflow(FILES.friendAdded).id,
		message: shippedWorkflow(FILES.message).id,
		unfollow: shippedWorkflow(FILES.block).id,
	});
	/** The failed execution of the 20-event delivery, retried in the last test. */
	let failedFollow: { executionId: string; userId: string } | undefined;

	beforeAll(async () => {
		rest = await signedIn();
		triggerUrl = webhookOf(shippedWorkflow(FILES.router), 'LINE Trigger');
	});

	/** LINE users for a delivery: friends in the LINE sandbox, candidates in PORTERS for "known". */
	async function prepareSenders(plan: PlannedEvent[], tag: string): Promise<Map<string, LineUser>> {
		const users = new Map<string, LineUser>();
		for (const planned of plan) {
			const key = `${planned.sender}:${planned.who}`;
			if (users.has(key)) continue;
			const user: LineUser = { userId: newLineUserId(), displayName: `${tag} ${key}` };
			await lineSandbox('POST', 'users', [{ ...user, language: 'ja', isFriend: planned.kind !== 'follow' }]);
			if (planned.sender === 'known') {
				const record = await portersSandbox<Json>('POST', 'records/candidate', {
					'Person.P_Owner': 5,
					'Person.P_Name': `候補者 ${key}`,
					[setting('lineUserIdField')]: user.userId,
					// A re-follow comes after a block; an unfollow after a follow.
					[setting('lineStatusField')]: [setting(planned.kind === 'follow' ? 'statusBlocked' : 'statusFollowing')],
				});
				user.candidateId = Number(record['Person.P_Id']);
			}
			if (planned.sender === 'refused') {
				await lineSandbox('POST', 'faults', [{ status: 404, path: `/v2/bot/profile/${user.userId}`, count: 1 }]);
			}
			users.set(key, user);
		}
		return users;
	}

	/** Sends one signed delivery and waits until the router and every flow it called have finished. */
	async function deliver(plan: PlannedEvent[], tag: string) {
		const ids = flowIds();
		const before = {
			router: await rest.executionIds(ids.router),
			follow: await rest.executionIds(ids.follow),
			message: await rest.executionIds(ids.message),
			unfollow: await rest.executionIds(ids.unfollow),
		};
		tag = `${tag}-${Date.now().toString(36)}`;
		const users = await prepareSenders(plan, tag);
		const base = Date.now();
		const sent = await lineSandbox<SentWebhook>('POST', 'webhook', {
			url: triggerUrl,
			events: plan.map((planned, i) => ({
				type: planned.kind,
				userId: users.get(`${planned.sender}:${planned.who}`)!.userId,
				timestamp: base + i,
				...(planned.kind === 'message' ? { text: `${tag} #${i} ${planned.sender}:${planned.who}` } : {}),
			})),
		});
		expect(sent.status).toBe(200);
		expect(sent.events).toHaveLength(plan.length);
		const [routerRun] = await rest.waitForExecutions(ids.router, {
			exclude: before.router,
			timeoutMs: 60_000 + plan.length * 5_000,
		});
		const runsOf = async (kind: Kind) =>
			await Promise.all(
				(await rest.listExecutions({ workflowId: ids[kind] }))
					.filter((execution) => !before[kind].includes(execution.id))
					.map(async (execution) => await rest.getExecution(execution.id)),
			);
		const runs = { follow: await runsOf('follow'), message: await runsOf('message'), unfollow: await runsOf('unfollow') };
		const expectations: Expectation[] = sent.events.map((event, i) => ({
			event,
			planned: plan[i],
			user: users.get(`${plan[i].sender}:${plan[i].who}`)!,
		}));
		return { routerRun, runs, expectations };
	}

	/** The sandboxes' records, event by event. */
	async function checkRecords(expectations: Expectation[]) {
		const notifications = await captured('recruiterNotify');
		const activities = await portersSandbox<Json[]>('GET', 'records/activity');
		const replies = (await lineLikeState()).deliveries.filter((d) => d.kind === 'reply');
		for (const { event, planned, user } of expectations) {
			const label = `${planned.kind} from ${planned.sender}:${planned.who} (${event.webhookEventId})`;
			const candidates = await candidatesWithLineId(user.userId);
			const status = (record: Json) => record[setting('lineStatusField')];
			if (planned.kind === 'message') {
				const text = String(event.message?.text);
				const notified = notifications.filter((n) => (n.json as Json | undefined)?.messageText === text);
				const recorded = activities.filter((a) => a['Activity.P_Memo'] === text);
				expect({ label, notified: notified.length }).toEqual({ label, notified: 1 });
				expect({ label, notification: notified[0]?.json }).toEqual({
					label,
					notification: expect.objectContaining({
						lineUserId: user.userId,
						candidateId: user.candidateId ?? null,
						messageText: text,
					}),
				});
				expect({ label, activities: recorded.map((a) => a['Activity.P_ResourceId']) }).toEqual({
					label,
					activities: user.candidateId ? [user.candidateId] : [],
				});
			} else if (planned.kind === 'follow') {
				const welcomes = replies.filter((r) => r.to.includes(user.userId));
				// The welcome goes before PORTERS, so a refused profile fails the candidate, not the welcome.
				if (planned.sender === 'refused') {
					expect({ label, candidates: candidates.length, welcomes: welcomes.length }).toEqual({
						label,
						candidates: 0,
						welcomes: 1,
					});
					continue;
				}
				expect({ label, candidates: candidates.map((c) => c['Person.P_Id']) }).toEqual({
					label,
					candidates: user.candidateId ? [user.candidateId] : [expect.any(Number)],
				});
				expect({ label, status: status(candidates[0]) }).toEqual({ label, status: [setting('statusFollowing')] });
				if (!user.candidateId) expect({ label, name: candidates[0]['Person.P_Name'] }).toEqual({ label, name: user.displayName });
				expect({ label, welcomes: welcomes.length }).toEqual({ label, welcomes: 1 });
			} else if (planned.sender === 'known') {
				expect({ label, status: candidates.map(status) }).toEqual({ label, status: [[setting('statusBlocked')]] });
			} else {
				expect({ label, candidates }).toEqual({ label, candidates: [] });
			}
		}
	}

	/** n8n's records: one execution of the right flow per event, failed only for the refused follow. */
	function checkExecutions(
		expectations: Expectation[],
		runs: Record<Kind, ExecutionDetail[]>,
	): ExecutionDetail[] {
		const failed: ExecutionDetail[] = [];
		for (const kind of ['follow', 'message', 'unfollow'] as Kind[]) {
			const events = expectations.filter((e) => e.planned.kind === kind);
			const handled = runs[kind].map((run) => ({
				ids: nodeOutput(run, FLOW_OF[kind].trigger).map((item) => item.webhookEventId),
				status: run.status,
				run,
			}));
			// One execution per event: each holds exactly one event, and every event has one.
			expect({ kind, eventsPerExecution: handled.map((h) => h.ids.length) }).toEqual({
				kind,
				eventsPerExecution: events.map(() => 1),
			});
			for (const { event, planned } of events) {
				const own = handled.filter((h) => h.ids.includes(event.webhookEventId));
				const wanted = planned.sender === 'refused' ? 'error' : 'success';
				expect({ event: event.webhookEventId, statuses: own.map((h) => h.status) }).toEqual({
					event: event.webhookEventId,
					statuses: [wanted],
				});
				if (planned.sender === 'refused') failed.push(own[0].run);
			}
		}
		return failed;
	}

	async function lineLikeState(): Promise<LineState> {
		return await lineSandbox<LineState>('GET', 'state');
	}

	async function runDelivery(plan: PlannedEvent[], tag: string) {
		const { routerRun, runs, expectations } = await deliver(plan, tag);
		await checkRecords(expectations);
		const failed = checkExecutions(expectations, runs);
		const refused = expectations.filter((e) => e.planned.sender === 'refused');
		// A failed event also fails the router's execution, so the delivery never shows as a success.
		expect(routerRun.status).toBe(refused.length > 0 ? 'error' : 'success');
		if (refused.length > 0) {
			expect(JSON.stringify(routerRun.data.resultData.error ?? {})).toContain(`${refused.length} 件`);
			for (const run of failed) {
				expect(run.data.resultData.lastNodeExecuted).toBe('Get Profile');
			}
		}
		return { expectations, failed };
	}

	it('2 events: a candidate\'s message and a message from a LINE user who is no candidate', async () => {
		await runDelivery([ev('message', 'known'), ev('message', 'unknown')], 'D2a');
	});

	it('2 events: messages from two LINE users who are no candidates', async () => {
		await runDelivery([ev('message', 'unknown', 0), ev('message', 'unknown', 1)], 'D2b');
	});

	it('2 events: a follow whose profile LINE refuses and a candidate\'s message', async () => {
		await runDelivery([ev('follow', 'refused'), ev('message', 'known')], 'D2c');
	});

	it('5 events: follow, messages, unfollow, known and unknown senders, one refused profile', async () => {
		await runDelivery(
			[
				ev('message', 'unknown', 0),
				ev('follow', 'refused', 0),
				ev('follow', 'unknown', 1),
				ev('unfollow', 'known', 0),
				ev('message', 'known', 1),
			],
			'D5',
		);
	});

	it('20 events: every kind, several messages per sender, one refused profile', async () => {
		const plan = [
			ev('message', 'known', 0),
			ev('follow', 'unknown', 10),
			ev('message', 'unknown', 0),
			ev('unfollow', 'known', 1),
			ev('message', 'known', 0),
			ev('follow', 'refused', 0),
			ev('message', 'unknown', 1),
			ev('follow', 'known', 2),
			ev('message', 'known', 3),
			ev('unfollow', 'unknown', 2),
			ev('message', 'unknown', 0),
			ev('follow', 'unknown', 11),
			ev('message', 'known', 0),
			ev('message', 'unknown', 3),
			ev('unfollow', 'known', 4),
			ev('message', 'known', 3),
			ev('follow', 'unknown', 12),
			ev('message', 'unknown', 1),
			ev('unfollow', 'unknown', 4),
			ev('message', 'known', 5),
		];
		expect(plan).toHaveLength(20);
		const { expectations, failed } = await runDelivery(plan, 'D20');
		expect(failed).toHaveLength(1);
		failedFollow = {
			executionId: failed[0].id,
			userId: expectations.find((e) => e.planned.sender === 'refused')!.user.userId,
		};
	}, 240_000);

	it('the failed event\'s execution can be retried: the candidate is then created', async () => {
		expect(failedFollow).toBeDefined();
		const { executionId, userId } = failedFollow!;
		const flowId = flowIds().follow;
		const before = await rest.executionIds(flowId);
		await rest.request('POST', `executions/${executionId}/retry`, { loadWorkflow: false });
		const [retried] = await rest.waitForExecutions(flowId, { exclude: before });
		expect(retried.retryOf).toBe(executionId);
		expect(retried.status).toBe('success');
		const created = await candidatesWithLineId(userId);
		expect(created).toHaveLength(1);
		expect(created[0][setting('lineStatusField')]).toEqual([setting('statusFollowing')]);
		// The retry resumes at the failed node: the friend is not welcomed a second time.
		const welcomes = (await lineLikeState()).deliveries.filter((d) => d.to.includes(userId));
		expect(welcomes.map((d) => d.kind)).toEqual(['reply']);
	});
});

describeIfShipped('a lookup that finds nothing still answers', () => {
	it('03: a link URL for a candidate ID PORTERS does not have gets the failure page, and nothing is written', async () => {
		const missing = 99999;
		expect(await portersSandbox<Json[]>('GET', `records/candidate?where=${encodeURIComponent(`Person.P_Id=${missing}`)}`)).toEqual([]);
		const response = await fetch(webhookOf(shippedWorkflow(FILES.linkUrl), 'Request Link URL'), {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...recruiterHeaders() },
			body: JSON.stringify({ candidateId: String(missing) }),
		});
		expect(response.status).toBe(200);
		const link = (await response.json()) as { url: string };
		const userId = newLineUserId();
		await lineSandbox('POST', 'users', [{ userId, displayName: '存在しない連携先', language: 'ja', isFriend: true }]);
		await lineSandbox('POST', 'login/consent', { userId, decision: 'approve', addFriend: false });
		const writesBefore = (await portersSandbox<{ counters: { writes: number } }>('GET', 'state')).counters.writes;

		const page = await new Browser().open(link.url);
		expect(page.status).toBe(400);
		expect(page.body).toContain('LINE連携ができませんでした');
		expect(page.body).toContain('連携先の候補者が見つかりませんでした');
		expect((await portersSandbox<{ counters: { writes: number } }>('GET', 'state')).counters.writes).toBe(writesBefore);
		expect(await candidatesWithLineId(userId)).toEqual([]);
	});
});
