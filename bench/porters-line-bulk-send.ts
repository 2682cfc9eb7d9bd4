/* eslint-disable no-console */
/**
 * Benchmark: one LINE message to the candidates a PORTERS search finds, against both local
 * sandboxes, in two ways in the same run:
 *   - Audience + Multicast: PORTERS Get LINE Audience (batches of 500) → LINE Multicast, one
 *     request per batch (Quota Guard "Refuse When Over": two quota reads more);
 *   - naive: PORTERS Find Candidate (Return All) → filter linked, not blocked → LINE Send Message,
 *     one push per candidate.
 * The search matches 10,000 linked candidates plus 300 without a LINE user ID and 200 blocked.
 * Prints PORTERS calls, LINE calls, wall time, who was reached, and the ratios.
 *
 *   npm run build:dev && node build/bench/porters-line-bulk-send.js [--recipients 10000]
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { LineMessagingApi } from '../credentials/LineMessagingApi.credentials';
import { PortersApi } from '../credentials/PortersApi.credentials';
import { Line } from '../nodes/Line/Line.node';
import { Porters } from '../nodes/Porters/Porters.node';
import { LineSandbox } from '../sandbox/line/server';
import { PortersSandbox } from '../sandbox/porters/server';
import { createExecuteContext } from '../test/support/n8nContext';

const LINE_FIELD = 'Person.U_20A292C634376220CB97FC77478A5A';
const STATUS_FIELD = 'Person.U_3943E30B5FAC0675FBA4FD084D516F';
const TAG = 'bulk-2026-12';
const UNLINKED = 300;
const BLOCKED = 200;

interface BulkRun {
	label: string;
	portersCalls: number;
	lineSendCalls: number;
	lineCalls: number;
	wallMs: number;
	reached: number;
	twice: number;
}

const userId = (i: number) => `U${i.toString(16).padStart(32, '0')}`;

function seed(porters: PortersSandbox, recipients: number): void {
	const total = recipients + UNLINKED + BLOCKED;
	for (let i = 0; i < total; i++) {
		const blocked = i >= recipients + UNLINKED;
		porters.store.insert('candidate', {
			'Person.P_Id': 500_000 + i,
			'Person.P_Owner': 5,
			'Person.P_Name': `候補者 ${i}`,
			'Person.P_Memo': TAG,
			...(i < recipients || blocked ? { [LINE_FIELD]: userId(i) } : {}),
			[STATUS_FIELD]: [blocked ? 'Option.U_LineBlocked' : 'Option.U_LineFollowing'],
		});
	}
}

async function runNode(
	node: Porters | Line,
	parameters: Record<string, unknown>,
	items: INodeExecutionData[],
	credentials: Record<string, unknown>,
	name: string,
): Promise<INodeExecutionData[]> {
	const ctx = createExecuteContext({
		parameters: { retryDelayMs: 1000, options: {}, ...parameters },
		items,
		node: { id: `bench-${name}`, name, type: `n8n-nodes-line-porters.${node instanceof Line ? 'line' : 'porters'}` },
		credentials: credentials as never,
		credentialTypes: { portersApi: new PortersApi(), lineMessagingApi: new LineMessagingApi() },
	});
	const [output] = await node.execute.call(ctx);
	const failed = output.filter((item) => (item.json as IDataObject).error !== undefined);
	if (failed.length > 0) throw new Error(`${name}: ${failed.length} failed items: ${JSON.stringify(failed[0].json)}`);
	return output;
}

const MESSAGE = { messageSource: 'fields', messages: { message: [{ type: 'text', text: '12月の求人特集をお送りします' }] } };

async function audienceAndMulticast(credentials: Record<string, unknown>): Promise<void> {
	const batches = await runNode(
		new Porters(),
		{
			resource: 'candidate',
			operation: 'getLineAudience',
			searchIn: 'candidate',
			condition: `Person.P_Memo:full=${TAG}`,
			lineUserIdField: LINE_FIELD,
			lineStatusField: STATUS_FIELD,
			blockedOptions: 'Option.U_LineBlocked',
			output: 'batches',
			batchSize: 500,
		},
		[{ json: {} }],
		credentials,
		'Get LINE Audience',
	);
	await runNode(
		new Line(),
		{
			resource: 'message',
			operation: 'multicast',
			userIds: (i: number) => batches[i].json.userIds,
			...MESSAGE,
			options: { quotaGuard: 'refuse', retryKey: (i: number) => `bench-bulk-${i}` },
		},
		batches,
		credentials,
		'Multicast',
	);
}

async function findAndPushEach(credentials: Record<string, unknown>): Promise<void> {
	const found = await runNode(
		new Porters(),
		{
			resource: 'candidate',
			operation: 'find',
			searchBy: 'condition',
			condition: `Person.P_Memo:full=${TAG}`,
			fields: ['Person.P_Id', LINE_FIELD, STATUS_FIELD],
			returnAll: true,
		},
		[{ json: {} }],
		credentials,
		'Find Candidate',
	);
	// What an IF node in the naive workflow does: linked and not blocked.
	const linked = found.filter((item) => {
		const options = (item.json[`${STATUS_FIELD}.options`] as Array<{ alias: string }> | undefined) ?? [];
		return Boolean(item.json[LINE_FIELD]) && !options.some((option) => option.alias === 'Option.U_LineBlocked');
	});
	await runNode(
		new Line(),
		{ resource: 'message', operation: 'send', to: (i: number) => linked[i].json[LINE_FIELD], ...MESSAGE },
		linked,
		credentials,
		'Send Message',
	);
}

async function measure(
	line: LineSandbox,
	porters: PortersSandbox,
	label: string,
	sendPath: string,
	run: () => Promise<void>,
): Promise<BulkRun> {
	line.reset();
	porters.resetCounters();
	const started = Date.now();
	await run();
	const wallMs = Date.now() - started;
	const reached = line.deliveries.flatMap((delivery) => delivery.reached);
	const counters = porters.counters;
	return {
		label,
		portersCalls: counters.reads + counters.writes + counters.auth,
		lineSendCalls: line.requests.filter((request) => request.path === sendPath).length,
		lineCalls: line.requests.length,
		wallMs,
		reached: new Set(reached).size,
		twice: reached.length - new Set(reached).size,
	};
}

export async function runBulkSendBenchmark(recipients = 10_000): Promise<BulkRun[]> {
	const total = recipients + UNLINKED + BLOCKED;
	const users = Array.from({ length: total }, (_, i) => ({ userId: userId(i), displayName: `候補者 ${i}`, isFriend: true }));
	const line = new LineSandbox({ users, monthlyQuota: recipients * 10 });
	const porters = new PortersSandbox();
	await Promise.all([line.start(0), porters.start(0)]);
	try {
		seed(porters, recipients);
		const credentials = {
			portersApi: {
				host: porters.host,
				protocol: 'http',
				appId: porters.app.appId,
				appSecret: porters.app.secret,
				partitionId: porters.partitionId,
				defaultOwnerUserId: 5,
				session: '',
				staleSession: '',
			},
			lineMessagingApi: {
				channelSecret: line.messaging.channelSecret,
				accessToken: line.messaging.accessTokens[0],
				apiBaseUrl: line.url,
				dataApiBaseUrl: line.url,
			},
		};
		const rows = [
			await measure(line, porters, 'Get LINE Audience → Multicast', '/v2/bot/message/multicast', async () => {
				await audienceAndMulticast(credentials);
			}),
			await measure(line, porters, 'Find Candidate → push each', '/v2/bot/message/push', async () => {
				await findAndPushEach(credentials);
			}),
		];
		return rows;
	} finally {
		await Promise.all([line.stop(), porters.stop()]);
	}
}

function table(rows: BulkRun[]): string {
	const header = ['way', 'PORTERS calls', 'LINE send calls', 'LINE calls', 'wall ms', 'reached', 'twice'];
	const lines = rows.map((r) => [r.label, r.portersCalls, r.lineSendCalls, r.lineCalls, r.wallMs, r.reached, r.twice].map(String));
	const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
	const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
	return [format(header), ...lines.map(format)].join('\n');
}

async function main(): Promise<void> {
	const flag = process.argv.indexOf('--recipients');
	const recipients = flag > 0 ? Number(process.argv[flag + 1]) : 10_000;
	if (!Number.isInteger(recipients) || recipients < 1) throw new Error('--recipients must be a positive integer');
	console.log(
		`PORTERS search → LINE: ${recipients.toLocaleString('en-US')} linked candidates ` +
			`(+${UNLINKED} without LINE user ID, +${BLOCKED} blocked), local sandboxes\n`,
	);
	const [bulk, naive] = await runBulkSendBenchmark(recipients);
	console.log(table([bulk, naive]));
	console.log('');
	console.log(`LINE send calls ratio (naive / audience): ${(naive.lineSendCalls / bulk.lineSendCalls).toFixed(1)}x`);
	console.log(`time ratio            (naive / audience): ${(naive.wallMs / Math.max(1, bulk.wallMs)).toFixed(1)}x`);
	console.log(`multicast calls: ${bulk.lineSendCalls} (goal ≤ ${Math.ceil(recipients / 500)}); the other ${bulk.lineCalls - bulk.lineSendCalls} LINE calls are the quota guard's reads`);
	if (bulk.reached !== recipients || naive.reached !== recipients || bulk.twice + naive.twice > 0) {
		console.log('WARNING: not every linked, not blocked candidate was reached exactly once');
		process.exitCode = 1;
	}
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
}
