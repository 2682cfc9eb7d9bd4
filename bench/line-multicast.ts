/* eslint-disable no-console */
/**
 * Benchmark: one message to 10,000 LINE users, sent by the LINE node against the local LINE
 * sandbox in two ways in the same run:
 *   - Multicast: one input item with all user IDs (requests of 500 recipients);
 *   - Send Message: one push per recipient (10,000 input items).
 * It prints the LINE calls made (retries of 429/5xx included), the wall time, and the ratios.
 * The sandbox enforces LINE's documented rate limits (push 2,000/s, multicast 200/s), so any 429
 * is met and handled by the node's own retries, with production retry timing.
 *
 *   npm run build:dev && node build/bench/line-multicast.js [--recipients 10000]
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { LineMessagingApi } from '../credentials/LineMessagingApi.credentials';
import { Line } from '../nodes/Line/Line.node';
import { LineSandbox } from '../sandbox/line/server';
import { createExecuteContext } from '../test/support/n8nContext';

export interface SendRun {
	label: string;
	calls: number;
	rateLimited: number;
	serverErrors: number;
	wallMs: number;
	reached: number;
	deliveredTwice: number;
}

function userId(index: number): string {
	return `U${index.toString(16).padStart(32, '0')}`;
}

async function runNode(
	sandbox: LineSandbox,
	operation: 'multicast' | 'send',
	items: INodeExecutionData[],
	parameters: Record<string, unknown>,
): Promise<void> {
	const ctx = createExecuteContext({
		parameters: {
			resource: 'message',
			operation,
			messageSource: 'fields',
			messages: { message: [{ type: 'text', text: '説明会のお知らせ: 12月5日 19時から' }] },
			options: {},
			...parameters,
		},
		items,
		node: { id: `bench-${operation}`, name: 'LINE', type: 'n8n-nodes-line-porters.line' },
		credentials: {
			lineMessagingApi: {
				channelSecret: sandbox.messaging.channelSecret,
				accessToken: sandbox.messaging.accessTokens[0],
				apiBaseUrl: sandbox.url,
				dataApiBaseUrl: sandbox.url,
			},
		},
		credentialTypes: { lineMessagingApi: new LineMessagingApi() },
	});
	const [output] = await new Line().execute.call(ctx);
	const failed = output.filter((item) => (item.json as IDataObject).error !== undefined);
	if (failed.length > 0 || output.length !== items.length) {
		throw new Error(`${operation}: ${failed.length} failed items, ${output.length} outputs`);
	}
}

function measure(sandbox: LineSandbox, label: string, path: string, started: number): SendRun {
	const calls = sandbox.requests.filter((request) => request.path === path);
	const reached = sandbox.deliveries.flatMap((delivery) => delivery.reached);
	return {
		label,
		calls: calls.length,
		rateLimited: calls.filter((call) => call.status === 429).length,
		serverErrors: calls.filter((call) => call.status >= 500).length,
		wallMs: Date.now() - started,
		reached: new Set(reached).size,
		deliveredTwice: reached.length - new Set(reached).size,
	};
}

export async function runMulticastBenchmark(recipients = 10_000): Promise<{ multicast: SendRun; push: SendRun }> {
	const users = Array.from({ length: recipients }, (_, index) => ({
		userId: userId(index),
		displayName: `Candidate ${index}`,
		isFriend: true,
	}));
	const sandbox = new LineSandbox({ users, monthlyQuota: recipients * 10 });
	await sandbox.start(0);
	try {
		const ids = users.map((user) => user.userId);
		// Warm-up (schema compilation, JIT, sockets) so neither way pays it in its timing.
		await runNode(sandbox, 'multicast', [{ json: {} }], { userIds: ids.slice(0, 2) });
		await runNode(sandbox, 'send', [{ json: {} }], { to: ids[0] });
		sandbox.reset();

		let started = Date.now();
		await runNode(sandbox, 'multicast', [{ json: {} }], { userIds: ids });
		const multicast = measure(sandbox, 'Multicast (500 per request)', '/v2/bot/message/multicast', started);

		sandbox.reset();
		started = Date.now();
		await runNode(
			sandbox,
			'send',
			ids.map((id) => ({ json: { userId: id } })),
			{ to: (itemIndex: number) => ids[itemIndex] },
		);
		const push = measure(sandbox, 'Send Message (one push each)', '/v2/bot/message/push', started);
		return { multicast, push };
	} finally {
		await sandbox.stop();
	}
}

function table(rows: SendRun[]): string {
	const header = ['way', 'LINE calls', '429 retried', '5xx', 'wall ms', 'reached', 'twice'];
	const lines = rows.map((r) => [r.label, r.calls, r.rateLimited, r.serverErrors, r.wallMs, r.reached, r.deliveredTwice].map(String));
	const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
	const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
	return [format(header), ...lines.map(format)].join('\n');
}

async function main(): Promise<void> {
	const flag = process.argv.indexOf('--recipients');
	const recipients = flag > 0 ? Number(process.argv[flag + 1]) : 10_000;
	if (!Number.isInteger(recipients) || recipients < 1) throw new Error('--recipients must be a positive integer');
	console.log(`LINE node, one text message to ${recipients.toLocaleString('en-US')} recipients (local LINE sandbox)\n`);
	const { multicast, push } = await runMulticastBenchmark(recipients);
	console.log(table([multicast, push]));
	console.log('');
	console.log(`calls ratio (push / multicast): ${(push.calls / multicast.calls).toFixed(1)}x`);
	console.log(`time ratio  (push / multicast): ${(push.wallMs / Math.max(1, multicast.wallMs)).toFixed(1)}x`);
	const target = Math.ceil(recipients / 500);
	console.log(`multicast calls: ${multicast.calls} (target ≤ ${target} = ${recipients} / 500)`);
	if (multicast.reached !== recipients || push.reached !== recipients || multicast.deliveredTwice + push.deliveredTwice > 0) {
		console.log('WARNING: not every recipient was reached exactly once');
		process.exitCode = 1;
	}
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
}
