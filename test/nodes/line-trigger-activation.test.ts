import { LineMessagingApi } from '../../credentials/LineMessagingApi.credentials';
import { LineTrigger } from '../../nodes/Line/LineTrigger.node';
import { LineSandbox } from '../../sandbox/line/server';
import { createHookContext, type ContextOptions } from '../support/n8nContext';

const PUBLIC_URL = 'https://n8n.example.jp/webhook/0b7c3a52-0000-4000-8000-000000000001/line';

describe('LINE Trigger activation (webhook-endpoint API)', () => {
	const sandbox = new LineSandbox({ requireHttpsWebhook: true });
	const trigger = new LineTrigger();

	beforeAll(async () => {
		await sandbox.start(0);
	});
	afterAll(async () => {
		await sandbox.stop();
	});
	beforeEach(() => sandbox.reset());

	function hookContext(options: Record<string, unknown>, url = PUBLIC_URL, token = 'sandbox-channel-access-token', staticData = {}) {
		const ctxOptions: ContextOptions = {
			parameters: { events: ['*'], options },
			credentials: {
				lineMessagingApi: {
					channelId: sandbox.messaging.channelId,
					channelSecret: sandbox.messaging.channelSecret,
					accessToken: token,
					apiBaseUrl: sandbox.url,
					dataApiBaseUrl: sandbox.url,
				},
			},
			credentialTypes: { lineMessagingApi: new LineMessagingApi() },
			webhookUrls: { default: url },
			staticData,
		};
		return createHookContext(ctxOptions);
	}

	const methods = trigger.webhookMethods.default;

	it('does nothing at LINE when registration is off', async () => {
		const ctx = hookContext({});
		expect(await methods.checkExists.call(ctx)).toBe(true);
		expect(await methods.create.call(ctx)).toBe(true);
		expect(await methods.delete.call(ctx)).toBe(true);
		expect(ctx.http).toHaveLength(0);
		expect(sandbox.webhookEndpoint).toBeUndefined();
	});

	it('registers the production URL on activation and finds it afterwards', async () => {
		const staticData = {};
		const ctx = hookContext({ registerWebhook: true }, PUBLIC_URL, undefined, staticData);
		expect(await methods.checkExists.call(ctx)).toBe(false);
		expect(await methods.create.call(ctx)).toBe(true);
		expect(sandbox.webhookEndpoint?.endpoint).toBe(PUBLIC_URL);
		expect(await methods.checkExists.call(hookContext({ registerWebhook: true }))).toBe(true);
		expect(await methods.delete.call(hookContext({ registerWebhook: true }, PUBLIC_URL, undefined, staticData))).toBe(true);
		expect(staticData).toEqual({});
	});

	it('sees another URL registered at LINE as "not registered"', async () => {
		await methods.create.call(hookContext({ registerWebhook: true }, 'https://other.example.jp/hook'));
		expect(await methods.checkExists.call(hookContext({ registerWebhook: true }))).toBe(false);
	});

	it('refuses to register a local or plain-HTTP address, which LINE cannot reach', async () => {
		await expect(
			methods.create.call(hookContext({ registerWebhook: true }, 'http://localhost:5678/webhook/x/line')),
		).rejects.toThrow('public HTTPS address');
		expect(sandbox.webhookEndpoint).toBeUndefined();
	});

	it('surfaces a rejected token instead of swallowing it', async () => {
		const ctx = hookContext({ registerWebhook: true }, PUBLIC_URL, 'wrong-token');
		await expect(methods.checkExists.call(ctx)).rejects.toThrow('channel access token');
		await expect(methods.create.call(ctx)).rejects.toThrow('channel access token');
	});

	it('stores the bot user ID for the destination check', async () => {
		const staticData: Record<string, unknown> = {};
		await methods.checkExists.call(hookContext({ checkDestination: true }, PUBLIC_URL, undefined, staticData));
		expect(staticData.botUserId).toBe(sandbox.messaging.botUserId);
	});
});
