import { existsSync, readFileSync } from 'fs';
import { homedir } from 'os';
import { dirname, join, resolve } from 'path';

/**
 * Pinned versions of the real n8n used by the end-to-end tests and the demo. The registry mirror
 * this project is built with lacks dependencies of newer n8n releases (see
 * ../shared/docs/n8n-platform.md §7).
 */
export const N8N_VERSION = '2.40.7';
/**
 * The oldest n8n the package supports: the last 1.x line, still maintained. Its `engines.node` is
 * `>=20.19 <=24.x`, so it runs on the same Node as the pinned 2.x.
 */
export const OLDEST_SUPPORTED_N8N_VERSION = '1.123.81';
/** Every n8n version the e2e can run against, newest first. */
export const SUPPORTED_N8N_VERSIONS = [N8N_VERSION, OLDEST_SUPPORTED_N8N_VERSION] as const;
export const NODE_RUNTIME_VERSION = '24.21.0';
/** `linkedom@0.18.15` depends on a package the mirror does not have. */
export const LINKEDOM_OVERRIDE = '0.18.14';
/**
 * n8n 1.x's spreadsheet nodes ask for `xlsx` as a tarball URL on cdn.sheetjs.com, which this
 * machine cannot reach; the registry's last `xlsx` stands in (none of the package's flows read
 * spreadsheets).
 */
export const N8N1_XLSX_OVERRIDE = '0.18.5';

/** npm `overrides` of the host project that installs n8n. */
export function n8nInstallOverrides(n8nVersion: string): Record<string, string> {
	return hasPublishCommand(n8nVersion)
		? { linkedom: LINKEDOM_OVERRIDE }
		: { linkedom: LINKEDOM_OVERRIDE, xlsx: N8N1_XLSX_OVERRIDE };
}

/** Bump when the install steps change, so that caches made by older steps are not trusted. */
export const INSTALL_RECIPE_REVISION = 1;

export const PACKAGE_NAME = 'n8n-nodes-line-porters';

/** Environment variable that moves the cache (default `$HOME/.cache/n8n-nodes-line-porters`). */
export const CACHE_DIR_ENV = 'LINE_PORTERS_CACHE_DIR';

/**
 * Environment variable that picks the n8n version of the e2e, the demo and the benches (read by
 * these scripts only): an exact supported version, or its line (`1.123.x`, `1.123`, `1.x`).
 */
export const N8N_VERSION_ENV = 'LINE_PORTERS_N8N_VERSION';

/** Resolves `1.123.x`, `1.123`, `1.x`, `2` or an exact version to one of the supported versions. */
export function resolveN8nVersion(requested: string): string {
	const wanted = requested.trim().replace(/(\.x)+$/i, '');
	const match = SUPPORTED_N8N_VERSIONS.find(
		(version) => version === wanted || version.startsWith(`${wanted}.`),
	);
	if (!match) {
		throw new Error(
			`n8n ${requested} is not one of the versions the harness installs ` +
				`(${SUPPORTED_N8N_VERSIONS.join(', ')}; see scripts/n8n/install/versions.ts)`,
		);
	}
	return match;
}

/** The n8n version this run uses: `LINE_PORTERS_N8N_VERSION` if set, else the pinned 2.x. */
export function selectedN8nVersion(): string {
	const fromEnv = process.env[N8N_VERSION_ENV];
	return fromEnv && fromEnv.trim() !== '' ? resolveN8nVersion(fromEnv) : N8N_VERSION;
}

/** n8n 2.0 brought workflow versions: `publish:workflow` and `POST /rest/workflows/:id/activate`. */
export function hasPublishCommand(n8nVersion: string): boolean {
	return Number(n8nVersion.split('.')[0]) >= 2;
}

export function cacheRoot(): string {
	const fromEnv = process.env[CACHE_DIR_ENV];
	if (fromEnv && fromEnv.trim() !== '') return resolve(fromEnv);
	return join(homedir(), '.cache', PACKAGE_NAME);
}

/** Folder of one installation, keyed by everything that changes what gets installed. */
export function installDirName(n8nVersion: string = selectedN8nVersion()): string {
	return `n8n-${n8nVersion}_node-${NODE_RUNTIME_VERSION}_r${INSTALL_RECIPE_REVISION}`;
}

export function installDir(n8nVersion: string = selectedN8nVersion()): string {
	return join(cacheRoot(), installDirName(n8nVersion));
}

/** Walks up from `startDir` to the folder whose package.json is this package's. */
export function findRepoRoot(startDir: string = __dirname): string {
	let dir = resolve(startDir);
	for (;;) {
		const manifest = join(dir, 'package.json');
		if (existsSync(manifest)) {
			try {
				const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
				if (parsed.name === PACKAGE_NAME) return dir;
			} catch {
				// not a readable manifest: keep walking
			}
		}
		const parent = dirname(dir);
		if (parent === dir)
			throw new Error(`Cannot find the ${PACKAGE_NAME} repository above ${startDir}`);
		dir = parent;
	}
}
