import { createHash } from 'crypto';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { basename, join } from 'path';

/**
 * Workflow JSON files as the harness imports them: every `workflows/*.json` of the repository (and
 * the harness's own fixtures), each given a stable ID when it has none, with its credential slots
 * pointed at the credentials the harness created, and with the production webhook URLs it will
 * answer on once active.
 */

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position?: [number, number];
	parameters: Record<string, unknown>;
	webhookId?: string;
	credentials?: Record<string, { id: string | null; name: string }>;
	disabled?: boolean;
	[key: string]: unknown;
}

export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	active?: boolean;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

/** What the harness needs to know about a trigger node's webhook to compute its URL. */
export interface WebhookDescription {
	httpMethod: string;
	path: string;
	isFullPath?: boolean;
}

export interface WebhookEndpoint {
	nodeName: string;
	nodeType: string;
	method: string;
	/** Path after `/webhook/`, e.g. `<webhookId>/line` or `smoke`. */
	path: string;
}

export interface PreparedWorkflow {
	/** The file it came from. */
	source: string;
	id: string;
	name: string;
	json: WorkflowJson;
	webhooks: WebhookEndpoint[];
	/** Node types used by enabled nodes. */
	nodeTypes: string[];
	/** Deployment settings the harness filled in, and those left empty (see `applySettings`). */
	settings: { applied: string[]; unfilled: string[] };
}

export interface CredentialReference {
	id: string;
	name: string;
}

export function listWorkflowFiles(dir: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((entry) => entry.endsWith('.json'))
		.sort()
		.map((entry) => join(dir, entry));
}

/** A 16-character alphanumeric ID (n8n's own format) derived from `seed`, stable across runs. */
export function stableId(seed: string): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	const digest = createHash('sha256').update(seed).digest();
	let id = '';
	for (let index = 0; id.length < 16; index += 1) id += alphabet[digest[index] % alphabet.length];
	return id;
}

function assertWorkflowShape(value: unknown, source: string): asserts value is WorkflowJson {
	const candidate = value as Partial<WorkflowJson> | null;
	if (
		!candidate ||
		typeof candidate !== 'object' ||
		typeof candidate.name !== 'string' ||
		!Array.isArray(candidate.nodes) ||
		typeof candidate.connections !== 'object'
	) {
		throw new Error(`${source} is not an n8n workflow (needs name, nodes and connections)`);
	}
}

/** Node types whose webhook URL is `/webhook/<path>` rather than `/webhook/<webhookId>/<path>`. */
const BUILT_IN_WEBHOOKS: Record<string, (node: WorkflowNode) => WebhookDescription> = {
	'n8n-nodes-base.webhook': (node) => ({
		httpMethod: String(node.parameters.httpMethod ?? 'GET'),
		path: String(node.parameters.path ?? ''),
		isFullPath: true,
	}),
};

/**
 * Production webhook path the way n8n computes it for an active workflow: a full-path webhook
 * answers on its path (or its webhook ID when the path is empty), any other on
 * `<webhookId>/<path>`.
 */
export function productionWebhookPath(node: WorkflowNode, webhook: WebhookDescription): string {
	const path = webhook.path.replace(/^\/+/, '');
	if (webhook.isFullPath) return path !== '' ? path : (node.webhookId ?? '');
	if (!node.webhookId) {
		throw new Error(
			`Node "${node.name}" (${node.type}) has no webhookId; its production URL would change on every import`,
		);
	}
	return `${node.webhookId}/${path}`;
}

export interface PrepareOptions {
	/** Credentials to use, by credential type name. */
	credentialsByType?: Record<string, CredentialReference>;
	/** Webhook descriptions of the package's trigger nodes, by full node type. */
	packageWebhooks?: Record<string, WebhookDescription[]>;
	/** Seed for the ID of a workflow without one (default: the file name). */
	idSeed?: string;
	/**
	 * Poll polling triggers every minute (n8n's shortest interval) instead of the shipped interval,
	 * so a test sees a change soon; a user would likewise pick the interval that suits them.
	 */
	pollEveryMinute?: boolean;
	/** Deployment settings to fill in (see `applySettings`); the same for every workflow. */
	settings?: Record<string, unknown>;
}

interface SettingsNodeParameters {
	mode?: string;
	jsonOutput?: string;
}

/**
 * The shipped workflows keep what a deployment must decide (PORTERS field aliases, where to notify
 * recruiters, …) in one Set node in raw JSON mode whose output is `{ "settings": { … } }` (in the
 * settings workflow, 00-settings.json, which every flow calls), and the user edits it after
 * importing. The harness does the same: each key it has a value for is replaced; the others keep
 * the shipped value. Returns the keys filled and the keys still empty.
 */
export function applySettings(
	json: WorkflowJson,
	values: Record<string, unknown>,
): { applied: string[]; unfilled: string[] } {
	const applied = new Set<string>();
	const unfilled = new Set<string>();
	for (const node of json.nodes) {
		if (node.type !== 'n8n-nodes-base.set') continue;
		const parameters = node.parameters as SettingsNodeParameters;
		if (parameters.mode !== 'raw' || typeof parameters.jsonOutput !== 'string') continue;
		let output: unknown;
		try {
			output = JSON.parse(parameters.jsonOutput);
		} catch {
			continue; // an expression, not plain JSON
		}
		const settings = (output as { settings?: unknown } | null)?.settings;
		if (!settings || typeof settings !== 'object' || Array.isArray(settings)) continue;
		const record = settings as Record<string, unknown>;
		for (const key of Object.keys(record)) {
			if (key in values) {
				record[key] = values[key];
				applied.add(key);
			} else if (record[key] === '' || record[key] === null) {
				unfilled.add(key);
			}
		}
		parameters.jsonOutput = JSON.stringify(output, null, 2);
	}
	return { applied: [...applied].sort(), unfilled: [...unfilled].sort() };
}

export function prepareWorkflow(source: string, options: PrepareOptions = {}): PreparedWorkflow {
	const parsed: unknown = JSON.parse(readFileSync(source, 'utf8'));
	assertWorkflowShape(parsed, source);
	const json: WorkflowJson = structuredClone(parsed);
	json.id = json.id ?? stableId(`${options.idSeed ?? basename(source)}`);
	json.active = false;

	for (const node of json.nodes) {
		if (!node.credentials) continue;
		for (const [credentialType, reference] of Object.entries(node.credentials)) {
			const replacement = options.credentialsByType?.[credentialType];
			if (replacement) node.credentials[credentialType] = { ...replacement };
			else if (!reference?.name) {
				throw new Error(`${source}: node "${node.name}" names no credential for ${credentialType}`);
			}
		}
	}

	if (options.pollEveryMinute) {
		for (const node of json.nodes) {
			if (node.parameters.pollTimes !== undefined) node.parameters.pollTimes = { item: [{ mode: 'everyMinute' }] };
		}
	}

	const enabled = json.nodes.filter((node) => !node.disabled);
	const webhooks: WebhookEndpoint[] = [];
	for (const node of enabled) {
		const descriptions =
			BUILT_IN_WEBHOOKS[node.type]?.(node) !== undefined
				? [BUILT_IN_WEBHOOKS[node.type](node)]
				: (options.packageWebhooks?.[node.type] ?? []);
		for (const description of descriptions) {
			webhooks.push({
				nodeName: node.name,
				nodeType: node.type,
				method: description.httpMethod.toUpperCase(),
				path: productionWebhookPath(node, description),
			});
		}
	}

	const settings = applySettings(json, options.settings ?? {});

	return {
		source,
		id: json.id,
		name: json.name,
		json,
		webhooks,
		nodeTypes: [...new Set(enabled.map((node) => node.type))].sort(),
		settings,
	};
}
