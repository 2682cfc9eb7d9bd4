import type { IDataObject } from 'n8n-workflow';
import { WebhookReceiver } from '../../sandbox/line/receiver';
import type { LineSandbox } from '../../sandbox/line/server';
import { requestsTo, runLine, startSandbox } from '../support/lineNode';

const RELAY = 'https://tool.example.com/line/webhook/abc';

function byCheck(json: IDataObject[]): Record<string, IDataObject> {
	return Object.fromEntries(json.map((entry) => [entry.check as string, entry]));
}

describe("LINE node: Check Setup when LINE's webhook URL points to a relay", () => {
	const trigger = new WebhookReceiver();
	let sandbox: LineSandbox;

	beforeAll(async () => {
		await trigger.start(0);
		sandbox = await startSandbox({ webhookEndpoint: RELAY });
	});
	afterAll(async () => {
		await sandbox.stop();
		await trigger.stop();
	});
	beforeEach(() => {
		sandbox.reset();
		sandbox.webhookEndpoint = { endpoint: RELAY, active: true };
		trigger.status = 200;
		trigger.received.length = 0;
	});

	function check(parameters: Record<string, unknown>) {
		return runLine(sandbox, {
			resource: 'account',
			operation: 'checkSetup',
			parameters: { webhookUrl: trigger.url, runWebhookTest: true, failOnProblems: false, ...parameters },
		});
	}

	it("passes when LINE has the relay's URL, and says what it could not check", async () => {
		const { json } = await check({ webhookUrlIsRelay: true, relayUrl: RELAY });
		const checks = byCheck(json);
		expect(checks.webhookUrl.status).toBe('pass');
		expect(checks.webhookUrl.message).toContain(`LINE sends webhooks to the relay ${RELAY}`);
		expect(checks.webhookUrl.message).toContain(`Not checked`);
		expect(checks.webhookUrl.message).toContain(`whether the relay forwards them to ${trigger.url}`);
		expect(checks.webhookActive.status).toBe('pass');
		// LINE's test goes to the trigger itself, and the result says so.
		expect(requestsTo(sandbox, '/v2/bot/channel/webhook/test')[0].body).toEqual({ endpoint: trigger.url });
		expect(checks.webhookTest).toMatchObject({ status: 'pass' });
		expect(checks.webhookTest.message).toContain('directly, not through the relay');
	});

	it('without the option, the same channel fails with "Webhook URL does not match"', async () => {
		const { json } = await check({});
		expect(byCheck(json).webhookUrl.status).toBe('fail');
		expect(byCheck(json).webhookUrl.message).toMatch(/^Webhook URL does not match/);
	});

	it("fails when LINE has another URL than the relay's, with where to fix it", async () => {
		sandbox.webhookEndpoint = { endpoint: 'https://old.example.com/hook', active: true };
		const { json } = await check({ webhookUrlIsRelay: true, relayUrl: RELAY });
		const entry = byCheck(json).webhookUrl;
		expect(entry.status).toBe('fail');
		expect(entry.message).toBe(
			`LINE's webhook URL is not the relay's: LINE has "https://old.example.com/hook", the relay's URL is "${RELAY}".`,
		);
		expect(entry.fix).toContain(`to ${RELAY}`);
	});

	it('fails when the option is on but no relay URL is given', async () => {
		const { json } = await check({ webhookUrlIsRelay: true, relayUrl: '  ' });
		expect(byCheck(json).webhookUrl).toMatchObject({ status: 'fail' });
		expect(byCheck(json).webhookUrl.message).toContain('no relay URL was given');
	});
});
