import { Browser } from '../../scripts/n8n/clients/browser';
import type { N8nRestClient } from '../../scripts/n8n/clients/rest';
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
 * Every shipped flow driven from outside, the way LINE, a candidate's browser, a recruiter's tool
 * and PORTERS would drive it. Assertions are on what is visible from outside: the sandboxes'
 * records, the capture server (recruiters' chat tool, marketing tool) and n8n's executions.
 */

const FILES = {
	router: '00-line-events-router.json',
	friendAdded: '01-line-friend-added-to-porters.json',
	linkUrl: '02-candidate-link-url.json',
	callback: '03-line-login-callback.json',
	message: '04-line-message-to-porters.json',
	marketing: '05-porters-resumes-to-marketing.json',
	block: '06-line-block-to-porters.json',
};
const present = Object.values(FILES).every((file) => shippedWorkflows().some((w) => w.file === file));
const describeIfShipped = present && e2e().line && e2e().porters ? describe : describe.skip;

type Json = Record<string, unknown>;

interface SentWebhook {
	status: number;
	payload: string;
	events: Array<{ webhookEventId: string; timestamp: number; replyToken?: string; source: { userId: string } }>;
}

interface LineState {
	deliveries: Array<{ kind: string; to: string[]; reached: string[]; messages: Array<{ type: string; text?: string }> }>;
}

interface PortersCounters {
	writes: number;
	reads: number;
	/** Calls to /v1/oauth and /v1/token. */
	auth: number;
	tokensIssued: number;
	byEndpoint: Record<string, number>;
}

const setting = (key: string) => String(e2e().settings[key]);

async function candidatesWithLineId(userId: string): Promise<Json[]> {
	const where = encodeURIComponent(`${setting('lineUserIdField')}=${userId}`);
	return await portersSandbox<Json[]>('GET', `records/candidate?where=${where}`);
}

async function candidate(id: number): Promise<Json> {
	return await portersSandbox<Json>('GET', `records/candidate/${id}`);
}

async function portersCounters(): Promise<PortersCounters> {
	return (await portersSandbox<{ counters: PortersCounters }>('GET', 'state')).counters;
}

/** Billed calls on the candidate resource; the resume trigger polling meanwhile makes none. */
function candidateCalls(counters: PortersCounters): number {
	return Object.entries(counters.byEndpoint)
		.filter(([endpoint]) => endpoint.endsWith(' /v1/candidate'))
		.reduce((sum, [, calls]) => sum + calls, 0);
}

async function lineState(): Promise<LineState> {
	return await lineSandbox<LineState>('GET', 'state');
}

function repliesTo(state: LineState, userId: string) {
	return state.deliveries.filter((d) => d.kind === 'reply' && d.to.includes(userId));
}

async function askForLinkUrl(candidateId: number | string, headers = recruiterHeaders()) {
	const response = await fetch(webhookOf(shippedWorkflow(FILES.linkUrl), 'Request Link URL'), {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify({ candidateId: String(candidateId) }),
	});
	const text = await response.text();
	return { status: response.status, json: text.startsWith('{') ? (JSON.parse(text) as Json) : {} };
}

/** Changes one character of the link's `state`, keeping it alphanumeric as LINE requires. */
function tamperState(linkUrl: string): string {
	const url = new URL(linkUrl);
	const state = url.searchParams.get('state') ?? '';
	const i = Math.floor(state.length / 2);
	const swapped = state[i] === 'A' ? 'B' : 'A';
	url.searchParams.set('state', state.slice(0, i) + swapped + state.slice(i + 1));
	return url.toString();
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

describeIfShipped('the shipped flows, driven from outside', () => {
	let rest: N8nRestClient;
	let triggerUrl: string;
	// A LINE user the sandbox knows and no candidate has yet; another one for the login link.
	const follower = { userId: `U${'f0a1'.repeat(8)}`, displayName: '中村 さくら', language: 'ja', isFriend: false };
	const applicant = { userId: `U${'b2c3'.repeat(8)}`, displayName: '小林 陽斗', language: 'ja', isFriend: false };
	let countersAtStart: PortersCounters;
	/** The callback URL LINE redirected the candidate to in the successful link flow. */
	let usedCallbackUrl = '';

	beforeAll(async () => {
		countersAtStart = await portersCounters();
		rest = await signedIn();
		triggerUrl = webhookOf(shippedWorkflow(FILES.router), 'LINE Trigger');
		await lineSandbox('POST', 'users', [follower, applicant]);
	});

	it('01: the same follow delivered three times (once as a redelivery) gives one candidate and one welcome', async () => {
		const flow = shippedWorkflow(FILES.friendAdded);
		const before = await rest.executionIds(flow.id);
		expect(await candidatesWithLineId(follower.userId)).toEqual([]);

		const callsBefore = candidateCalls(await portersCounters());
		const first = await lineSandbox<SentWebhook>('POST', 'webhook', {
			url: triggerUrl,
			events: [{ type: 'follow', userId: follower.userId }],
		});
		expect(first.status).toBe(200);
		const [firstRun] = await rest.waitForExecutions(flow.id, { exclude: before });
		expect(firstRun.status).toBe('success');
		// Billed PORTERS calls for a new LINE user: find, create, and the look again after the create
		// that lets concurrent creates converge on one candidate (issue "one LINE user, one
		// candidate"); a known user costs find + update.
		expect(candidateCalls(await portersCounters()) - callsBefore).toBe(3);

		// The same bytes again (a duplicate on the network), then LINE's redelivery of the event.
		const duplicate = await lineSandbox<SentWebhook>('POST', 'webhook', { url: triggerUrl, rawBody: first.payload });
		expect(duplicate.status).toBe(200);
		const [secondRun] = await rest.waitForExecutions(flow.id, { exclude: [...before, firstRun.id] });
		const redelivered = await lineSandbox<{ status: number }>('POST', 'redeliver', { url: triggerUrl, event: first.events[0] });
		expect(redelivered.status).toBe(200);
		const [thirdRun] = await rest.waitForExecutions(flow.id, { exclude: [...before, firstRun.id, secondRun.id] });
		expect([secondRun.status, thirdRun.status]).toEqual(['success', 'success']);
		expect(candidateCalls(await portersCounters()) - callsBefore).toBe(3 + 2 * 2);

		const found = await candidatesWithLineId(follower.userId);
		expect(found).toHaveLength(1);
		expect(found[0]['Person.P_Name']).toBe(follower.displayName);
		expect(found[0][setting('lineStatusField')]).toEqual([setting('statusFollowing')]);
		const welcomes = repliesTo(await lineState(), follower.userId);
		expect(welcomes).toHaveLength(1);
		expect(welcomes[0].reached).toEqual([follower.userId]);
		// A fresh event is welcomed by reply only: the repeats' refused reply tokens push nothing.
		expect((await lineState()).deliveries.filter((d) => d.to.includes(follower.userId)).map((d) => d.kind)).toEqual(['reply']);
		// The friend-add date from the event, in UTC as PORTERS takes it.
		const followedAt = new Date(first.events[0].timestamp).toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, '/');
		expect(found[0][setting('friendAddedAtField')]).toBe(followedAt);
		// The welcome sent is on record once: the used reply token of the repeats sent nothing.
		const activities = await portersSandbox<Json[]>('GET', 'records/activity');
		const welcomeRecords = activities.filter(
			(a) => a['Activity.P_Title'] === 'LINE ウェルカムメッセージ送信' && String(a['Activity.P_ResourceId']) === String(found[0]['Person.P_Id']),
		);
		expect(welcomeRecords.map((a) => a['Activity.P_Memo'])).toEqual([welcomes[0].messages[0].text]);
	});

	it('06: a block marks the candidate as blocked', async () => {
		const flow = shippedWorkflow(FILES.block);
		const before = await rest.executionIds(flow.id);
		const sent = await lineSandbox<SentWebhook>('POST', 'webhook', {
			url: triggerUrl,
			events: [{ type: 'unfollow', userId: follower.userId }],
		});
		expect(sent.status).toBe(200);
		const [run] = await rest.waitForExecutions(flow.id, { exclude: before });
		expect(run.status).toBe('success');
		const [blocked] = await candidatesWithLineId(follower.userId);
		expect(blocked[setting('lineStatusField')]).toEqual([setting('statusBlocked')]);
	});

	it('02 + 03: a recruiter gets a link URL, the candidate logs in with LINE, the LINE user ID lands on the candidate', async () => {
		const target = 10002;
		expect((await candidate(target))[setting('lineUserIdField')] ?? '').toBe('');

		const refused = await askForLinkUrl(target, {});
		expect(refused.status).toBeGreaterThanOrEqual(401);
		const link = await askForLinkUrl(target);
		expect(link.status).toBe(200);
		expect(link.json).toEqual(expect.objectContaining({ candidateId: String(target), url: expect.any(String), expiresAt: expect.any(String) }));
		const state = new URL(String(link.json.url)).searchParams.get('state');
		expect(state).toMatch(/^[A-Za-z0-9]+$/);

		await lineSandbox('POST', 'login/consent', { userId: applicant.userId, decision: 'approve', addFriend: true });
		const callback = shippedWorkflow(FILES.callback);
		const before = await rest.executionIds(callback.id);
		const page = await new Browser().open(String(link.json.url));
		expect(page.status).toBe(200);
		expect(page.contentType).toContain('text/html');
		expect(page.body).toContain('LINE連携が完了しました');
		const [run] = await rest.waitForExecutions(callback.id, { exclude: before });
		expect(run.status).toBe('success');

		expect((await candidate(target))[setting('lineUserIdField')]).toBe(applicant.userId);
		usedCallbackUrl = page.hops.find((hop) => new URL(hop.url).searchParams.has('code'))?.url ?? '';
	});

	it('03: a replayed callback (same code and state) gets the failure page and writes nothing', async () => {
		expect(usedCallbackUrl).toContain('state=');
		const writesBefore = (await portersCounters()).writes;
		const page = await new Browser().open(usedCallbackUrl);
		expect(page.status).toBe(400);
		expect(page.body).toContain('LINE連携ができませんでした');
		expect(page.body).toContain('ログインの確認に失敗しました');
		expect((await portersCounters()).writes).toBe(writesBefore);
	});

	it('03: a tampered link state gets the failure page and nothing is written', async () => {
		const target = 10003;
		const link = await askForLinkUrl(target);
		expect(link.status).toBe(200);
		await lineSandbox('POST', 'login/consent', { userId: applicant.userId, decision: 'approve', addFriend: false });
		const writesBefore = (await portersCounters()).writes;
		const lineIdBefore = (await candidate(target).catch(() => ({}) as Json))[setting('lineUserIdField')];

		const callback = shippedWorkflow(FILES.callback);
		const before = await rest.executionIds(callback.id);
		const page = await new Browser().open(tamperState(String(link.json.url)));
		expect(page.status).toBe(400);
		expect(page.body).toContain('LINE連携ができませんでした');
		expect(page.body).toContain('このURLは正しくありません');
		// The refusal is an execution marked as failed, so it shows under the "Error" filter.
		const [run] = await rest.waitForExecutions(callback.id, { exclude: before });
		expect(run.status).toBe('error');
		expect(run.data.resultData.lastNodeExecuted).toBe('Mark Execution as Refused');
		expect(run.data.resultData.error?.message).toContain('tampered');
		expect((await rest.listExecutions({ workflowId: callback.id, status: ['error'] })).map((e) => e.id)).toContain(run.id);
		expect((await portersCounters()).writes).toBe(writesBefore);
		expect((await candidate(target).catch(() => ({}) as Json))[setting('lineUserIdField')]).toEqual(lineIdBefore);
	});

	it('03: a candidate already linked to another LINE user is not overwritten', async () => {
		const target = 10002; // linked to the applicant above
		const other = { userId: `U${'d4e5'.repeat(8)}`, displayName: '別人', language: 'ja', isFriend: true };
		await lineSandbox('POST', 'users', [other]);
		const link = await askForLinkUrl(target);
		await lineSandbox('POST', 'login/consent', { userId: other.userId, decision: 'approve', addFriend: false });
		const page = await new Browser().open(String(link.json.url));
		expect(page.status).toBe(400);
		expect(page.body).toContain('すでに別のLINEアカウントが連携されています');
		expect((await candidate(target))[setting('lineUserIdField')]).toBe(applicant.userId);
	});

	it('05: a resume changed in PORTERS reaches the marketing tool keyed by LINE user ID', async () => {
		let lastTouch = 0;
		const resumeId = 20001; // candidate 10001 has a LINE user ID in the fixture
		const owner = await candidate(10001);
		const sentBefore = (await captured('marketingTool')).length;
		// The trigger polls every minute and its first poll only starts its clock, so the resume is
		// touched again every 20 s until a poll after that first one has picked it up.
		const posted = await waitFor(
			'the marketing tool to receive the resume',
			async () => {
				const all = (await captured('marketingTool')).slice(sentBefore);
				const found = all.find((request) => (request.json as Json).resumeId === resumeId);
				if (!found && Date.now() - lastTouch > 20_000) {
					await portersSandbox('PATCH', `records/resume/${resumeId}`, { 'Resume.P_Name': `鈴木 一郎(${Date.now()})` });
					lastTouch = Date.now();
				}
				return found;
			},
			200_000,
		);
		expect(posted.json).toEqual(
			expect.objectContaining({
				lineUserId: owner[setting('lineUserIdField')],
				candidateId: 10001,
				name: owner['Person.P_Name'],
				resumeId,
			}),
		);
	}, 240_000);

	it('PORTERS authentication is reused across executions, not repeated per execution', async () => {
		const now = await portersCounters();
		// Every flow above touched PORTERS in its own execution, all within one token lifetime.
		expect(now.reads + now.writes - countersAtStart.reads - countersAtStart.writes).toBeGreaterThanOrEqual(10);
		// One code_direct + token pair at most (none if an earlier execution already held the token).
		expect(now.auth - countersAtStart.auth).toBeLessThanOrEqual(2);
		expect(now.tokensIssued - countersAtStart.tokensIssued).toBeLessThanOrEqual(1);
	});
});
