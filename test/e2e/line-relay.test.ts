import { readFileSync } from 'fs';
import { nodeOutput, type N8nRestClient } from '../../scripts/n8n/clients/rest';
import { ToolReceiver } from '../../sandbox/line/toolReceiver';
import { e2e, fixtureWorkflow, lineSandbox, signedIn, webhookOf } from '../support/e2e';

/**
 * The LINE Trigger beside a LINE marketing tool, in the real n8n (regular and queue mode), with
 * the LINE sandbox playing LINE and `ToolReceiver` playing the tool.
 * Fan-out: fixtures/line-relay.json relays to the tool on a fixed port (TOOL_PORT), so the
 * imported workflow can name it. Fan-in: the tool forwards LINE's webhooks to a trigger, byte for
 * byte (fixtures/line-trigger.json, no setting) or re-serialised with the shared secret
 * (fixtures/line-relay.json).
 */

const TOOL_PORT = 47913;
const SHARED_SECRET = 'e2e-relay-shared-secret-5f0c2a9e7b1d4e3f';
const relayWorkflow = fixtureWorkflow('line-relay.json');
const plainWorkflow = fixtureWorkflow('line-trigger.json');
const describeIfPresent = relayWorkflow && plainWorkflow && e2e().line ? describe : describe.skip;

interface SentWebhook {
	status: number;
	payload: string;
	signature?: string;
	elapsedMs: number;
	events: Array<{ webhookEventId: string; type: string }>;
}

const pause = (ms: number) => new Promise((resolveWait) => setTimeout(resolveWait, ms));

async function until(what: string, predicate: () => boolean, timeoutMs = 10000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await pause(25);
	}
}

function n8nLogs(): string {
	return e2e().n8n.logFiles.map((file) => readFileSync(file, 'utf8')).join('\n');
}

describeIfPresent('LINE Trigger beside a marketing tool in the real n8n', () => {
	let rest: N8nRestClient;
	let relayUrl: string;
	let plainUrl: string;
	const tool = new ToolReceiver();

	beforeAll(async () => {
		rest = await signedIn();
		relayUrl = webhookOf(relayWorkflow!, 'LINE Trigger');
		plainUrl = webhookOf(plainWorkflow!, 'LINE Trigger');
		await tool.start(TOOL_PORT);
	});
	afterAll(async () => {
		await tool.stop();
	});
	beforeEach(async () => {
		await tool.configure({ mode: 'ok', forwardMode: 'bytes', sharedSecret: undefined, forwardTo: undefined });
		tool.reset();
	});

	it('fan-out: follow, message and unfollow reach the workflow and the tool, byte-identical', async () => {
		for (const spec of [{ type: 'follow' }, { type: 'message', text: '応募したいです 📝 https://example.com/a' }, { type: 'unfollow' }]) {
			const before = await rest.executionIds(relayWorkflow!.id);
			const sent = await lineSandbox<SentWebhook>('POST', 'webhook', { url: relayUrl, events: [spec] });
			expect(sent.status).toBe(200);
			const [execution] = await rest.waitForExecutions(relayWorkflow!.id, { exclude: before });
			expect(execution.status).toBe('success');
			expect(nodeOutput(execution, 'Summarise Event').map((item) => item.webhookEventId)).toEqual([sent.events[0].webhookEventId]);
			await until(`the tool to get the ${spec.type}`, () => tool.received.length === 1);
			const [received] = tool.received;
			expect(received.rawBody.equals(Buffer.from(sent.payload, 'utf8'))).toBe(true);
			expect(received.headers['x-line-signature']).toBe(sent.signature);
			expect(received.headers['content-type']).toBe('application/json; charset=utf-8');
			expect(received.signatureValid).toBe(true);
			tool.reset();
		}
	});

	it('fan-out: Verify and an event type the workflow does not select reach the tool only', async () => {
		const before = await rest.executionIds(relayWorkflow!.id);
		const verify = await lineSandbox<{ status: number }>('POST', 'verify', { url: relayUrl });
		expect(verify.status).toBe(200);
		const postback = await lineSandbox<SentWebhook>('POST', 'webhook', { url: relayUrl, events: [{ type: 'postback', data: 'a=1' }] });
		expect(postback.status).toBe(200);
		await until('both at the tool', () => tool.received.length === 2);
		expect(tool.received.every((r) => r.signatureValid)).toBe(true);
		expect(tool.received[1].rawBody.toString('utf8')).toBe(postback.payload);
		await pause(500);
		expect(await rest.executionIds(relayWorkflow!.id)).toEqual(before);
	});

	it('fan-out: a tool that hangs 10 s delays neither LINE’s 200 nor the workflow', async () => {
		await tool.configure({ mode: 'slow', delayMs: 10_000 });
		const before = await rest.executionIds(relayWorkflow!.id);
		// The sandbox gives up after LINE's 2 s, so 200 here means n8n answered in time.
		const sent = await lineSandbox<SentWebhook>('POST', 'webhook', { url: relayUrl, events: [{ type: 'follow' }] });
		expect(sent.status).toBe(200);
		const [execution] = await rest.waitForExecutions(relayWorkflow!.id, { exclude: before });
		expect(execution.status).toBe('success');
		await until('the tool to get it', () => tool.received.length === 1);
		expect(tool.received[0].answeredStatus).toBe(0);
		// The relay waits for the slow answer (no second copy, no failure report for later tests to see).
		await until('the tool to answer', () => tool.received[0].answeredStatus === 200, 12_000);
		await pause(300);
		expect(tool.received).toHaveLength(1);
	});

	it('fan-out: with the tool down the workflow still runs, LINE gets 200, n8n logs a warning and the failure is an execution on Relay Failures', async () => {
		await tool.configure({ mode: 'down' });
		const before = await rest.executionIds(relayWorkflow!.id);
		const sent = await lineSandbox<SentWebhook>('POST', 'webhook', { url: relayUrl, events: [{ type: 'follow' }] });
		expect(sent.status).toBe(200);
		const eventId = sent.events[0].webhookEventId;
		// The events first, at once; the report after the retries (2 here, 100-200 ms apart).
		const executions = await rest.waitForExecutions(relayWorkflow!.id, { exclude: before, count: 2 });
		expect(executions.map((e) => e.status)).toEqual(['success', 'success']);
		const events = executions.find((e) => e.data.resultData.runData['Summarise Event'] !== undefined)!;
		expect(nodeOutput(events, 'Summarise Event').map((item) => item.webhookEventId)).toEqual([eventId]);
		const report = executions.find((e) => e !== events)!;
		expect(Object.keys(report.data.resultData.runData)).toEqual(['LINE Trigger']);
		expect(nodeOutput(report, 'LINE Trigger', 0)).toEqual([]);
		expect(nodeOutput(report, 'LINE Trigger', 1)).toEqual([
			expect.objectContaining({ target: `http://127.0.0.1:${TOOL_PORT}/webhook`, status: 0, attempts: 3, eventCount: 1, webhookEventIds: [eventId] }),
		]);
		await until('the warning in n8n’s log', () => n8nLogs().includes(eventId) && /could not relay a LINE webhook to http:\/\/127\.0\.0\.1:47913\/webhook/.test(n8nLogs()));
		await tool.configure({ mode: 'ok' });
	});

	it('fan-out: a forged request is answered 401 and relayed nowhere', async () => {
		const before = await rest.executionIds(relayWorkflow!.id);
		const forged = await lineSandbox<SentWebhook>('POST', 'webhook', { url: relayUrl, events: [{ type: 'follow' }], forgeSignature: true });
		expect(forged.status).toBe(401);
		await pause(800);
		// Retries of an earlier test's relays may still reach the tool (its last test brings the tool
		// back up), so look for the forged bytes themselves: they must have reached nobody.
		expect(tool.received.filter((r) => r.rawBody.toString('utf8') === forged.payload)).toEqual([]);
		expect(tool.received.every((r) => r.signatureValid)).toBe(true);
		expect(await rest.executionIds(relayWorkflow!.id)).toEqual(before);
	});

	it('fan-in: LINE → tool → trigger with the bytes and signature unchanged, no setting needed', async () => {
		const before = await rest.executionIds(plainWorkflow!.id);
		const sent = await lineSandbox<SentWebhook>('POST', 'webhook', { url: plainUrl, events: [{ type: 'follow' }], via: tool.base });
		expect(sent.status).toBe(200);
		await tool.settled();
		expect(tool.forwards.map((f) => f.status)).toEqual([200]);
		const [execution] = await rest.waitForExecutions(plainWorkflow!.id, { exclude: before });
		expect(nodeOutput(execution, 'Summarise Event').map((item) => item.webhookEventId)).toEqual([sent.events[0].webhookEventId]);
	});

	it('fan-in: a re-serialised body is refused without the secret and accepted with it', async () => {
		await tool.configure({ forwardMode: 'reserialized', keepSignatureWhenReserialized: true });
		const plainBefore = await rest.executionIds(plainWorkflow!.id);
		await lineSandbox<SentWebhook>('POST', 'webhook', { url: plainUrl, events: [{ type: 'follow' }], via: tool.base });
		await tool.settled();
		expect(tool.forwards.map((f) => f.status)).toEqual([401]);

		await tool.configure({ sharedSecret: SHARED_SECRET, secretIn: 'header', secretName: 'x-relay-secret' });
		const before = await rest.executionIds(relayWorkflow!.id);
		const sent = await lineSandbox<SentWebhook>('POST', 'webhook', { url: relayUrl, events: [{ type: 'message', text: 'こんにちは' }], via: tool.base });
		await tool.settled();
		expect(tool.forwards.map((f) => f.status)).toEqual([401, 200]);
		const [execution] = await rest.waitForExecutions(relayWorkflow!.id, { exclude: before });
		expect(nodeOutput(execution, 'Summarise Event').map((item) => item.webhookEventId)).toEqual([sent.events[0].webhookEventId]);

		await tool.configure({ sharedSecret: 'not-the-secret' });
		await lineSandbox<SentWebhook>('POST', 'webhook', { url: relayUrl, events: [{ type: 'follow' }], via: tool.base });
		await tool.settled();
		expect(tool.forwards.map((f) => f.status)).toEqual([401, 200, 401]);
		// What the trigger accepted by secret is not relayed back to the tool: only LINE's three requests arrived.
		await pause(500);
		expect(tool.received).toHaveLength(3);
		expect(await rest.executionIds(plainWorkflow!.id)).toEqual(plainBefore);
	});
});
