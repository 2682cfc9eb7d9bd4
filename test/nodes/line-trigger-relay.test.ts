import { LineMessagingApi } from '../../credentials/LineMessagingApi.credentials';
import { RELAY_REPORT_HEADER, signRelayReport } from '../../core/line/relay';
import { computeLineSignature } from '../../core/line/signature';
import { LineTrigger } from '../../nodes/Line/LineTrigger.node';
import { ToolReceiver, reserializeJson } from '../../sandbox/line/toolReceiver';
import { createWebhookContext, type ContextOptions } from '../support/n8nContext';

const SECRET = '8c570fa6dd201bb328f1c1eac23a96d8';
const BOT = 'U8e742f61d673b39c7fff3cecb7536ef0';
const USER = 'U4af4980629b8f2f9d1b34f6b0e1a7c01';
const CONTENT_TYPE = 'application/json; charset=utf-8';

interface Warning {
	message: string;
	meta: Record<string, unknown>;
}

function event(type: string, timestamp: number, extra: Record<string, unknown> = {}) {
	return {
		type,
		timestamp,
		mode: 'active',
		webhookEventId: `01HZ${String(timestamp).padStart(22, '0')}`,
		deliveryContext: { isRedelivery: false },
		source: { type: 'user', userId: USER },
		...extra,
	};
}

/** Bytes as LINE writes them: compact JSON with raw UTF-8 and an escaped slash. */
function lineBody(events: unknown[]): Buffer {
	return Buffer.from(JSON.stringify({ destination: BOT, events }).replace(/\//g, '\\/'), 'utf8');
}

function options(extra: Record<string, unknown> = {}, events: string[] = ['*']): ContextOptions {
	return {
		parameters: {
			events,
			options: extra,
			relayRetries: 3,
			relayRetryBaseDelayMs: 20,
			relayRetryMaxDelayMs: 80,
			relayTimeoutMs: 15000,
		},
		credentials: {
			lineMessagingApi: { channelId: '1', channelSecret: SECRET, accessToken: 't', apiBaseUrl: 'http://127.0.0.1:9', dataApiBaseUrl: 'http://127.0.0.1:9' },
		},
		credentialTypes: { lineMessagingApi: new LineMessagingApi() },
	};
}

async function deliver(
	rawBody: Buffer,
	headers: Record<string, string>,
	ctxOptions: ContextOptions,
	query: Record<string, string> = {},
) {
	const warnings: Warning[] = [];
	const ctx = createWebhookContext(ctxOptions, { rawBody, headers, query });
	(ctx as unknown as { logger: unknown }).logger = {
		debug() {},
		info() {},
		error() {},
		warn: (message: string, meta: Record<string, unknown> = {}) => warnings.push({ message, meta }),
	};
	const result = await new LineTrigger().webhook.call(ctx);
	return { result, response: ctx.response, warnings };
}

const fromLine = (raw: Buffer) => ({ 'content-type': CONTENT_TYPE, 'x-line-signature': computeLineSignature(SECRET, raw) });

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
	const started = Date.now();
	while (!predicate()) {
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

describe('LINE Trigger relay to a marketing tool (fan-out)', () => {
	let tool: ToolReceiver;
	let other: ToolReceiver;

	beforeEach(async () => {
		tool = new ToolReceiver({ channelSecret: SECRET });
		other = new ToolReceiver({ channelSecret: SECRET });
		await tool.start(0);
		await other.start(0);
	});

	afterEach(async () => {
		await tool.stop();
		await other.stop();
	});

	it('relays the exact bytes with LINE signature and content type to every target, once each', async () => {
		const raw = lineBody([event('message', 2, { message: { type: 'text', id: '1', text: 'こんにちは 😊 a/b' } }), event('follow', 1)]);
		const { result, warnings } = await deliver(raw, fromLine(raw), options({ relayTo: `${tool.url}, ${other.url}\n${tool.url}` }));
		expect(result.workflowData?.[0].map((i) => i.json.type)).toEqual(['follow', 'message']);
		await waitFor('both tools', () => tool.received.length === 1 && other.received.length === 1);
		for (const received of [tool.received[0], other.received[0]]) {
			expect(received.rawBody.equals(raw)).toBe(true);
			expect(received.signatureValid).toBe(true);
			expect(received.headers['x-line-signature']).toBe(fromLine(raw)['x-line-signature']);
			expect(received.headers['content-type']).toBe(CONTENT_TYPE);
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(tool.received).toHaveLength(1);
		expect(other.received).toHaveLength(1);
		expect(warnings).toEqual([]);
	});

	it('relays the Verify request and events this workflow does not select', async () => {
		const verify = Buffer.from(`{"destination":"${BOT}","events":[]}`, 'utf8');
		const verified = await deliver(verify, fromLine(verify), options({ relayTo: tool.url }));
		expect(verified.result.workflowData).toBeUndefined();
		expect(verified.response.statusCode).toBe(200);

		const unselected = lineBody([event('unfollow', 3)]);
		const skipped = await deliver(unselected, fromLine(unselected), options({ relayTo: tool.url }, ['message']));
		expect(skipped.result.workflowData).toBeUndefined();

		await waitFor('two deliveries', () => tool.received.length === 2);
		expect(tool.received.map((r) => r.rawBody.toString('utf8'))).toEqual([verify.toString('utf8'), unselected.toString('utf8')]);
		expect(tool.received.every((r) => r.signatureValid)).toBe(true);
	});

	it('answers 401 to a forged request and relays it nowhere', async () => {
		const raw = lineBody([event('follow', 1)]);
		const forged = { 'content-type': CONTENT_TYPE, 'x-line-signature': computeLineSignature('another-secret', raw) };
		const { result, response } = await deliver(raw, forged, options({ relayTo: tool.url }));
		expect(result).toEqual({ noWebhookResponse: true });
		expect(response.statusCode).toBe(401);
		const unsigned = await deliver(raw, { 'content-type': CONTENT_TYPE }, options({ relayTo: tool.url }));
		expect(unsigned.response.statusCode).toBe(401);
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(tool.received).toEqual([]);
	});

	it('answers before a slow tool has answered, and does not relay again when it does', async () => {
		await tool.configure({ mode: 'slow', delayMs: 1500 });
		const raw = lineBody([event('follow', 1)]);
		const { result, warnings } = await deliver(raw, fromLine(raw), options({ relayTo: tool.url }));
		// The trigger has answered; the tool is still holding the relayed request.
		expect(result.workflowData?.[0]).toHaveLength(1);
		await waitFor('the tool to receive', () => tool.received.length === 1);
		expect(tool.received[0].answeredStatus).toBe(0);
		await waitFor('the tool to answer', () => tool.received[0].answeredStatus === 200);
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(tool.received).toHaveLength(1);
		expect(warnings).toEqual([]);
	});

	it('still starts the workflow when the tool is down, and warns with target and status after bounded retries', async () => {
		await tool.configure({ mode: 'down' });
		const raw = lineBody([event('follow', 7)]);
		const { result, response, warnings } = await deliver(raw, fromLine(raw), options({ relayTo: tool.url }));
		expect(result.workflowData?.[0]).toHaveLength(1);
		expect(response.statusCode).toBe(200);
		await waitFor('a warning', () => warnings.length === 1);
		expect(warnings[0].message).toContain(tool.url);
		expect(warnings[0].message).toContain(`did not get 1 event(s): ${event('follow', 7).webhookEventId}`);
		expect(warnings[0].meta).toMatchObject({ target: tool.url, status: 0, attempts: 4, webhookEventIds: [event('follow', 7).webhookEventId] });
	});

	it('retries a tool that answered 500 and stops once it answers 200', async () => {
		await tool.configure({ mode: 'fail', failStatus: 500 });
		const ctxOptions = options({ relayTo: tool.url });
		(ctxOptions.parameters as Record<string, unknown>).relayRetryBaseDelayMs = 300;
		(ctxOptions.parameters as Record<string, unknown>).relayRetryMaxDelayMs = 300;
		const raw = lineBody([event('message', 1, { message: { type: 'text', id: '9', text: 'hi' } })]);
		const { warnings } = await deliver(raw, fromLine(raw), ctxOptions);
		await waitFor('the first attempt', () => tool.received.length === 1 && tool.received[0].answeredStatus === 500);
		await tool.configure({ mode: 'ok' });
		await waitFor('a successful attempt', () => tool.received.some((r) => r.answeredStatus === 200), 8000);
		await new Promise((resolve) => setTimeout(resolve, 700));
		expect(tool.received.map((r) => r.answeredStatus).filter((s) => s === 200)).toHaveLength(1);
		expect(tool.received.every((r) => r.rawBody.equals(raw))).toBe(true);
		expect(warnings).toEqual([]);
	});

	it('gives up at once on a 4xx that another attempt will not change', async () => {
		await tool.configure({ mode: 'fail', failStatus: 403 });
		const raw = lineBody([event('follow', 1)]);
		const { warnings } = await deliver(raw, fromLine(raw), options({ relayTo: tool.url }));
		await waitFor('a warning', () => warnings.length === 1);
		expect(warnings[0].meta).toMatchObject({ target: tool.url, status: 403, attempts: 1 });
		expect(tool.received).toHaveLength(1);
	});
});

describe('LINE Trigger relay failures on its second output', () => {
	let tool: ToolReceiver;
	let healthy: ToolReceiver;
	let selfUrl: ToolReceiver;

	beforeEach(async () => {
		tool = new ToolReceiver({ channelSecret: SECRET });
		healthy = new ToolReceiver({ channelSecret: SECRET });
		await healthy.start(0);
		// Plays the trigger's own production URL: records the report the relay sends there.
		selfUrl = new ToolReceiver({ channelSecret: SECRET });
		await tool.start(0);
		await selfUrl.start(0);
	});
	afterEach(async () => {
		await tool.stop();
		await healthy.stop();
		await selfUrl.stop();
	});

	const withSelfUrl = (ctxOptions: ContextOptions, mode?: 'webhook' | 'manual'): ContextOptions => ({
		...ctxOptions,
		webhookUrls: { default: selfUrl.url },
		...(mode ? { mode } : {}),
	});
	const reportHeaders = (received: { headers: Record<string, string> }) => ({
		'content-type': received.headers['content-type'],
		[RELAY_REPORT_HEADER]: received.headers[RELAY_REPORT_HEADER],
	});

	it('has a Relay Failures output only while a relay is configured', () => {
		const outputs = new LineTrigger().description.outputs as string;
		expect(outputs).toContain('Relay Failures');
		expect(outputs).toMatch(/\$parameter\.options\.relayTo/);
		expect(outputs).not.toContain('?.');
	});

	it('tool down: the events still go out at once, then a signed report brings one item per failed target to output 2', async () => {
		await tool.configure({ mode: 'down' });
		const raw = lineBody([event('follow', 11), event('message', 12, { message: { type: 'text', id: '3', text: 'x' } })]);
		const ctxOptions = withSelfUrl(options({ relayTo: `${tool.url}, ${healthy.url}` }));
		const { result, warnings } = await deliver(raw, fromLine(raw), ctxOptions);
		expect(result.workflowData?.[0].map((i) => i.json.type)).toEqual(['follow', 'message']);
		expect(result.workflowData).toHaveLength(1);

		// The second target is healthy: it gets the relay, and is not in the report.
		await waitFor('the report at the trigger URL', () => selfUrl.received.some((r) => r.headers[RELAY_REPORT_HEADER] !== undefined));
		expect(warnings.filter((w) => w.message.includes('could not relay'))).toHaveLength(1);
		expect(healthy.received.map((r) => r.rawBody.equals(raw))).toEqual([true]);
		const reportRequest = selfUrl.received.find((r) => r.headers[RELAY_REPORT_HEADER] !== undefined)!;
		expect(reportRequest.headers['x-line-signature']).toBeUndefined();

		const reported = await deliver(reportRequest.rawBody, reportHeaders(reportRequest), withSelfUrl(options({ relayTo: tool.url })));
		expect(reported.result.workflowData?.[0]).toEqual([]);
		expect(reported.result.workflowData?.[1].map((i) => i.json)).toEqual([
			{
				target: tool.url,
				status: 0,
				attempts: 4,
				error: expect.any(String),
				eventCount: 2,
				webhookEventIds: [event('follow', 11).webhookEventId, event('message', 12).webhookEventId],
				reportedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			},
		]);
		// A report is not LINE's: it is relayed to nobody.
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(tool.received).toHaveLength(0);
	});

	it('sends no report when every target got the request, and none for a test URL', async () => {
		const raw = lineBody([event('follow', 1)]);
		await deliver(raw, fromLine(raw), withSelfUrl(options({ relayTo: tool.url })));
		await waitFor('the relay', () => tool.received.length === 1);
		await tool.configure({ mode: 'down' });
		const { warnings } = await deliver(raw, fromLine(raw), withSelfUrl(options({ relayTo: tool.url }), 'manual'));
		await waitFor('a warning', () => warnings.length === 1);
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(selfUrl.received).toEqual([]);
	});

	it('warns when the report cannot reach the trigger URL', async () => {
		await tool.configure({ mode: 'down' });
		await selfUrl.configure({ mode: 'down' });
		const raw = lineBody([event('follow', 1)]);
		const { warnings } = await deliver(raw, fromLine(raw), withSelfUrl(options({ relayTo: tool.url })));
		await waitFor('two warnings', () => warnings.length === 2, 8000);
		expect(warnings[1].message).toContain(`could not report 1 failed relay(s) to its "Relay Failures" output at ${selfUrl.url}`);
	});

	it('answers 401 to a forged, altered or replayed report and starts nothing', async () => {
		const body = Buffer.from(
			JSON.stringify({ kind: 'lineRelayFailureReport', reportedAt: Date.now(), webhookEventIds: [], failures: [{ target: 'https://x', status: 0, attempts: 1 }] }),
			'utf8',
		);
		const forged = await deliver(body, { 'content-type': 'application/json', [RELAY_REPORT_HEADER]: signRelayReport('another-secret', body) }, options());
		expect(forged.response.statusCode).toBe(401);
		expect(forged.result).toEqual({ noWebhookResponse: true });
		const lineSigned = await deliver(body, { 'content-type': 'application/json', [RELAY_REPORT_HEADER]: computeLineSignature(SECRET, body) }, options());
		expect(lineSigned.response.statusCode).toBe(401);
		const old = Buffer.from(body.toString('utf8').replace(/"reportedAt":\d+/, `"reportedAt":${Date.now() - 11 * 60 * 1000}`), 'utf8');
		const replayed = await deliver(old, { 'content-type': 'application/json', [RELAY_REPORT_HEADER]: signRelayReport(SECRET, old) }, options());
		expect(replayed.response.statusCode).toBe(401);
	});
});

describe('LINE Trigger requests forwarded by a marketing tool (fan-in)', () => {
	const secretOption = (secretIn: 'header' | 'query', secret = 'a-long-shared-secret-0123456789') => ({
		forwardedSecret: { values: { secret, secretIn, fieldName: 'x-relay-secret' } },
	});

	it('accepts LINE bytes and signature forwarded unchanged with no setting at all', async () => {
		const raw = lineBody([event('follow', 1)]);
		const { result } = await deliver(raw, { ...fromLine(raw), 'user-agent': 'SomeTool/1.0' }, options());
		expect(result.workflowData?.[0]).toHaveLength(1);
	});

	it('refuses a re-serialised body without the shared-secret option, even with LINE signature kept', async () => {
		const raw = lineBody([event('follow', 1)]);
		const rewritten = reserializeJson(raw);
		const { result, response } = await deliver(rewritten, { 'content-type': 'application/json', 'x-line-signature': fromLine(raw)['x-line-signature'] }, options());
		expect(result).toEqual({ noWebhookResponse: true });
		expect(response.statusCode).toBe(401);
	});

	it('accepts a re-serialised body with the shared secret in a header, and relays it nowhere', async () => {
		const tool = new ToolReceiver({ channelSecret: SECRET });
		await tool.start(0);
		try {
			const raw = lineBody([event('message', 1, { message: { type: 'text', id: '1', text: '応募したいです' } })]);
			const rewritten = reserializeJson(raw);
			const { result } = await deliver(
				rewritten,
				{ 'content-type': 'application/json', 'x-relay-secret': 'a-long-shared-secret-0123456789' },
				options({ ...secretOption('header'), relayTo: tool.url }),
			);
			expect(result.workflowData?.[0].map((i) => i.json.message)).toEqual([{ type: 'text', id: '1', text: '応募したいです' }]);
			await new Promise((resolve) => setTimeout(resolve, 200));
			expect(tool.received).toEqual([]);
		} finally {
			await tool.stop();
		}
	});

	it('accepts the shared secret in the query when so configured, and not in the other place', async () => {
		const rewritten = reserializeJson(lineBody([event('follow', 1)]));
		const headers = { 'content-type': 'application/json' };
		const inQuery = await deliver(rewritten, headers, options(secretOption('query')), { 'x-relay-secret': 'a-long-shared-secret-0123456789' });
		expect(inQuery.result.workflowData?.[0]).toHaveLength(1);
		const inHeader = await deliver(rewritten, { ...headers, 'x-relay-secret': 'a-long-shared-secret-0123456789' }, options(secretOption('query')));
		expect(inHeader.response.statusCode).toBe(401);
	});

	it.each([
		['a wrong secret', 'a-long-shared-secret-012345678X'],
		['no secret', undefined],
	])('answers 401 for %s', async (_, sent) => {
		const rewritten = reserializeJson(lineBody([event('follow', 1)]));
		const headers: Record<string, string> = { 'content-type': 'application/json' };
		if (sent) headers['x-relay-secret'] = sent;
		const { result, response } = await deliver(rewritten, headers, options(secretOption('header')));
		expect(result).toEqual({ noWebhookResponse: true });
		expect(response.statusCode).toBe(401);
		expect(response.body).toEqual({ message: expect.stringContaining('no valid shared secret') });
	});

	it('never treats an empty configured secret as "no check"', async () => {
		const rewritten = reserializeJson(lineBody([event('follow', 1)]));
		const { response } = await deliver(rewritten, { 'content-type': 'application/json', 'x-relay-secret': '' }, options(secretOption('header', '')));
		expect(response.statusCode).toBe(401);
	});
});
