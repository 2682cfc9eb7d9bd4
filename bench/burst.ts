/* eslint-disable no-console */
/**
 * Benchmark (not a test): a campaign's burst of LINE follows through the shipped workflows in a
 * real n8n, in queue mode and in regular mode, next to n8n's built-in Webhook node.
 *
 * For each mode the harness starts n8n with this package (scripts/n8n/stage/prepareStage.ts): in
 * queue mode main, one webhook processor and two workers on this machine's Postgres and Redis (a
 * database and key prefix of the benchmarks' own, see scripts/n8n/stage/queueBackends.ts); in
 * regular mode one process on SQLite. The shipped workflows are imported and published with the
 * sandboxes as LINE and PORTERS. Then, per mode:
 *   - `--users` (1,000) new LINE users, each following the account once: the LINE sandbox sends one
 *     signed follow webhook per user to the router workflow's LINE Trigger, `--concurrency` (50)
 *     requests at a time, on new connections as LINE does;
 *   - as the reference, a built-in Webhook node with Header Auth (answering "Immediately") → No
 *     Operation gets as many signed follow bodies at the same concurrency: with `--reference after`
 *     (the default) once the burst is fully processed, so each side has the instance to itself
 *     with `--concurrency` in flight; with `--reference beside` at the same time as the burst
 *     (twice the requests in flight, both sides slower);
 *   - with `--redeliver` (the default; `--no-redeliver` turns it off), as soon as the burst is
 *     sent, every follow LINE would have counted as failed (not 200, or later than 2 s) is
 *     redelivered once, as LINE does with webhook redelivery on, while the burst is still being
 *     processed;
 *   - the bench waits until flow 01 (friend added) has ended once per user and once per
 *     redelivery, and then checks in the sandboxes that every user has exactly one candidate
 *     holding their LINE user ID, no other candidate was created for them, and exactly one welcome
 *     message went to each.
 * The LINE sandbox waits up to 30 s for an answer here instead of LINE's 2 s, so that slow answers
 * are measured instead of cut off; "> 2 s" is the share LINE would have counted as
 * `request_timeout`. The sandbox, like LINE, accepts a reply token for 60 s only; flow 01 replies
 * to events younger than 50 s and pushes (once, keyed by the event) to older ones, so the table
 * shows how many welcomes went each way. A few warm-up follows per mode come first and are left
 * out of the figures.
 *
 * Nothing here asserts a timing; the exit code is non-zero when the run went wrong or when the
 * candidates or welcomes are not exactly one per user. Run it alone on the machine: it is CPU
 * heavy, and the load average is printed with the figures.
 *
 *   npm run bench:burst
 *   node build/bench/burst.js [--users 1000] [--concurrency 50] [--warmup 10]
 *     [--modes queue,regular] [--reference after|beside] [--no-redeliver] [--keep]
 *     [--n8n-env NAME=value]…
 *     (after a build)
 */
import { randomBytes } from 'crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import { loadavg, tmpdir } from 'os';
import { join } from 'path';

import type { LineSandbox } from '../sandbox/line/server';
import { postWebhook, signBody } from '../sandbox/line/webhook';
import type { N8nRestClient } from '../scripts/n8n/clients/rest';
import { findRepoRoot, selectedN8nVersion } from '../scripts/n8n/install/versions';
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
import { LINE_ACK_LIMIT_MS, ms, percentile, ratio, share, table } from './support/latency';
import {
	countExecutions,
	countFinishedExecutions,
	countUnfinishedExecutions,
	createAndPublish,
} from './support/n8nWorkflows';

const FILES = { router: '00-line-events-router.json', friendAdded: '01-line-friend-added-to-porters.json' };
const SANDBOX_WAIT_MS = 30000;
/** The bench gives up on processing when no execution finished for this long. */
const STALL_LIMIT_MS = 180000;
const REFERENCE_PATH = 'bench-burst-reference';

type Mode = 'queue' | 'regular';
type ReferenceTiming = 'after' | 'beside';

interface Arguments {
	users: number;
	concurrency: number;
	warmup: number;
	modes: Mode[];
	reference: ReferenceTiming;
	redeliver: boolean;
	keep: boolean;
	n8nEnv: Record<string, string>;
}

function parseArguments(argv: string[]): Arguments {
	const parsed: Arguments = {
		users: 1000,
		concurrency: 50,
		warmup: 10,
		modes: ['queue', 'regular'],
		reference: 'after',
		redeliver: true,
		keep: false,
		n8nEnv: {},
	};
	const whole = (flag: string, value: string | undefined, minimum: number): number => {
		const number = Number(value);
		if (!Number.isInteger(number) || number < minimum) throw new Error(`${flag} needs an integer ≥ ${minimum}`);
		return number;
	};
	for (let index = 0; index < argv.length; index += 1) {
		const flag = argv[index];
		if (flag === '--users') parsed.users = whole(flag, argv[++index], 1);
		else if (flag === '--concurrency') parsed.concurrency = whole(flag, argv[++index], 1);
		else if (flag === '--warmup') parsed.warmup = whole(flag, argv[++index], 0);
		else if (flag === '--keep') parsed.keep = true;
		else if (flag === '--redeliver') parsed.redeliver = true;
		else if (flag === '--no-redeliver') parsed.redeliver = false;
		else if (flag === '--reference') {
			const timing = argv[++index];
			if (timing !== 'after' && timing !== 'beside') throw new Error('--reference needs after or beside');
			parsed.reference = timing;
		}
		else if (flag === '--modes') {
			const modes = (argv[++index] ?? '').split(',').filter((mode) => mode !== '');
			if (modes.length === 0 || modes.some((mode) => mode !== 'queue' && mode !== 'regular')) {
				throw new Error('--modes needs queue, regular or both (comma-separated)');
			}
			parsed.modes = modes as Mode[];
		} else if (flag === '--n8n-env') {
			const assignment = argv[++index] ?? '';
			const separator = assignment.indexOf('=');
			if (separator < 1) throw new Error('--n8n-env needs NAME=value');
			parsed.n8nEnv[assignment.slice(0, separator)] = assignment.slice(separator + 1);
		} else throw new Error(`Unknown argument ${flag}`);
	}
	return parsed;
}

interface Ack {
	status: number;
	ms: number;
}

/** A follow as the LINE sandbox sent it, kept so that LINE's redelivery can send the same event. */
interface SentFollow extends Ack {
	event: object;
}

interface AckSummary {
	requests: number;
	failed: number;
	p50: number;
	p99: number;
	max: number;
	overLimit: number;
}

/** A failed or missing answer counts as late: LINE would not have had its 200 in time either. */
function summarise(acks: Ack[]): AckSummary {
	const answered = acks.filter((ack) => ack.status === 200);
	const values = answered.map((ack) => ack.ms).sort((a, b) => a - b);
	return {
		requests: acks.length,
		failed: acks.length - answered.length,
		p50: percentile(values, 0.5),
		p99: percentile(values, 0.99),
		max: values[values.length - 1] ?? Number.NaN,
		overLimit: acks.filter(lineCountsAsFailed).length,
	};
}

interface ModeResult {
	mode: Mode;
	line: AckSummary;
	reference: AckSummary;
	sendMs: number;
	/** From the first request of the burst until flow 01 had ended once per user and per redelivery. */
	processedMs: number;
	/** Follows LINE would have counted as failed, redelivered once while the burst was processed. */
	redelivered: number;
	redeliveriesAcknowledged: number;
	friendAddedSucceeded: number;
	friendAddedFailed: number;
	routerSucceeded: number;
	referenceSucceeded: number;
	usersWithOneCandidate: number;
	extraCandidates: number;
	usersWithOneWelcome: number;
	welcomes: number;
	welcomeReplies: number;
	welcomePushes: number;
	loadBefore: number[];
	loadAfter: number[];
}

interface Targets {
	lineUrl: string;
	routerId: string;
	friendAddedId: string;
	referenceUrl: string;
	referenceId: string;
}

function lineSandboxOf(stage: Stage): LineSandbox {
	if (!stage.sandboxes.line) throw new Error('The LINE sandbox is not built (build/sandbox/line/server.js)');
	return stage.sandboxes.line.sandbox as unknown as LineSandbox;
}

async function adminCall<T>(baseUrl: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
	const response = await fetch(`${baseUrl}/__sandbox/${path}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`${method} /__sandbox/${path} → ${response.status}: ${text}`);
	return JSON.parse(text) as T;
}

async function setUpTargets(stage: Stage): Promise<Targets> {
	const workflow = (file: string) => {
		const found = stage.workflows.find((candidate) => candidate.file === file);
		if (!found) throw new Error(`The shipped workflow ${file} is not in this run`);
		return found;
	};
	const router = workflow(FILES.router);
	const lineUrl = router.webhooks.find((webhook) => webhook.nodeName === 'LINE Trigger')?.url;
	if (!lineUrl) throw new Error(`${FILES.router} has no LINE Trigger webhook`);
	const headerAuth = stage.credentials.find((credential) => credential.type === 'httpHeaderAuth');
	if (!headerAuth) throw new Error('The harness made no Header Auth credential');

	const referenceId = await createAndPublish(stage.host.rest, {
		name: 'Bench: built-in Webhook reference for a burst',
		nodes: [
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: '3f6a8c1e-2b4d-4e7f-9a0c-5d7e9f1b3c25',
				parameters: {
					httpMethod: 'POST',
					path: REFERENCE_PATH,
					authentication: 'headerAuth',
					responseMode: 'onReceived',
					options: {},
				},
				credentials: { httpHeaderAuth: { id: headerAuth.id, name: headerAuth.name } },
			},
			{ name: 'Do Nothing', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
		],
		connections: { Webhook: { main: [[{ node: 'Do Nothing', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	});
	const problems = await stage.host.activationProblems([referenceId]);
	if (problems.length > 0) throw new Error(`Reference workflow not active: ${JSON.stringify(problems)}`);
	return {
		lineUrl,
		routerId: router.id,
		friendAddedId: workflow(FILES.friendAdded).id,
		referenceUrl: stage.host.webhookUrl(REFERENCE_PATH),
		referenceId,
	};
}

interface User {
	userId: string;
	displayName: string;
}

function newUsers(count: number, tag: string): User[] {
	return Array.from({ length: count }, (_, index) => ({
		userId: `U${randomBytes(16).toString('hex')}`,
		displayName: `${tag} ${index}`,
	}));
}

/** A signed follow body as LINE sends it, for the reference (its user is not registered anywhere). */
function referenceBody(stage: Stage): { body: Buffer; headers: Record<string, string> } {
	const sandbox = lineSandboxOf(stage);
	const event = sandbox.buildEvent({ type: 'follow', userId: `U${randomBytes(16).toString('hex')}` });
	const body = Buffer.from(JSON.stringify({ destination: sandbox.messaging.botUserId, events: [event] }));
	return {
		body,
		headers: {
			'content-type': 'application/json; charset=utf-8',
			'user-agent': 'LineBotWebhook/2.0',
			'x-line-signature': signBody(body, sandbox.messaging.channelSecret),
			[RECRUITER_WEBHOOK_KEY.header.toLowerCase()]: RECRUITER_WEBHOOK_KEY.value,
		},
	};
}

/** Runs `jobs` with `concurrency` in flight; returns results in job order. */
async function pool<T>(jobs: Array<() => Promise<T>>, concurrency: number): Promise<T[]> {
	const results: T[] = new Array(jobs.length);
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < jobs.length) {
			const index = next++;
			results[index] = await jobs[index]();
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
	return results;
}

/** The users' follows through the LINE sandbox, one signed request per user. */
async function sendFollows(stage: Stage, targets: Targets, users: User[], concurrency: number): Promise<SentFollow[]> {
	const sandbox = lineSandboxOf(stage);
	const jobs = users.map((user) => async (): Promise<SentFollow> => {
		const sent = await sandbox.sendWebhook(targets.lineUrl, [
			{ type: 'follow', userId: user.userId, timestamp: Date.now() },
		]);
		return { status: sent.status, ms: sent.elapsedMs, event: sent.events[0] };
	});
	return await pool(jobs, concurrency);
}

/** LINE counts a request as failed when the answer is not 200 or comes after 2 s. */
const lineCountsAsFailed = (ack: Ack) => ack.status !== 200 || ack.ms > LINE_ACK_LIMIT_MS;

/** LINE's webhook redelivery: the same event again, marked `isRedelivery`. */
async function redeliver(stage: Stage, targets: Targets, follows: SentFollow[], concurrency: number): Promise<Ack[]> {
	const sandbox = lineSandboxOf(stage);
	const jobs = follows.map((follow) => async (): Promise<Ack> => {
		const startedAt = Date.now();
		const sent = await sandbox.redeliver(targets.lineUrl, follow.event);
		return { status: sent.status, ms: Date.now() - startedAt };
	});
	return await pool(jobs, concurrency);
}

/** As many signed follow bodies to the built-in Webhook reference. */
async function sendReferences(stage: Stage, targets: Targets, count: number, concurrency: number): Promise<Ack[]> {
	const jobs = Array.from({ length: count }, () => async (): Promise<Ack> => {
		const { body, headers } = referenceBody(stage);
		const sent = await postWebhook(targets.referenceUrl, body, headers, SANDBOX_WAIT_MS);
		return { status: sent.status, ms: sent.elapsedMs };
	});
	return await pool(jobs, concurrency);
}

/**
 * Waits until flow 01 has `expected` more ended executions than before, or until none has ended
 * for STALL_LIMIT_MS; returns when that was reached, measured from `startedAt`.
 */
async function awaitProcessing(
	rest: N8nRestClient,
	workflowId: string,
	baseline: number,
	expected: number,
	startedAt: number,
	progress: Progress,
): Promise<{ processedMs: number; done: number }> {
	let last = -1;
	let lastChange = Date.now();
	for (;;) {
		const done = (await countFinishedExecutions(rest, workflowId)) - baseline;
		if (done !== last) {
			last = done;
			lastChange = Date.now();
		}
		if (done >= expected) return { processedMs: Date.now() - startedAt, done };
		if (Date.now() - lastChange > STALL_LIMIT_MS) {
			progress.info(`processing stalled at ${done}/${expected} executions of flow 01`);
			return { processedMs: Number.NaN, done };
		}
		await new Promise((resolveWait) => setTimeout(resolveWait, 1000));
	}
}

/** Waits until every execution n8n started has finished (none running or waiting in the queue). */
async function awaitIdle(rest: N8nRestClient, workflowIds: string[]): Promise<void> {
	const deadline = Date.now() + STALL_LIMIT_MS;
	while (Date.now() < deadline) {
		let unfinished = 0;
		for (const workflowId of workflowIds) unfinished += await countUnfinishedExecutions(rest, workflowId);
		if (unfinished === 0) return;
		await new Promise((resolveWait) => setTimeout(resolveWait, 1000));
	}
}

/** n8n answers 404 for a webhook until it has registered it. */
async function awaitReference(targets: Targets, stage: Stage): Promise<void> {
	const deadline = Date.now() + 30000;
	for (;;) {
		const { body, headers } = referenceBody(stage);
		const sent = await postWebhook(targets.referenceUrl, body, headers, SANDBOX_WAIT_MS);
		if (sent.status === 200) return;
		if (sent.status !== 404 || Date.now() > deadline) {
			throw new Error(`The reference webhook does not answer: ${sent.status} ${sent.body.slice(0, 200)}`);
		}
		await new Promise((resolveWait) => setTimeout(resolveWait, 250));
	}
}

async function followsOnce(stage: Stage, targets: Targets, users: User[], concurrency: number): Promise<void> {
	const line = stage.sandboxes.line;
	if (!line) throw new Error('The LINE sandbox is not running');
	await adminCall(line.sandbox.url, 'POST', 'users', users.map((user) => ({ ...user, language: 'ja', isFriend: false })));
	const before = await countFinishedExecutions(stage.host.rest, targets.friendAddedId);
	const [acks, reference] = await Promise.all([
		sendFollows(stage, targets, users, concurrency),
		sendReferences(stage, targets, users.length, concurrency),
	]);
	const failed = [...acks, ...reference].filter((ack) => ack.status !== 200);
	if (failed.length > 0) throw new Error(`warm-up: ${failed.length} request(s) not answered with 200`);
	await awaitProcessing(stage.host.rest, targets.friendAddedId, before, users.length, Date.now(), new Progress('warm-up'));
}

async function runMode(stage: Stage, mode: Mode, args: Arguments, progress: Progress): Promise<ModeResult> {
	const targets = await progress.step('create and publish the reference workflow', () => setUpTargets(stage));
	await progress.step('wait until the reference webhook answers', () => awaitReference(targets, stage));
	const rest = stage.host.rest;
	if (args.warmup > 0) {
		await progress.step(`warm-up: ${args.warmup} follow(s)`, () =>
			followsOnce(stage, targets, newUsers(args.warmup, `W-${mode}`), Math.min(5, args.concurrency)),
		);
	}
	const users = newUsers(args.users, `B-${mode}-${Date.now().toString(36)}`);
	const line = stage.sandboxes.line;
	const porters = stage.sandboxes.porters;
	if (!line || !porters) throw new Error('Both sandboxes must be running');
	await adminCall(line.sandbox.url, 'POST', 'users', users.map((user) => ({ ...user, language: 'ja', isFriend: false })));
	const finishedBefore = await countFinishedExecutions(rest, targets.friendAddedId);
	const before = {
		friendAdded: await countExecutions(rest, targets.friendAddedId),
		router: await countExecutions(rest, targets.routerId),
		reference: await countExecutions(rest, targets.referenceId),
	};

	const loadBefore = loadavg();
	const startedAt = Date.now();
	const beside = args.reference === 'beside';
	const [lineAcks, referenceBeside] = await progress.step(
		`${args.users} follows, ${args.concurrency} at a time${beside ? ', beside as many reference requests' : ''}`,
		async () =>
			await Promise.all([
				sendFollows(stage, targets, users, args.concurrency),
				beside ? sendReferences(stage, targets, args.users, args.concurrency) : Promise.resolve([]),
			]),
	);
	const sendMs = Date.now() - startedAt;
	const toRedeliver = args.redeliver ? lineAcks.filter(lineCountsAsFailed) : [];
	const redeliveries = await progress.step(`redeliver the ${toRedeliver.length} follow(s) LINE counted as failed`, () =>
		redeliver(stage, targets, toRedeliver, args.concurrency),
	);
	const { processedMs } = await progress.step('wait until flow 01 ran once per user and per redelivery', () =>
		awaitProcessing(rest, targets.friendAddedId, finishedBefore, args.users + redeliveries.length, startedAt, progress),
	);
	await progress.step('wait for the remaining executions', () =>
		awaitIdle(rest, [targets.routerId, targets.friendAddedId, targets.referenceId]),
	);
	const loadAfter = loadavg();
	const referenceAcks = beside
		? referenceBeside
		: await progress.step(`${args.users} reference requests, ${args.concurrency} at a time`, () =>
				sendReferences(stage, targets, args.users, args.concurrency),
			);
	if (!beside) await awaitIdle(rest, [targets.referenceId]);

	const after = {
		friendAdded: await countExecutions(rest, targets.friendAddedId),
		router: await countExecutions(rest, targets.routerId),
		reference: await countExecutions(rest, targets.referenceId),
	};
	const lineUserIdField = String(stage.settings.lineUserIdField);
	const candidates = await adminCall<Array<Record<string, unknown>>>(porters.sandbox.url, 'GET', 'records/candidate');
	const state = await adminCall<{ deliveries: Array<{ kind: string; to: string[] }> }>(line.sandbox.url, 'GET', 'state');
	// Welcomes of this burst: replies and pushes to its users (the warm-up's users are others).
	const burstUsers = new Set(users.map((user) => user.userId));
	const welcomeDeliveries = state.deliveries.filter(
		(delivery) => (delivery.kind === 'reply' || delivery.kind === 'push') && delivery.to.some((to) => burstUsers.has(to)),
	);
	const names = new Set(users.map((user) => user.displayName));
	const holders = new Map<string, number>();
	for (const candidate of candidates) {
		const holder = String(candidate[lineUserIdField] ?? '');
		if (holder !== '') holders.set(holder, (holders.get(holder) ?? 0) + 1);
	}
	const welcomes = new Map<string, number>();
	for (const delivery of welcomeDeliveries) for (const to of delivery.to) welcomes.set(to, (welcomes.get(to) ?? 0) + 1);
	const createdForBurst = candidates.filter((candidate) => names.has(String(candidate['Person.P_Name']))).length;
	return {
		mode,
		line: summarise(lineAcks),
		reference: summarise(referenceAcks),
		sendMs,
		processedMs,
		redelivered: redeliveries.length,
		redeliveriesAcknowledged: redeliveries.filter((ack) => ack.status === 200).length,
		friendAddedSucceeded: after.friendAdded.success - before.friendAdded.success,
		friendAddedFailed:
			after.friendAdded.total - after.friendAdded.success - (before.friendAdded.total - before.friendAdded.success),
		routerSucceeded: after.router.success - before.router.success,
		referenceSucceeded: after.reference.success - before.reference.success,
		usersWithOneCandidate: users.filter((user) => holders.get(user.userId) === 1).length,
		extraCandidates: createdForBurst - users.length,
		usersWithOneWelcome: users.filter((user) => welcomes.get(user.userId) === 1).length,
		welcomes: users.reduce((sum, user) => sum + (welcomes.get(user.userId) ?? 0), 0),
		welcomeReplies: welcomeDeliveries.filter((delivery) => delivery.kind === 'reply').length,
		welcomePushes: welcomeDeliveries.filter((delivery) => delivery.kind === 'push').length,
		loadBefore,
		loadAfter,
	};
}

function report(results: ModeResult[], args: Arguments): void {
	const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
	console.log(
		`\nBurst in n8n ${selectedN8nVersion()}: ${args.users} follows from new LINE users, one per request, ` +
			`${args.concurrency} at a time from the LINE sandbox; the same number of reference requests to a ` +
			`built-in Webhook (Header Auth, "Immediately") → No Operation at the same concurrency, ` +
			(args.reference === 'beside' ? 'at the same time' : 'after the burst was processed') +
			Object.entries(args.n8nEnv)
				.map(([name, value]) => `; ${name}=${value}`)
				.join(''),
	);
	const rows: string[][] = [];
	for (const result of results) {
		for (const [label, summary] of [
			['LINE Trigger → shipped flows', result.line],
			['built-in Webhook → No Op', result.reference],
		] as const) {
			rows.push([
				`${result.mode}: ${label}`,
				String(summary.requests),
				String(summary.failed),
				ms(summary.p50),
				ms(summary.p99),
				ms(summary.max),
				share(summary.overLimit, summary.requests),
			]);
		}
	}
	console.log(table(['acknowledgement', 'requests', 'not 200', 'p50 ms', 'p99 ms', 'max ms', '> 2 s'], rows));

	console.log('\nLINE Trigger / built-in Webhook, same mode and run:');
	console.log(
		table(
			['', 'p50', 'p99', 'max'],
			results.map((result) => [
				result.mode,
				ratio(result.line.p50, result.reference.p50),
				ratio(result.line.p99, result.reference.p99),
				ratio(result.line.max, result.reference.max),
			]),
		),
	);
	const queue = results.find((result) => result.mode === 'queue');
	const regular = results.find((result) => result.mode === 'regular');
	if (queue && regular) {
		console.log('\nQueue mode / regular mode, LINE Trigger:');
		console.log(
			table(
				['', 'p50', 'p99', 'max', 'all processed'],
				[
					[
						'ratio',
						ratio(queue.line.p50, regular.line.p50),
						ratio(queue.line.p99, regular.line.p99),
						ratio(queue.line.max, regular.line.max),
						ratio(queue.processedMs, regular.processedMs),
					],
				],
			),
		);
	}

	console.log('\nProcessing and outcome:');
	console.log(
		table(
			[
				'',
				'sent in s',
				'redelivered',
				'redeliveries 200',
				'all processed s',
				'events/s',
				'router ok',
				'flow 01 ok',
				'flow 01 failed',
				'reference ok',
				'users with 1 candidate',
				'extra candidates',
				'users with 1 welcome',
				'welcomes',
				'by reply',
				'by push',
				'load before',
				'load after',
			],
			results.map((result) => [
				result.mode,
				(result.sendMs / 1000).toFixed(1),
				String(result.redelivered),
				String(result.redeliveriesAcknowledged),
				Number.isNaN(result.processedMs) ? 'stalled' : (result.processedMs / 1000).toFixed(0),
				Number.isNaN(result.processedMs) ? '-' : ((args.users * 1000) / result.processedMs).toFixed(1),
				String(result.routerSucceeded),
				String(result.friendAddedSucceeded),
				String(result.friendAddedFailed),
				String(result.referenceSucceeded),
				String(result.usersWithOneCandidate),
				String(result.extraCandidates),
				String(result.usersWithOneWelcome),
				String(result.welcomes),
				String(result.welcomeReplies),
				String(result.welcomePushes),
				load(result.loadBefore),
				load(result.loadAfter),
			]),
		),
	);
}

function exactlyOnce(result: ModeResult, users: number): boolean {
	return (
		result.usersWithOneCandidate === users &&
		result.extraCandidates === 0 &&
		result.usersWithOneWelcome === users &&
		result.welcomes === users
	);
}

async function main(): Promise<number> {
	const startedAt = Date.now();
	const args = parseArguments(process.argv.slice(2));
	const progress = new Progress('burst');
	installSignalHandlers(progress);
	const repoRoot = findRepoRoot(__dirname);
	mkdirSync(tmpdir(), { recursive: true });
	const workDir = mkdtempSync(join(tmpdir(), 'line-porters-burst-'));
	let keepWorkDir = args.keep;
	onShutdown('temporary folder', () => {
		if (keepWorkDir) progress.info(`kept ${workDir}`);
		else rmSync(workDir, { recursive: true, force: true });
	});

	const results: ModeResult[] = [];
	let exitCode = 1;
	try {
		for (const mode of args.modes) {
			mkdirSync(join(workDir, mode), { recursive: true });
			const stage = await prepareStage({
				progress,
				repoRoot,
				userFolder: join(workDir, mode, 'home'),
				workDir: join(workDir, mode),
				encryptionKey: E2E_ENCRYPTION_KEY,
				includeFixtures: false,
				extraEnv: args.n8nEnv,
				queue: mode === 'queue' ? queueBackendsFromEnv('bench') : undefined,
				keepQueueData: () => keepWorkDir,
				sandboxOptions: { line: { webhookTimeoutMs: SANDBOX_WAIT_MS } },
			});
			try {
				results.push(await runMode(stage, mode, args, progress));
			} finally {
				await progress.step(`stop the ${mode}-mode n8n`, () => stage.stop());
			}
		}
		report(results, args);
		const wrong = results.filter((result) => !exactlyOnce(result, args.users));
		if (wrong.length > 0) {
			console.log(`\nNot exactly one candidate and one welcome per user in: ${wrong.map((r) => r.mode).join(', ')}`);
		}
		exitCode = wrong.length === 0 ? 0 : 1;
	} catch (error) {
		if (isShuttingDown()) return await new Promise<never>(() => undefined);
		keepWorkDir = true;
		progress.info(`ERROR: ${(error as Error).message}`);
		if (results.length > 0) report(results, args);
	}

	if (!isShuttingDown()) {
		await progress.step('stop everything', () => runShutdown(progress));
		const left = liveProcessGroups();
		if (left.length > 0) {
			exitCode = 1;
			console.log(`processes left behind: ${left.map((group) => group.description).join(', ')}`);
		}
	}
	console.log(`burst: ${exitCode === 0 ? 'done' : 'FAILED'} in ${formatDuration(Date.now() - startedAt)}`);
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
