/* eslint-disable no-console */
/**
 * Benchmark: how fast a real n8n acknowledges a LINE webhook through the package's LINE Trigger,
 * next to n8n's built-in Webhook node on the same instance and in the same run.
 *
 * The harness starts n8n 2.40.7 with this package installed (scripts/n8n/stage/prepareStage.ts), then two
 * workflows are created and published through n8n's REST API:
 *   A  LINE Trigger (answers on receipt) → No Operation
 *   B  built-in Webhook, POST, Header Auth, "Immediately" (onReceived) → No Operation
 * Every request is a freshly built LINE follow webhook, signed with the channel secret of the
 * harness's LINE credential; request i goes to A and to B with the same bytes, in the order
 * A0 B0 A1 B1 … over a fixed number of workers, so both see the same machine load. Warm-up
 * requests come first and are left out of the figures. Times are measured from the request start
 * to the response headers and to the end of the response, on keep-alive connections to 127.0.0.1.
 * Afterwards the executions of both workflows are counted through the REST API and one of each is
 * read back, to show that every acknowledged request started real work.
 *
 * n8n 2.40's default expression engine ("vm") takes an isolate for the webhook phase of every
 * trigger node except its own Webhook node, so the LINE Trigger pays for one per request and the
 * built-in node does not. The harness runs n8n with the README's recommended
 * `N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true` (scripts/n8n/stage/n8nEnv.ts), which takes it only when
 * an expression is evaluated (for a version-1 LINE Trigger n8n still evaluates one per request);
 * `--n8n-env N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=false` shows n8n's
 * defaults, `--n8n-env N8N_EXPRESSION_ENGINE=legacy` the engine without isolates.
 * `--n8n-env "GUARDIAN_SERVER_NODE_OPTIONS=--cpu-prof --cpu-prof-dir=<dir>"` writes a CPU profile
 * of the n8n server when it stops (scripts/n8n/processes/guardian.ts). `LINE_PORTERS_N8N_VERSION=1.123.x` runs it on n8n 1.x.
 * `--queue` runs n8n in queue mode (main, a webhook processor answering the requests, two workers;
 * Postgres and Redis of this machine, in a database and key prefix of the benchmarks' own).
 * The LINE Trigger is at version 2 (the default for new nodes); `--line-trigger-version 1` shows
 * version 1, for which n8n evaluates an expression per request (its parseRequestBody).
 *
 * Nothing here asserts a timing; the exit code is non-zero only when the run itself went wrong
 * (n8n did not start, a request failed, or executions are missing).
 *
 *   npm run bench:webhook-ack
 *   node build/bench/webhook-ack.js [--requests 500] [--concurrency 8] [--warmup 25] [--keep]
 *     [--queue] [--line-trigger-version 2] [--n8n-env NAME=value]…      (after a build)
 */
import * as http from 'http';
import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { LineSandbox } from '../sandbox/line/server';
import { signBody } from '../sandbox/line/webhook';
import { nodeOutput, type N8nRestClient } from '../scripts/n8n/clients/rest';
import { packageWebhooks } from '../scripts/n8n/install/packageCatalog';
import {
	findRepoRoot,
	PACKAGE_NAME,
	selectedN8nVersion,
} from '../scripts/n8n/install/versions';
import { liveProcessGroups } from '../scripts/n8n/processes/processGroups';
import { formatDuration, Progress } from '../scripts/n8n/processes/progress';
import {
	installSignalHandlers,
	isShuttingDown,
	onShutdown,
	runShutdown,
} from '../scripts/n8n/processes/shutdown';
import { RECRUITER_WEBHOOK_KEY } from '../scripts/n8n/stage/credentials';
import { E2E_ENCRYPTION_KEY } from '../scripts/n8n/stage/n8nServer';
import { prepareStage, type Stage } from '../scripts/n8n/stage/prepareStage';
import { queueBackendsFromEnv } from '../scripts/n8n/stage/queueBackends';
import { productionWebhookPath, type WorkflowNode } from '../scripts/n8n/stage/workflows';
import { LINE_ACK_LIMIT_MS, ms, percentile, ratio, share, table } from './support/latency';
import { countExecutions, createAndPublish, type ExecutionCount } from './support/n8nWorkflows';

const REQUEST_TIMEOUT_MS = 10000;
const TRIVIAL_NODE_NAME = 'Do Nothing';
const BUILT_IN_WEBHOOK_PATH = 'bench-webhook-ack';

interface Arguments {
	requests: number;
	concurrency: number;
	warmup: number;
	keep: boolean;
	/** n8n in queue mode: main, a webhook processor and two workers on Postgres and Redis. */
	queue: boolean;
	lineTriggerVersion: number;
	/** Extra environment for the n8n processes (e.g. its expression engine settings). */
	n8nEnv: Record<string, string>;
}

function parseArguments(argv: string[]): Arguments {
	const parsed: Arguments = {
		requests: 500,
		concurrency: 8,
		warmup: 25,
		keep: false,
		queue: false,
		lineTriggerVersion: 2,
		n8nEnv: {},
	};
	const positive = (flag: string, value: string | undefined, allowZero = false): number => {
		const number = Number(value);
		if (!Number.isInteger(number) || number < (allowZero ? 0 : 1)) {
			throw new Error(`${flag} needs a ${allowZero ? 'non-negative' : 'positive'} integer`);
		}
		return number;
	};
	for (let index = 0; index < argv.length; index += 1) {
		const flag = argv[index];
		if (flag === '--requests') parsed.requests = positive(flag, argv[++index]);
		else if (flag === '--concurrency') parsed.concurrency = positive(flag, argv[++index]);
		else if (flag === '--warmup') parsed.warmup = positive(flag, argv[++index], true);
		else if (flag === '--keep') parsed.keep = true;
		else if (flag === '--queue') parsed.queue = true;
		else if (flag === '--line-trigger-version') parsed.lineTriggerVersion = positive(flag, argv[++index]);
		else if (flag === '--n8n-env') {
			const assignment = argv[++index] ?? '';
			const separator = assignment.indexOf('=');
			if (separator < 1) throw new Error('--n8n-env needs NAME=value');
			parsed.n8nEnv[assignment.slice(0, separator)] = assignment.slice(separator + 1);
		}
		else throw new Error(`Unknown argument ${flag}`);
	}
	return parsed;
}

interface Target {
	label: string;
	workflowId: string;
	url: string;
	agent: http.Agent;
	/** Sent with every request besides the LINE headers (the built-in node's Header Auth key). */
	headers: Record<string, string>;
}

interface Timing {
	status: number;
	headersMs: number;
	fullMs: number;
	error?: string;
}

interface Payload {
	body: Buffer;
	signature: string;
}

function trivialNode(): WorkflowNode {
	return {
		name: TRIVIAL_NODE_NAME,
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [220, 0],
		parameters: {},
	};
}

function twoNodeWorkflow(name: string, trigger: WorkflowNode): Record<string, unknown> {
	return {
		name,
		nodes: [trigger, trivialNode()],
		connections: {
			[trigger.name]: { main: [[{ node: TRIVIAL_NODE_NAME, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

async function setUpTargets(
	stage: Stage,
	concurrency: number,
	lineTriggerVersion: number,
): Promise<[Target, Target]> {
	const rest = stage.host.rest;
	const lineTriggerType = `${PACKAGE_NAME}.lineTrigger`;
	const lineWebhook = packageWebhooks(stage.catalog)[lineTriggerType]?.find(
		(webhook) => webhook.httpMethod.toUpperCase() === 'POST',
	);
	if (!lineWebhook) throw new Error(`The installed package offers no POST webhook on ${lineTriggerType}`);
	const lineCredential = stage.credentials.find((credential) => credential.type === 'lineMessagingApi');
	if (!lineCredential) throw new Error('The harness made no LINE Messaging API credential');
	const headerAuth = stage.credentials.find((credential) => credential.type === 'httpHeaderAuth');
	if (!headerAuth) throw new Error('The harness made no Header Auth credential');

	const lineTrigger: WorkflowNode = {
		name: 'LINE Trigger',
		type: lineTriggerType,
		typeVersion: lineTriggerVersion,
		position: [0, 0],
		webhookId: '5e0c3b7a-9d41-4f62-8a1e-b3c5d7e9f0a1',
		parameters: { events: ['*'], options: {} },
		credentials: { lineMessagingApi: { id: lineCredential.id, name: lineCredential.name } },
	};
	const builtInWebhook: WorkflowNode = {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: '8b2d4f6a-0c1e-4a3b-9d5f-7e9a1b3c5d70',
		parameters: {
			httpMethod: 'POST',
			path: BUILT_IN_WEBHOOK_PATH,
			// Like the LINE Trigger, it reads and decrypts a credential for every request.
			authentication: 'headerAuth',
			responseMode: 'onReceived',
			options: {},
		},
		credentials: { httpHeaderAuth: { id: headerAuth.id, name: headerAuth.name } },
	};

	const lineId = await createAndPublish(
		rest,
		twoNodeWorkflow('Bench: LINE Trigger acknowledgement', lineTrigger),
	);
	const webhookId = await createAndPublish(
		rest,
		twoNodeWorkflow('Bench: built-in Webhook acknowledgement', builtInWebhook),
	);
	const problems = await stage.host.activationProblems([lineId, webhookId]);
	if (problems.length > 0) {
		throw new Error(`Benchmark workflows not active: ${JSON.stringify(problems)}`);
	}
	const agent = (): http.Agent => new http.Agent({ keepAlive: true, maxSockets: concurrency });
	return [
		{
			label: 'LINE Trigger',
			workflowId: lineId,
			url: stage.host.webhookUrl(productionWebhookPath(lineTrigger, lineWebhook)),
			agent: agent(),
			headers: {},
		},
		{
			label: 'Webhook (built-in)',
			workflowId: webhookId,
			url: stage.host.webhookUrl(BUILT_IN_WEBHOOK_PATH),
			agent: agent(),
			headers: { [RECRUITER_WEBHOOK_KEY.header.toLowerCase()]: RECRUITER_WEBHOOK_KEY.value },
		},
	];
}

/** One signed follow webhook per request, built by the LINE sandbox, each from a different user. */
function buildPayloads(stage: Stage, count: number): Payload[] {
	const line = stage.sandboxes.line;
	if (!line) throw new Error('The LINE sandbox is not built (build/sandbox/line/server.js)');
	const sandbox = line.sandbox as unknown as LineSandbox;
	const secret = line.values.channelSecret;
	const payloads: Payload[] = [];
	for (let index = 0; index < count; index += 1) {
		const event = sandbox.buildEvent({
			type: 'follow',
			userId: `U${(0xbe0000 + index).toString(16).padStart(32, '0')}`,
		});
		const body = Buffer.from(
			JSON.stringify({ destination: sandbox.messaging.botUserId, events: [event] }),
		);
		payloads.push({ body, signature: signBody(body, secret) });
	}
	return payloads;
}

function post(target: Target, payload: Payload): Promise<Timing> {
	return new Promise((resolveTiming) => {
		const started = process.hrtime.bigint();
		const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e6;
		let headersMs = Number.NaN;
		let settled = false;
		const finish = (timing: Timing): void => {
			if (settled) return;
			settled = true;
			resolveTiming(timing);
		};
		const request = http.request(
			target.url,
			{
				method: 'POST',
				agent: target.agent,
				headers: {
					'content-type': 'application/json; charset=utf-8',
					'content-length': String(payload.body.length),
					'x-line-signature': payload.signature,
					...target.headers,
					'user-agent': 'LineBotWebhook/2.0',
				},
			},
			(response) => {
				headersMs = elapsed();
				const status = response.statusCode ?? 0;
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					finish({
						status,
						headersMs,
						fullMs: elapsed(),
						error:
							status === 200
								? undefined
								: `${target.label}: HTTP ${status} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`,
					}),
				);
				response.on('error', (error) =>
					finish({ status, headersMs, fullMs: elapsed(), error: error.message }),
				);
			},
		);
		request.setTimeout(REQUEST_TIMEOUT_MS, () => {
			request.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`));
		});
		request.on('error', (error) =>
			finish({ status: 0, headersMs, fullMs: elapsed(), error: `${target.label}: ${error.message}` }),
		);
		request.end(payload.body);
	});
}

/**
 * Sends payload i to A then to B for every i, as one queue served by `concurrency` workers, and
 * returns the timings per target in sending order.
 */
async function interleaved(
	targets: [Target, Target],
	payloads: Payload[],
	concurrency: number,
): Promise<[Timing[], Timing[]]> {
	const jobs = payloads.flatMap((payload, index) =>
		targets.map((target, side) => ({ target, side, index, payload })),
	);
	const results: [Timing[], Timing[]] = [new Array(payloads.length), new Array(payloads.length)];
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < jobs.length) {
			const job = jobs[next++];
			results[job.side][job.index] = await post(job.target, job.payload);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	return results;
}

/**
 * n8n answers 404 for a webhook until it has registered it; one request per target is retried
 * until it is answered otherwise (its execution is counted with the warm-up).
 */
async function awaitWebhooks(targets: Target[], payload: Payload, progress: Progress): Promise<void> {
	for (const target of targets) {
		const deadline = Date.now() + 30000;
		let attempts = 0;
		for (;;) {
			attempts += 1;
			const timing = await post(target, payload);
			if (timing.status === 200) break;
			if (timing.status !== 404 || Date.now() > deadline) {
				throw new Error(`${target.label} does not answer: ${timing.error ?? timing.status}`);
			}
			await new Promise((resolveWait) => setTimeout(resolveWait, 250));
		}
		if (attempts > 1) progress.info(`${target.label} answered after ${attempts} attempt(s)`);
	}
}

interface Summary {
	requests: number;
	errors: number;
	p50: number;
	p90: number;
	p99: number;
	max: number;
	overLimit: number;
}

function summarise(timings: Timing[], pick: (timing: Timing) => number): Summary {
	const ok = timings.filter((timing) => timing.error === undefined);
	const values = ok.map(pick).sort((a, b) => a - b);
	return {
		requests: timings.length,
		errors: timings.length - ok.length,
		p50: percentile(values, 0.5),
		p90: percentile(values, 0.9),
		p99: percentile(values, 0.99),
		max: values[values.length - 1] ?? Number.NaN,
		// An error counts as a late answer: LINE would not have had its 200 in time either.
		overLimit: timings.filter((timing) => timing.error !== undefined || pick(timing) > LINE_ACK_LIMIT_MS)
			.length,
	};
}

/** Waits until every expected execution has finished successfully, or until nothing moves for 20 s. */
async function awaitExecutions(
	rest: N8nRestClient,
	targets: Target[],
	expected: number,
	progress: Progress,
): Promise<ExecutionCount[]> {
	let counts = await Promise.all(targets.map((target) => countExecutions(rest, target.workflowId)));
	let lastChange = Date.now();
	while (counts.some((count) => count.success < expected) && Date.now() - lastChange < 20000) {
		await new Promise((resolveWait) => setTimeout(resolveWait, 1000));
		const fresh = await Promise.all(targets.map((target) => countExecutions(rest, target.workflowId)));
		if (fresh.some((count, index) => count.success !== counts[index].success)) lastChange = Date.now();
		counts = fresh;
	}
	progress.info(
		`executions: ${targets.map((target, index) => `${target.label} ${counts[index].success}/${expected}`).join(', ')}`,
	);
	return counts;
}

/** What the newest execution's trivial node received, as proof that the event went through. */
async function lastEventType(rest: N8nRestClient, target: Target): Promise<string> {
	const [newest] = await rest.listExecutions({ workflowId: target.workflowId, status: ['success'] }, 1);
	if (!newest) return 'no execution';
	const [item] = nodeOutput(await rest.getExecution(newest.id), TRIVIAL_NODE_NAME);
	const lineEvent = item as { type?: string; body?: { events?: Array<{ type?: string }> } };
	return String(lineEvent.type ?? lineEvent.body?.events?.[0]?.type ?? 'unknown');
}

async function main(): Promise<number> {
	const startedAt = Date.now();
	const args = parseArguments(process.argv.slice(2));
	const progress = new Progress('bench');
	installSignalHandlers(progress);
	const repoRoot = findRepoRoot(__dirname);

	mkdirSync(tmpdir(), { recursive: true });
	const workDir = mkdtempSync(join(tmpdir(), 'line-porters-bench-'));
	let keepWorkDir = args.keep;
	onShutdown('temporary folder', () => {
		if (keepWorkDir) progress.info(`kept ${workDir}`);
		else rmSync(workDir, { recursive: true, force: true });
	});

	let exitCode = 1;
	let targets: [Target, Target] | undefined;
	try {
		const stage = await prepareStage({
			progress,
			repoRoot,
			userFolder: join(workDir, 'home'),
			workDir,
			encryptionKey: E2E_ENCRYPTION_KEY,
			includeFixtures: false,
			extraEnv: args.n8nEnv,
			queue: args.queue ? queueBackendsFromEnv('bench') : undefined,
			keepQueueData: () => keepWorkDir,
		});
		targets = await progress.step('create and publish the two benchmark workflows', () =>
			setUpTargets(stage, args.concurrency, args.lineTriggerVersion),
		);
		for (const target of targets) progress.info(`${target.label}: ${target.url}`);
		const payloads = buildPayloads(stage, args.warmup + args.requests);
		await progress.step('wait until both webhooks answer', () =>
			awaitWebhooks(targets!, payloads[0], progress),
		);

		if (args.warmup > 0) {
			const [warmA, warmB] = await progress.step(`warm-up: ${args.warmup} request(s) each`, () =>
				interleaved(targets!, payloads.slice(0, args.warmup), args.concurrency),
			);
			const failed = [...warmA, ...warmB].filter((timing) => timing.error !== undefined);
			if (failed.length > 0) throw new Error(`warm-up failed: ${failed[0].error}`);
		}
		const sendStarted = Date.now();
		const [timingsA, timingsB] = await progress.step(
			`${args.requests} request(s) each, interleaved, ${args.concurrency} at a time`,
			() => interleaved(targets!, payloads.slice(args.warmup), args.concurrency),
		);
		const sendMs = Date.now() - sendStarted;
		const expected = 1 + args.warmup + args.requests;
		const counts = await progress.step('wait for the executions', () =>
			awaitExecutions(stage.host.rest, targets!, expected, progress),
		);
		const received = await Promise.all(targets.map((target) => lastEventType(stage.host.rest, target)));

		const headers = ['', 'requests', 'errors', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', '> 2 s'];
		const rows: string[][] = [];
		const summaries: Record<string, Summary[]> = { headers: [], full: [] };
		for (const [name, pick] of [
			['headers', (timing: Timing) => timing.headersMs],
			['full', (timing: Timing) => timing.fullMs],
		] as const) {
			[timingsA, timingsB].forEach((timings, side) => {
				const summary = summarise(timings, pick);
				summaries[name].push(summary);
				rows.push([
					`${targets![side].label}, ${name === 'headers' ? 'to headers' : 'full response'}`,
					String(summary.requests),
					String(summary.errors),
					ms(summary.p50),
					ms(summary.p90),
					ms(summary.p99),
					ms(summary.max),
					share(summary.overLimit, summary.requests),
				]);
			});
		}
		console.log(
			`\nWebhook acknowledgement in n8n ${selectedN8nVersion()} ` +
				(args.queue
					? '(queue mode: webhook processor, two workers, Postgres, Redis)'
					: '(regular mode, SQLite)') +
				`, LINE Trigger version ${args.lineTriggerVersion}, one signed LINE ` +
				`follow event per request, ${args.concurrency} concurrent, interleaved; ` +
				`${args.warmup} warm-up request(s) each not counted` +
				Object.entries(args.n8nEnv)
					.map(([name, value]) => `; ${name}=${value}`)
					.join(''),
		);
		console.log(table(headers, rows));
		console.log('\nLINE Trigger / built-in Webhook:');
		console.log(
			table(
				['', 'p50', 'p99'],
				(['headers', 'full'] as const).map((name) => [
					name === 'headers' ? 'to headers' : 'full response',
					ratio(summaries[name][0].p50, summaries[name][1].p50),
					ratio(summaries[name][0].p99, summaries[name][1].p99),
				]),
			),
		);
		console.log(
			`\nSending took ${formatDuration(sendMs)} (${((2 * args.requests * 1000) / sendMs).toFixed(0)} requests/s in all).`,
		);
		console.log('Executions (warm-up included), successful / all, and what the last one received:');
		console.log(
			table(
				['', 'expected', 'successful', 'all', 'last event'],
				targets.map((target, side) => [
					target.label,
					String(expected),
					String(counts[side].success),
					String(counts[side].total),
					received[side],
				]),
			),
		);

		const errors = [...timingsA, ...timingsB].filter((timing) => timing.error !== undefined);
		const missing = counts.some((count) => count.success !== expected);
		if (errors.length > 0) console.log(`\n${errors.length} request(s) failed, first: ${errors[0].error}`);
		if (missing) console.log('\nSome executions are missing or did not succeed.');
		exitCode = errors.length === 0 && !missing ? 0 : 1;
	} catch (error) {
		if (isShuttingDown()) return await new Promise<never>(() => undefined);
		keepWorkDir = true;
		progress.info(`ERROR: ${(error as Error).message}`);
	} finally {
		for (const target of targets ?? []) target.agent.destroy();
	}

	if (!isShuttingDown()) {
		await progress.step('stop everything', () => runShutdown(progress));
		const left = liveProcessGroups();
		if (left.length > 0) {
			exitCode = 1;
			console.log(`processes left behind: ${left.map((group) => group.description).join(', ')}`);
		}
	}
	console.log(`webhook-ack: ${exitCode === 0 ? 'done' : 'FAILED'} in ${formatDuration(Date.now() - startedAt)}`);
	return exitCode;
}

main().then(
	(code) => process.exit(code),
	async (error) => {
		console.error(error instanceof Error ? error.stack : error);
		await runShutdown();
		process.exit(1);
	},
);
