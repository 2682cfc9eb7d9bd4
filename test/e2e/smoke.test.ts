import { nodeOutput, type N8nRestClient } from '../../scripts/n8n/clients/rest';
import { hasPublishCommand, SUPPORTED_N8N_VERSIONS } from '../../scripts/n8n/install/versions';
import { e2e, fixtureWorkflow, signedIn, webhookOf } from '../support/e2e';

/**
 * Proves the machinery with n8n's own nodes only: a published workflow answers on its production
 * webhook URL, and the execution it produced can be read back with its data through the REST API.
 */

const workflow = fixtureWorkflow('smoke-webhook.json');

describe('smoke: a webhook workflow in the real n8n', () => {
	let rest: N8nRestClient;

	beforeAll(async () => {
		if (!workflow) throw new Error('The smoke fixture workflow was not imported');
		rest = await signedIn();
	});

	it('runs a supported n8n at the version asked for and serves the readiness probe', async () => {
		const readiness = await fetch(`${e2e().n8n.baseUrl}/healthz/readiness`);
		expect(readiness.status).toBe(200);
		expect(await readiness.json()).toEqual({ status: 'ok' });
		expect(SUPPORTED_N8N_VERSIONS).toContain(e2e().n8n.version);
		expect((await rest.settings()).versionCli).toBe(e2e().n8n.version);
	});

	it('has the workflow published and active', async () => {
		const stored = await rest.getWorkflow(workflow!.id);
		expect(stored.active).toBe(true);
		// n8n 1.x has no workflow versions: active is all there is.
		if (hasPublishCommand(e2e().n8n.version)) expect(stored.activeVersionId).toBeTruthy();
		expect(await rest.activationError(workflow!.id)).toBeUndefined();
	});

	it('answers on the production URL and records an execution with the node data', async () => {
		const before = await rest.executionIds(workflow!.id);
		const name = `テスト ${Date.now()}`;
		const response = await fetch(webhookOf(workflow!, 'Webhook'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ name }),
		});
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ greeting: `hello ${name}`, nameLength: name.length });

		const [execution] = await rest.waitForExecutions(workflow!.id, { exclude: before });
		expect(execution.status).toBe('success');
		expect(execution.mode).toBe('webhook');
		expect(execution.workflowId).toBe(workflow!.id);
		expect(nodeOutput(execution, 'Webhook')[0].body).toEqual({ name });
		expect(nodeOutput(execution, 'Greet')).toEqual([
			{ greeting: `hello ${name}`, nameLength: name.length },
		]);
	});

	it('answers 404 on a path no active workflow registered, without an execution', async () => {
		const before = await rest.executionIds(workflow!.id);
		const response = await fetch(`${e2e().n8n.baseUrl}/webhook/e2e-no-such-path`, {
			method: 'POST',
		});
		expect(response.status).toBe(404);
		expect(await rest.executionIds(workflow!.id)).toEqual(before);
	});

	it('counts one execution per call when called several times in a row', async () => {
		const before = await rest.executionIds(workflow!.id);
		for (const name of ['a', 'bb', 'ccc']) {
			const response = await fetch(webhookOf(workflow!, 'Webhook'), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ name }),
			});
			expect(response.status).toBe(200);
		}
		const executions = await rest.waitForExecutions(workflow!.id, { exclude: before, count: 3 });
		expect(executions.map((execution) => nodeOutput(execution, 'Greet')[0].greeting)).toEqual([
			'hello a',
			'hello bb',
			'hello ccc',
		]);
	});
});
