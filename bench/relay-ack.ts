/* eslint-disable no-console */
/**
 * Benchmark: how long the LINE Trigger's webhook() takes to resolve — which is when n8n sends
 * LINE its answer (responseMode onReceived) — with "Relay Webhook To" off and on, and with the
 * marketing tool (sandbox/line/toolReceiver.ts) healthy, hanging 10 s per request, or down.
 * The four cases run interleaved (off, healthy, hanging, down, off, …) in one process, so they
 * share the machine's load; it prints median, p95 and max per case and the ratio to "relay off".
 *
 * It measures the node's own part of the acknowledgement in-process (the n8n context of the node
 * tests, real HTTP to the tool); n8n's HTTP handling on top is measured by bench/webhook-ack.ts.
 * Nothing here is a pass/fail timing assertion.
 *
 *   npm run build:dev && node build/bench/relay-ack.js [--requests 200]
 */
import { loadavg } from 'os';
import { LineMessagingApi } from '../credentials/LineMessagingApi.credentials';
import { computeLineSignature } from '../core/line/signature';
import { LineTrigger } from '../nodes/Line/LineTrigger.node';
import { ToolReceiver } from '../sandbox/line/toolReceiver';
import { createWebhookContext } from '../test/support/n8nContext';

const SECRET = 'bench-channel-secret-0123456789ab';

type Case = 'relay off' | 'tool healthy' | 'tool hanging 10 s' | 'tool down';

function body(index: number): Buffer {
	const event = {
		type: 'follow',
		timestamp: 1_700_000_000_000 + index,
		mode: 'active',
		webhookEventId: `01HZBENCH${String(index).padStart(17, '0')}`,
		deliveryContext: { isRedelivery: false },
		source: { type: 'user', userId: `U${index.toString(16).padStart(32, '0')}` },
		replyToken: `rt${index}`,
		follow: { isUnblocked: false },
	};
	return Buffer.from(JSON.stringify({ destination: 'Ubench', events: [event] }), 'utf8');
}

async function ackOnce(relayTo: string, index: number): Promise<number> {
	const rawBody = body(index);
	const ctx = createWebhookContext(
		{
			parameters: {
				events: ['*'],
				options: relayTo ? { relayTo } : {},
				relayRetries: 1,
				relayRetryBaseDelayMs: 50,
				relayRetryMaxDelayMs: 50,
				relayTimeoutMs: 15000,
			},
			credentials: { lineMessagingApi: { channelId: '1', channelSecret: SECRET, accessToken: 't', apiBaseUrl: 'http://127.0.0.1:9' } },
			credentialTypes: { lineMessagingApi: new LineMessagingApi() },
		},
		{
			rawBody,
			headers: { 'content-type': 'application/json; charset=utf-8', 'x-line-signature': computeLineSignature(SECRET, rawBody) },
		},
	);
	const started = process.hrtime.bigint();
	const result = await new LineTrigger().webhook.call(ctx);
	const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
	if (result.workflowData?.[0].length !== 1) throw new Error('the trigger did not emit the event');
	return elapsed;
}

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
	const flag = process.argv.indexOf('--requests');
	const requests = flag >= 0 ? Number(process.argv[flag + 1]) : 200;
	const healthy = new ToolReceiver({ channelSecret: SECRET });
	const hanging = new ToolReceiver({ channelSecret: SECRET, mode: 'slow', delayMs: 10_000 });
	const down = new ToolReceiver({ channelSecret: SECRET });
	await healthy.start(0);
	await hanging.start(0);
	hanging.settings.mode = 'slow';
	await down.start(0);
	const downUrl = down.url;
	await down.configure({ mode: 'down' });

	const targets: Record<Case, string> = {
		'relay off': '',
		'tool healthy': healthy.url,
		'tool hanging 10 s': hanging.url,
		'tool down': downUrl,
	};
	const times: Record<Case, number[]> = { 'relay off': [], 'tool healthy': [], 'tool hanging 10 s': [], 'tool down': [] };
	const before = loadavg();
	for (let i = 0; i < 10; i++) for (const c of Object.keys(targets) as Case[]) await ackOnce(targets[c], i);
	for (let i = 0; i < requests; i++) {
		for (const c of Object.keys(targets) as Case[]) times[c].push(await ackOnce(targets[c], 1000 + i));
		// Give background relays a moment, as LINE's deliveries would be spread out in time.
		await new Promise((resolve) => setTimeout(resolve, 2));
	}
	const after = loadavg();

	const baseline = [...times['relay off']].sort((a, b) => a - b);
	console.log(`LINE Trigger webhook() until it resolves (= n8n answers LINE), ${requests} requests per case, interleaved`);
	console.log(`load average before ${before.map((l) => l.toFixed(2)).join(' ')}, after ${after.map((l) => l.toFixed(2)).join(' ')}`);
	console.log('case                 median ms   p95 ms   max ms   median vs relay off');
	for (const c of Object.keys(targets) as Case[]) {
		const sorted = [...times[c]].sort((a, b) => a - b);
		const median = percentile(sorted, 50);
		console.log(
			`${c.padEnd(20)} ${median.toFixed(3).padStart(9)} ${percentile(sorted, 95).toFixed(3).padStart(8)} ${sorted[sorted.length - 1].toFixed(3).padStart(8)}   ${(median / percentile(baseline, 50)).toFixed(2)}×`,
		);
	}
	console.log(`tool healthy received ${healthy.received.length}, hanging tool received ${hanging.received.length} (still holding them)`);
	await healthy.stop();
	await hanging.stop();
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
