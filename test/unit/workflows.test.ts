import { readdirSync, readFileSync } from 'fs';
import { resolve } from 'path';

/**
 * Static checks of the shipped workflow files, so that a broken reference is caught by `npm test`
 * and not only by the end-to-end run: every `$('Node')` names a node of the same workflow, every
 * `settings.<key>` read from the Settings node is one the Settings node defines, connections join
 * existing nodes, and credentials are referred to by name only.
 */

const ROOT = resolve(__dirname, '../../..');
const WORKFLOWS = resolve(ROOT, 'workflows');

interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, Record<string, unknown>>;
	webhookId?: string;
}

interface Workflow {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, Record<string, Array<Array<{ node: string }>>>>;
}

const files = readdirSync(WORKFLOWS).filter((file) => file.endsWith('.json')).sort();
const load = (file: string) => JSON.parse(readFileSync(resolve(WORKFLOWS, file), 'utf8')) as Workflow;
const packageNodes = (
	JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } }
).n8n.nodes.map((path) => {
	const file = path.split('/').pop() ?? '';
	const className = file.replace(/\.node\.js$/, '');
	return className.charAt(0).toLowerCase() + className.slice(1);
});

/** Every string inside a node's parameters, however deeply nested. */
function strings(value: unknown): string[] {
	if (typeof value === 'string') return [value];
	if (Array.isArray(value)) return value.flatMap(strings);
	if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
	return [];
}

function settingsKeys(workflow: Workflow): Set<string> | undefined {
	const node = workflow.nodes.find((n) => n.name === 'Settings');
	if (!node) return undefined;
	const output = JSON.parse(String(node.parameters.jsonOutput)) as { settings: Record<string, unknown> };
	return new Set(Object.keys(output.settings));
}

describe('shipped workflow files', () => {
	it('are the seven flows of the design', () => {
		expect(files).toHaveLength(7);
		expect(files.map((file) => file.slice(0, 3))).toEqual(['00-', '01-', '02-', '03-', '04-', '05-', '06-']);
	});

	describe.each(files)('%s', (file) => {
		const workflow = load(file);
		const names = new Set(workflow.nodes.map((node) => node.name));

		it('has unique node names, node IDs and webhook IDs', () => {
			expect(names.size).toBe(workflow.nodes.length);
			expect(new Set(workflow.nodes.map((node) => node.id)).size).toBe(workflow.nodes.length);
			const webhookIds = workflow.nodes.flatMap((node) => (node.webhookId ? [node.webhookId] : []));
			expect(new Set(webhookIds).size).toBe(webhookIds.length);
		});

		it('connects only nodes that exist', () => {
			for (const [from, outputs] of Object.entries(workflow.connections)) {
				expect({ from, exists: names.has(from) }).toEqual({ from, exists: true });
				for (const target of Object.values(outputs).flat(2)) {
					expect({ from, to: target.node, exists: names.has(target.node) }).toEqual({
						from,
						to: target.node,
						exists: true,
					});
				}
			}
		});

		it("refers in expressions only to its own nodes and to the Settings node's keys", () => {
			const keys = settingsKeys(workflow);
			for (const node of workflow.nodes) {
				for (const text of strings(node.parameters)) {
					for (const [, referenced] of text.matchAll(/\$\('([^']+)'\)/g)) {
						expect({ node: node.name, referenced, exists: names.has(referenced) }).toEqual({
							node: node.name,
							referenced,
							exists: true,
						});
					}
					for (const [, key] of text.matchAll(/\.json\.settings\.(\w+)/g)) {
						expect({ node: node.name, key, defined: keys?.has(key) ?? false }).toEqual({
							node: node.name,
							key,
							defined: true,
						});
					}
				}
			}
		});

		it("uses this package's nodes by their registered names, and credentials by name only", () => {
			for (const node of workflow.nodes) {
				if (node.type.startsWith('n8n-nodes-line-porters.')) {
					expect(packageNodes).toContain(node.type.split('.')[1]);
				}
				for (const reference of Object.values(node.credentials ?? {})) {
					expect(Object.keys(reference)).toEqual(['name']);
				}
			}
		});
	});
});
