import { tmpdir } from 'os';
import { join } from 'path';

import { launchChromium, screenshotFolder } from '../../scripts/n8n/clients/chromium';
import { nodeOutput, type ExecutionDetail, type N8nRestClient } from '../../scripts/n8n/clients/rest';
import { RECRUITER_PAGE_LOGIN } from '../../scripts/n8n/stage/credentials';
import {
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
 * PORTERS drives LINE (flows 09, 10, 11), driven from outside: records changed in the PORTERS
 * sandbox, the reminder and the bulk-send page called over HTTP, and what arrives at the LINE
 * sandbox, what PORTERS records and what n8n executed checked afterwards.
 */

const FILES = {
	step: '09-porters-selection-step-to-line.json',
	reminder: '10-line-interview-reminder.json',
	bulk: '11-line-bulk-send.json',
};
const present = Object.values(FILES).every((file) => shippedWorkflows().some((w) => w.file === file));
const describeIfShipped = present && e2e().line && e2e().porters ? describe : describe.skip;

type Json = Record<string, unknown>;

interface Delivery {
	kind: string;
	to: string[];
	reached: string[];
	messages: Array<{ type: string; text?: string }>;
}

interface LineState {
	deliveries: Delivery[];
	quota: { limit: number; consumption: number };
}

interface RecordedRequest {
	path: string;
	status: number;
}

const setting = (key: string) => String(e2e().settings[key]);
const lineState = async () => await lineSandbox<LineState>('GET', 'state');
const pushesTo = (state: LineState, userId: string) => state.deliveries.filter((d) => d.kind === 'push' && d.to.includes(userId));
const multicastCalls = async () =>
	(await lineSandbox<RecordedRequest[]>('GET', 'requests')).filter((r) => r.path === '/v2/bot/message/multicast');

async function activitiesOf(candidateId: number): Promise<Json[]> {
	return await portersSandbox<Json[]>('GET', `records/activity?where=${encodeURIComponent(`Activity.P_ResourceId=${candidateId}`)}`);
}

async function activityWrites(): Promise<number> {
	const { counters } = await portersSandbox<{ counters: { byEndpoint: Record<string, number> } }>('GET', 'state');
	return counters.byEndpoint['POST /v1/activity'] ?? 0;
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

/** A LINE user ID no other test uses: `U` + 32 hex digits from a tag and a number. */
function lineUserId(tag: number, n: number): string {
	return `U${tag.toString(16).padStart(8, '0')}${n.toString(16).padStart(24, '0')}`;
}

/** PORTERS keeps dates in UTC as yyyy/MM/dd HH:mm:ss. */
function portersDate(date: Date): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${date.getUTCFullYear()}/${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** 14:00 in Tokyo, `days` after today in Tokyo (UTC+9, no daylight saving). */
function tokyoAt14(days: number): Date {
	const tokyoNow = new Date(Date.now() + 9 * 3600_000);
	return new Date(Date.UTC(tokyoNow.getUTCFullYear(), tokyoNow.getUTCMonth(), tokyoNow.getUTCDate() + days, 14 - 9, 0, 0));
}

const OLD = '2026/01/01 00:00:00'; // an update date no poller looks at any more

/** Inserts a candidate (and returns its ID), with LINE user ID and status when given. */
async function insertCandidate(fields: { name: string; lineUserId?: string; blocked?: boolean; owner?: number; memo?: string }): Promise<number> {
	const record = await portersSandbox<Json>('POST', 'records/candidate', {
		'Person.P_Owner': fields.owner ?? 5,
		'Person.P_Name': fields.name,
		'Person.P_UpdateDate': OLD,
		...(fields.memo ? { 'Person.P_Memo': fields.memo } : {}),
		...(fields.lineUserId ? { [setting('lineUserIdField')]: fields.lineUserId } : {}),
		[setting('lineStatusField')]: [fields.blocked ? setting('statusBlocked') : setting('statusFollowing')],
	});
	return Number(record['Person.P_Id']);
}

async function insertResume(candidateId: number, fields: Json): Promise<number> {
	const record = await portersSandbox<Json>('POST', 'records/resume', {
		'Resume.P_Owner': 6,
		'Resume.P_Candidate': candidateId,
		'Resume.P_Name': `レジュメ ${candidateId}`,
		'Resume.P_UpdateDate': OLD,
		...fields,
	});
	return Number(record['Resume.P_Id']);
}

/** The executions of a workflow not in `seen` whose node `nodeName` output an item matching `match`. */
async function executionsWith(
	rest: N8nRestClient,
	workflowId: string,
	seen: Set<string>,
	nodeName: string,
	match: (item: Json) => boolean,
): Promise<ExecutionDetail[]> {
	const found: ExecutionDetail[] = [];
	for (const summary of await rest.listExecutions({ workflowId })) {
		if (seen.has(summary.id) || ['new', 'running', 'waiting'].includes(summary.status)) continue;
		const execution = await rest.getExecution(summary.id);
		const ran = execution.data.resultData.runData[nodeName];
		if (ran && nodeOutput(execution, nodeName).some(match)) found.push(execution);
	}
	return found;
}

const basicAuth = {
	authorization: `Basic ${Buffer.from(`${RECRUITER_PAGE_LOGIN.user}:${RECRUITER_PAGE_LOGIN.password}`).toString('base64')}`,
};

async function bulkSend(body: Json): Promise<{ status: number; json: Json }> {
	const response = await fetch(webhookOf(shippedWorkflow(FILES.bulk), 'Bulk Send Request'), {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...basicAuth },
		body: JSON.stringify(body),
	});
	const text = await response.text();
	expect(response.headers.get('content-type')).toContain('application/json');
	return { status: response.status, json: JSON.parse(text) as Json };
}

describeIfShipped('PORTERS drives LINE', () => {
	let rest: N8nRestClient;
	const tag = Math.floor(Date.now() / 1000) % 0xffffffff;

	beforeAll(async () => {
		rest = await signedIn();
	});

	it('09: a step change sends one message with its placeholders filled and one activity; read again, nothing more; a blocked candidate gets nothing', async () => {
		const flow = shippedWorkflow(FILES.step);
		const seen = new Set(await rest.executionIds(flow.id));
		const linked = { userId: lineUserId(tag, 1), displayName: '森 美咲', isFriend: true };
		const blocked = { userId: lineUserId(tag, 2), displayName: '岡田 翔', isFriend: true };
		await lineSandbox('POST', 'users', [linked, blocked]);
		const linkedId = await insertCandidate({ name: '森 美咲', lineUserId: linked.userId });
		const blockedId = await insertCandidate({ name: '岡田 翔', lineUserId: blocked.userId, blocked: true });
		const interview = tokyoAt14(10);
		const fields = (day: Date) => ({
			[setting('phaseField')]: ['Option.U_InterviewScheduled'],
			[setting('interviewDateField')]: portersDate(day),
		});
		const linkedResume = await insertResume(linkedId, fields(interview));
		const blockedResume = await insertResume(blockedId, fields(interview));

		// The step changes to 面談キャンセル. The trigger's first poll only starts its clock, so the
		// same change is written again every 20 s until a poll has picked it up.
		const change = { [setting('phaseField')]: ['Option.U_InterviewCancelled'], [setting('phaseDateField')]: portersDate(new Date()) };
		let lastTouch = 0;
		const [push] = await waitFor(
			'the cancellation message',
			async () => {
				const pushes = pushesTo(await lineState(), linked.userId);
				if (pushes.length === 0 && Date.now() - lastTouch > 20_000) {
					await portersSandbox('PATCH', `records/resume/${linkedResume}`, change);
					await portersSandbox('PATCH', `records/resume/${blockedResume}`, change);
					lastTouch = Date.now();
				}
				return pushes.length > 0 ? pushes : undefined;
			},
			200_000,
		);
		const localDate = `${interview.getUTCMonth() + 1}月${interview.getUTCDate()}日 14:00`;
		expect(push.messages).toEqual([
			{
				type: 'text',
				text: `森 美咲様\n${localDate}に予定していた面談はキャンセルとなりました。\nあらためて日程をご相談させてください。\n担当: 田中 誠`,
			},
		]);
		expect(push.reached).toEqual([linked.userId]);
		const recorded = await waitFor('the activity', async () => {
			const list = await activitiesOf(linkedId);
			return list.length > 0 ? list : undefined;
		});
		expect(recorded).toEqual([
			expect.objectContaining({ 'Activity.P_Title': 'LINE 送信: 選考ステップ（面談キャンセル）', 'Activity.P_Memo': push.messages[0].text }),
		]);

		// The blocked candidate's resume was read in a run, and nothing went to it.
		const blockedRuns = await waitFor('a run that read the blocked candidate', async () => {
			const runs = await executionsWith(rest, flow.id, seen, 'Get Resume', (item) => item['Resume.P_Id'] === blockedResume);
			return runs.length > 0 ? runs : undefined;
		});
		expect(blockedRuns.every((run) => run.status === 'success')).toBe(true);
		expect(pushesTo(await lineState(), blocked.userId)).toEqual([]);
		expect(await activitiesOf(blockedId)).toEqual([]);

		// Read twice: another field of the resume changes, the poller reads the same step again.
		const before = new Set(await rest.executionIds(flow.id));
		await portersSandbox('PATCH', `records/resume/${linkedResume}`, { 'Resume.P_Name': `レジュメ ${linkedId}（更新）` });
		const [again] = await waitFor(
			'the change to be read again',
			async () => {
				const runs = await executionsWith(rest, flow.id, before, 'Send Message', (item) => item.to === linked.userId);
				return runs.length > 0 ? runs : undefined;
			},
			150_000,
		);
		expect(again.status).toBe('success');
		expect(nodeOutput(again, 'Send Message')).toEqual([expect.objectContaining({ sent: true, duplicate: true })]);
		expect(pushesTo(await lineState(), linked.userId)).toHaveLength(1);
		expect(await activitiesOf(linkedId)).toHaveLength(1);
	}, 420_000);

	it("10: tomorrow's interview is reminded once, also when the reminder runs twice; blocked and cancelled ones are not", async () => {
		const flow = shippedWorkflow(FILES.reminder);
		const users = [1, 2, 3].map((n) => ({ userId: lineUserId(tag, 10 + n), displayName: `候補者 ${n}`, isFriend: true }));
		await lineSandbox('POST', 'users', users);
		const tomorrow = tokyoAt14(1);
		const reminded = await insertCandidate({ name: '西村 陽菜', lineUserId: users[0].userId });
		const blocked = await insertCandidate({ name: '東 大輝', lineUserId: users[1].userId, blocked: true });
		const cancelled = await insertCandidate({ name: '北川 蓮', lineUserId: users[2].userId });
		const interviewFields = (option: string) => ({
			[setting('phaseField')]: [option],
			[setting('interviewDateField')]: portersDate(tomorrow),
		});
		await insertResume(reminded, interviewFields('Option.U_InterviewScheduled'));
		await insertResume(blocked, interviewFields('Option.U_InterviewScheduled'));
		await insertResume(cancelled, interviewFields('Option.U_InterviewCancelled'));
		// Not tomorrow: the day after.
		await insertResume(reminded, { ...interviewFields('Option.U_InterviewScheduled'), [setting('interviewDateField')]: portersDate(tokyoAt14(2)) });

		const runOnce = async (exclude: string[]) => {
			const response = await fetch(webhookOf(flow, 'Run Now'), {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...recruiterHeaders() },
				body: '{}',
			});
			expect(response.status).toBe(200);
			const [run] = await rest.waitForExecutions(flow.id, { exclude, timeoutMs: 60_000 });
			expect(run.status).toBe('success');
			return run;
		};
		const first = await runOnce(await rest.executionIds(flow.id));
		const state = await lineState();
		const [push] = pushesTo(state, users[0].userId);
		expect(pushesTo(state, users[0].userId)).toHaveLength(1);
		const day = `${tomorrow.getUTCMonth() + 1}月${tomorrow.getUTCDate()}日 14:00`;
		expect(push.messages[0].text).toBe(
			`西村 陽菜様\n明日 ${day} から面談です。お会いできるのを楽しみにしています。\nご都合が悪くなった場合は、このLINEでお知らせください。\n担当: 田中 誠`,
		);
		expect(pushesTo(state, users[1].userId)).toEqual([]);
		expect(pushesTo(state, users[2].userId)).toEqual([]);
		expect(await activitiesOf(reminded)).toEqual([expect.objectContaining({ 'Activity.P_Title': 'LINE 送信: 面談リマインド' })]);
		// Only tomorrow's interviews were read.
		const read = nodeOutput(first, 'Interviews That Day').map((item) => item['Resume.P_Candidate']);
		expect(read).toEqual(expect.arrayContaining([reminded, blocked, cancelled]));
		expect(read.filter((id) => id === reminded)).toHaveLength(1);

		const second = await runOnce(await rest.executionIds(flow.id));
		expect(nodeOutput(second, 'Send Reminder')).toEqual(
			expect.arrayContaining([expect.objectContaining({ to: users[0].userId, sent: true, duplicate: true })]),
		);
		expect(pushesTo(await lineState(), users[0].userId)).toHaveLength(1);
		expect(await activitiesOf(reminded)).toHaveLength(1);
	}, 180_000);

	describe('11: bulk send', () => {
		const memo = `bulk-e2e-${tag}`;
		const condition = `Person.P_Memo:full=${memo}`;
		const message = `【求人特集】今週の新着求人をお届けします ${tag}`;
		const linkedCount = 1201;
		let candidateIds: number[] = [];
		let dryRun: Json;

		beforeAll(async () => {
			const users = Array.from({ length: linkedCount + 20 }, (_, i) => ({ userId: lineUserId(tag, 1000 + i), displayName: `一斉 ${i}`, isFriend: true }));
			await lineSandbox('POST', 'users', users);
			const records = [
				...users.slice(0, linkedCount).map((user, i) => ({ name: `一斉 ${i}`, lineUserId: user.userId })),
				...users.slice(linkedCount).map((user, i) => ({ name: `ブロック ${i}`, lineUserId: user.userId, blocked: true })),
				...Array.from({ length: 30 }, (_, i) => ({ name: `未連携 ${i}` })),
				// A second candidate holding the first one's LINE user ID: one message, not two.
				{ name: '一斉 0（重複）', lineUserId: users[0].userId },
			];
			const inserted = await portersSandbox<{ firstId: number; lastId: number }>('POST', 'records/candidate', {
				records: records.map((r) => ({
					'Person.P_Owner': 5,
					'Person.P_Name': r.name,
					'Person.P_Memo': memo,
					'Person.P_UpdateDate': OLD,
					...('lineUserId' in r && r.lineUserId ? { [setting('lineUserIdField')]: r.lineUserId } : {}),
					[setting('lineStatusField')]: ['blocked' in r && r.blocked ? setting('statusBlocked') : setting('statusFollowing')],
				})),
			});
			candidateIds = Array.from({ length: linkedCount }, (_, i) => inserted.firstId + i);
		});

		it('the page opens in Japanese behind Basic Auth', async () => {
			const url = webhookOf(shippedWorkflow(FILES.bulk), 'Bulk Send Page');
			expect((await fetch(url)).status).toBe(401);
			const page = await fetch(url, { headers: basicAuth });
			expect(page.status).toBe(200);
			expect(page.headers.get('content-type')).toContain('text/html');
			const html = await page.text();
			expect(html).toContain('<form method="post">');
			expect(html).toContain('確認する（まだ送信しません）');
			expect(html).toContain('最近更新された個人連絡先（例）');
		});

		it('a recruiter does it in a real browser: the form, the dry run page, the send', async () => {
			const browserMemo = `bulk-browser-${tag}`;
			const users = [0, 1, 2, 3].map((i) => ({ userId: lineUserId(tag, 5000 + i), displayName: `画面 ${i}`, isFriend: true }));
			await lineSandbox('POST', 'users', users);
			for (const [i, user] of users.entries()) {
				await insertCandidate({ name: `画面 ${i}`, lineUserId: user.userId, blocked: i === 3, memo: browserMemo });
			}
			const deliveriesBefore = (await lineState()).deliveries.length;
			const shots = screenshotFolder(join(tmpdir(), 'line-porters-e2e'));
			const browser = await launchChromium();
			try {
				const context = await browser.newContext({
					httpCredentials: { username: RECRUITER_PAGE_LOGIN.user, password: RECRUITER_PAGE_LOGIN.password },
				});
				const page = await context.newPage();
				await page.goto(webhookOf(shippedWorkflow(FILES.bulk), 'Bulk Send Page'));
				await page.fill('#condition', `Person.P_Memo:full=${browserMemo}`);
				await page.fill('#message', '説明会のご案内\n12月5日 19時からオンラインで開催します');
				await page.click('button[type=submit]');
				await page.waitForSelector('#recipients');
				expect(await page.textContent('#recipients')).toBe('3');
				await page.screenshot({ path: join(shots, 'bulk-send-dry-run.png'), fullPage: true });
				expect((await lineState()).deliveries.length).toBe(deliveriesBefore);

				await page.click('#send');
				await page.waitForSelector('#sent');
				expect(await page.textContent('#sent')).toContain('3 人に送信しました（マルチキャスト 1 回）');
				await page.screenshot({ path: join(shots, 'bulk-send-sent.png'), fullPage: true });
			} finally {
				await browser.close();
			}
			const deliveries = (await lineState()).deliveries.slice(deliveriesBefore);
			expect(deliveries).toHaveLength(1);
			expect(deliveries[0].reached.sort()).toEqual(users.slice(0, 3).map((u) => u.userId).sort());
			// The textarea's CRLF reaches LINE as LF.
			expect(deliveries[0].messages).toEqual([{ type: 'text', text: '説明会のご案内\n12月5日 19時からオンラインで開催します' }]);
		}, 120_000);

		it('a request without a message is refused in Japanese', async () => {
			const { status, json } = await bulkSend({ condition });
			expect(status).toBe(400);
			expect(json).toEqual(expect.objectContaining({ kind: 'invalid', error: 'メッセージを入力してください。' }));
		});

		it('the dry run counts 1,201 recipients, those left out by reason, and the quota, and sends nothing', async () => {
			const callsBefore = (await multicastCalls()).length;
			const { status, json } = await bulkSend({ condition, message });
			expect(status).toBe(200);
			const quota = (await lineState()).quota;
			expect(json).toEqual(
				expect.objectContaining({
					kind: 'dryRun',
					matched: linkedCount + 20 + 30 + 1,
					recipients: linkedCount,
					multicastRequests: 3,
					leftOut: { noLineUserId: 30, invalidLineUserId: 0, blocked: 20, duplicate: 1 },
					quota: { limit: quota.limit, used: quota.consumption, remaining: quota.limit - quota.consumption },
					enoughQuota: true,
					sendId: expect.stringMatching(/^bulk-\d+$/),
				}),
			);
			expect((await multicastCalls()).length).toBe(callsBefore);
			dryRun = json;
		});

		it('the same dry run as a page shows the numbers and a send button', async () => {
			const response = await fetch(webhookOf(shippedWorkflow(FILES.bulk), 'Bulk Send Request'), {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded', ...basicAuth },
				body: new URLSearchParams({ preset: '', searchIn: 'candidate', condition, message }).toString(),
			});
			expect(response.status).toBe(200);
			const html = await response.text();
			expect(html).toContain('<td class="n" id="recipients">1,201</td>');
			expect(html).toContain('1,201 人に送信する');
			expect(html).toContain('<input type="hidden" name="confirm" value="1">');
		});

		it('the quota guard refuses the whole send when this month has too little left', async () => {
			const { quota } = await lineState();
			const callsBefore = (await multicastCalls()).length;
			await lineSandbox('POST', 'quota', { limit: quota.consumption + 312 });
			try {
				const { status, json } = await bulkSend({ condition, message, confirm: true, sendId: dryRun.sendId });
				expect(status).toBe(409);
				expect(json).toEqual(expect.objectContaining({ kind: 'refused', sentTo: 0 }));
				expect(String(json.error)).toContain('needs 1,201 messages, 312 left this month');
			} finally {
				await lineSandbox('POST', 'quota', { limit: quota.limit });
			}
			expect((await multicastCalls()).length).toBe(callsBefore);
			expect(await activitiesOf(candidateIds[0])).toEqual([]);
		});

		it('confirmed, it sends what the dry run counted in 3 multicasts and records one activity per recipient; a second confirm sends nothing', async () => {
			const callsBefore = (await multicastCalls()).length;
			const deliveriesBefore = (await lineState()).deliveries.length;
			const activityWritesBefore = await activityWrites();
			const { status, json } = await bulkSend({ condition, message, confirm: true, sendId: dryRun.sendId });
			expect(status).toBe(200);
			expect(json).toEqual(
				expect.objectContaining({
					kind: 'sent',
					recipients: dryRun.recipients,
					sentTo: dryRun.recipients,
					newlySentTo: dryRun.recipients,
					multicastRequests: dryRun.multicastRequests,
					leftOut: dryRun.leftOut,
					alreadySent: false,
				}),
			);
			const calls = (await multicastCalls()).slice(callsBefore);
			expect(calls.map((call) => call.status)).toEqual([200, 200, 200]);
			const deliveries = (await lineState()).deliveries.slice(deliveriesBefore);
			const reached = deliveries.flatMap((d) => d.reached);
			expect(reached).toHaveLength(linkedCount);
			expect(new Set(reached).size).toBe(linkedCount);
			expect(deliveries.map((d) => d.to.length)).toEqual([500, 500, 201]);
			expect(deliveries[0].messages).toEqual([{ type: 'text', text: message }]);

			const activities = await portersSandbox<Json[]>('GET', `records/activity?where=${encodeURIComponent(`Activity.P_Memo=${message}`)}`);
			expect(activities).toHaveLength(linkedCount);
			expect(new Set(activities.map((a) => a['Activity.P_ResourceId']))).toEqual(new Set(candidateIds));
			// Up to 200 per request, fewer when a request would pass the node's request-length limit
			// (PORTERS recommends about 15,000 characters): batched, never one request per recipient.
			const writes = (await activityWrites()) - activityWritesBefore;
			expect(writes).toBeGreaterThanOrEqual(Math.ceil(linkedCount / 200));
			expect(writes).toBeLessThanOrEqual(Math.ceil(linkedCount / 20));

			// The recruiter presses the button again.
			const again = await bulkSend({ condition, message, confirm: true, sendId: dryRun.sendId });
			expect(again.status).toBe(200);
			expect(again.json).toEqual(expect.objectContaining({ kind: 'sent', alreadySent: true, newlySentTo: 0 }));
			expect((await lineState()).deliveries.length).toBe(deliveriesBefore + 3);
			expect(
				await portersSandbox<Json[]>('GET', `records/activity?where=${encodeURIComponent(`Activity.P_Memo=${message}`)}`),
			).toHaveLength(linkedCount);
		}, 180_000);
	});
});
