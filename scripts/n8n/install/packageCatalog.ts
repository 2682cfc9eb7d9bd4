import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

import { cleanChildEnv, run } from '../processes/processGroups';
import type { WebhookDescription } from '../stage/workflows';
import type { N8nInstallation } from './n8nInstallation';

/**
 * What the built package offers n8n: its node types (with their webhooks) and credential types
 * (with their fields), read from the compiled files its package.json `n8n` section lists. The
 * harness uses it to compute webhook URLs, to bind credentials and to check credential data.
 */

export interface CatalogNode {
	/** Full type as used in workflow JSON: `<package name>.<node name>`. */
	type: string;
	name: string;
	displayName: string;
	file: string;
	webhooks: WebhookDescription[];
	credentialTypes: string[];
}

export interface CatalogCredential {
	name: string;
	displayName: string;
	file: string;
	properties: Array<{ name: string; type: string; required: boolean; default: unknown }>;
}

export interface PackageCatalog {
	packageName: string;
	version: string;
	nodes: CatalogNode[];
	credentials: CatalogCredential[];
}

interface NodeDescriptionLike {
	name: string;
	displayName: string;
	defaultVersion?: number;
	webhooks?: Array<{ httpMethod: string; path: string; isFullPath?: boolean }>;
	credentials?: Array<{ name: string }>;
}

interface NodeInstanceLike {
	description: NodeDescriptionLike;
	nodeVersions?: Record<number, { description: NodeDescriptionLike }>;
}

function loadExportedInstance<T>(file: string): T {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const exported = require(file) as Record<string, unknown>;
	const classes = Object.values(exported).filter((value) => typeof value === 'function') as Array<
		new () => T
	>;
	if (classes.length !== 1) {
		throw new Error(
			`${file} should export exactly one class, exports ${Object.keys(exported).join(', ')}`,
		);
	}
	return new classes[0]();
}

function staticWebhooks(description: NodeDescriptionLike, file: string): WebhookDescription[] {
	return (description.webhooks ?? []).map((webhook) => {
		for (const value of [webhook.httpMethod, webhook.path]) {
			if (typeof value !== 'string' || value.startsWith('=')) {
				throw new Error(
					`${file}: webhook "${String(value)}" is an expression; the harness needs static values`,
				);
			}
		}
		return { httpMethod: webhook.httpMethod, path: webhook.path, isFullPath: webhook.isFullPath };
	});
}

/**
 * Reads the catalog of the package installed in `packageDir` the way n8n would load it: in a
 * separate process on n8n's Node, where only n8n's own modules (its `n8n-workflow`) are available.
 * A package that needs anything else fails here, before n8n is even started.
 */
export async function probePackageCatalog(
	installation: N8nInstallation,
	packageDir: string,
): Promise<PackageCatalog> {
	const result = await run(
		installation.nodeBin,
		[join(__dirname, 'catalogProbe.js'), packageDir],
		{
			cwd: packageDir,
			env: cleanChildEnv({
				NODE_PATH: join(installation.n8nProjectDir, 'node_modules'),
				NODE_OPTIONS: undefined,
			}),
			description: `load the nodes of ${packageDir}`,
			timeoutMs: 60000,
		},
	);
	return JSON.parse(result.stdout) as PackageCatalog;
}

/** Reads the catalog of the package in `packageDir` in this process. */
export function readPackageCatalog(packageDir: string): PackageCatalog {
	const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
		name: string;
		version: string;
		n8n?: { nodes?: string[]; credentials?: string[] };
	};
	const nodes: CatalogNode[] = [];
	for (const relative of manifest.n8n?.nodes ?? []) {
		const file = join(packageDir, relative);
		if (!existsSync(file)) throw new Error(`package.json lists ${relative}, which is not built`);
		const instance = loadExportedInstance<NodeInstanceLike>(file);
		const base = instance.description;
		const current =
			instance.nodeVersions && base.defaultVersion !== undefined
				? (instance.nodeVersions[base.defaultVersion]?.description ?? base)
				: base;
		nodes.push({
			type: `${manifest.name}.${base.name}`,
			name: base.name,
			displayName: base.displayName,
			file,
			webhooks: staticWebhooks(current, relative),
			credentialTypes: (current.credentials ?? []).map((credential) => credential.name),
		});
	}
	const credentials: CatalogCredential[] = [];
	for (const relative of manifest.n8n?.credentials ?? []) {
		const file = join(packageDir, relative);
		if (!existsSync(file)) throw new Error(`package.json lists ${relative}, which is not built`);
		const instance = loadExportedInstance<{
			name: string;
			displayName: string;
			properties: Array<{ name: string; type: string; required?: boolean; default: unknown }>;
		}>(file);
		credentials.push({
			name: instance.name,
			displayName: instance.displayName,
			file,
			properties: instance.properties.map((property) => ({
				name: property.name,
				type: property.type,
				required: property.required === true,
				default: property.default,
			})),
		});
	}
	return { packageName: manifest.name, version: manifest.version, nodes, credentials };
}

export function packageWebhooks(catalog: PackageCatalog): Record<string, WebhookDescription[]> {
	return Object.fromEntries(catalog.nodes.map((node) => [node.type, node.webhooks]));
}

/** Node types a workflow needs that neither n8n's built-in packages nor this package provide. */
export function missingNodeTypes(nodeTypes: string[], catalog: PackageCatalog): string[] {
	const offered = new Set(catalog.nodes.map((node) => node.type));
	return nodeTypes.filter(
		(type) => type.startsWith(`${catalog.packageName}.`) && !offered.has(type),
	);
}
