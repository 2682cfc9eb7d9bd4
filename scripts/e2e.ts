/* eslint-disable no-console */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

import { E2E_CONTEXT_ENV, type E2EContext } from './n8n/clients/e2eContext';
import {
	findRepoRoot,
	N8N_VERSION_ENV,
	resolveN8nVersion,
	selectedN8nVersion,
} from './n8n/install/versions';
import {
	cleanChildEnv,
	liveProcessGroups,
	spawnGroup,
	stopGroup,
} from './n8n/processes/processGroups';
import { formatDuration, Progress } from './n8n/processes/progress';
import {
	installSignalHandlers,
	isShuttingDown,
	onShutdown,
	runShutdown,
} from './n8n/processes/shutdown';
import { RECRUITER_PAGE_LOGIN, RECRUITER_WEBHOOK_KEY } from './n8n/stage/credentials';
import { E2E_ENCRYPTION_KEY } from './n8n/stage/n8nServer';
import { prepareStage, type Stage } from './n8n/stage/prepareStage';
import { queueBackendsFromEnv, type QueueBackends } from './n8n/stage/queueBackends';
import { CAPTURE_CHANNELS } from './n8n/stage/workflowSettings';

/**
 * `npm run test:e2e`: one real n8n with this package installed the way users get it, both
 * sandboxes, every shipped workflow imported and active; then the e2e test files run (jest, one
 * process, sharing that n8n); then everything is stopped, also on failure and on Ctrl-C.
 *
 * Options: --tarball <file> (test that tarball instead of packing the repository), --keep (keep the
 * temporary folder), --queue (n8n in queue mode: main, a webhook processor and a worker on Postgres
 * and Redis, see scripts/n8n/stage/queueBackends.ts), --n8n-version <version> (another supported n8n,
 * e.g. `1.123.x`; same as LINE_PORTERS_N8N_VERSION, see scripts/n8n/install/versions.ts), any other
 * arguments go to jest (e.g. a test path pattern).
 */

interface Arguments {
	tarball?: string;
	keep: boolean;
	queue: boolean;
	n8nVersion?: string;
	jestArgs: string[];
}

function parseArguments(argv: string[]): Arguments {
	const parsed: Arguments = { keep: false, queue: false, jestArgs: [] };
	for (let index = 0; index < argv.length; index += 1) {
		const argument = argv[index];
		if (argument === '--tarball') parsed.tarball = resolve(argv[++index] ?? '');
		else if (argument === '--keep') parsed.keep = true;
		else if (argument === '--queue') parsed.queue = true;
		else if (argument === '--n8n-version') parsed.n8nVersion = resolveN8nVersion(argv[++index] ?? '');
		else parsed.jestArgs.push(argument);
	}
	return parsed;
}

interface JestSummary {
	numTotalTestSuites: number;
	numFailedTestSuites: number;
	numTotalTests: number;
	numPassedTests: number;
	numFailedTests: number;
	numPendingTests: number;
	success: boolean;
}

async function runJest(
	repoRoot: string,
	contextFile: string,
	resultFile: string,
	extraArgs: string[],
): Promise<number> {
	const jestBin = require.resolve('jest/bin/jest', { paths: [repoRoot] });
	const child = spawnGroup(
		process.execPath,
		[
			jestBin,
			'--config',
			join(repoRoot, 'test', 'e2e', 'jest.e2e.config.js'),
			'--runInBand',
			'--json',
			'--outputFile',
			resultFile,
			...extraArgs,
		],
		{
			cwd: repoRoot,
			env: cleanChildEnv({ [E2E_CONTEXT_ENV]: contextFile }),
			stdio: ['ignore', 'inherit', 'inherit'],
			description: 'jest (e2e tests)',
		},
	);
	// On Ctrl-C jest goes first, before the n8n it is talking to.
	const unregister = onShutdown('jest', async () => {
		if (child.pid !== undefined) await stopGroup(child.pid, 5000);
	});
	const code = await new Promise<number>((resolveExit, rejectExit) => {
		child.once('error', rejectExit);
		child.once('exit', (exitCode, signal) => resolveExit(exitCode ?? (signal ? 1 : 0)));
	});
	unregister();
	// Anything jest left running in its group goes too.
	if (child.pid !== undefined) await stopGroup(child.pid, 5000);
	return code;
}

function readJestSummary(file: string): JestSummary | undefined {
	try {
		return JSON.parse(readFileSync(file, 'utf8')) as JestSummary;
	} catch {
		return undefined;
	}
}

/** The one line the run ends with. */
function summaryLine(
	stage: Stage,
	results: JestSummary | undefined,
	passed: boolean,
	queue: boolean,
): string {
	const shipped = stage.workflows.filter((workflow) => workflow.origin === 'shipped').length;
	const counts = results
		? `${results.numPassedTests}/${results.numTotalTests} tests passed, ${results.numFailedTests} failed, ` +
			`${results.numPendingTests} skipped, in ${results.numTotalTestSuites} files`
		: 'no jest results';
	return (
		`e2e${queue ? ' (queue mode)' : ''}: ${passed ? 'PASSED' : 'FAILED'} — ${counts}; ` +
		`n8n ${stage.installation.n8nVersion}, ` +
		`${stage.packed.name}@${stage.packed.version}, ${shipped} shipped + ` +
		`${stage.workflows.length - shipped} fixture workflow(s)`
	);
}

/** What the test files read from LINE_PORTERS_E2E_CONTEXT: where n8n and the sandboxes are. */
function contextFor(stage: Stage, queueBackends: QueueBackends | undefined): E2EContext {
	return {
		n8n: {
			baseUrl: stage.host.baseUrl,
			version: stage.installation.n8nVersion,
			owner: stage.host.owner,
			projectDir: stage.installation.n8nProjectDir,
			userFolder: stage.host.userFolder,
			logFile: stage.host.logFile,
			mode: stage.host.mode,
			webhookBaseUrl: stage.host.webhookBaseUrl,
			logFiles: stage.host.logFiles,
			postgres: queueBackends?.postgres,
		},
		package: {
			name: stage.packed.name,
			version: stage.packed.version,
			tarball: stage.packed.tarball,
			installedDir: stage.installed.dir,
			catalog: stage.catalog,
		},
		workflows: stage.workflows,
		skippedFixtures: stage.skippedFixtures,
		credentials: stage.credentials.map(({ id, name, type }) => ({ id, name, type })),
		line: stage.sandboxes.line?.values,
		porters: stage.sandboxes.porters?.values,
		smtp: stage.sandboxes.smtp?.values,
		capture: { url: stage.capture.url, channels: CAPTURE_CHANNELS },
		recruiterWebhookKey: RECRUITER_WEBHOOK_KEY,
		recruiterPageLogin: RECRUITER_PAGE_LOGIN,
		settings: stage.settings,
	};
}

async function main(): Promise<number> {
	const startedAt = Date.now();
	const progress = new Progress('e2e');
	installSignalHandlers(progress);
	const args = parseArguments(process.argv.slice(2));
	// Every later step (install, stage, the jest process) reads the version from the environment.
	if (args.n8nVersion) process.env[N8N_VERSION_ENV] = args.n8nVersion;
	progress.info(`n8n ${selectedN8nVersion()}`);
	const repoRoot = findRepoRoot(__dirname);
	// Registered first, so it runs last when Ctrl-C stops everything.
	onShutdown('summary', () => {
		if (isShuttingDown())
			console.log(`e2e: INTERRUPTED (${formatDuration(Date.now() - startedAt)})`);
	});

	if (args.tarball && !existsSync(args.tarball))
		throw new Error(`No such tarball: ${args.tarball}`);
	mkdirSync(tmpdir(), { recursive: true });
	const workDir = mkdtempSync(join(tmpdir(), 'line-porters-e2e-'));
	let keepWorkDir = args.keep;
	onShutdown('temporary folder', () => {
		if (keepWorkDir)
			progress.info(`kept ${workDir} (n8n log: ${join(workDir, 'home', 'n8n-server.log')})`);
		else rmSync(workDir, { recursive: true, force: true });
	});
	progress.info(`working in ${workDir}`);

	let exitCode = 1;
	let summary = 'e2e: FAILED before the tests ran';
	try {
		const queueBackends = args.queue ? queueBackendsFromEnv() : undefined;
		const stage = await prepareStage({
			progress,
			repoRoot,
			userFolder: join(workDir, 'home'),
			workDir,
			encryptionKey: E2E_ENCRYPTION_KEY,
			tarball: args.tarball,
			includeFixtures: true,
			pollEveryMinute: true,
			queue: queueBackends,
			keepQueueData: () => keepWorkDir,
		});
		const context = contextFor(stage, queueBackends);
		const contextFile = join(workDir, 'e2e-context.json');
		writeFileSync(contextFile, JSON.stringify(context, null, 2));

		const jestArgs = [...args.jestArgs];
		const resultFile = join(workDir, 'jest-results.json');
		progress.info('running the e2e tests against the live n8n');
		const jestExit = await runJest(repoRoot, contextFile, resultFile, jestArgs);
		// On Ctrl-C the signal handler stops everything and exits; nothing more to do here.
		if (isShuttingDown()) return await new Promise<never>(() => undefined);
		const results = readJestSummary(resultFile);
		exitCode = jestExit === 0 && results?.success ? 0 : 1;
		summary = summaryLine(stage, results, exitCode === 0, args.queue);
		if (exitCode !== 0) {
			keepWorkDir = true;
			progress.info(`last lines of the n8n log(s):\n${stage.host.logTails(30)}`);
		}
	} catch (error) {
		if (isShuttingDown()) return await new Promise<never>(() => undefined);
		keepWorkDir = true;
		progress.info(`ERROR: ${(error as Error).message}`);
	}

	if (!isShuttingDown()) {
		await progress.step('stop everything', () => runShutdown(progress));
		const left = liveProcessGroups();
		if (left.length > 0) {
			exitCode = 1;
			summary += `; processes left behind: ${left.map((group) => group.description).join(', ')}`;
		}
	}
	console.log(`${summary} (${formatDuration(Date.now() - startedAt)})`);
	return exitCode;
}

main().then(
	(code) => process.exit(code),
	async (error) => {
		console.error(error instanceof Error ? error.stack : error);
		await runShutdown();
		console.log('e2e: FAILED');
		process.exit(1);
	},
);
