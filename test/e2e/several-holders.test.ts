import { randomBytes } from 'crypto';

import type { N8nRestClient } from '../../scripts/n8n/clients/rest';
import { captured, e2e, lineSandbox, portersSandbox, shippedWorkflow, shippedWorkflows, signedIn, webhookOf } from '../support/e2e';

/**
 * Flows 01, 04 and 06 while two candidates hold the same LINE user ID (a race not yet converged,
 * or data imported twice): 01 and 04 act on the survivor — the lowest candidate ID, the same rule
 * Upsert converges by — even when PORTERS returns the other one first; 06 marks every holder as
 * blocked, so that no holder is left looking reachable.
 */

const FILES = {
	router: '00-line-events-router.json',
	friendAdded: '01-line-friend-added-to-porters.json',
	message: '04-line-message-to-porters.json',
	block: '06-line-block-to-porters.json',
};
const present = Object.values(FILES).every((file) => shippedWorkflows().some((w) => w.file === file));
const describeIfShipped = present && e2e().line && e2e().porters ? describe : describe.skip;

type Json = Record<string, unknown>;
const setting = (key: string) => String(e2e().settings[key]);

describeIfShipped('two candidates holding one LINE user ID', () => {
	let rest: N8nRestClient;
	let triggerUrl: string;
	const userId = `U${randomBytes(16).toString('hex')}`;
	// IDs far above the fixture's; PORTERS (sandbox switch) lists the newest first.
	const survivor = 7_000_000 + Math.floor(Math.random() * 1_000_000) * 2;
	const other = survivor + 1;

	beforeAll(async () => {
		rest = await signedIn();
		triggerUrl = webhookOf(shippedWorkflow(FILES.router), 'LINE Trigger');
		await lineSandbox('POST', 'users', [{ userId, displayName: 'LINE 二重 さん', language: 'ja', isFriend: true }]);
		for (const [id, name] of [
			[other, '二重 登録B'],
			[survivor, '二重 登録A'],
		] as const) {
			await portersSandbox('POST', 'records/candidate', {
				'Person.P_Id': id,
				'Person.P_Owner': 5,
				'Person.P_Name': name,
				[setting('lineUserIdField')]: userId,
			});
		}
		const listed = (await portersSandbox<Json[]>('GET', 'records/candidate')).filter(
			(c) => c[setting('lineUserIdField')] === userId,
		);
		expect(listed.map((c) => c['Person.P_Id'])).toEqual([other, survivor]);
		await portersSandbox('POST', 'switches', { defaultReadOrder: 'idDesc' });
	});

	afterAll(async () => {
		await portersSandbox('POST', 'switches', { defaultReadOrder: 'idAsc' });
	});

	async function deliver(type: 'follow' | 'message' | 'unfollow', file: string, extra: Json = {}) {
		const flow = shippedWorkflow(file);
		const before = await rest.executionIds(flow.id);
		const sent = await lineSandbox<{ status: number }>('POST', 'webhook', {
			url: triggerUrl,
			events: [{ type, userId, ...extra }],
		});
		expect(sent.status).toBe(200);
		const [run] = await rest.waitForExecutions(flow.id, { exclude: before });
		expect(run.status).toBe('success');
	}

	const record = async (id: number) => await portersSandbox<Json>('GET', `records/candidate/${id}`);

	it('01: a follow updates the survivor, creates nothing and welcomes once', async () => {
		const countBefore = (await portersSandbox<Json[]>('GET', 'records/candidate')).length;
		await deliver('follow', FILES.friendAdded);
		expect(await portersSandbox<Json[]>('GET', 'records/candidate')).toHaveLength(countBefore);
		expect((await record(survivor))[setting('lineStatusField')]).toEqual([setting('statusFollowing')]);
		expect((await record(other))[setting('lineStatusField')] ?? null).toBeNull();
		// The upsert does not rename anyone: the name is written only when creating.
		expect((await record(survivor))['Person.P_Name']).toBe('二重 登録A');
		const state = await lineSandbox<{ deliveries: Array<{ kind: string; to: string[] }> }>('GET', 'state');
		expect(state.deliveries.filter((d) => d.kind === 'reply' && d.to.includes(userId))).toHaveLength(1);
	});

	it('04: a message is recorded on the survivor and the recruiter is told the survivor', async () => {
		const notifiedBefore = (await captured('recruiterNotify')).length;
		const text = `二重登録のテスト ${Date.now()}`;
		await deliver('message', FILES.message, { text });
		const activities = (await portersSandbox<Json[]>('GET', 'records/activity')).filter((a) => a['Activity.P_Memo'] === text);
		expect(activities.map((a) => a['Activity.P_ResourceId'])).toEqual([survivor]);
		const notifications = (await captured('recruiterNotify')).slice(notifiedBefore).map((n) => n.json as Json);
		expect(notifications).toEqual([expect.objectContaining({ lineUserId: userId, candidateId: survivor, candidateName: '二重 登録A' })]);
	});

	it('06: a block marks every holder as blocked', async () => {
		await deliver('unfollow', FILES.block);
		for (const id of [survivor, other]) {
			expect({ id, status: (await record(id))[setting('lineStatusField')] }).toEqual({ id, status: [setting('statusBlocked')] });
		}
	});
});
