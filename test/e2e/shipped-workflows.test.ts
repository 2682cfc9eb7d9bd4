import { readdirSync } from 'fs';
import { join } from 'path';

import type { N8nRestClient } from '../../scripts/n8n/clients/rest';
import { findRepoRoot } from '../../scripts/n8n/install/versions';
import { needsActivation } from '../../scripts/n8n/stage/prepareStage';
import { e2e, shippedWorkflows, signedIn } from '../support/e2e';

/**
 * Every `workflows/*.json` of the repository is imported, published and active in the real n8n,
 * with no activation error (credentials resolved, trigger set up). The flows themselves are
 * exercised by their own e2e test files.
 */

// With no shipped workflow yet, only the first check has something to compare.
const itForEach = shippedWorkflows().length > 0 ? it : it.skip;

describe('shipped workflows', () => {
	let rest: N8nRestClient;

	beforeAll(async () => {
		rest = await signedIn();
	});

	it('are all imported: one live workflow per workflows/*.json file', () => {
		const dir = join(findRepoRoot(__dirname), 'workflows');
		let files: string[] = [];
		try {
			files = readdirSync(dir).filter((file) => file.endsWith('.json'));
		} catch {
			files = [];
		}
		expect(
			shippedWorkflows()
				.map((workflow) => workflow.file)
				.sort(),
		).toEqual(files.sort());
	});

	itForEach('are all active, with no activation error', async () => {
		const active = new Set(await rest.request<string[]>('GET', 'active-workflows'));
		for (const workflow of shippedWorkflows()) {
			// n8n 1.x runs sub-workflows without activating them (see needsActivation).
			expect({ workflow: workflow.name, active: active.has(workflow.id) }).toEqual({
				workflow: workflow.name,
				active: needsActivation(workflow.nodeTypes, e2e().n8n.version),
			});
			expect({ workflow: workflow.name, error: await rest.activationError(workflow.id) }).toEqual({
				workflow: workflow.name,
				error: undefined,
			});
		}
	});

	itForEach(
		'are configured: every setting they leave to the user was filled in by the harness',
		async () => {
			// One place: only the settings workflow holds settings; every flow calls it.
			expect(
				shippedWorkflows()
					.filter((workflow) => workflow.settings.applied.length > 0)
					.map((workflow) => [workflow.file, workflow.id]),
			).toEqual([['00-settings.json', 'LPTenantSettings']]);
			for (const workflow of shippedWorkflows()) {
				expect({ workflow: workflow.name, unfilled: workflow.settings.unfilled }).toEqual({
					workflow: workflow.name,
					unfilled: [],
				});
				if (workflow.settings.applied.length === 0) continue;
				const stored = (await rest.getWorkflow(workflow.id)) as unknown as {
					nodes: Array<{ type: string; parameters: { mode?: string; jsonOutput?: string } }>;
				};
				const storedSettings = stored.nodes
					// Settings nodes hold plain JSON; a Set node with an expression builds output at run time.
					.filter(
						(node) =>
							node.type === 'n8n-nodes-base.set' &&
							node.parameters.mode === 'raw' &&
							!(node.parameters.jsonOutput ?? '').startsWith('='),
					)
					.map(
						(node) =>
							(
								JSON.parse(node.parameters.jsonOutput ?? '{}') as {
									settings?: Record<string, unknown>;
								}
							).settings,
					)
					.find((settings) => settings !== undefined);
				for (const key of workflow.settings.applied) {
					expect({ workflow: workflow.name, key, value: storedSettings?.[key] }).toEqual({
						workflow: workflow.name,
						key,
						value: e2e().settings[key],
					});
				}
			}
		},
	);

	itForEach('use only credentials the harness created for the sandboxes', async () => {
		const harnessCredentials = new Set(
			(await rest.request<Array<{ id: string }>>('GET', 'credentials')).map((c) => c.id),
		);
		for (const workflow of shippedWorkflows()) {
			const stored = (await rest.getWorkflow(workflow.id)) as unknown as {
				nodes: Array<{ name: string; credentials?: Record<string, { id: string }> }>;
			};
			for (const node of stored.nodes) {
				for (const [type, reference] of Object.entries(node.credentials ?? {})) {
					expect({ node: node.name, type, bound: harnessCredentials.has(reference.id) }).toEqual({
						node: node.name,
						type,
						bound: true,
					});
				}
			}
		}
	});
});
