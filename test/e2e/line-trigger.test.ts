import { nodeOutput, type N8nRestClient } from '../../scripts/n8n/clients/rest';
import { e2e, fixtureWorkflow, lineSandbox, signedIn, webhookOf } from '../support/e2e';

/**
 * The package's LINE Trigger in the real n8n, driven by the LINE sandbox playing the platform:
 * signed webhooks start an execution with one item per event; a bad or missing signature is
 * answered 401 and starts nothing; LINE's Verify call (no events) is answered 200 and starts nothing.
 */

const workflow = fixtureWorkflow('line-trigger.json');
const describeIfPresent = workflow && e2e().line ? describe : describe.skip;

interface SentWebhook {
	status: number;
	body: string;
	events: Array<{ webhookEventId: string; source: { userId: string }; type: string }>;
}

describeIfPresent('LINE Trigger in the real n8n', () => {
	let rest: N8nRestClient;
	let url: string;

	beforeAll(async () => {
		rest = await signedIn();
		url = webhookOf(workflow!, 'LINE Trigger');
	});

	it('is listed as a production webhook under its webhook ID', () => {
		// Main serves production webhooks in regular mode, the webhook processor in queue mode.
		expect(url).toBe(`${e2e().n8n.webhookBaseUrl}/webhook/c4a8e2d6-1b3f-4a5c-9d7e-8f0a2b4c6d01/line`);
	});

	it('starts an execution for a signed follow event, with the event as the item', async () => {
		const before = await rest.executionIds(workflow!.id);
		const sent = await lineSandbox<SentWebhook>('POST', 'webhook', {
			url,
			events: [{ type: 'follow' }],
		});
		expect(sent.status).toBe(200);
		const [execution] = await rest.waitForExecutions(workflow!.id, { exclude: before });
		expect(execution.status).toBe('success');
		const [event] = sent.events;
		expect(nodeOutput(execution, 'Summarise Event')).toEqual([
			{
				eventType: 'follow',
				lineUserId: event.source.userId,
				webhookEventId: event.webhookEventId,
			},
		]);
	});

	it('gives one item per event when LINE batches events', async () => {
		const before = await rest.executionIds(workflow!.id);
		const sent = await lineSandbox<SentWebhook>('POST', 'webhook', {
			url,
			events: [{ type: 'message', text: 'はじめまして 👋' }, { type: 'unfollow' }],
		});
		expect(sent.status).toBe(200);
		const [execution] = await rest.waitForExecutions(workflow!.id, { exclude: before });
		const items = nodeOutput(execution, 'Summarise Event');
		expect(items.map((item) => item.eventType)).toEqual(['message', 'unfollow']);
		expect(items.map((item) => item.webhookEventId)).toEqual(
			sent.events.map((event) => event.webhookEventId),
		);
	});

	it('answers 401 to a forged signature and to a missing one, and starts nothing', async () => {
		const before = await rest.executionIds(workflow!.id);
		const forged = await lineSandbox<SentWebhook>('POST', 'webhook', {
			url,
			events: [{ type: 'follow' }],
			forgeSignature: true,
		});
		expect(forged.status).toBe(401);
		const unsigned = await lineSandbox<SentWebhook>('POST', 'webhook', {
			url,
			events: [{ type: 'follow' }],
			signatureHeader: null,
		});
		expect(unsigned.status).toBe(401);
		// An execution would have been created before the 401 was sent; give n8n a moment anyway.
		await new Promise((resolveWait) => setTimeout(resolveWait, 500));
		expect(await rest.executionIds(workflow!.id)).toEqual(before);
	});

	it('answers LINE’s Verify call with 200 and starts nothing', async () => {
		const before = await rest.executionIds(workflow!.id);
		const verify = await lineSandbox<{ status: number }>('POST', 'verify', { url });
		expect(verify.status).toBe(200);
		await new Promise((resolveWait) => setTimeout(resolveWait, 500));
		expect(await rest.executionIds(workflow!.id)).toEqual(before);
	});
});
