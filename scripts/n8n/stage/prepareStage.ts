import { existsSync } from 'fs';
import { basename, join } from 'path';

import type { E2EWorkflow } from '../clients/e2eContext';
import type { OwnerAccount } from '../clients/rest';
import { ensureN8nInstalled, type N8nInstallation } from '../install/n8nInstallation';
import { packPackage, type InstalledPackage, type PackedPackage } from '../install/package';
import {
	missingNodeTypes,
	packageWebhooks,
	probePackageCatalog,
	type PackageCatalog,
} from '../install/packageCatalog';
import { hasPublishCommand, PACKAGE_NAME } from '../install/versions';
import { run } from '../processes/processGroups';
import type { Progress } from '../processes/progress';
import { onShutdown } from '../processes/shutdown';
import { CaptureServer } from './captureServer';
import {
	builtInCredentialReference,
	builtInCredentials,
	credentialReference,
	sandboxCredentials,
	type CredentialSpec,
	type SandboxValues,
} from './credentials';
import { N8nServer } from './n8nServer';
import { dropQueueBackends, resetQueueBackends, type QueueBackends } from './queueBackends';
import { startSandboxes, type RunningSandboxes } from './sandboxes';
import {
	listWorkflowFiles,
	prepareWorkflow,
	type PrepareOptions,
	type PreparedWorkflow,
} from './workflows';
import {
	commonSettings,
	portersFixtureSettings,
	type DeploymentInputs,
} from './workflowSettings';

/**
 * Everything the e2e run and the demo share: n8n installed, this package packed and installed
 * into a user folder, both sandboxes running, credentials pointing at them, the workflows imported
 * and published, n8n started and signed in. Everything started is stopped by `stop()` and, on a
 * signal, by the shutdown hooks.
 */

export interface StageOptions {
	progress: Progress;
	repoRoot: string;
	/** n8n user folder (temporary for e2e, persistent for the demo). */
	userFolder: string;
	/** Where the packed tarball goes. */
	workDir: string;
	encryptionKey: string;
	owner?: OwnerAccount;
	ports?: {
		n8n?: number;
		line?: number;
		porters?: number;
		capture?: number;
		smtp?: number;
		mailbox?: number;
	};
	/** Test an existing tarball instead of packing the repository. */
	tarball?: string;
	/** More n8n environment settings (e.g. to compare n8n engine options in a benchmark). */
	extraEnv?: Record<string, string>;
	/** Poll polling triggers every minute (default: the workflows' own interval). */
	pollEveryMinute?: boolean;
	/** Also import `test/e2e/fixtures/*.json` (e2e only). */
	includeFixtures: boolean;
	logLevel?: 'error' | 'warn' | 'info' | 'debug';
	/** Options for the sandboxes' constructors (e.g. how long the LINE sandbox waits for n8n). */
	sandboxOptions?: { line?: object; porters?: object };
	/** Run n8n in queue mode (main + webhook processor + worker) on these Postgres and Redis. */
	queue?: QueueBackends;
	/** Queue mode: when this says so at stop time, the database and queue keys are left for a look. */
	keepQueueData?: () => boolean;
}

export interface Stage {
	installation: N8nInstallation;
	host: N8nServer;
	packed: PackedPackage;
	installed: InstalledPackage;
	catalog: PackageCatalog;
	sandboxes: RunningSandboxes;
	/** Stand-in for the recruiters' chat tool and the marketing tool. */
	capture: CaptureServer;
	credentials: CredentialSpec[];
	/** Settings filled into the shipped settings workflow, which every flow reads. */
	settings: Record<string, unknown>;
	workflows: E2EWorkflow[];
	skippedFixtures: Array<{ file: string; missingNodeTypes: string[] }>;
	/** Production URL of the LINE Login callback workflow, when a shipped workflow has one. */
	loginCallbackUrl?: string;
	stop(): Promise<void>;
}

/** What the stage started, stopped newest first by `prepareStage`. */
type Cleanups = Array<() => Promise<void>>;

/**
 * Sets up the stage by the steps of the README's recipe (scripts/n8n/README.md). Whatever a step
 * started is stopped again when a later step fails, by `stop()`, or on a signal.
 */
export async function prepareStage(options: StageOptions): Promise<Stage> {
	const { progress } = options;
	const cleanups: Cleanups = [];
	// Each cleanup runs even when an earlier one fails, so nothing is left running.
	const stopAll = async () => {
		while (cleanups.length > 0) {
			try {
				await cleanups.pop()?.();
			} catch (error) {
				progress.info(`cleanup failed: ${(error as Error).message}`);
			}
		}
	};
	const unregister = onShutdown('stage', stopAll);
	try {
		const stage = await buildStage(options, cleanups);
		return {
			...stage,
			stop: async () => {
				unregister();
				await stopAll();
			},
		};
	} catch (error) {
		unregister();
		await stopAll();
		throw error;
	}
}

async function buildStage(options: StageOptions, cleanups: Cleanups): Promise<Omit<Stage, 'stop'>> {
	const { progress, repoRoot } = options;
	// 1. n8n and the Node it runs on.
	const installation = await progress.step('n8n installation', () =>
		ensureN8nInstalled({ progress }),
	);
	// 2. This package, installed into the user folder the way n8n's installer does it.
	const packed = await packageTarball(options);
	if (options.queue) await prepareQueueBackends(options, options.queue, cleanups);
	const host = await createN8nServer(options, installation, cleanups);
	const installed = await progress.step('install the package the way n8n does', () =>
		host.installPackage(packed),
	);
	// 3. What the package offers n8n, read on n8n's Node.
	const catalog = await probeCatalog(installation, installed, progress);
	// 4. The sandboxes and the capture server.
	const sandboxes = await progress.step('sandboxes', () =>
		startSandboxes(
			repoRoot,
			{
				line: options.ports?.line,
				porters: options.ports?.porters,
				smtp: options.ports?.smtp,
				mailbox: options.ports?.mailbox,
			},
			progress,
			options.sandboxOptions,
		),
	);
	cleanups.push(() => sandboxes.stop());
	const capture = await startCaptureServer(options, cleanups);
	// 6. The workflows, bound to credentials by their stable IDs before the credentials exist:
	// the LINE Login credential needs the callback URL of a workflow.
	const deploymentInputs: DeploymentInputs = {
		porters: sandboxes.porters ? portersFixtureSettings(repoRoot) : {},
		captureUrl: capture.url,
		lineBasicId: sandboxes.line?.values.basicId,
		smtp: sandboxes.smtp !== undefined,
		webhookUrl: (path: string) => host.webhookUrl(path),
	};
	const bindings = workflowBindings(catalog);
	const shipped = prepareShippedWorkflows(options, bindings, deploymentInputs, catalog);
	const { fixtures, skippedFixtures } = options.includeFixtures
		? prepareFixtures(options, bindings, catalog)
		: { fixtures: [], skippedFixtures: [] };
	const all = [...shipped, ...fixtures];
	const loginCallbackUrl = registerLoginCallback(shipped, catalog, host, sandboxes, progress);
	// 5. The credentials, pointing at the sandboxes.
	const credentials = stageCredentials(all, catalog, sandboxes, progress);
	// 7. Import, publish, start n8n and check that every workflow is active.
	await importAndStart(host, credentials, all, installation.n8nVersion, progress);
	return {
		installation,
		host,
		packed,
		installed,
		catalog,
		sandboxes,
		capture,
		credentials,
		settings: commonSettings(deploymentInputs),
		workflows: liveWorkflows(all, shipped, host),
		skippedFixtures,
		loginCallbackUrl,
	};
}

async function describeTarball(tarball: string): Promise<PackedPackage> {
	const manifest = await run('tar', ['-xzOf', tarball, 'package/package.json'], {
		cwd: join(tarball, '..'),
		description: `read package.json from ${basename(tarball)}`,
	});
	const { name, version } = JSON.parse(manifest.stdout) as { name: string; version: string };
	return { tarball, name, version, files: [] };
}

/** The given tarball, or the repository packed with `npm pack`. */
async function packageTarball(options: StageOptions): Promise<PackedPackage> {
	const { progress, repoRoot } = options;
	const packed = await progress.step('package tarball', async () => {
		if (options.tarball) return await describeTarball(options.tarball);
		if (!existsSync(join(repoRoot, 'dist'))) {
			throw new Error('dist/ is missing: build the package first (npm run build)');
		}
		return await packPackage(repoRoot, options.workDir);
	});
	progress.info(`package ${packed.name}@${packed.version}: ${packed.tarball}`);
	return packed;
}

/** Queue mode: fresh Postgres and Redis, dropped again at the end unless the caller keeps them. */
async function prepareQueueBackends(
	options: StageOptions,
	queue: QueueBackends,
	cleanups: Cleanups,
): Promise<void> {
	const { progress } = options;
	await progress.step('reset Postgres and Redis for queue mode', () =>
		resetQueueBackends(queue, progress),
	);
	// Pushed before the host, so it runs after every n8n process has stopped.
	cleanups.push(async () => {
		if (options.keepQueueData?.()) {
			progress.info(
				`kept Postgres database ${queue.postgres.database} and Redis keys "${queue.redis.prefix}*" ` +
					`(db ${queue.redis.db}); the next queue run resets them`,
			);
		} else {
			await dropQueueBackends(queue);
		}
	});
}

/** The n8n instance in the user folder, not started yet (CLI commands run first). */
async function createN8nServer(
	options: StageOptions,
	installation: N8nInstallation,
	cleanups: Cleanups,
): Promise<N8nServer> {
	const host = await N8nServer.create({
		queue: options.queue,
		installation,
		userFolder: options.userFolder,
		port: options.ports?.n8n,
		encryptionKey: options.encryptionKey,
		owner: options.owner,
		progress: options.progress,
		logLevel: options.logLevel,
		extraEnv: options.extraEnv,
	});
	cleanups.push(() => host.stop());
	return host;
}

async function probeCatalog(
	installation: N8nInstallation,
	installed: InstalledPackage,
	progress: Progress,
): Promise<PackageCatalog> {
	const catalog = await progress.step('load the installed package on n8n’s Node', () =>
		probePackageCatalog(installation, installed.dir),
	);
	progress.info(
		`package offers nodes [${catalog.nodes.map((node) => node.type).join(', ')}] and credentials ` +
			`[${catalog.credentials.map((credential) => credential.name).join(', ')}]`,
	);
	return catalog;
}

async function startCaptureServer(
	options: StageOptions,
	cleanups: Cleanups,
): Promise<CaptureServer> {
	const capture = new CaptureServer();
	await capture.start(options.ports?.capture ?? 0);
	cleanups.push(() => capture.stop());
	options.progress.info(`capture server (recruiters' chat tool, marketing tool) on ${capture.url}`);
	return capture;
}

type WorkflowBindings = Required<Pick<PrepareOptions, 'credentialsByType' | 'packageWebhooks'>>;

/** Credential IDs are stable per type, so workflows can be bound before the data is known. */
function workflowBindings(catalog: PackageCatalog): WorkflowBindings {
	const credentialsByType: Record<string, { id: string; name: string }> = Object.fromEntries(
		catalog.credentials.map((credential) => [
			credential.name,
			credentialReference(credential.name, credential.displayName),
		]),
	);
	for (const type of ['httpHeaderAuth', 'httpBasicAuth', 'smtp']) {
		const reference = builtInCredentialReference(type);
		if (reference) credentialsByType[type] = reference;
	}
	return { credentialsByType, packageWebhooks: packageWebhooks(catalog) };
}

/** Every `workflows/*.json` with the deployment settings filled; a missing node type fails. */
function prepareShippedWorkflows(
	options: StageOptions,
	bindings: WorkflowBindings,
	deploymentInputs: DeploymentInputs,
	catalog: PackageCatalog,
): PreparedWorkflow[] {
	const settings = commonSettings(deploymentInputs);
	const shipped = listWorkflowFiles(join(options.repoRoot, 'workflows')).map((file) =>
		prepareWorkflow(file, {
			...bindings,
			settings,
			pollEveryMinute: options.pollEveryMinute,
		}),
	);
	for (const workflow of shipped) {
		const missing = missingNodeTypes(workflow.nodeTypes, catalog);
		if (missing.length > 0) {
			throw new Error(
				`Shipped workflow ${basename(workflow.source)} uses node types the package lacks: ${missing.join(', ')}`,
			);
		}
		if (workflow.settings.unfilled.length > 0) {
			options.progress.info(
				`note: ${workflow.name}: settings left empty: ${workflow.settings.unfilled.join(', ')}`,
			);
		}
	}
	return shipped;
}

/** `test/e2e/fixtures/*.json`; one using a node type the package lacks yet is left out. */
function prepareFixtures(
	options: StageOptions,
	bindings: WorkflowBindings,
	catalog: PackageCatalog,
): { fixtures: PreparedWorkflow[]; skippedFixtures: Stage['skippedFixtures'] } {
	const fixtures: PreparedWorkflow[] = [];
	const skippedFixtures: Stage['skippedFixtures'] = [];
	for (const file of listWorkflowFiles(join(options.repoRoot, 'test', 'e2e', 'fixtures'))) {
		const workflow = prepareWorkflow(file, { ...bindings, idSeed: `fixture:${basename(file)}` });
		const missing = missingNodeTypes(workflow.nodeTypes, catalog);
		if (missing.length > 0) {
			skippedFixtures.push({ file: basename(file), missingNodeTypes: missing });
			options.progress.info(
				`fixture ${basename(file)} left out: the package has no ${missing.join(', ')} yet`,
			);
		} else {
			fixtures.push(workflow);
		}
	}
	return { fixtures, skippedFixtures };
}

/**
 * The LINE Login callback: the GET endpoint of a built-in Webhook node in a shipped workflow that
 * also uses the package's LINE Login node to link a candidate (a workflow that only generates
 * link URLs, such as the recruiters' page, is no callback).
 */
function findLoginCallback(
	prepared: PreparedWorkflow[],
	catalog: PackageCatalog,
	host: N8nServer,
	progress: Progress,
): string | undefined {
	const loginType =
		catalog.nodes.find((node) => node.name === 'lineLogin')?.type ?? `${PACKAGE_NAME}.lineLogin`;
	const linksCandidates = (workflow: PreparedWorkflow) =>
		workflow.json.nodes.some(
			(node) => node.type === loginType && node.parameters?.operation === 'linkCandidate',
		);
	const candidates = prepared.flatMap((workflow) =>
		linksCandidates(workflow)
			? workflow.webhooks
					.filter(
						(webhook) => webhook.nodeType === 'n8n-nodes-base.webhook' && webhook.method === 'GET',
					)
					.map((webhook) => ({ workflow, url: host.webhookUrl(webhook.path) }))
			: [],
	);
	if (candidates.length > 1) {
		progress.info(
			`note: several LINE Login callback candidates (${candidates.map((c) => c.workflow.name).join(', ')}); using the first`,
		);
	}
	return candidates[0]?.url;
}

/** Gives the callback URL to the LINE Login credential and registers it in the LINE sandbox. */
function registerLoginCallback(
	shipped: PreparedWorkflow[],
	catalog: PackageCatalog,
	host: N8nServer,
	sandboxes: RunningSandboxes,
	progress: Progress,
): string | undefined {
	const loginCallbackUrl = findLoginCallback(shipped, catalog, host, progress);
	const line = sandboxes.line;
	if (line && loginCallbackUrl) {
		line.values.loginCallbackUrl = loginCallbackUrl;
		if (!line.sandbox.loginChannel.callbackUrls.includes(loginCallbackUrl)) {
			line.sandbox.loginChannel.callbackUrls.push(loginCallbackUrl);
		}
	}
	return loginCallbackUrl;
}

/**
 * A sandbox credential per credential type of the package, plus the built-in ones the workflows
 * use; a workflow needing a credential the harness cannot fill fails the run.
 */
function stageCredentials(
	all: PreparedWorkflow[],
	catalog: PackageCatalog,
	sandboxes: RunningSandboxes,
	progress: Progress,
): CredentialSpec[] {
	const values: SandboxValues = {
		line: sandboxes.line?.values,
		porters: sandboxes.porters?.values,
		smtp: sandboxes.smtp?.values,
	};
	const packageCredentials = sandboxCredentials(catalog, values);
	const needed = new Set(
		all.flatMap((workflow) =>
			workflow.json.nodes.flatMap((node) =>
				node.disabled ? [] : Object.keys(node.credentials ?? {}),
			),
		),
	);
	const credentials = [...packageCredentials.credentials, ...builtInCredentials(needed, values)];
	const available = new Set(credentials.map((credential) => credential.type));
	const unavailable = [...needed].filter((type) => !available.has(type)).sort();
	if (unavailable.length > 0) {
		throw new Error(
			`Workflows need credentials the harness cannot fill (sandbox missing or type unknown): ${unavailable.join(', ')}`,
		);
	}
	for (const type of packageCredentials.unknownTypes) {
		progress.info(`note: no sandbox credential for ${type} (no workflow needs it)`);
	}
	if (credentials.some((credential) => credential.type === 'httpHeaderAuth')) {
		progress.info(
			'recruiter webhooks use Header Auth, the recruiter page Basic auth (see RECRUITER_WEBHOOK_KEY and ' +
				'RECRUITER_PAGE_LOGIN in scripts/n8n/stage/credentials.ts)',
		);
	}
	return credentials;
}

const SUB_WORKFLOW_TRIGGER = 'n8n-nodes-base.executeWorkflowTrigger';

/**
 * Whether n8n must activate the workflow. n8n 2.x calls only published sub-workflows; n8n 1.x
 * runs a sub-workflow without activation and refuses to activate one whose only trigger is
 * "When Executed by Another Workflow" ("has no node to start the workflow").
 */
export function needsActivation(nodeTypes: string[], n8nVersion: string): boolean {
	if (hasPublishCommand(n8nVersion)) return true;
	const starters = nodeTypes.filter((type) => /trigger$|\.webhook$/i.test(type));
	return starters.some((type) => type !== SUB_WORKFLOW_TRIGGER);
}

/** Imports and publishes while n8n is stopped, then starts it and checks every activation. */
async function importAndStart(
	host: N8nServer,
	credentials: CredentialSpec[],
	all: PreparedWorkflow[],
	n8nVersion: string,
	progress: Progress,
): Promise<void> {
	await progress.step(`import ${credentials.length} credential(s)`, () =>
		host.importCredentials(credentials),
	);
	await progress.step(`import ${all.length} workflow(s)`, () => host.importWorkflows(all));
	const activated = all.filter((workflow) =>
		needsActivation(
			workflow.json.nodes.filter((node) => !node.disabled).map((node) => node.type),
			n8nVersion,
		),
	);
	await progress.step(`publish ${activated.length} workflow(s)`, () =>
		host.publishWorkflows(activated.map((workflow) => workflow.id)),
	);
	await progress.step('start n8n', () => host.start());
	await host.signIn();
	const problems = await host.activationProblems(activated.map((workflow) => workflow.id));
	if (problems.length > 0) {
		throw new Error(
			'Workflows failed to activate:\n' +
				problems
					.map(
						(problem) =>
							`  ${all.find((w) => w.id === problem.id)?.name ?? problem.id}: ${problem.error}`,
					)
					.join('\n'),
		);
	}
	progress.info(
		`${activated.length} workflow(s) active` +
			(activated.length < all.length
				? `, ${all.length - activated.length} sub-workflow(s) called without activation (n8n 1.x)`
				: ''),
	);
}

/** The active workflows as the e2e tests see them, with their production webhook URLs. */
function liveWorkflows(
	all: PreparedWorkflow[],
	shipped: PreparedWorkflow[],
	host: N8nServer,
): E2EWorkflow[] {
	const shippedIds = new Set(shipped.map((workflow) => workflow.id));
	return all.map((workflow) => ({
		id: workflow.id,
		name: workflow.name,
		origin: shippedIds.has(workflow.id) ? 'shipped' : 'fixture',
		file: basename(workflow.source),
		webhooks: workflow.webhooks.map((webhook) => ({
			...webhook,
			url: host.webhookUrl(webhook.path),
		})),
		nodeTypes: workflow.nodeTypes,
		settings: workflow.settings,
	}));
}
