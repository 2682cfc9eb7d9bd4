import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import { PortersApi } from '../../credentials/PortersApi.credentials';
import { PortersSandbox } from '../../sandbox/porters/server';
import { WebhookReceiver } from '../../sandbox/line/receiver';
import type { LineSandbox } from '../../sandbox/line/server';
import { requestsTo, runLine, startSandbox } from '../support/lineNode';

const CHECKS = ['accessToken', 'webhookUrl', 'webhookActive', 'webhookTest', 'markAsReadMode'];

function byCheck(json: IDataObject[]): Record<string, IDataObject> {
	return Object.fromEntries(json.map((entry) => [entry.check as string, entry]));
}

describe('LINE node: Check Setup', () => {
	const receiver = new WebhookReceiver();
	let sandbox: LineSandbox;
	let chatOff: LineSandbox | undefined;

	beforeAll(async () => {
		await receiver.start(0);
		sandbox = await startSandbox({ webhookEndpoint: receiver.url });
	});
	afterAll(async () => {
		await sandbox.stop();
		await chatOff?.stop();
		await receiver.stop();
	});
	beforeEach(() => {
		sandbox.reset();
		receiver.status = 200;
		receiver.received.length = 0;
	});

	function check(target: LineSandbox, parameters: Record<string, unknown> = {}, accessToken?: string) {
		return runLine(target, {
			resource: 'account',
			operation: 'checkSetup',
			parameters: { webhookUrl: receiver.url, runWebhookTest: true, failOnProblems: false, ...parameters },
			accessToken,
		});
	}

	it('passes every check when the channel is set up right', async () => {
		const { json, output } = await check(sandbox);
		expect(json.map((entry) => entry.check)).toEqual(CHECKS);
		for (const entry of json) {
			expect(entry).toMatchObject({ status: 'pass', fix: null });
			expect(typeof entry.title).toBe('string');
			expect(typeof entry.message).toBe('string');
		}
		expect(byCheck(json).accessToken.message).toContain('Sandbox Recruiting');
		for (const item of output) expect(item.pairedItem).toEqual({ item: 0 });
		// LINE's test really reached the receiver, with LINE's empty Verify payload.
		expect(receiver.received).toHaveLength(1);
		expect(receiver.lastJson()).toEqual({ destination: sandbox.messaging.botUserId, events: [] });
		expect(requestsTo(sandbox, '/v2/bot/channel/webhook/test')[0].body).toEqual({ endpoint: receiver.url });
	});

	it('says when the webhook URL at LINE is a different one, and where to fix it', async () => {
		sandbox.webhookEndpoint = { endpoint: 'https://old-server.example.com/line/webhook', active: true };
		const { json } = await check(sandbox);
		const entry = byCheck(json).webhookUrl;
		expect(entry.status).toBe('fail');
		expect(entry.message).toMatch(/^Webhook URL does not match: LINE has "https:\/\/old-server\.example\.com\/line\/webhook"/);
		expect(entry.fix).toMatch(/^Set it in LINE Developers console → .*Messaging API.* → Webhook URL to http:\/\/127\.0\.0\.1:\d+\/webhook\.$/);
		expect(byCheck(json).accessToken.status).toBe('pass');
	});

	it('points out a URL that differs only by a stray space from copying', async () => {
		sandbox.webhookEndpoint = { endpoint: `${receiver.url} `, active: true };
		const { json } = await check(sandbox);
		expect(byCheck(json).webhookUrl.message).toContain('differ only in spaces or line breaks');
	});

	it('says when no webhook URL is set, or when the webhook is turned off', async () => {
		sandbox.webhookEndpoint = undefined;
		const none = byCheck((await check(sandbox)).json);
		expect(none.webhookUrl).toMatchObject({ status: 'fail', message: 'No webhook URL is set at LINE.' });
		expect(none.webhookActive.status).toBe('skipped');

		sandbox.webhookEndpoint = { endpoint: receiver.url, active: false };
		const off = byCheck((await check(sandbox)).json);
		expect(off.webhookUrl.status).toBe('pass');
		expect(off.webhookActive).toMatchObject({ status: 'fail' });
		expect(off.webhookActive.fix).toContain('Use webhook');
	});

	it("reports LINE's failed webhook test with n8n's answer and a fix", async () => {
		receiver.status = 404;
		const { json } = await check(sandbox);
		const entry = byCheck(json).webhookTest;
		expect(entry.status).toBe('fail');
		expect(entry.message).toContain('n8n answered HTTP 404');
		expect(entry.fix).toMatch(/Activate the workflow that contains the LINE Trigger/);

		receiver.status = 401;
		const signature = byCheck((await check(sandbox)).json).webhookTest;
		expect(signature.fix).toMatch(/Channel secret/);
	});

	it('does not spend a webhook test when told not to', async () => {
		const { json } = await check(sandbox, { runWebhookTest: false });
		expect(byCheck(json).webhookTest.status).toBe('skipped');
		expect(receiver.received).toHaveLength(0);
		expect(requestsTo(sandbox, '/v2/bot/channel/webhook/test')).toHaveLength(0);
	});

	it('reports the hourly limit of webhook tests without retrying', async () => {
		sandbox.injectFaults([{ status: 429, path: '/v2/bot/channel/webhook/test' }]);
		const { json } = await check(sandbox);
		expect(byCheck(json).webhookTest.message).toContain('at most 60 webhook tests per hour');
		expect(requestsTo(sandbox, '/v2/bot/channel/webhook/test')).toHaveLength(1);
	});

	it('fails the access token check and skips what needs it', async () => {
		const { json } = await check(sandbox, {}, 'not-a-valid-token');
		const checks = byCheck(json);
		expect(checks.accessToken).toMatchObject({ status: 'fail' });
		expect(checks.accessToken.message).toContain('HTTP 401');
		expect(checks.accessToken.fix).toContain('Channel access token');
		for (const name of CHECKS.slice(1)) expect(checks[name].status).toBe('skipped');
		expect(JSON.stringify(json)).not.toContain('not-a-valid-token');
	});

	it('fails the read-mode check when Chat is off', async () => {
		chatOff = await startSandbox({
			webhookEndpoint: receiver.url,
			messaging: { chatMode: 'bot', markAsReadMode: 'auto' },
		});
		const { json } = await check(chatOff);
		const entry = byCheck(json).markAsReadMode;
		expect(entry.status).toBe('fail');
		expect(entry.message).toContain('Chat is off');
		expect(entry.fix).toContain('LINE Official Account Manager');
	});

	it('can stop the workflow with the list of problems', async () => {
		sandbox.webhookEndpoint = undefined;
		receiver.status = 500;
		let failure: Error | undefined;
		try {
			await check(sandbox, { failOnProblems: true });
		} catch (error) {
			failure = error as Error;
		}
		expect(failure).toBeInstanceOf(NodeOperationError);
		expect(failure?.message).toBe('Setup check failed: Webhook URL matches, Test webhook is delivered');
		expect((failure as NodeOperationError).description).toContain('No webhook URL is set at LINE.');
	});

	it('asks for the URL when none is given', async () => {
		const { json } = await check(sandbox, { webhookUrl: '' });
		expect(byCheck(json).webhookUrl.status).toBe('fail');
		expect(byCheck(json).webhookUrl.fix).toContain('Production URL');
		expect(byCheck(json).webhookTest.status).toBe('skipped');
	});
});

describe('LINE node: Check Setup with a PORTERS credential', () => {
	const receiver = new WebhookReceiver();
	const porters = new PortersSandbox();
	let sandbox: LineSandbox;

	beforeAll(async () => {
		await receiver.start(0);
		await porters.start(0);
		sandbox = await startSandbox({ webhookEndpoint: receiver.url });
	});
	afterAll(async () => {
		await sandbox.stop();
		await porters.stop();
		await receiver.stop();
	});

	function portersCredential(partitionId: number, appSecret = porters.app.secret) {
		return {
			portersApi: {
				type: new PortersApi(),
				data: {
					host: porters.host,
					protocol: 'http',
					appId: porters.app.appId,
					appSecret,
					partitionId,
					defaultOwnerUserId: 0,
					session: '',
					staleSession: '',
				},
			},
		};
	}

	function check(otherCredentials?: ReturnType<typeof portersCredential>) {
		return runLine(sandbox, {
			resource: 'account',
			operation: 'checkSetup',
			parameters: { webhookUrl: receiver.url, runWebhookTest: false, failOnProblems: false },
			otherCredentials,
		});
	}

	it('adds no PORTERS check without a PORTERS credential', async () => {
		const { json } = await check();
		expect(json.map((entry) => entry.check)).toEqual(CHECKS);
	});

	it('passes when the credential reaches its partition', async () => {
		const { json } = await check(portersCredential(porters.partitionId));
		const entry = byCheck(json).portersPartition;
		expect(entry).toMatchObject({ status: 'pass', fix: null });
		expect(entry.message).toContain(String(porters.partitionId));
	});

	it('fails with a fix when the partition is not the app\'s, or the secret is wrong', async () => {
		const wrongPartition = byCheck((await check(portersCredential(123456))).json).portersPartition;
		expect(wrongPartition.status).toBe('fail');
		expect(wrongPartition.message).toMatch(/^PORTERS: .*partition/i);
		expect(wrongPartition.fix).toMatch(/Partition ID/);

		const wrongSecret = 'definitely-not-the-secret-42';
		const { json } = await check(portersCredential(porters.partitionId, wrongSecret));
		expect(byCheck(json).portersPartition.status).toBe('fail');
		expect(JSON.stringify(json)).not.toContain(wrongSecret);
		// The LINE checks are unaffected.
		expect(byCheck(json).accessToken.status).toBe('pass');
	});
});
