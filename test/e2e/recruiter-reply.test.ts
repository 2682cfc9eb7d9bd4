import { join } from 'path';
import type { Browser, Page } from 'playwright-core';

import { createReplyToken, deriveReplyLinkKey } from '../../core/line/replyLink';
import { launchChromium, screenshotFolder } from '../../scripts/n8n/clients/chromium';
import type { N8nRestClient } from '../../scripts/n8n/clients/rest';
import { e2e, lineSandbox, portersSandbox, shippedWorkflow, shippedWorkflows, signedIn, webhookOf } from '../support/e2e';

/**
 * The recruiter's side of a LINE conversation, in a real n8n and a real browser: a candidate's
 * message becomes an activity and an unread mark in PORTERS and an e-mail to the candidate's
 * owner (read back from the SMTP sandbox); the e-mail's link opens the reply page (workflow 08)
 * in Chromium, where the recruiter replies or marks the conversation read.
 */

const FILES = { router: '00-line-events-router.json', message: '04-line-message-to-porters.json', page: '08-line-reply-page.json' };
const present = Object.values(FILES).every((file) => shippedWorkflows().some((w) => w.file === file));
const describeIfShipped = present && e2e().line && e2e().porters && e2e().smtp ? describe : describe.skip;

type Json = Record<string, unknown>;

interface Mail {
	id: string;
	subject: string;
	text: string;
	toAddresses: string[];
	attachments: Array<{ filename: string; contentType: string; size: number; sha256: string }>;
}

interface LineState {
	deliveries: Array<{ kind: string; to: string[]; messages: Array<{ type: string; text?: string }>; retryKey?: string }>;
}

interface SentWebhook {
	status: number;
	events: Array<{ webhookEventId: string; message?: { id: string } }>;
}

// n8n 1.x's Send Email has no "Attachments (File)" option, so flow 04 mails media only on n8n 2.x
// (README, supported n8n versions); the mail itself still goes out.
const itWithFileAttachments = e2e().n8n?.version?.startsWith('1.') ? it.skip : it;
const setting = (key: string) => String(e2e().settings[key]);
/** 田中 誠 in the PORTERS fixture (sandbox/porters/seed.json). */
const OWNER = { id: 6, mail: 'makoto.tanaka@sandbox.example.jp' };

async function mails(): Promise<Mail[]> {
	const response = await fetch(`${e2e().smtp!.mailboxUrl}/messages`);
	if (!response.ok) throw new Error(`mailbox → ${response.status}`);
	return (await response.json()) as Mail[];
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

async function mailContaining(needle: string): Promise<Mail> {
	return await waitFor(`an e-mail containing "${needle}"`, async () => (await mails()).find((m) => m.text.includes(needle)));
}

function replyLinkIn(mail: Mail): string {
	const found = mail.text.match(/https?:\/\/\S+[?&]t=[A-Za-z0-9]+/);
	if (!found) throw new Error(`No reply link in the e-mail:\n${mail.text}`);
	return found[0];
}

async function candidate(id: number): Promise<Json> {
	return await portersSandbox<Json>('GET', `records/candidate/${id}`);
}

async function activitiesOf(id: number): Promise<Json[]> {
	return (await portersSandbox<Json[]>('GET', 'records/activity')).filter((a) => Number(a['Activity.P_ResourceId']) === id);
}

async function pushesTo(userId: string) {
	return (await lineSandbox<LineState>('GET', 'state')).deliveries.filter((d) => d.kind === 'push' && d.to.includes(userId));
}

async function portersWrites(): Promise<number> {
	return (await portersSandbox<{ counters: { writes: number } }>('GET', 'state')).counters.writes;
}

/** A link for a candidate signed with the sandbox channel's key, as flow 04 would make it. */
function linkFor(candidateId: number, expiresAt: number): string {
	const line = e2e().line!;
	const key = deriveReplyLinkKey({ channelId: line.channelId, channelSecret: line.channelSecret });
	const url = new URL(setting('replyPageUrl'));
	url.searchParams.set('t', createReplyToken(key, String(candidateId), expiresAt).state);
	return url.toString();
}

function tamper(link: string): string {
	const url = new URL(link);
	const token = url.searchParams.get('t') ?? '';
	const i = Math.floor(token.length / 2);
	url.searchParams.set('t', token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1));
	return url.toString();
}

describeIfShipped('the recruiter replies from the e-mailed page', () => {
	let rest: N8nRestClient;
	let browser: Browser;
	let shots: string;
	let triggerUrl: string;
	const stamp = Date.now().toString(36);
	const writer = { userId: `U${'a1b2'.repeat(8)}`, displayName: '森 陽菜', language: 'ja', isFriend: true };
	let writerId = 0;

	async function candidateMessage(userId: string, event: Json): Promise<SentWebhook> {
		const flow = shippedWorkflow(FILES.message);
		const before = await rest.executionIds(flow.id);
		const sent = await lineSandbox<SentWebhook>('POST', 'webhook', { url: triggerUrl, events: [{ type: 'message', userId, ...event }] });
		expect(sent.status).toBe(200);
		const [run] = await rest.waitForExecutions(flow.id, { exclude: before });
		expect(run.status).toBe('success');
		return sent;
	}

	async function open(link: string, shot: string): Promise<{ page: Page; status: number }> {
		const page = await browser.newPage();
		const response = await page.goto(link);
		await page.screenshot({ path: join(shots, `${shot}.png`), fullPage: true });
		return { page, status: response?.status() ?? 0 };
	}

	/** Presses a button of the reply page and waits for the answer page. */
	async function press(page: Page, button: '返信する' | '既読にする', shot: string) {
		const [response] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'POST'),
			page.getByRole('button', { name: button }).click(),
		]);
		await page.waitForLoadState();
		await page.screenshot({ path: join(shots, `${shot}.png`), fullPage: true });
		return { status: response.status(), postData: response.request().postData() ?? '', body: await page.content() };
	}

	beforeAll(async () => {
		rest = await signedIn();
		browser = await launchChromium();
		shots = screenshotFolder(join(e2e().n8n.userFolder, '..'));
		triggerUrl = webhookOf(shippedWorkflow(FILES.router), 'LINE Trigger');
		await lineSandbox('POST', 'users', [writer]);
		writerId = Number(
			(
				await portersSandbox<Json>('POST', 'records/candidate', {
					'Person.P_Owner': OWNER.id,
					'Person.P_Name': writer.displayName,
					[setting('lineUserIdField')]: writer.userId,
					[setting('lineStatusField')]: [setting('statusFollowing')],
				})
			)['Person.P_Id'],
		);
	});

	afterAll(async () => {
		await browser?.close();
	});

	let firstLink = '';

	it('a message is recorded, marks the candidate unread and reaches the owner by e-mail with a link', async () => {
		const text = `面接の持ち物を教えてください ${stamp}`;
		await candidateMessage(writer.userId, { text });

		expect((await activitiesOf(writerId)).map((a) => [a['Activity.P_Title'], a['Activity.P_Memo']])).toEqual([['LINE メッセージ受信', text]]);
		expect(String((await candidate(writerId))[setting('unreadField')] ?? '')).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d$/);

		const mail = await mailContaining(text);
		expect(mail.toAddresses).toEqual([OWNER.mail]);
		expect(mail.subject).toBe(`【LINE】${writer.displayName} さんからメッセージが届きました`);
		expect(mail.text).toContain(`候補者ID ${writerId}`);
		firstLink = replyLinkIn(mail);
		expect(firstLink.startsWith(`${setting('replyPageUrl')}?t=`)).toBe(true);
	});

	it('the link opens the page in Chromium; a reply is pushed once, recorded, and clears the unread mark', async () => {
		const { page, status } = await open(firstLink, '08-reply-page');
		expect(status).toBe(200);
		await expect(page.locator('h1').textContent()).resolves.toBe(`${writer.displayName} さんとの LINE`);
		expect(await page.locator('ol.talk li.in').allTextContents()).toEqual([expect.stringContaining(`面接の持ち物を教えてください ${stamp}`)]);

		const reply = `履歴書と筆記用具をお持ちください。\n当日はよろしくお願いいたします。${stamp}`;
		await page.locator('textarea[name=text]').fill(reply);
		const answer = await press(page, '返信する', '08-reply-sent');
		expect(answer.status).toBe(200);
		expect(answer.body).toContain('返信を送信しました');

		expect((await pushesTo(writer.userId)).map((p) => p.messages.map((m) => m.text))).toEqual([[reply]]);
		expect(String((await candidate(writerId))[setting('unreadField')] ?? '')).toBe('');
		expect((await activitiesOf(writerId)).filter((a) => a['Activity.P_Title'] === 'LINE 返信送信').map((a) => a['Activity.P_Memo'])).toEqual([reply]);

		// The same form sent again (a double click, a resent POST): LINE gets it once, PORTERS once.
		const again = await fetch(firstLink, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: answer.postData,
		});
		expect(again.status).toBe(200);
		expect(await again.text()).toContain('この返信はすでに送信済みです');
		expect(await pushesTo(writer.userId)).toHaveLength(1);
		expect((await activitiesOf(writerId)).filter((a) => a['Activity.P_Title'] === 'LINE 返信送信')).toHaveLength(1);

		// The reopened page shows both sides, oldest first.
		await page.goto(firstLink);
		const talk = await page.locator('ol.talk li').evaluateAll((items) => items.map((li) => li.className));
		expect(talk).toEqual(['in', 'out']);
		await page.close();
	});

	it('既読にする only clears the unread mark', async () => {
		const text = `承知しました ${stamp}`;
		await candidateMessage(writer.userId, { text });
		expect(String((await candidate(writerId))[setting('unreadField')] ?? '')).not.toBe('');
		const link = replyLinkIn(await mailContaining(text));
		const activitiesBefore = (await activitiesOf(writerId)).length;

		const { page } = await open(link, '08-mark-read-page');
		await expect(page.locator('.notice').textContent()).resolves.toContain('未読のメッセージがあります');
		const answer = await press(page, '既読にする', '08-marked-read');
		expect(answer.status).toBe(200);
		expect(answer.body).toContain('既読にしました');
		await page.close();

		expect(String((await candidate(writerId))[setting('unreadField')] ?? '')).toBe('');
		expect(await pushesTo(writer.userId)).toHaveLength(1);
		expect(await activitiesOf(writerId)).toHaveLength(activitiesBefore);
	});

	it('a tampered or expired link gets a clear page and does nothing', async () => {
		const writesBefore = await portersWrites();
		const tampered = await open(tamper(firstLink), '08-tampered');
		expect(tampered.status).toBe(400);
		await expect(tampered.page.locator('body').textContent()).resolves.toContain('このリンクは正しくありません');
		await tampered.page.close();

		const expiredLink = linkFor(writerId, Date.now() - 60_000);
		const expired = await open(expiredLink, '08-expired');
		expect(expired.status).toBe(400);
		await expect(expired.page.locator('body').textContent()).resolves.toContain('有効期限が切れています');
		await expired.page.close();

		// Submitting with such a token directly is refused the same way.
		for (const link of [tamper(firstLink), expiredLink]) {
			const t = new URL(link).searchParams.get('t')!;
			const response = await fetch(link, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ t, submission: `forged-${stamp}`, action: 'reply', text: '偽の返信' }).toString(),
			});
			expect(response.status).toBe(400);
		}
		expect(await pushesTo(writer.userId)).toHaveLength(1);
		expect(await portersWrites()).toBe(writesBefore);
	});

	it('bad input is refused on the page and nothing is sent: empty, over 5,000 UTF-16 units, no LINE user ID', async () => {
		const link = linkFor(writerId, Date.now() + 3_600_000);
		const { page } = await open(link, '08-bad-input-page');
		const empty = await press(page, '返信する', '08-empty-reply');
		expect(empty.status).toBe(422);
		expect(empty.body).toContain('返信が空です');

		await page.goto(link);
		// 2,501 characters outside the BMP are 5,002 UTF-16 units.
		await page.locator('textarea[name=text]').fill('😀'.repeat(2501));
		const long = await press(page, '返信する', '08-long-reply');
		expect(long.status).toBe(422);
		expect(long.body).toContain('5,000 文字以内');
		await page.close();

		const unlinked = Number(
			(await portersSandbox<Json>('POST', 'records/candidate', { 'Person.P_Owner': OWNER.id, 'Person.P_Name': '北川 未連携' }))['Person.P_Id'],
		);
		const other = await open(linkFor(unlinked, Date.now() + 3_600_000), '08-no-line-id-page');
		await other.page.locator('textarea[name=text]').fill('ご連絡ありがとうございます');
		const noLine = await press(other.page, '返信する', '08-no-line-id');
		expect(noLine.status).toBe(422);
		expect(noLine.body).toContain('LINE ユーザーID が登録されていない');
		await other.page.close();

		expect(await pushesTo(writer.userId)).toHaveLength(1);
		expect(await activitiesOf(unlinked)).toEqual([]);
	});

	it('a candidate marked blocked gets nothing', async () => {
		const blocked = { userId: `U${'c3d4'.repeat(8)}`, displayName: '岡田 ブロック', language: 'ja', isFriend: false };
		const id = Number(
			(
				await portersSandbox<Json>('POST', 'records/candidate', {
					'Person.P_Owner': OWNER.id,
					'Person.P_Name': blocked.displayName,
					[setting('lineUserIdField')]: blocked.userId,
					[setting('lineStatusField')]: [setting('statusBlocked')],
				})
			)['Person.P_Id'],
		);
		const { page } = await open(linkFor(id, Date.now() + 3_600_000), '08-blocked-page');
		await expect(page.locator('.error').textContent()).resolves.toContain('ブロックしている');
		await page.locator('textarea[name=text]').fill('ご検討状況はいかがでしょうか');
		const answer = await press(page, '返信する', '08-blocked-reply');
		expect(answer.status).toBe(422);
		expect(answer.body).toContain('ブロックしているため');
		await page.close();
		expect(await pushesTo(blocked.userId)).toEqual([]);
		expect(await activitiesOf(id)).toEqual([]);
	});

	it('a message from a LINE user with no candidate goes to the fallback address, without a link', async () => {
		const stranger = { userId: `U${'e5f6'.repeat(8)}`, displayName: '未登録 太郎', language: 'ja', isFriend: true };
		await lineSandbox('POST', 'users', [stranger]);
		const text = `求人を見て連絡しました ${stamp}`;
		await candidateMessage(stranger.userId, { text });
		const mail = await mailContaining(text);
		expect(mail.toAddresses).toEqual([setting('fallbackEmail')]);
		expect(mail.subject).toContain('PORTERS に登録のない LINE ユーザー');
		expect(mail.text).toContain(stranger.userId);
		expect(mail.text).not.toMatch(/[?&]t=/);
	});

	itWithFileAttachments('an image message reaches the owner as an attachment, downloaded from LINE', async () => {
		const sent = await candidateMessage(writer.userId, { messageType: 'image' });
		const messageId = sent.events[0].message!.id;
		const contents = await lineSandbox<Array<{ messageId: string; sha256: string; contentType: string }>>('GET', 'contents');
		const content = contents.find((c) => c.messageId === messageId)!;
		const mail = await waitFor('the e-mail with the image', async () =>
			(await mails()).find((m) => m.toAddresses.includes(OWNER.mail) && m.attachments.some((a) => a.sha256 === content.sha256)),
		);
		expect(mail.text).toContain('（画像。添付ファイルをご覧ください）');
		expect(mail.attachments).toEqual([expect.objectContaining({ contentType: content.contentType, sha256: content.sha256 })]);
		expect(replyLinkIn(mail)).toContain('t=');
		expect(String((await candidate(writerId))[setting('unreadField')] ?? '')).not.toBe('');
	});
});
