import { readdirSync, readFileSync } from 'fs';
import { resolve } from 'path';

/**
 * Static checks of the shipped workflow files, so that a broken reference is caught by `npm test`
 * and not only by the end-to-end run: every `$('Node')` names a node of the same workflow, every
 * `settings.<key>` read from the Settings node is one the settings workflow (00-settings.json) defines,
 * connections join existing nodes, credentials are referred to by name only, and no item is paired
 * with the wrong input across a lookup (see `pairingHazards`).
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
	alwaysOutputData?: boolean;
	executeOnce?: boolean;
	notes?: string;
}

interface Workflow {
	id?: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, Record<string, Array<Array<{ node: string }>>>>;
}

const files = readdirSync(WORKFLOWS).filter((file) => file.endsWith('.json')).sort();
const load = (file: string) => JSON.parse(readFileSync(resolve(WORKFLOWS, file), 'utf8')) as Workflow;
/** Workflow files as they were before events were handled one by one (flow 04 lost messages). */
const loadBefore = (file: string) =>
	JSON.parse(readFileSync(resolve(ROOT, 'test/fixtures/workflows', file), 'utf8')) as Workflow;
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

/** The tenant's settings live in one workflow; every flow's Settings node calls it. */
const SETTINGS_FILE = '00-settings.json';
const settingsWorkflow = load(SETTINGS_FILE);

/** The settings as shipped: the Tenant Settings node's JSON. */
function shippedSettings(): Record<string, unknown> {
	const node = settingsWorkflow.nodes.find((n) => n.name === 'Tenant Settings');
	return (JSON.parse(String(node?.parameters.jsonOutput)) as { settings: Record<string, unknown> }).settings;
}

/** Whether a node runs the settings workflow (by its fixed ID). */
function callsSettings(node: WorkflowNode): boolean {
	const target = node.parameters.workflowId as { value?: unknown } | undefined;
	return node.type === 'n8n-nodes-base.executeWorkflow' && target?.value === settingsWorkflow.id;
}

function settingsKeys(workflow: Workflow): Set<string> | undefined {
	const node = workflow.nodes.find((n) => n.name === 'Settings');
	if (!node || !callsSettings(node)) return undefined;
	return new Set(Object.keys(shippedSettings()));
}

// ---------------------------------------------------------------------------------------------
// Item pairing across lookups
//
// A lookup (PORTERS Find or Get, an HTTP request, a sub-workflow…) can give 0 or several items
// for one input item. A later node that reaches back before the lookup by item — `$('X').item`,
// `.itemMatching()`, `$node["X"]`, `$items("X")`, `.all()[i]` — then gets another event's data,
// "Multiple matches", or nothing, and "Always Output Data" adds an item paired with every input
// only when the whole run found nothing. That is how flow 04 lost messages when LINE delivered
// several at once. Such a node is safe only with a per-item guarantee: the lookup returns one item
// per input item (Find Candidate's "One Item per Input Item"), runs once (Execute Once), or the
// workflow only ever holds one item (a Webhook call, or a sub-workflow that every caller runs
// "once for each item").

type PerInput = 'one' | 'filter' | 'zeroOrMany' | 'start';

interface PairingHazard {
	workflow: string;
	lookup: string;
	node: string;
	problem: string;
}

/** How many output items a node gives for one input item. */
function resultsPerInput(node: WorkflowNode): PerInput {
	const { type, parameters } = node;
	const options = (parameters.options ?? {}) as Record<string, unknown>;
	if (/trigger$/i.test(type) || type === 'n8n-nodes-base.webhook') return 'start';
	if (type === 'n8n-nodes-line-porters.porters') {
		if (parameters.operation === 'find') return options.oneItemPerInput === true ? 'one' : 'zeroOrMany';
		// Get LINE Audience gives one item per batch of recipients, or one with the counts only.
		if (parameters.operation === 'getLineAudience') return parameters.output === 'summary' ? 'one' : 'zeroOrMany';
		// Get Resume and Get Many Activities list what they find; Get User answers every item once.
		if (parameters.operation === 'getMany') return 'zeroOrMany';
		return parameters.operation === 'get' && parameters.resource !== 'user' ? 'zeroOrMany' : 'one';
	}
	if (type === 'n8n-nodes-line-porters.line' || type === 'n8n-nodes-line-porters.lineLogin') return 'one';
	// The settings workflow hands back each item it was given, in order, with `settings` added.
	if (callsSettings(node)) return 'one';
	if (['n8n-nodes-base.switch', 'n8n-nodes-base.if', 'n8n-nodes-base.filter'].includes(type)) return 'filter';
	const oneToOne = [
		'n8n-nodes-base.set',
		'n8n-nodes-base.respondToWebhook',
		'n8n-nodes-base.stopAndError',
		'n8n-nodes-base.emailSend',
	];
	return oneToOne.includes(type) ? 'one' : 'zeroOrMany';
}

function children(workflow: Workflow, name: string): string[] {
	return Object.values(workflow.connections[name] ?? {})
		.flat(2)
		.map((target) => target.node);
}

function reachableFrom(workflow: Workflow, name: string): Set<string> {
	const seen = new Set<string>();
	const queue = children(workflow, name);
	while (queue.length > 0) {
		const next = queue.shift()!;
		if (seen.has(next)) continue;
		seen.add(next);
		queue.push(...children(workflow, next));
	}
	return seen;
}

function ancestorsOf(workflow: Workflow, name: string): Set<string> {
	return new Set(workflow.nodes.filter((n) => reachableFrom(workflow, n.name).has(name)).map((n) => n.name));
}

/** Whether every execution of the workflow starts with exactly one item. */
function startsWithOneItem(workflow: Workflow, all: Workflow[]): boolean {
	const starts = workflow.nodes.filter((node) => resultsPerInput(node) === 'start');
	return starts.every((start) => {
		if (start.type === 'n8n-nodes-base.webhook') return true;
		if (start.type !== 'n8n-nodes-base.executeWorkflowTrigger' || !workflow.id) return false;
		const callers = all
			.flatMap((caller) => caller.nodes)
			.filter((node) => node.type === 'n8n-nodes-base.executeWorkflow')
			.filter((node) => JSON.stringify(node.parameters.workflowId ?? '').includes(workflow.id!));
		return callers.length > 0 && callers.every((node) => node.parameters.mode === 'each');
	});
}

const ITEM_REFERENCES: Array<[RegExp, string]> = [
	[/\$\('([^']+)'\)\.(item\b|itemMatching\(|pairedItem\(|all\(\)\s*\[)/g, "$('…')"],
	[/\$node\[\s*["']([^"']+)["']\s*\]/g, '$node[…]'],
	[/\$items\(\s*["']([^"']+)["']/g, '$items(…)'],
];

/** Per-item references of a node to other nodes, e.g. `$('Message Event').item`. */
function itemReferences(node: WorkflowNode): Array<{ target: string; text: string }> {
	const found: Array<{ target: string; text: string }> = [];
	for (const text of strings(node.parameters)) {
		for (const [pattern] of ITEM_REFERENCES) {
			for (const match of text.matchAll(pattern)) found.push({ target: match[1], text: match[0] });
		}
	}
	return found;
}

/** Lookups followed by pairing by item or by position, without a per-item guarantee. */
function pairingHazards(workflow: Workflow, all: Workflow[]): PairingHazard[] {
	const hazards: PairingHazard[] = [];
	const oneItem = startsWithOneItem(workflow, all);
	for (const lookup of workflow.nodes.filter((node) => resultsPerInput(node) === 'zeroOrMany')) {
		const before = ancestorsOf(workflow, lookup.name);
		const fanOutBefore = [...before].some(
			(name) => resultsPerInput(workflow.nodes.find((n) => n.name === name)!) === 'zeroOrMany',
		);
		if (lookup.executeOnce === true || (oneItem && !fanOutBefore)) continue;
		const report = (node: string, problem: string) =>
			hazards.push({ workflow: workflow.name, lookup: lookup.name, node, problem });
		if (lookup.alwaysOutputData === true) {
			report(lookup.name, 'Always Output Data pairs its empty item with every input item');
		}
		for (const name of reachableFrom(workflow, lookup.name)) {
			const node = workflow.nodes.find((n) => n.name === name)!;
			for (const { target, text } of itemReferences(node)) {
				if (before.has(target)) report(name, `${text} reaches back across ${lookup.name}`);
			}
			if (node.type === 'n8n-nodes-base.merge' && /position|index/i.test(JSON.stringify(node.parameters))) {
				report(name, `merges by position after ${lookup.name}`);
			}
		}
	}
	return hazards;
}

describe('shipped workflow files', () => {
	it('are the settings, then the seven flows of the design, then the later ones, numbered without gaps', () => {
		expect(files.slice(0, 2)).toEqual(['00-line-events-router.json', SETTINGS_FILE]);
		const flows = files.slice(1);
		expect(flows.slice(0, 8).map((file) => file.slice(0, 3))).toEqual(['00-', '01-', '02-', '03-', '04-', '05-', '06-', '07-']);
		expect(flows[7]).toBe('07-line-friends-backfill.json');
		expect(flows.map((file) => file.slice(0, 3))).toEqual(flows.map((_, i) => `${String(i).padStart(2, '0')}-`));
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

		it('uses no optional chaining in expressions', () => {
			// n8n 2.40 rewrites `a?.[b]` so that a null `a` ends the whole expression: in
			// `(a?.[b] ?? []).some(…) ? 1 : 0` the result is undefined, not 0 (a Switch then fails).
			for (const node of workflow.nodes) {
				const chained = strings(node.parameters).filter((text) => text.startsWith('=') && text.includes('?.'));
				expect({ node: node.name, chained }).toEqual({ node: node.name, chained: [] });
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

describe('item pairing across lookups', () => {
	const shipped = files.map(load);

	it('no shipped workflow pairs items across a lookup without a per-item guarantee', () => {
		expect(shipped.flatMap((workflow) => pairingHazards(workflow, shipped))).toEqual([]);
	});

	it('flags flow 04 as it was when several messages in one delivery were lost', () => {
		const before = [loadBefore('00-line-events-router.before-per-event.json'), loadBefore('04-line-message-to-porters.before-per-event.json')];
		const hazards = pairingHazards(before[1], before);
		expect(hazards).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ lookup: 'Find Candidate', node: 'Find Candidate' }),
				expect.objectContaining({
					lookup: 'Find Candidate',
					node: 'Notify Recruiter',
					problem: "$('Message Event').item reaches back across Find Candidate",
				}),
				expect.objectContaining({ lookup: 'Find Candidate', node: 'Record Activity' }),
			]),
		);
	});

	it('flags flow 06 when the router hands it all events of a delivery at once', () => {
		const router = load('00-line-events-router.json');
		const once = JSON.parse(JSON.stringify(router).replace(/"mode":"each"/g, '"mode":"once"')) as Workflow;
		expect(once.nodes.some((node) => node.parameters.mode === 'once')).toBe(true);
		const block = load('06-line-block-to-porters.json');
		expect(pairingHazards(block, [router, block])).toEqual([]);
		// Both Settings values that Mark Blocked writes (field and option) reach back by item.
		const markBlocked = expect.objectContaining({
			lookup: 'Find Candidate',
			node: 'Mark Blocked',
			problem: "$('Settings').item reaches back across Find Candidate",
		});
		expect(pairingHazards(block, [once, block])).toEqual([markBlocked, markBlocked]);
	});

	describe('on small workflows', () => {
		const node = (name: string, type: string, parameters: Record<string, unknown> = {}, extra = {}) =>
			({ id: name, name, type, parameters, ...extra }) as WorkflowNode;
		const chain = (...nodes: WorkflowNode[]): Workflow => ({
			id: 'SmallWorkflow01',
			name: 'small',
			nodes,
			connections: Object.fromEntries(
				nodes.slice(0, -1).map((n, i) => [n.name, { main: [[{ node: nodes[i + 1].name }]] }]),
			),
		});
		const trigger = node('Event', 'n8n-nodes-line-porters.lineTrigger');
		const find = (options: Record<string, unknown> = {}, extra = {}) =>
			node('Find', 'n8n-nodes-line-porters.porters', { resource: 'candidate', operation: 'find', options }, extra);
		const use = (expression: string) => node('Use', 'n8n-nodes-base.set', { value: `={{ ${expression} }}` });

		it.each([
			["$('Event').item.json.x"],
			["$('Event').itemMatching($itemIndex).json.x"],
			['$node["Event"].json.x'],
			["$items('Event')[0].json.x"],
			["$('Event').all()[$itemIndex].json.x"],
		])('flags %s after a find that may return 0 or several items', (expression) => {
			const workflow = chain(trigger, find(), use(expression));
			expect(pairingHazards(workflow, [workflow])).toEqual([
				expect.objectContaining({ lookup: 'Find', node: 'Use' }),
			]);
		});

		it('flags an HTTP request followed by pairing back before it', () => {
			const workflow = chain(trigger, node('Ask', 'n8n-nodes-base.httpRequest'), use("$('Event').item.json.x"));
			expect(pairingHazards(workflow, [workflow])).toHaveLength(1);
		});

		it('accepts one item per input item, Execute Once, first(), and a single-item Webhook run', () => {
			const cases = [
				chain(trigger, find({ oneItemPerInput: true }), use("$('Event').item.json.x")),
				chain(trigger, find({}, { executeOnce: true }), use("$('Event').item.json.x")),
				chain(trigger, find(), use("$('Event').first().json.x")),
				chain(node('Call', 'n8n-nodes-base.webhook'), find(), use("$('Call').item.json.x")),
			];
			for (const workflow of cases) expect(pairingHazards(workflow, [workflow])).toEqual([]);
		});

		it('accepts a sub-workflow only when every caller runs it once for each item', () => {
			const sub = chain(node('Called', 'n8n-nodes-base.executeWorkflowTrigger'), find(), use("$('Called').item.json.x"));
			const caller = (mode: string) =>
				chain(trigger, node('Run', 'n8n-nodes-base.executeWorkflow', { mode, workflowId: { value: sub.id } }));
			expect(pairingHazards(sub, [caller('each'), sub])).toEqual([]);
			expect(pairingHazards(sub, [caller('each'), caller('once'), sub])).toHaveLength(1);
			expect(pairingHazards(sub, [sub])).toHaveLength(1);
		});

		it('flags Always Output Data on a find in a run of several items', () => {
			const workflow = chain(trigger, find({}, { alwaysOutputData: true }));
			expect(pairingHazards(workflow, [workflow])).toEqual([
				expect.objectContaining({ lookup: 'Find', node: 'Find', problem: expect.stringContaining('Always Output Data') }),
			]);
		});
	});
});

/**
 * Runs the settings workflow's Add Defaults expression as plain JavaScript on the given settings,
 * the way n8n does for the item that Tenant Settings hands on.
 */
function withDefaults(settings: Record<string, unknown>): Record<string, unknown> {
	const node = settingsWorkflow.nodes.find((n) => n.name === 'Add Defaults');
	const body = /^=\{\{([\s\S]*)\}\}$/.exec(String(node?.parameters.jsonOutput))?.[1];
	if (body === undefined) throw new Error('Add Defaults has no expression');
	const output = new Function('$json', `return (${body});`)({ settings }) as string;
	return (JSON.parse(output) as { settings: Record<string, unknown> }).settings;
}

describe('tenant settings in one place', () => {
	const flows = files.filter((file) => file !== SETTINGS_FILE).map((file) => ({ file, workflow: load(file) }));
	const settingsNode = (workflow: Workflow) => workflow.nodes.find((n) => n.name === 'Settings');
	const withSettings = flows.filter(({ workflow }) => settingsNode(workflow) !== undefined);
	const keysRead = (workflow: Workflow) =>
		new Set(
			workflow.nodes.flatMap((node) =>
				strings(node.parameters).flatMap((text) => [...text.matchAll(/\.json\.settings\.(\w+)/g)].map((m) => m[1])),
			),
		);

	it('is one workflow with a fixed ID: called by another workflow, Tenant Settings, then Add Defaults', () => {
		expect(settingsWorkflow.id).toBe('LPTenantSettings');
		expect(settingsWorkflow.name).toBe('00 設定 / Settings');
		const working = settingsWorkflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote');
		expect(working.map((n) => [n.name, n.type])).toEqual([
			['When Called by a Flow', 'n8n-nodes-base.executeWorkflowTrigger'],
			['Tenant Settings', 'n8n-nodes-base.set'],
			['Add Defaults', 'n8n-nodes-base.set'],
		]);
		expect(working[0].parameters).toEqual({ inputSource: 'passthrough' });
		expect(children(settingsWorkflow, 'When Called by a Flow')).toEqual(['Tenant Settings']);
		expect(children(settingsWorkflow, 'Tenant Settings')).toEqual(['Add Defaults']);
		expect(children(settingsWorkflow, 'Add Defaults')).toEqual([]);
		// Both Set nodes keep the caller's item (JSON and binary, e.g. flow 07's CSV) and add `settings`.
		for (const node of working.slice(1)) {
			expect({ node: node.name, ...node.parameters, jsonOutput: undefined }).toEqual({
				node: node.name,
				mode: 'raw',
				jsonOutput: undefined,
				includeOtherFields: true,
				include: 'all',
				options: {},
			});
		}
		// The harness (applySettings) and the user edit plain JSON: no expression in Tenant Settings.
		expect(String(working[1].parameters.jsonOutput).startsWith('=')).toBe(false);
		expect((settingsWorkflow as Workflow & { settings: Record<string, unknown> }).settings).toMatchObject({
			saveDataSuccessExecution: 'none',
		});
	});

	it.each(withSettings.map(({ file }) => file))('%s reads its settings from the settings workflow', (file) => {
		const node = settingsNode(load(file))!;
		expect(node).toMatchObject({
			type: 'n8n-nodes-base.executeWorkflow',
			typeVersion: 1.3,
			position: [220, 0],
			parameters: {
				source: 'database',
				workflowId: { __rl: true, mode: 'id', value: settingsWorkflow.id },
				// One call per run, not per item: the items come back paired one to one.
				mode: 'once',
				options: { waitForSubWorkflow: true },
			},
		});
	});

	it('leaves no settings of its own in any flow', () => {
		for (const { file, workflow } of flows) {
			const own = workflow.nodes.filter((node) => {
				if (node.type !== 'n8n-nodes-base.set' || node.parameters.mode !== 'raw') return false;
				const text = String(node.parameters.jsonOutput ?? '');
				return !text.startsWith('=') && /"settings"/.test(text);
			});
			expect({ file, own: own.map((node) => node.name) }).toEqual({ file, own: [] });
		}
	});

	it('defines every key a flow reads, and nothing no flow reads', () => {
		const shipped = Object.keys(shippedSettings());
		const read = new Set(withSettings.flatMap(({ workflow }) => [...keysRead(workflow)]));
		for (const { file, workflow } of withSettings) {
			const missing = [...keysRead(workflow)].filter((key) => !shipped.includes(key));
			expect({ file, missing }).toEqual({ file, missing: [] });
		}
		expect(shipped.filter((key) => !read.has(key))).toEqual([]);
		// One name, one meaning: each flow's activity title has its own key.
		expect(shipped).not.toContain('activityTitle');
		expect(keysRead(load('09-porters-selection-step-to-line.json'))).toContain('selectionStepActivityTitle');
		expect(keysRead(load('10-line-interview-reminder.json'))).toContain('reminderActivityTitle');
		expect(keysRead(load('11-line-bulk-send.json'))).toContain('bulkSendActivityTitle');
	});

	it("documents every key in the settings workflow's sticky note", () => {
		const note = String(settingsWorkflow.nodes.find((n) => n.type === 'n8n-nodes-base.stickyNote')?.parameters.content);
		for (const key of Object.keys(shippedSettings())) expect({ key, documented: note.includes(`\`${key}\``) }).toEqual({ key, documented: true });
		for (const mode of ['reply', 'replyOnly', 'push', 'none']) expect(note).toContain(`\`${mode}\``);
	});

	it('fills an empty or missing value with the shipped one and keeps what the tenant entered', () => {
		const shipped = shippedSettings();
		const filled = withDefaults({});
		const defaulted = Object.keys(filled);
		expect(defaulted).toEqual(
			expect.arrayContaining(['welcomeMode', 'welcomeText', 'timeZone', 'conversationSize', 'replyLinkHours', 'templates', 'reminderTemplate']),
		);
		// A default is the shipped value, so an emptied key behaves as a fresh import.
		for (const key of defaulted) expect({ key, value: filled[key] }).toEqual({ key, value: shipped[key] });
		expect(withDefaults({ timeZone: '', conversationSize: null }).conversationSize).toBe(20);
		expect(withDefaults({ timeZone: '' }).timeZone).toBe('Asia/Tokyo');
		// Values the tenant entered stay, also ones that are falsy but meant.
		expect(withDefaults({ welcomeMode: 'none', skipPhases: [], replyLinkHours: 24 })).toMatchObject({
			welcomeMode: 'none',
			skipPhases: [],
			replyLinkHours: 24,
		});
		// An empty notifyUrl or friendAddedAtField means "off", and PORTERS aliases have no default.
		for (const key of ['notifyUrl', 'friendAddedAtField', 'lineUserIdField', 'statusBlocked', 'presets']) {
			expect({ key, defaulted: key in filled }).toEqual({ key, defaulted: false });
		}
		expect(withDefaults({ lineUserIdField: 'Person.U_X', notifyUrl: '' })).toMatchObject({ lineUserIdField: 'Person.U_X', notifyUrl: '' });
	});
});

describe('flow 01 welcome modes', () => {
	const flow = load('01-line-friend-added-to-porters.json');
	const node = (name: string) => flow.nodes.find((n) => n.name === name) as WorkflowNode;
	const targets = (name: string) => (flow.connections[name]?.main ?? []).map((output) => output.map((c) => c.node));

	/**
	 * Runs the Welcome Mode switch's expression as plain JavaScript: `$('Settings')` and
	 * `$('Follow Event')` answer with the given setting and event, and the clock reads `now`.
	 */
	const welcomeBranch = (mode: string | undefined, event: Record<string, unknown>, now: number): string => {
		const body = /^=\{\{([\s\S]*)\}\}$/.exec(String(node('Welcome Mode').parameters.output))?.[1];
		if (body === undefined) throw new Error('Welcome Mode has no expression');
		const items: Record<string, unknown> = { Settings: { settings: { welcomeMode: mode } }, 'Follow Event': event };
		const $ = (name: string) => ({ item: { json: items[name] } });
		const clock = { now: () => now };
		const output = new Function('$', 'Date', `return (${body});`)($, clock) as number;
		return ['Reply Welcome', 'Push Welcome', 'Get Profile'][output] ?? `output ${output}`;
	};
	const eventAt = (ageMs: number, isRedelivery = false) => ({
		timestamp: 1_000_000 - ageMs,
		deliveryContext: { isRedelivery },
	});

	it('sends the welcome before PORTERS is asked, then upserts whatever the welcome did', () => {
		expect(targets('Settings')).toEqual([['Welcome Mode']]);
		expect(targets('Welcome Mode')).toEqual([['Reply Welcome'], ['Push Welcome'], ['Get Profile']]);
		expect(targets('Reply Welcome')).toEqual([['Get Profile']]);
		expect(targets('Push Welcome')).toEqual([['Get Profile']]);
		expect(targets('Get Profile')).toEqual([['Upsert Candidate']]);
		expect(node('Get Profile').parameters.userId).toBe("={{ $('Follow Event').item.json.source.userId }}");
		// A refused reply token or a failed push must not keep the candidate from PORTERS.
		expect((node('Reply Welcome') as WorkflowNode & { onError?: string }).onError).toBe('continueRegularOutput');
		expect((node('Push Welcome') as WorkflowNode & { onError?: string }).onError).toBe('continueRegularOutput');
		expect(node('Push Welcome').parameters).toMatchObject({
			operation: 'send',
			to: "={{ $('Follow Event').item.json.source.userId }}",
			options: { retryKey: "={{ $('Follow Event').item.json.webhookEventId }}" },
		});
		// The shipped mode, and the one a tenant who emptied or dropped the key gets.
		expect(shippedSettings().welcomeMode).toBe('reply');
		expect(withDefaults({ welcomeMode: '' }).welcomeMode).toBe('reply');
		expect(withDefaults({}).welcomeMode).toBe('reply');
	});

	it('replies while the token is fresh, pushes a late first delivery, and never pushes a late redelivery', () => {
		const now = 1_000_000;
		expect(welcomeBranch('reply', eventAt(1_000), now)).toBe('Reply Welcome');
		expect(welcomeBranch(undefined, eventAt(49_000), now)).toBe('Reply Welcome');
		expect(welcomeBranch('reply', eventAt(50_000), now)).toBe('Push Welcome');
		expect(welcomeBranch('reply', eventAt(600_000), now)).toBe('Push Welcome');
		expect(welcomeBranch('reply', eventAt(1_000, true), now)).toBe('Reply Welcome');
		expect(welcomeBranch('reply', eventAt(120_000, true), now)).toBe('Get Profile');
		expect(welcomeBranch('reply', { timestamp: now - 120_000 }, now)).toBe('Push Welcome');
	});

	it('keeps replyOnly free, push always a push and none silent', () => {
		const now = 1_000_000;
		expect(welcomeBranch('replyOnly', eventAt(1_000), now)).toBe('Reply Welcome');
		expect(welcomeBranch('replyOnly', eventAt(120_000), now)).toBe('Get Profile');
		expect(welcomeBranch('push', eventAt(1_000), now)).toBe('Push Welcome');
		expect(welcomeBranch('push', eventAt(120_000, true), now)).toBe('Push Welcome');
		expect(welcomeBranch('none', eventAt(1_000), now)).toBe('Get Profile');
		// A value the flow does not know (a typo) costs no quota: it acts as replyOnly, as its note says.
		expect(welcomeBranch('Push', eventAt(1_000), now)).toBe('Reply Welcome');
		expect(welcomeBranch('Push', eventAt(120_000), now)).toBe('Get Profile');
		expect(String(node('Welcome Mode').notes)).toContain('Any other value acts as replyOnly');
	});

	it('records only a welcome this run delivered, on the upserted candidate', () => {
		expect(targets('Upsert Candidate')).toEqual([['Welcome Sent?']]);
		const body = /^=\{\{([\s\S]*)\}\}$/.exec(String(node('Welcome Sent?').parameters.output))?.[1] ?? '';
		const decide = (reply: Record<string, unknown> | undefined, push: Record<string, unknown> | undefined) => {
			const results: Record<string, Record<string, unknown> | undefined> = { 'Reply Welcome': reply, 'Push Welcome': push };
			const $ = (name: string) => ({ isExecuted: results[name] !== undefined, item: { json: results[name] } });
			return new Function('$', `return (${body});`)($) as number;
		};
		expect(decide({ sent: true }, undefined)).toBe(0);
		expect(decide(undefined, { sent: true, duplicate: false })).toBe(0);
		expect(decide(undefined, { sent: true, duplicate: true })).toBe(1);
		expect(decide({ error: 'Invalid reply token' }, undefined)).toBe(1);
		expect(decide(undefined, { sent: false, reason: 'quota' })).toBe(1);
		expect(decide(undefined, undefined)).toBe(1);
		expect(targets('Welcome Sent?')).toEqual([['Record Welcome'], []]);
		expect(node('Record Welcome').parameters).toMatchObject({
			resource: 'activity',
			operation: 'create',
			recordId: "={{ $('Upsert Candidate').item.json['Person.P_Id'] }}",
		});
	});
});
