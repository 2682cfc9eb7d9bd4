import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { createServer, type Server } from 'http';
import { tmpdir } from 'os';
import { join } from 'path';

import { Browser } from '../../scripts/n8n/clients/browser';
import {
	findCompleteInstallation,
	installationPaths,
} from '../../scripts/n8n/install/n8nInstallation';
import { readPackageCatalog, type PackageCatalog } from '../../scripts/n8n/install/packageCatalog';
import {
	hasPublishCommand,
	installDirName,
	INSTALL_RECIPE_REVISION,
	LINKEDOM_OVERRIDE,
	N8N_VERSION,
	N8N_VERSION_ENV,
	NODE_RUNTIME_VERSION,
	OLDEST_SUPPORTED_N8N_VERSION,
	resolveN8nVersion,
	selectedN8nVersion,
} from '../../scripts/n8n/install/versions';
import {
	cleanChildEnv,
	CommandError,
	GUARDIAN_SCRIPT,
	isGroupAlive,
	liveProcessGroups,
	run,
	spawnGroup,
	stopGroup,
} from '../../scripts/n8n/processes/processGroups';
import { formatDuration } from '../../scripts/n8n/processes/progress';
import { CaptureServer } from '../../scripts/n8n/stage/captureServer';
import { builtInCredentials, sandboxCredentials } from '../../scripts/n8n/stage/credentials';
import { n8nEnvironment } from '../../scripts/n8n/stage/n8nEnv';
import { needsActivation } from '../../scripts/n8n/stage/prepareStage';
import {
	applySettings,
	prepareWorkflow,
	productionWebhookPath,
	stableId,
	type WorkflowJson,
} from '../../scripts/n8n/stage/workflows';
import {
	commonSettings,
	portersFixtureSettings,
} from '../../scripts/n8n/stage/workflowSettings';

/**
 * The harness's own machinery, without n8n: environment hygiene, process-group handling (nothing
 * left behind), the install marker, workflow preparation, credential checks, the browser walk.
 * Runs with the e2e tests, and alone with
 * `npx jest -c test/e2e/jest.e2e.config.js build/test/e2e/harness.test.js`.
 */

const scratch = mkdtempSync(join(tmpdir(), 'line-porters-harness-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	return new Promise((resolveWait) => {
		const poll = () => {
			if (condition()) resolveWait(true);
			else if (Date.now() > deadline) resolveWait(false);
			else setTimeout(poll, 50);
		};
		poll();
	});
}

describe('child environments', () => {
	it('drops the npm settings `npm run` exports, except registry and TLS ones', () => {
		const env = cleanChildEnv(
			{ EXTRA: '1', REMOVED: undefined },
			{
				PATH: '/bin',
				REMOVED: 'x',
				npm_config_local_prefix: '/work/main',
				npm_config_nodedir: '/usr',
				npm_config_ignore_scripts: 'true',
				npm_lifecycle_event: 'test:e2e',
				npm_package_name: 'n8n-nodes-line-porters',
				npm_config_registry: 'https://registry.example/',
				npm_config_cafile: '/etc/ca.pem',
			},
		);
		expect(env).toEqual({
			PATH: '/bin',
			EXTRA: '1',
			npm_config_registry: 'https://registry.example/',
			npm_config_cafile: '/etc/ca.pem',
		});
	});

	it('gives n8n its own port, local-only addresses and no inherited n8n settings', () => {
		const saved = { ...process.env };
		process.env.N8N_PORT = '1';
		process.env.DB_TYPE = 'postgresdb';
		process.env.WEBHOOK_URL = 'https://elsewhere.example/';
		process.env.NO_PROXY = 'corp.example';
		try {
			const installation = installationPaths(join(scratch, 'install'));
			const env = n8nEnvironment({
				installation,
				userFolder: '/data/home',
				port: 45678,
				runnerBrokerPort: 45679,
				encryptionKey: 'key',
			});
			expect(env.N8N_PORT).toBe('45678');
			expect(env.N8N_RUNNERS_BROKER_PORT).toBe('45679');
			expect(env.N8N_LISTEN_ADDRESS).toBe('127.0.0.1');
			expect(env.N8N_WEBHOOK_URL).toBe('http://127.0.0.1:45678/');
			expect(env.N8N_USER_FOLDER).toBe('/data/home');
			expect(env.N8N_ENCRYPTION_KEY).toBe('key');
			expect(env.N8N_DIAGNOSTICS_ENABLED).toBe('false');
			expect(env.DB_TYPE).toBeUndefined();
			expect(env.WEBHOOK_URL).toBeUndefined();
			expect(env.NO_PROXY).toBe('corp.example,127.0.0.1,localhost,::1');
			expect(env.PATH?.split(':')[0]).toBe(join(installation.nodeDir, 'bin'));
		} finally {
			process.env = saved;
		}
	});
});

describe('process groups', () => {
	it('stops a command together with the processes it started', async () => {
		const child = spawnGroup('sh', ['-c', 'sleep 60 & sleep 60 & wait'], { stdio: 'ignore' });
		const pgid = child.pid!;
		expect(isGroupAlive(pgid)).toBe(true);
		expect(await stopGroup(pgid, 5000)).toBe('terminated');
		expect(isGroupAlive(pgid)).toBe(false);
		expect(liveProcessGroups().some((group) => group.pgid === pgid)).toBe(false);
	});

	it('kills a group that ignores SIGTERM once the grace period is over', async () => {
		const child = spawnGroup(
			process.execPath,
			['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('up')"],
			{ stdio: ['ignore', 'pipe', 'ignore'] },
		);
		await new Promise((resolveUp) => child.stdout!.once('data', resolveUp));
		const begin = Date.now();
		expect(await stopGroup(child.pid!, 300)).toBe('killed');
		expect(Date.now() - begin).toBeGreaterThanOrEqual(300);
		expect(isGroupAlive(child.pid!)).toBe(false);
	});

	it('reports a failing command with the tail of its output', async () => {
		const failure = run('sh', ['-c', 'echo preparing; echo broken >&2; exit 3'], { cwd: scratch });
		await expect(failure).rejects.toBeInstanceOf(CommandError);
		await expect(failure).rejects.toThrow(/exited with code 3[\s\S]*preparing[\s\S]*broken/);
	});

	it('stops a command that runs past its timeout', async () => {
		const begin = Date.now();
		await expect(run('sleep', ['30'], { cwd: scratch, timeoutMs: 300 })).rejects.toThrow(
			/timed out/,
		);
		expect(Date.now() - begin).toBeLessThan(10000);
	});

	it('has the guardian stop the server when the harness goes away', async () => {
		const guardian = GUARDIAN_SCRIPT;
		const server = "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000)";
		const child = spawnGroup(process.execPath, [guardian, process.execPath, '-e', server], {
			stdio: ['pipe', 'ignore', 'ignore'],
			env: { ...process.env, GUARDIAN_GRACE_MS: '2000' },
		});
		const pgid = child.pid!;
		try {
			await new Promise((resolveWait) => setTimeout(resolveWait, 300));
			expect(isGroupAlive(pgid)).toBe(true);
			// What the guardian sees when the harness dies: its stdin pipe closes.
			child.stdin!.destroy();
			expect(await waitFor(() => !isGroupAlive(pgid), 8000)).toBe(true);
		} finally {
			await stopGroup(pgid, 1000);
		}
	});

	it('has the guardian kill a server that ignores SIGTERM after its grace period', async () => {
		const guardian = GUARDIAN_SCRIPT;
		const stubborn = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)";
		const child = spawnGroup(process.execPath, [guardian, process.execPath, '-e', stubborn], {
			stdio: ['pipe', 'ignore', 'ignore'],
			env: { ...process.env, GUARDIAN_GRACE_MS: '500' },
		});
		const pgid = child.pid!;
		try {
			await new Promise((resolveWait) => setTimeout(resolveWait, 300));
			child.stdin!.destroy();
			expect(await waitFor(() => !isGroupAlive(pgid), 8000)).toBe(true);
		} finally {
			await stopGroup(pgid, 1000);
		}
	});
});

// These checks are about the harness's defaults; an e2e run on another n8n sets this variable.
const versionOfTheRun = process.env[N8N_VERSION_ENV];
delete process.env[N8N_VERSION_ENV];
afterAll(() => {
	if (versionOfTheRun !== undefined) process.env[N8N_VERSION_ENV] = versionOfTheRun;
});

describe('n8n version choice', () => {
	afterEach(() => {
		delete process.env[N8N_VERSION_ENV];
	});

	it('resolves a line or an exact version to a supported version', () => {
		expect(resolveN8nVersion('1.123.x')).toBe(OLDEST_SUPPORTED_N8N_VERSION);
		expect(resolveN8nVersion('1.x')).toBe(OLDEST_SUPPORTED_N8N_VERSION);
		expect(resolveN8nVersion(OLDEST_SUPPORTED_N8N_VERSION)).toBe(OLDEST_SUPPORTED_N8N_VERSION);
		expect(resolveN8nVersion('2')).toBe(N8N_VERSION);
		expect(() => resolveN8nVersion('1.122.x')).toThrow(/not one of the versions/);
		expect(() => resolveN8nVersion('1.12')).toThrow(/not one of the versions/);
	});

	it('uses the pinned 2.x unless the environment names another version', () => {
		delete process.env[N8N_VERSION_ENV];
		expect(selectedN8nVersion()).toBe(N8N_VERSION);
		process.env[N8N_VERSION_ENV] = '1.123.x';
		expect(selectedN8nVersion()).toBe(OLDEST_SUPPORTED_N8N_VERSION);
		expect(installDirName()).toContain(`n8n-${OLDEST_SUPPORTED_N8N_VERSION}_`);
		expect(installationPaths().n8nVersion).toBe(OLDEST_SUPPORTED_N8N_VERSION);
	});

	it('publishes on 2.x and activates by update on 1.x', () => {
		expect(hasPublishCommand(N8N_VERSION)).toBe(true);
		expect(hasPublishCommand(OLDEST_SUPPORTED_N8N_VERSION)).toBe(false);
	});

	it('leaves sub-workflows without another trigger inactive on 1.x only', () => {
		const sub = ['n8n-nodes-base.executeWorkflowTrigger', 'n8n-nodes-base.noOp'];
		const subWithWebhook = ['n8n-nodes-base.executeWorkflowTrigger', 'n8n-nodes-base.webhook'];
		expect(needsActivation(sub, N8N_VERSION)).toBe(true);
		expect(needsActivation(sub, OLDEST_SUPPORTED_N8N_VERSION)).toBe(false);
		expect(needsActivation(subWithWebhook, OLDEST_SUPPORTED_N8N_VERSION)).toBe(true);
		expect(
			needsActivation(['n8n-nodes-line-porters.lineTrigger'], OLDEST_SUPPORTED_N8N_VERSION),
		).toBe(true);
	});
});

describe('install marker', () => {
	function fakeInstall(
		root: string,
		marker: Record<string, unknown> | undefined,
		binaries = true,
	): void {
		const paths = installationPaths(root);
		mkdirSync(root, { recursive: true });
		if (binaries) {
			for (const file of [paths.nodeBin, paths.n8nBin]) {
				mkdirSync(join(file, '..'), { recursive: true });
				writeFileSync(file, '');
			}
		}
		if (marker) writeFileSync(join(root, 'install-complete.json'), JSON.stringify(marker));
	}
	const goodMarker = {
		n8nVersion: N8N_VERSION,
		nodeVersion: NODE_RUNTIME_VERSION,
		linkedom: LINKEDOM_OVERRIDE,
		recipeRevision: INSTALL_RECIPE_REVISION,
	};

	it('trusts a complete install with a marker naming the same versions', () => {
		const root = join(scratch, 'complete');
		fakeInstall(root, goodMarker);
		expect(findCompleteInstallation(root)?.n8nBin).toBe(installationPaths(root).n8nBin);
	});

	it('does not trust a half-finished install (no marker)', () => {
		const root = join(scratch, 'half');
		fakeInstall(root, undefined);
		expect(findCompleteInstallation(root)).toBeUndefined();
	});

	it('does not trust a marker for other versions or an older recipe', () => {
		for (const change of [
			{ n8nVersion: '2.41.3' },
			{ nodeVersion: '24.0.0' },
			{ linkedom: '0.18.15' },
			{ recipeRevision: INSTALL_RECIPE_REVISION - 1 },
		]) {
			const root = join(scratch, `other-${Object.keys(change)[0]}`);
			fakeInstall(root, { ...goodMarker, ...change });
			expect(findCompleteInstallation(root)).toBeUndefined();
		}
	});

	it('keeps each version in its own folder and trusts only its own marker', () => {
		const root = join(scratch, 'n8n1');
		fakeInstall(root, { ...goodMarker, n8nVersion: OLDEST_SUPPORTED_N8N_VERSION });
		expect(findCompleteInstallation(root, OLDEST_SUPPORTED_N8N_VERSION)?.n8nVersion).toBe(
			OLDEST_SUPPORTED_N8N_VERSION,
		);
		expect(findCompleteInstallation(root, N8N_VERSION)).toBeUndefined();
		expect(installDirName(OLDEST_SUPPORTED_N8N_VERSION)).not.toBe(installDirName(N8N_VERSION));
	});

	it('does not trust a marker whose files are gone', () => {
		const root = join(scratch, 'emptied');
		fakeInstall(root, goodMarker, false);
		expect(findCompleteInstallation(root)).toBeUndefined();
	});
});

describe('workflow preparation', () => {
	const webhookNode = (extra: Record<string, unknown>) => ({
		name: 'Hook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		parameters: { httpMethod: 'POST', path: 'in' },
		webhookId: '11111111-2222-4333-8444-555555555555',
		...extra,
	});

	function writeWorkflow(name: string, workflow: Record<string, unknown>): string {
		const file = join(scratch, name);
		writeFileSync(file, JSON.stringify(workflow));
		return file;
	}

	it('computes production paths as n8n does for full-path and other webhooks', () => {
		const node = webhookNode({}) as never;
		expect(productionWebhookPath(node, { httpMethod: 'POST', path: 'in', isFullPath: true })).toBe(
			'in',
		);
		expect(productionWebhookPath(node, { httpMethod: 'POST', path: '', isFullPath: true })).toBe(
			'11111111-2222-4333-8444-555555555555',
		);
		expect(productionWebhookPath(node, { httpMethod: 'POST', path: '/line' })).toBe(
			'11111111-2222-4333-8444-555555555555/line',
		);
		expect(() =>
			productionWebhookPath(webhookNode({ webhookId: undefined }) as never, {
				httpMethod: 'POST',
				path: 'line',
			}),
		).toThrow(/no webhookId/);
	});

	it('binds credentials by type, keeps a given ID, deactivates and lists webhooks', () => {
		const file = writeWorkflow('bound.json', {
			id: 'keepThisId000001',
			name: 'Bound',
			active: true,
			connections: {},
			nodes: [
				webhookNode({}),
				{
					name: 'Trigger',
					type: 'n8n-nodes-line-porters.lineTrigger',
					typeVersion: 1,
					parameters: {},
					webhookId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
					credentials: { lineMessagingApi: { id: 'old', name: 'Somebody’s LINE' } },
				},
				{ ...webhookNode({ name: 'Off', webhookId: 'x' }), disabled: true },
			],
		});
		const prepared = prepareWorkflow(file, {
			credentialsByType: { lineMessagingApi: { id: 'cred0000000001', name: 'LINE (sandbox)' } },
			packageWebhooks: {
				'n8n-nodes-line-porters.lineTrigger': [{ httpMethod: 'POST', path: 'line' }],
			},
		});
		expect(prepared.id).toBe('keepThisId000001');
		expect(prepared.json.active).toBe(false);
		expect(prepared.json.nodes[1].credentials).toEqual({
			lineMessagingApi: { id: 'cred0000000001', name: 'LINE (sandbox)' },
		});
		expect(prepared.webhooks).toEqual([
			{ nodeName: 'Hook', nodeType: 'n8n-nodes-base.webhook', method: 'POST', path: 'in' },
			{
				nodeName: 'Trigger',
				nodeType: 'n8n-nodes-line-porters.lineTrigger',
				method: 'POST',
				path: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee/line',
			},
		]);
		expect(prepared.nodeTypes).toEqual([
			'n8n-nodes-base.webhook',
			'n8n-nodes-line-porters.lineTrigger',
		]);
	});

	it('gives a workflow without ID a stable n8n-style ID', () => {
		const file = writeWorkflow('no-id.json', { name: 'No ID', nodes: [], connections: {} });
		const first = prepareWorkflow(file).id;
		expect(first).toMatch(/^[A-Za-z0-9]{16}$/);
		expect(prepareWorkflow(file).id).toBe(first);
		expect(stableId('a')).not.toBe(stableId('b'));
	});

	it('refuses a file that is not a workflow', () => {
		const file = writeWorkflow('not-a-workflow.json', { nodes: 'none' });
		expect(() => prepareWorkflow(file)).toThrow(/not an n8n workflow/);
	});
});

describe('deployment settings', () => {
	const settingsNode = (settings: Record<string, unknown>) => ({
		name: 'Settings',
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		parameters: { mode: 'raw', jsonOutput: JSON.stringify({ settings }, null, 2), options: {} },
	});

	it('fills the keys it has values for, keeps the others and reports those left empty', () => {
		const workflow: WorkflowJson = {
			name: 'Configured',
			connections: {},
			nodes: [
				settingsNode({ lineUserIdField: '', welcomeText: 'ようこそ', notifyUrl: '', mystery: '' }),
				{
					name: 'Other Set',
					type: 'n8n-nodes-base.set',
					typeVersion: 3.4,
					parameters: { mode: 'manual' },
				},
			],
		};
		const result = applySettings(workflow, {
			lineUserIdField: 'Person.U_X',
			notifyUrl: 'http://127.0.0.1:1/n',
		});
		expect(result).toEqual({ applied: ['lineUserIdField', 'notifyUrl'], unfilled: ['mystery'] });
		expect(JSON.parse(String(workflow.nodes[0].parameters.jsonOutput))).toEqual({
			settings: {
				lineUserIdField: 'Person.U_X',
				welcomeText: 'ようこそ',
				notifyUrl: 'http://127.0.0.1:1/n',
				mystery: '',
			},
		});
		expect(workflow.nodes[1].parameters).toEqual({ mode: 'manual' });
	});

	it('fills the shipped settings workflow, keeps its fixed ID, and finds no settings in the flows', () => {
		const dir = join(__dirname, '..', '..', '..', 'workflows');
		const files = readdirSync(dir).filter((file) => file.endsWith('.json'));
		const settings = { lineUserIdField: 'Person.U_X', notifyUrl: 'http://127.0.0.1:1/n' };
		const prepared = files.map((file) => prepareWorkflow(join(dir, file), { settings }));
		const settingsWorkflow = prepared.find((workflow) => workflow.id === 'LPTenantSettings');
		expect(settingsWorkflow?.settings.applied).toEqual(['lineUserIdField', 'notifyUrl']);
		expect(settingsWorkflow?.settings.unfilled).toContain('statusBlocked');
		for (const workflow of prepared.filter((w) => w !== settingsWorkflow)) {
			expect({ workflow: workflow.name, settings: workflow.settings }).toEqual({
				workflow: workflow.name,
				settings: { applied: [], unfilled: [] },
			});
		}
	});

	it('takes the PORTERS aliases from the sandbox fixture', () => {
		const settings = portersFixtureSettings(join(__dirname, '..', '..', '..'));
		expect(settings.lineUserIdField).toMatch(/^Person\.U_[0-9A-F]+$/);
		expect(settings.lineStatusField).toMatch(/^Person\.U_[0-9A-F]+$/);
		expect(settings.statusFollowing).toMatch(/^Option\.U_/);
		expect(settings.statusBlocked).toMatch(/^Option\.U_/);
		expect(settings.statusBlocked).not.toBe(settings.statusFollowing);
		expect(settings.interviewStatusField).toMatch(/^Resume\.U_[0-9A-F]+$/);
		expect(settings.unreadField).toMatch(/^Person\.U_[0-9A-F]+$/);
		for (const key of ['phaseField', 'phaseDateField', 'interviewDateField']) {
			expect({ key, alias: settings[key] }).toEqual({ key, alias: expect.stringMatching(/^Resume\.U_[0-9A-F]+$/) });
		}
		expect(new Set([settings.phaseDateField, settings.interviewDateField]).size).toBe(2);
	});

	it('is one set of values: the sandboxes’ addresses, the fixture’s aliases, the reply page', () => {
		const inputs = {
			porters: { lineUserIdField: 'Person.U_X' },
			captureUrl: 'http://127.0.0.1:9',
			lineBasicId: '@sandbox',
			webhookUrl: (path: string) => `http://127.0.0.1:5678/webhook/${path}`,
		};
		expect(commonSettings(inputs)).toEqual({
			lineUserIdField: 'Person.U_X',
			notifyUrl: 'http://127.0.0.1:9/recruiter-notify',
			marketingUrl: 'http://127.0.0.1:9/marketing-tool',
			friendAddUrl: 'https://line.me/R/ti/p/@sandbox',
			replyPageUrl: 'http://127.0.0.1:5678/webhook/line-reply',
		});
		expect(commonSettings({ ...inputs, smtp: true })).toEqual(
			expect.objectContaining({
				fromEmail: expect.stringContaining('@'),
				fallbackEmail: expect.stringContaining('@'),
			}),
		);
	});

	it('creates n8n’s own credential types only when a workflow needs them', () => {
		expect(builtInCredentials([])).toEqual([]);
		expect(builtInCredentials(['httpHeaderAuth', 'lineMessagingApi', 'httpHeaderAuth'])).toEqual([
			expect.objectContaining({
				type: 'httpHeaderAuth',
				data: { name: 'X-Api-Key', value: expect.any(String) },
			}),
		]);
		// SMTP only when the SMTP sandbox runs, pointing at it without TLS.
		expect(builtInCredentials(['smtp'])).toEqual([]);
		const smtp = { host: '127.0.0.1', port: 2525, mailboxUrl: 'http://127.0.0.1:8025' };
		expect(builtInCredentials(['smtp'], { smtp })).toEqual([
			expect.objectContaining({
				type: 'smtp',
				data: expect.objectContaining({ host: '127.0.0.1', port: 2525, secure: false, disableStartTls: true }),
			}),
		]);
		expect(builtInCredentials(['httpBasicAuth'])).toEqual([
			expect.objectContaining({ type: 'httpBasicAuth', data: { user: expect.any(String), password: expect.any(String) } }),
		]);
	});
});

describe('package catalog and credentials', () => {
	function fakePackage(): string {
		const dir = join(scratch, 'fake-package');
		mkdirSync(join(dir, 'dist'), { recursive: true });
		writeFileSync(
			join(dir, 'package.json'),
			JSON.stringify({
				name: 'n8n-nodes-line-porters',
				version: '9.9.9',
				n8n: { nodes: ['dist/Trigger.node.js'], credentials: ['dist/Line.credentials.js'] },
			}),
		);
		writeFileSync(
			join(dir, 'dist', 'Trigger.node.js'),
			`exports.LineTrigger = class { constructor() { this.description = {
				name: 'lineTrigger', displayName: 'LINE Trigger',
				webhooks: [{ name: 'default', httpMethod: 'POST', path: 'line' }],
				credentials: [{ name: 'lineMessagingApi' }] }; } };`,
		);
		writeFileSync(
			join(dir, 'dist', 'Line.credentials.js'),
			`exports.LineMessagingApi = class { constructor() { this.name = 'lineMessagingApi';
				this.displayName = 'LINE Messaging API';
				this.properties = [
					{ name: 'channelId', type: 'string', default: '' },
					{ name: 'channelSecret', type: 'string', default: '', required: true },
					{ name: 'accessToken', type: 'string', default: '', required: true },
					{ name: 'apiBaseUrl', type: 'string', default: 'https://api.line.me' },
					{ name: 'dataApiBaseUrl', type: 'string', default: 'https://api-data.line.me' },
				]; } };`,
		);
		return dir;
	}

	it('reads node types, webhooks and credential fields from the built files', () => {
		const catalog = readPackageCatalog(fakePackage());
		expect(catalog.nodes).toEqual([
			expect.objectContaining({
				type: 'n8n-nodes-line-porters.lineTrigger',
				webhooks: [{ httpMethod: 'POST', path: 'line', isFullPath: undefined }],
				credentialTypes: ['lineMessagingApi'],
			}),
		]);
		expect(catalog.credentials[0].properties.map((property) => property.name)).toEqual([
			'channelId',
			'channelSecret',
			'accessToken',
			'apiBaseUrl',
			'dataApiBaseUrl',
		]);
	});

	const line = {
		url: 'http://127.0.0.1:8787',
		channelId: '1',
		channelSecret: 'secret',
		accessToken: 'token',
		loginChannelId: '2',
		loginChannelSecret: 'login-secret',
	};

	it('fills the sandbox credential and checks it against the credential’s fields', () => {
		const catalog = readPackageCatalog(fakePackage());
		const { credentials, unknownTypes } = sandboxCredentials(catalog, { line });
		expect(unknownTypes).toEqual([]);
		expect(credentials).toEqual([
			{
				id: stableId('credential:lineMessagingApi'),
				name: 'LINE Messaging API (sandbox)',
				type: 'lineMessagingApi',
				data: {
					channelId: '1',
					channelSecret: 'secret',
					accessToken: 'token',
					apiBaseUrl: line.url,
					dataApiBaseUrl: line.url,
				},
			},
		]);
	});

	it('fails on a field the credential does not define, and reports types it cannot fill', () => {
		const catalog = readPackageCatalog(fakePackage());
		const renamed: PackageCatalog = {
			...catalog,
			credentials: [
				{
					...catalog.credentials[0],
					properties: catalog.credentials[0].properties.filter(
						(property) => property.name !== 'dataApiBaseUrl',
					),
				},
				{ name: 'somethingNew', displayName: 'New', file: '', properties: [] },
			],
		};
		expect(() => sandboxCredentials(renamed, { line })).toThrow(/dataApiBaseUrl/);
		expect(
			sandboxCredentials({ ...catalog, credentials: [renamed.credentials[1]] }, { line })
				.unknownTypes,
		).toEqual(['somethingNew']);
	});
});

describe('browser walk', () => {
	const servers: Server[] = [];
	afterAll(async () => {
		await Promise.all(
			servers.map((server) => new Promise((resolveClose) => server.close(resolveClose))),
		);
	});

	function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
		const server = createServer(handler);
		servers.push(server);
		return new Promise((resolveUrl) =>
			server.listen(0, '127.0.0.1', () => {
				const address = server.address();
				resolveUrl(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
			}),
		);
	}

	it('follows redirects across hosts one by one and keeps cookies per host', async () => {
		const seenCookies: string[] = [];
		const callback = await listen((request, response) => {
			seenCookies.push(request.headers.cookie ?? '');
			response.writeHead(200, { 'content-type': 'text/html' }).end(`<p>linked ${request.url}</p>`);
		});
		const authorize = await listen((request, response) => {
			if (request.url?.startsWith('/login')) {
				response
					.writeHead(302, { location: '/consent', 'set-cookie': 'session=abc; Path=/; HttpOnly' })
					.end();
			} else {
				seenCookies.push(`authorize:${request.headers.cookie ?? ''}`);
				response.writeHead(303, { location: `${callback}/cb?code=xyz&state=s1` }).end();
			}
		});
		const page = await new Browser().open(`${authorize}/login`);
		expect(page.hops).toEqual([
			{ url: `${authorize}/login`, status: 302, location: '/consent' },
			{ url: `${authorize}/consent`, status: 303, location: `${callback}/cb?code=xyz&state=s1` },
			{ url: `${callback}/cb?code=xyz&state=s1`, status: 200, location: undefined },
		]);
		expect(page.body).toBe('<p>linked /cb?code=xyz&state=s1</p>');
		expect(seenCookies).toEqual(['authorize:session=abc', '']);
	});

	it('gives up on a redirect loop', async () => {
		const loop = await listen((_request, response) =>
			response.writeHead(302, { location: '/again' }).end(),
		);
		await expect(new Browser().open(`${loop}/start`, { maxHops: 3 })).rejects.toThrow(
			/More than 3 redirects/,
		);
	});
});

describe('capture server', () => {
	it('records what is posted per channel, lists it over HTTP and resets', async () => {
		const capture = new CaptureServer();
		await capture.start(0);
		try {
			const post = (channel: string, body: string) =>
				fetch(capture.channelUrl(channel), {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body,
				});
			expect((await post('recruiter-notify', '{"text":"新着"}')).status).toBe(200);
			expect((await post('marketing-tool', 'not json')).status).toBe(200);
			const notify = (await (
				await fetch(`${capture.url}/__capture/recruiter-notify`)
			).json()) as Array<{
				channel: string;
				method: string;
				json?: unknown;
				body: string;
			}>;
			expect(notify).toEqual([
				expect.objectContaining({
					channel: 'recruiter-notify',
					method: 'POST',
					json: { text: '新着' },
				}),
			]);
			const all = (await (await fetch(`${capture.url}/__capture/`)).json()) as unknown[];
			expect(all).toHaveLength(2);
			expect(capture.requests[1]).toEqual(
				expect.objectContaining({ body: 'not json', json: undefined }),
			);
			await fetch(`${capture.url}/__capture/reset`, { method: 'POST' });
			expect(capture.requests).toEqual([]);
		} finally {
			await capture.stop();
		}
	});
});

describe('progress output', () => {
	it('formats durations without a 60th second', () => {
		expect(formatDuration(850)).toBe('850 ms');
		expect(formatDuration(12_340)).toBe('12.3 s');
		expect(formatDuration(59_970)).toBe('1 min 00 s');
		expect(formatDuration(239_600)).toBe('4 min 00 s');
		expect(formatDuration(325_218)).toBe('5 min 25 s');
	});
});
