import {
	readE2EContext,
	type E2EContext,
	type E2EWorkflow,
} from '../../scripts/n8n/clients/e2eContext';
import { N8nRestClient } from '../../scripts/n8n/clients/rest';
import type { CapturedRequest } from '../../scripts/n8n/stage/captureServer';

/** Shared helpers of the e2e test files (run only through `npm run test:e2e`). */

let cached: E2EContext | undefined;

export function e2e(): E2EContext {
	cached ??= readE2EContext();
	return cached;
}

/** A REST client logged in as the instance owner. */
export async function signedIn(): Promise<N8nRestClient> {
	const { baseUrl, owner } = e2e().n8n;
	const client = new N8nRestClient(baseUrl);
	await client.login(owner.email, owner.password);
	return client;
}

export function fixtureWorkflow(file: string): E2EWorkflow | undefined {
	return e2e().workflows.find(
		(workflow) => workflow.origin === 'fixture' && workflow.file === file,
	);
}

export function shippedWorkflows(): E2EWorkflow[] {
	return e2e().workflows.filter((workflow) => workflow.origin === 'shipped');
}

/** A shipped workflow by file name, e.g. `01-line-friend-added-to-porters.json`. */
export function shippedWorkflow(file: string): E2EWorkflow {
	const workflow = shippedWorkflows().find((candidate) => candidate.file === file);
	if (!workflow) throw new Error(`No shipped workflow ${file} in this run`);
	return workflow;
}

/** The Header Auth header the shipped recruiter webhooks expect. */
export function recruiterHeaders(): Record<string, string> {
	const { header, value } = e2e().recruiterWebhookKey;
	return { [header]: value };
}

/** What the workflows posted to a stand-in outside service, oldest first. */
export async function captured(
	channel: keyof E2EContext['capture']['channels'],
): Promise<CapturedRequest[]> {
	const { url, channels } = e2e().capture;
	const response = await fetch(`${url}/__capture/${channels[channel]}`);
	if (!response.ok) throw new Error(`capture server → ${response.status}`);
	return (await response.json()) as CapturedRequest[];
}

export function webhookOf(workflow: E2EWorkflow, nodeName: string): string {
	const webhook = workflow.webhooks.find((candidate) => candidate.nodeName === nodeName);
	if (!webhook) throw new Error(`Workflow ${workflow.name} has no webhook on node "${nodeName}"`);
	return webhook.url;
}

/** Calls the LINE sandbox's admin API (`/__sandbox/<path>`) of the sandbox the runner started. */
export async function lineSandbox<T>(
	method: 'GET' | 'POST',
	path: string,
	body?: unknown,
): Promise<T> {
	const line = e2e().line;
	if (!line) throw new Error('The LINE sandbox is not running in this e2e run');
	return await adminCall<T>(line.url, method, path, body);
}

/** Calls the PORTERS sandbox's admin API (`/__sandbox/<path>`), e.g. to change a resume. */
export async function portersSandbox<T>(
	method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
	path: string,
	body?: unknown,
): Promise<T> {
	const porters = e2e().porters;
	if (!porters) throw new Error('The PORTERS sandbox is not running in this e2e run');
	return await adminCall<T>(porters.url, method, path, body);
}

async function adminCall<T>(
	baseUrl: string,
	method: string,
	path: string,
	body?: unknown,
): Promise<T> {
	const response = await fetch(`${baseUrl}/__sandbox/${path}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`${method} /__sandbox/${path} → ${response.status}: ${text}`);
	return (text === '' ? undefined : JSON.parse(text)) as T;
}
