import { existsSync, readFileSync } from 'fs';
import { homedir } from 'os';
import { dirname, join, resolve } from 'path';

/**
 * Pinned versions of the real n8n used by the end-to-end tests and the demo. The registry mirror
 * this project is built with lacks dependencies of newer n8n releases (see
 * ../shared/docs/n8n-platform.md §7).
 */
export const N8N_VERSION = '2.40.7';
export const NODE_RUNTIME_VERSION = '24.21.0';
/** `linkedom@0.18.15` depends on a package the mirror does not have. */
export const LINKEDOM_OVERRIDE = '0.18.14';
/** Bump when the install steps change, so that caches made by older steps are not trusted. */
export const INSTALL_RECIPE_REVISION = 1;

export const PACKAGE_NAME = 'n8n-nodes-line-porters';

/** Environment variable that moves the cache (default `$HOME/.cache/n8n-nodes-line-porters`). */
export const CACHE_DIR_ENV = 'LINE_PORTERS_CACHE_DIR';

export function cacheRoot(): string {
	const fromEnv = process.env[CACHE_DIR_ENV];
	if (fromEnv && fromEnv.trim() !== '') return resolve(fromEnv);
	return join(homedir(), '.cache', PACKAGE_NAME);
}

/** Folder of one installation, keyed by everything that changes what gets installed. */
export function installDirName(): string {
	return `n8n-${N8N_VERSION}_node-${NODE_RUNTIME_VERSION}_r${INSTALL_RECIPE_REVISION}`;
}

export function installDir(): string {
	return join(cacheRoot(), installDirName());
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
