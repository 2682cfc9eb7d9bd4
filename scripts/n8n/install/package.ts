import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { basename, join } from 'path';

import { cleanChildEnv, run } from '../processes/processGroups';
import type { Progress } from '../processes/progress';

/**
 * This package as a user gets it: packed with `npm pack` and installed into an n8n user folder the
 * way n8n's community-package installer does it (../shared/docs/n8n-platform.md §7.6, path 3): the
 * tarball unpacked into `.n8n/nodes/node_modules/<name>`, its development, peer and optional
 * dependencies removed from its package.json, then `npm install` with the installer's flags inside
 * it. n8n loads such a package at start-up without any database record, under the type prefix
 * `<name>.`.
 */

export interface PackedPackage {
	tarball: string;
	name: string;
	version: string;
	/** Files in the tarball, as npm reports them. */
	files: string[];
}

interface NpmPackReport {
	filename: string;
	name: string;
	version: string;
	files: Array<{ path: string }>;
}

/** Runs `npm pack` in `packageDir` (which must already be built) and puts the tarball in `outDir`. */
export async function packPackage(packageDir: string, outDir: string): Promise<PackedPackage> {
	mkdirSync(outDir, { recursive: true });
	const result = await run('npm', ['pack', '--json', '--pack-destination', outDir], {
		cwd: packageDir,
		// No prepack/prepare scripts: the caller built the package, and the harness tests that build.
		env: cleanChildEnv({ npm_config_ignore_scripts: 'true', npm_config_update_notifier: 'false' }),
		description: 'npm pack',
	});
	const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as NpmPackReport[];
	const [packed] = report;
	if (!packed) throw new Error(`npm pack reported nothing: ${result.stdout}`);
	return {
		tarball: join(outDir, basename(packed.filename)),
		name: packed.name,
		version: packed.version,
		files: packed.files.map((file) => file.path),
	};
}

const STRIPPED_DEPENDENCY_FIELDS = ['devDependencies', 'peerDependencies', 'optionalDependencies'];

export interface InstalledPackage {
	name: string;
	version: string;
	/** `<userFolder>/.n8n/nodes/node_modules/<name>` */
	dir: string;
	/** The package's `n8n` section: the node and credential files n8n will load. */
	n8n: { nodes: string[]; credentials: string[]; n8nNodesApiVersion?: number };
}

/**
 * Installs a packed package into `<userFolder>/.n8n/nodes`, replacing any earlier copy. n8n must be
 * restarted (or not yet started) to load it.
 */
export async function installPackedPackage(
	packed: PackedPackage,
	userFolder: string,
	options: { npmEnv?: NodeJS.ProcessEnv; progress?: Progress } = {},
): Promise<InstalledPackage> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(join(nodesDir, 'node_modules'), { recursive: true });
	// Without a manifest here npm would walk up and install into an ancestor folder.
	const nodesManifest = join(nodesDir, 'package.json');
	if (!existsSync(nodesManifest)) {
		writeFileSync(
			nodesManifest,
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2),
		);
	}

	const packageDir = join(nodesDir, 'node_modules', ...packed.name.split('/'));
	rmSync(packageDir, { recursive: true, force: true });
	mkdirSync(packageDir, { recursive: true });
	// npm pack puts everything under `package/`.
	await run('tar', ['-xzf', packed.tarball, '-C', packageDir, '--strip-components=1'], {
		cwd: nodesDir,
		description: `unpack ${basename(packed.tarball)}`,
	});

	const manifestPath = join(packageDir, 'package.json');
	const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
	for (const field of STRIPPED_DEPENDENCY_FIELDS) delete manifest[field];
	writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));

	await run(
		'npm',
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
		],
		{
			cwd: packageDir,
			env: options.npmEnv ?? cleanChildEnv({ npm_config_update_notifier: 'false' }),
			description: `npm install inside ${packed.name}`,
			timeoutMs: 10 * 60 * 1000,
		},
	);

	// Record it the way a GUI install leaves it: listed in the nodes folder's manifest.
	const nodesPackage = JSON.parse(readFileSync(nodesManifest, 'utf8')) as {
		dependencies?: Record<string, string>;
	};
	nodesPackage.dependencies = { ...nodesPackage.dependencies, [packed.name]: packed.version };
	writeFileSync(nodesManifest, JSON.stringify(nodesPackage, null, 2));

	const n8nSection = (manifest.n8n ?? {}) as InstalledPackage['n8n'];
	options.progress?.info(
		`installed ${packed.name}@${packed.version} into ${packageDir} ` +
			`(${(n8nSection.nodes ?? []).length} nodes, ${(n8nSection.credentials ?? []).length} credentials)`,
	);
	return {
		name: packed.name,
		version: packed.version,
		dir: packageDir,
		n8n: {
			...n8nSection,
			nodes: n8nSection.nodes ?? [],
			credentials: n8nSection.credentials ?? [],
		},
	};
}
