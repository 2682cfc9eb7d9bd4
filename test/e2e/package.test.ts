import { existsSync, readdirSync, readFileSync } from 'fs';
import { join, relative } from 'path';

import type { N8nRestClient } from '../../scripts/n8n/clients/rest';
import { storedCredentialData } from '../../scripts/n8n/stage/queueBackends';
import { e2e, signedIn } from '../support/e2e';

/**
 * The package as n8n's community-package installer leaves it, and as n8n loaded it: every node and
 * credential type the package declares is known to the running n8n under `<package>.<name>`.
 */

function filesUnder(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		return entry.isDirectory() ? filesUnder(path) : [path];
	});
}

describe('the package installed into n8n', () => {
	let rest: N8nRestClient;

	beforeAll(async () => {
		rest = await signedIn();
	});

	it('is unpacked where n8n looks for community packages, with the installer’s manifest changes', () => {
		const { installedDir, name, version } = e2e().package;
		expect(installedDir).toBe(join(e2e().n8n.userFolder, '.n8n', 'nodes', 'node_modules', name));
		const manifest = JSON.parse(readFileSync(join(installedDir, 'package.json'), 'utf8')) as Record<
			string,
			unknown
		>;
		expect(manifest.name).toBe(name);
		expect(manifest.version).toBe(version);
		expect(manifest).not.toHaveProperty('devDependencies');
		expect(manifest).not.toHaveProperty('peerDependencies');
		expect(manifest).not.toHaveProperty('optionalDependencies');
		const nodesManifest = JSON.parse(
			readFileSync(join(e2e().n8n.userFolder, '.n8n', 'nodes', 'package.json'), 'utf8'),
		) as { dependencies: Record<string, string> };
		expect(nodesManifest.dependencies[name]).toBe(version);
	});

	it('brings no dependencies of its own and ships only the compiled package', () => {
		const { installedDir } = e2e().package;
		expect(existsSync(join(installedDir, 'node_modules', 'n8n-workflow'))).toBe(false);
		const shipped = filesUnder(installedDir).map((file) => relative(installedDir, file));
		const unexpected = shipped.filter(
			(file) =>
				!file.startsWith('dist/') &&
				!/^(package\.json|README[^/]*|LICEN[CS]E[^/]*|CHANGELOG[^/]*)$/i.test(file),
		);
		expect(unexpected).toEqual([]);
		expect(shipped.some((file) => /^dist\/(sandbox|test|scripts|bench)\//.test(file))).toBe(false);
	});

	it('declares at least one node, each loaded by n8n under the package prefix', async () => {
		const { catalog, name } = e2e().package;
		expect(catalog.nodes.length).toBeGreaterThan(0);
		const response = await rest.getWithSession('types/nodes.json');
		expect(response.status).toBe(200);
		const loaded = (await response.json()) as Array<{ name: string; version: number | number[] }>;
		const loadedNames = new Set(loaded.map((node) => node.name));
		for (const node of catalog.nodes) {
			expect(node.type).toBe(`${name}.${node.name}`);
			expect(loadedNames.has(node.type)).toBe(true);
		}
	});

	it('has every declared credential type loaded by n8n', async () => {
		const { catalog } = e2e().package;
		const response = await rest.getWithSession('types/credentials.json');
		expect(response.status).toBe(200);
		const loaded = new Set(
			((await response.json()) as Array<{ name: string }>).map((type) => type.name),
		);
		for (const credential of catalog.credentials) expect(loaded.has(credential.name)).toBe(true);
	});

	it('has the sandbox credentials stored encrypted, not in plain text', async () => {
		const stored = await rest.request<Array<{ id: string; type: string; name: string }>>(
			'GET',
			'credentials',
		);
		for (const credential of e2e().credentials) {
			expect(stored).toContainEqual(
				expect.objectContaining({ id: credential.id, type: credential.type }),
			);
		}
		const secret = e2e().line?.channelSecret;
		if (!secret) return;
		const { postgres } = e2e().n8n;
		if (postgres) {
			const rows = await storedCredentialData(postgres);
			expect(rows.length).toBeGreaterThanOrEqual(e2e().credentials.length);
			for (const row of rows) expect(row.includes(secret)).toBe(false);
		} else {
			const database = join(e2e().n8n.userFolder, '.n8n', 'database.sqlite');
			expect(existsSync(database)).toBe(true);
			for (const path of [database, `${database}-wal`]) {
				if (existsSync(path)) expect(readFileSync(path).includes(Buffer.from(secret))).toBe(false);
			}
		}
	});
});
