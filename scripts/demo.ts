/* eslint-disable no-console */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';

import { Browser } from './n8n/clients/browser';
import type { OwnerAccount } from './n8n/clients/rest';
import {
	cacheRoot,
	findRepoRoot,
	PACKAGE_NAME,
	selectedN8nVersion,
} from './n8n/install/versions';
import { assertPortFree } from './n8n/processes/ports';
import { Progress } from './n8n/processes/progress';
import { installSignalHandlers, isShuttingDown, runShutdown } from './n8n/processes/shutdown';
import { RECRUITER_PAGE_LOGIN, RECRUITER_WEBHOOK_KEY } from './n8n/stage/credentials';
import { prepareStage, type Stage } from './n8n/stage/prepareStage';
import { CAPTURE_CHANNELS } from './n8n/stage/workflowSettings';

/**
 * `npm start`: the local demo. A real n8n with this package, both sandboxes, credentials and the
 * shipped workflows, in a user folder that persists under the cache folder (so the demo keeps its
 * executions and anything made in the editor). Prints the editor URL, the login and commands that
 * play a friend-add, both arrangements beside a LINE marketing tool (n8n relays to the tool; the
 * tool forwards to n8n) and a candidate opening a link URL. Ctrl-C stops everything.
 *
 *   node build/scripts/demo.js [--tarball <file>]       run the demo (of that tarball instead of
 *                                                       packing the repository)
 *   node build/scripts/demo.js open-link --url <url>    open a link URL like the candidate's browser
 *   node build/scripts/demo.js open-link --candidate <id>
 *        ask the running demo's link-URL workflow for the candidate's URL, then open it
 *
 * Ports: LINE_PORTERS_DEMO_N8N_PORT (5678), LINE_PORTERS_DEMO_LINE_PORT (8787),
 * LINE_PORTERS_DEMO_PORTERS_PORT (8788), LINE_PORTERS_DEMO_CAPTURE_PORT (8789).
 * Data: LINE_PORTERS_CACHE_DIR (see scripts/n8n/install/versions.ts).
 */

/** Capture channel that plays the LINE marketing tool a LINE Trigger relays to (fan-out). */
const LINE_TOOL_CHANNEL = 'line-marketing-tool-webhook';
/** Port of the stand-in tool that forwards LINE's webhooks to n8n (fan-in). */
const DEMO_TOOL_PORT = 8790;

const DEMO_ENCRYPTION_KEY = 'line-porters-demo-fixed-encryption-key-v1';
const DEMO_OWNER: OwnerAccount = {
	email: 'demo@line-porters.test',
	password: 'Demo-Sandbox-2026',
	firstName: 'Demo',
	lastName: 'Recruiter',
};

interface DemoState {
	editorUrl: string;
	lineSandboxUrl: string | null;
	portersSandboxUrl: string | null;
	friendAddWebhookUrl: string | null;
	loginCallbackUrl: string | null;
	/** A shipped workflow's webhook that answers with a candidate's link URL. */
	linkUrlWebhook: { url: string; method: string } | null;
	/** Header Auth of the recruiter webhooks. */
	recruiterWebhookKey: { header: string; value: string };
	/** Pages recruiters open in a browser (GET webhooks beside a LINE Login node), Basic auth. */
	recruiterPages: string[];
	recruiterPageLogin: { user: string; password: string };
	captureUrl: string;
	/** The SMTP sandbox's mailbox page: the recruiters' e-mail. */
	mailboxUrl: string | null;
}

function demoDir(): string {
	return join(cacheRoot(), 'demo', `n8n-${selectedN8nVersion()}`);
}

function port(variable: string, fallback: number): number {
	const value = Number(process.env[variable] ?? fallback);
	if (!Number.isInteger(value) || value <= 0 || value > 65535)
		throw new Error(`${variable} is not a port: ${process.env[variable]}`);
	return value;
}

function describeDemo(stage: Stage): DemoState {
	const triggerType = `${PACKAGE_NAME}.lineTrigger`;
	const loginType = `${PACKAGE_NAME}.lineLogin`;
	const shipped = stage.workflows.filter((workflow) => workflow.origin === 'shipped');
	const friendAdd = shipped
		.flatMap((workflow) => workflow.webhooks)
		.find((webhook) => webhook.nodeType === triggerType);
	const recruiterWebhooks = shipped
		.filter((workflow) => workflow.nodeTypes.includes(loginType))
		.flatMap((workflow) => workflow.webhooks)
		.filter(
			(webhook) =>
				webhook.nodeType === 'n8n-nodes-base.webhook' && webhook.url !== stage.loginCallbackUrl,
		);
	const linkUrl = recruiterWebhooks.find((webhook) => webhook.method === 'POST');
	return {
		editorUrl: stage.host.baseUrl,
		lineSandboxUrl: stage.sandboxes.line?.values.url ?? null,
		portersSandboxUrl: stage.sandboxes.porters?.values.url ?? null,
		friendAddWebhookUrl: friendAdd?.url ?? null,
		loginCallbackUrl: stage.loginCallbackUrl ?? null,
		linkUrlWebhook: linkUrl ? { url: linkUrl.url, method: linkUrl.method } : null,
		recruiterWebhookKey: RECRUITER_WEBHOOK_KEY,
		recruiterPages: recruiterWebhooks.filter((webhook) => webhook.method === 'GET').map((webhook) => webhook.url),
		recruiterPageLogin: RECRUITER_PAGE_LOGIN,
		captureUrl: stage.capture.url,
		mailboxUrl: stage.sandboxes.smtp?.values.mailboxUrl ?? null,
	};
}

function printBanner(stage: Stage, state: DemoState, userFolder: string): void {
	const lines = [
		'',
		'──────────────────────────────────────────────────────────────────────',
		` LINE × PORTERS demo is running (n8n ${selectedN8nVersion()}, ${stage.packed.name}@${stage.packed.version})`,
		'──────────────────────────────────────────────────────────────────────',
		` Editor:   ${state.editorUrl}`,
		` Login:    ${DEMO_OWNER.email} / ${DEMO_OWNER.password}`,
		` LINE sandbox:    ${state.lineSandboxUrl ?? '(not built)'}`,
		` PORTERS sandbox: ${state.portersSandboxUrl ?? '(not built)'}`,
		` Workflows: ${stage.workflows.map((workflow) => workflow.name).join(', ') || '(none shipped yet)'}`,
		` Recruiter webhooks: header ${state.recruiterWebhookKey.header}: ${state.recruiterWebhookKey.value}`,
		...(state.recruiterPages.length > 0
			? [
					` Recruiters' link-URL page (open in a browser; login ${state.recruiterPageLogin.user} / ${state.recruiterPageLogin.password}):`,
					...state.recruiterPages.map((url) => `   ${url}`),
				]
			: []),
		` What the workflows post to the recruiters' chat tool and the marketing tool:`,
		`   curl -s ${state.captureUrl}/__capture/${CAPTURE_CHANNELS.recruiterNotify}`,
		`   curl -s ${state.captureUrl}/__capture/${CAPTURE_CHANNELS.marketingTool}`,
		` Recruiters' e-mail (new LINE messages, with the link to the reply page): ${state.mailboxUrl ?? '(SMTP sandbox not built)'}`,
		'',
		' Simulate a candidate writing on LINE (the owner gets an e-mail; open its link to reply):',
		state.friendAddWebhookUrl && state.lineSandboxUrl
			? `   node build/sandbox/line/cli.js message --sandbox ${state.lineSandboxUrl} --to ${state.friendAddWebhookUrl} --user U1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a --text "面接の時間を教えてください"`
			: '   (needs a shipped workflow with a LINE Trigger and the LINE sandbox)',
		'',
		' Simulate a friend-add (LINE sends a signed follow webhook to n8n):',
		state.friendAddWebhookUrl && state.lineSandboxUrl
			? `   node build/sandbox/line/cli.js follow --sandbox ${state.lineSandboxUrl} --to ${state.friendAddWebhookUrl}`
			: '   (needs a shipped workflow with a LINE Trigger and the LINE sandbox)',
		'   … or an image, which reaches the recruiter as an attachment: replace "message" and --text with "image"',
		'',
		' Beside a LINE marketing tool — A. n8n owns the webhook URL and relays to the tool:',
		'   in the editor, workflow 00 → LINE Trigger → Options → Relay Webhook To:',
		`     ${state.captureUrl}/${LINE_TOOL_CHANNEL}   (the capture server plays the tool), save; then`,
		state.friendAddWebhookUrl && state.lineSandboxUrl
			? `   node build/sandbox/line/cli.js follow --sandbox ${state.lineSandboxUrl} --to ${state.friendAddWebhookUrl}`
			: '   (needs a shipped workflow with a LINE Trigger and the LINE sandbox)',
		`   curl -s ${state.captureUrl}/__capture/${LINE_TOOL_CHANNEL}   (LINE's bytes and x-line-signature, as the tool got them)`,
		' B. The tool owns the URL and forwards to n8n (LINE → tool → n8n), in a second terminal:',
		state.friendAddWebhookUrl && state.lineSandboxUrl
			? [
					`   node build/sandbox/line/cli.js tool --port ${DEMO_TOOL_PORT} --forward-to ${state.friendAddWebhookUrl}`,
					`   node build/sandbox/line/cli.js follow --sandbox ${state.lineSandboxUrl} --to ${state.friendAddWebhookUrl} --via http://127.0.0.1:${DEMO_TOOL_PORT}`,
				].join('\n')
			: '   (needs a shipped workflow with a LINE Trigger and the LINE sandbox)',
		'   (add --forward-mode reserialized --shared-secret <secret> to the tool for one that rewrites the body:',
		'    the LINE Trigger then needs Options → Accept Forwarded Requests With Shared Secret)',
		'',
		' Simulate a candidate opening their link URL (LINE Login, followed like a browser):',
		state.linkUrlWebhook
			? '   node build/scripts/demo.js open-link --candidate <PORTERS candidate ID>'
			: '   node build/scripts/demo.js open-link --url <link URL from "Generate Link URL">',
		'',
		` n8n log: ${stage.host.logFile}`,
		` Data kept in ${userFolder} (delete it to start afresh).`,
		' Press Ctrl-C to stop everything.',
		'',
	];
	console.log(lines.join('\n'));
}

async function runDemo(args: string[]): Promise<void> {
	const progress = new Progress('demo');
	installSignalHandlers(progress);
	const repoRoot = findRepoRoot(__dirname);
	const tarball = argumentValue(args, '--tarball');
	const ports = {
		n8n: port('LINE_PORTERS_DEMO_N8N_PORT', 5678),
		line: port('LINE_PORTERS_DEMO_LINE_PORT', 8787),
		porters: port('LINE_PORTERS_DEMO_PORTERS_PORT', 8788),
		capture: port('LINE_PORTERS_DEMO_CAPTURE_PORT', 8789),
		smtp: port('LINE_PORTERS_DEMO_SMTP_PORT', 2525),
		mailbox: port('LINE_PORTERS_DEMO_MAILBOX_PORT', 8025),
	};
	await assertPortFree(ports.n8n, 'n8n (LINE_PORTERS_DEMO_N8N_PORT)');
	await assertPortFree(ports.line, 'the LINE sandbox (LINE_PORTERS_DEMO_LINE_PORT)');
	await assertPortFree(ports.porters, 'the PORTERS sandbox (LINE_PORTERS_DEMO_PORTERS_PORT)');
	await assertPortFree(ports.capture, 'the capture server (LINE_PORTERS_DEMO_CAPTURE_PORT)');
	await assertPortFree(ports.smtp, 'the SMTP sandbox (LINE_PORTERS_DEMO_SMTP_PORT)');
	await assertPortFree(ports.mailbox, 'the mailbox page (LINE_PORTERS_DEMO_MAILBOX_PORT)');

	const dir = demoDir();
	const userFolder = join(dir, 'home');
	mkdirSync(userFolder, { recursive: true });
	progress.info(`demo data in ${userFolder}`);
	const stage = await prepareStage({
		progress,
		repoRoot,
		userFolder,
		workDir: join(dir, 'package'),
		encryptionKey: DEMO_ENCRYPTION_KEY,
		owner: DEMO_OWNER,
		ports,
		includeFixtures: false,
		tarball: tarball ? resolve(tarball) : undefined,
	});
	const state = describeDemo(stage);
	// As if the trigger's URL had been entered in the LINE console.
	const line = stage.sandboxes.line?.sandbox;
	if (line && state.friendAddWebhookUrl)
		line.webhookEndpoint = { endpoint: state.friendAddWebhookUrl, active: true };
	writeFileSync(join(dir, 'demo-state.json'), JSON.stringify(state, null, 2));
	printBanner(stage, state, userFolder);

	const { code, signal } = await stage.host.waitForExit();
	// On Ctrl-C the signal handler stops everything and exits; n8n ending is part of that.
	if (isShuttingDown()) return await new Promise<never>(() => undefined);
	progress.info(
		`n8n stopped unexpectedly (code ${code}, signal ${signal}); last log lines:\n${stage.host.logTail(30)}`,
	);
	await runShutdown(progress);
	process.exit(1);
}

function argumentValue(args: string[], name: string): string | undefined {
	const index = args.indexOf(name);
	return index >= 0 ? args[index + 1] : undefined;
}

async function linkUrlFor(state: DemoState, candidateId: string): Promise<string> {
	if (!state.linkUrlWebhook) {
		throw new Error('No shipped workflow answers with link URLs; pass --url <link URL> instead');
	}
	const { url, method } = state.linkUrlWebhook;
	const target = new URL(url);
	let response: Response;
	if (method === 'GET') {
		target.searchParams.set('candidateId', candidateId);
		response = await fetch(target, {
			headers: { [state.recruiterWebhookKey.header]: state.recruiterWebhookKey.value },
		});
	} else {
		response = await fetch(target, {
			method,
			headers: {
				'content-type': 'application/json',
				[state.recruiterWebhookKey.header]: state.recruiterWebhookKey.value,
			},
			body: JSON.stringify({ candidateId }),
		});
	}
	const text = await response.text();
	if (!response.ok) throw new Error(`${method} ${url} → ${response.status}: ${text}`);
	const found = text.match(/https?:\/\/[^\s"'<>]+\/oauth2\/v2\.1\/authorize\?[^\s"'<>]+/);
	if (!found)
		throw new Error(`The link-URL workflow answered without a link URL: ${text.slice(0, 500)}`);
	return found[0].replace(/\\u0026/g, '&');
}

async function openLink(args: string[]): Promise<void> {
	const stateFile = join(demoDir(), 'demo-state.json');
	let url = argumentValue(args, '--url');
	const candidate = argumentValue(args, '--candidate');
	if (!url && !candidate)
		throw new Error('usage: demo.js open-link --url <link URL> | --candidate <id>');
	if (!url) {
		if (!existsSync(stateFile))
			throw new Error('The demo is not running (start it with npm start)');
		url = await linkUrlFor(JSON.parse(readFileSync(stateFile, 'utf8')) as DemoState, candidate!);
	}
	console.log(`Opening ${url}`);
	const page = await new Browser().open(url);
	for (const hop of page.hops)
		console.log(`  ${hop.status} ${hop.url}${hop.location ? `\n      → ${hop.location}` : ''}`);
	const text = page.contentType.includes('html')
		? page.body
				.replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/gi, '')
				.replace(/<[^>]+>/g, ' ')
		: page.body;
	console.log(`\nThe candidate sees (${page.status}, ${page.contentType || 'no content type'}):\n`);
	console.log(
		text
			.replace(/[ \t]+/g, ' ')
			.replace(/\n\s*\n+/g, '\n')
			.trim()
			.slice(0, 2000),
	);
}

async function main(): Promise<void> {
	const [command, ...rest] = process.argv.slice(2);
	if (command === 'open-link') return await openLink(rest);
	if (command !== undefined && command !== '--tarball') {
		throw new Error(
			`Unknown command "${command}" (expected nothing, --tarball <file> or open-link)`,
		);
	}
	await runDemo(process.argv.slice(2));
}

main().catch(async (error) => {
	console.error(error instanceof Error ? error.message : error);
	await runShutdown();
	process.exit(1);
});
