import { randomBytes } from 'crypto';

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
 * One LINE user, one candidate, when a friend-add came first: the follow created a placeholder
 * candidate (flow 01); the person then links their real candidate through a link URL (flows 02
 * and 03). Afterwards only the linked candidate holds the LINE user ID; the placeholder is marked
 * merged, or, when a recruiter had already entered data on it, keeps that data and is flagged for
 * review; the recruiters' chat tool is told either way.
 */

const FILES = {
	router: '00-line-events-router.json',
	friendAdded: '01-line-friend-added-to-porters.json',
	linkUrl: '02-candidate-link-url.json',
	callback: '03-line-login-callback.json',
};
const present = Object.values(FILES).every((file) => shippedWorkflows().some((w) => w.file === file));
const describeIfShipped = present && e2e().line && e2e().porters ? describe : describe.skip;

type Json = Record<string, unknown>;
const setting = (key: string) => String(e2e().settings[key]);

describeIfShipped('linking a LINE user who already has a friend-add candidate', () => {
	let rest: N8nRestClient;

	beforeAll(async () => {
		rest = await signedIn();
	});

	const candidate = async (id: number) => await portersSandbox<Json>('GET', `records/candidate/${id}`);
	const holdersOf = async (userId: string) =>
		(await portersSandbox<Json[]>('GET', 'records/candidate')).filter((c) => c[setting('lineUserIdField')] === userId);

	/** A new LINE user follows: flow 01 creates the placeholder candidate. Returns its ID. */
	async function followAsNewUser(userId: string, displayName: string): Promise<number> {
		await lineSandbox('POST', 'users', [{ userId, displayName, language: 'ja', isFriend: false }]);
		const flow = shippedWorkflow(FILES.friendAdded);
		const before = await rest.executionIds(flow.id);
		const sent = await lineSandbox<{ status: number }>('POST', 'webhook', {
			url: webhookOf(shippedWorkflow(FILES.router), 'LINE Trigger'),
			events: [{ type: 'follow', userId }],
		});
		expect(sent.status).toBe(200);
		const [run] = await rest.waitForExecutions(flow.id, { exclude: before });
		expect(run.status).toBe('success');
		const holders = await holdersOf(userId);
		expect(holders.map((h) => h['Person.P_Name'])).toEqual([displayName]);
		return Number(holders[0]['Person.P_Id']);
	}

	/** The recruiter's own candidate, entered in PORTERS before any LINE contact. */
	async function recruitersCandidate(name: string): Promise<number> {
		const created = await portersSandbox<Json>('POST', 'records/candidate', {
			'Person.P_Owner': 5,
			'Person.P_Name': name,
			'Person.P_Mail': `${randomBytes(4).toString('hex')}@example.jp`,
		});
		return Number(created['Person.P_Id']);
	}

	/** Flows 02 and 03: a link URL for the candidate, opened by the LINE user, login approved. */
	async function linkThroughLineLogin(candidateId: number, userId: string) {
		const response = await fetch(webhookOf(shippedWorkflow(FILES.linkUrl), 'Request Link URL'), {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...recruiterHeaders() },
			body: JSON.stringify({ candidateId: String(candidateId) }),
		});
		expect(response.status).toBe(200);
		const link = (await response.json()) as { url: string };
		await lineSandbox('POST', 'login/consent', { userId, decision: 'approve', addFriend: false });
		const callback = shippedWorkflow(FILES.callback);
		const before = await rest.executionIds(callback.id);
		const notifiedBefore = (await captured('recruiterNotify')).length;
		const page = await new Browser().open(link.url);
		expect(page.status).toBe(200);
		expect(page.body).toContain('LINE連携が完了しました');
		const [run] = await rest.waitForExecutions(callback.id, { exclude: before });
		expect(run.status).toBe('success');
		return (await captured('recruiterNotify')).slice(notifiedBefore);
	}

	it('absorbs the friend-add placeholder: the linked candidate alone holds the ID, the placeholder is marked merged', async () => {
		const userId = `U${randomBytes(16).toString('hex')}`;
		const placeholder = await followAsNewUser(userId, 'LINE 仮登録 さん');
		const linked = await recruitersCandidate('山本 結衣');

		const notifications = await linkThroughLineLogin(linked, userId);

		expect((await holdersOf(userId)).map((h) => Number(h['Person.P_Id']))).toEqual([linked]);
		const retired = await candidate(placeholder);
		expect(retired[setting('lineUserIdField')] ?? null).toBeNull();
		expect(retired['Person.P_Memo']).toBe(`LINE連携: 候補者 ${linked} に統合`);
		expect((await candidate(linked))['Person.P_Name']).toBe('山本 結衣');
		expect(notifications.map((n) => n.json)).toEqual([
			expect.objectContaining({
				reason: 'placeholder_merged',
				candidateId: linked,
				lineUserId: userId,
				merged: [placeholder],
				review: [],
				text: expect.stringContaining(`候補者 ${placeholder} は統合済み`),
			}),
		]);
	});

	it('keeps recruiter data on the other candidate: nothing moved or overwritten, ID cleared, flagged, recruiter told', async () => {
		const userId = `U${randomBytes(16).toString('hex')}`;
		const earlier = await followAsNewUser(userId, 'LINE 表示名 たろう');
		// A recruiter already worked on the friend-add candidate.
		await portersSandbox('PATCH', `records/candidate/${earlier}`, {
			'Person.P_Mail': 'taro@example.jp',
			'Person.P_Memo': '電話で一次面談済み',
		});
		const linked = await recruitersCandidate('田中 太郎');

		const notifications = await linkThroughLineLogin(linked, userId);

		expect((await holdersOf(userId)).map((h) => Number(h['Person.P_Id']))).toEqual([linked]);
		const flagged = await candidate(earlier);
		expect(flagged).toMatchObject({
			'Person.P_Name': 'LINE 表示名 たろう',
			'Person.P_Mail': 'taro@example.jp',
			'Person.P_Memo': `【要確認】LINE連携: このLINEユーザーは候補者 ${linked} に連携されました\n電話で一次面談済み`,
		});
		expect(flagged[setting('lineUserIdField')] ?? null).toBeNull();
		expect((await candidate(linked))['Person.P_Mail']).not.toBe('taro@example.jp');
		expect(notifications.map((n) => n.json)).toEqual([
			expect.objectContaining({
				reason: 'linked_elsewhere_review',
				candidateId: linked,
				merged: [],
				review: [earlier],
				text: expect.stringContaining('ご確認ください'),
			}),
		]);
	});

	it('tells no one when there was nothing to absorb', async () => {
		const userId = `U${randomBytes(16).toString('hex')}`;
		await lineSandbox('POST', 'users', [{ userId, displayName: '新規 さん', language: 'ja', isFriend: false }]);
		const linked = await recruitersCandidate('新規 さん');

		const notifications = await linkThroughLineLogin(linked, userId);

		expect((await holdersOf(userId)).map((h) => Number(h['Person.P_Id']))).toEqual([linked]);
		expect(notifications).toEqual([]);
	});
});
