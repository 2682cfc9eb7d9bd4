/**
 * What the benchmarks do with a real n8n through its editor REST API: create and publish a
 * workflow, and count its executions.
 */
import type { N8nRestClient } from '../../scripts/n8n/clients/rest';
import { hasPublishCommand, selectedN8nVersion } from '../../scripts/n8n/install/versions';

/** Creates a workflow through the editor's REST API and publishes it; returns its ID. */
export async function createAndPublish(
	rest: N8nRestClient,
	workflow: Record<string, unknown>,
): Promise<string> {
	const created = await rest.request<{ id: string; versionId: string }>('POST', 'workflows', workflow);
	const path = `workflows/${encodeURIComponent(created.id)}`;
	// n8n 1.x has no workflow versions to publish: a workflow is activated by updating it.
	if (hasPublishCommand(selectedN8nVersion()))
		await rest.request('POST', `${path}/activate`, { versionId: created.versionId });
	else await rest.request('PATCH', path, { active: true, versionId: created.versionId });
	return created.id;
}

export interface ExecutionCount {
	total: number;
	success: number;
}

async function count(rest: N8nRestClient, filter: Record<string, unknown>): Promise<number> {
	const query = new URLSearchParams({ filter: JSON.stringify(filter), limit: '1' });
	const data = await rest.request<{ count: number }>('GET', `executions?${query}`);
	return data.count;
}

/** Successful executions, and all of them (running and queued ones included). */
export async function countExecutions(rest: N8nRestClient, workflowId: string): Promise<ExecutionCount> {
	// Successes first: executions only ever get added, so `total` cannot come out below `success`.
	const success = await count(rest, { workflowId, status: ['success'] });
	return { success, total: await count(rest, { workflowId }) };
}

/** Executions that have ended, whichever way. */
export async function countFinishedExecutions(rest: N8nRestClient, workflowId: string): Promise<number> {
	return await count(rest, { workflowId, status: ['success', 'error', 'crashed', 'canceled'] });
}

/** Executions not ended yet: queued, running or waiting. */
export async function countUnfinishedExecutions(rest: N8nRestClient, workflowId: string): Promise<number> {
	return await count(rest, { workflowId, status: ['new', 'running', 'waiting'] });
}
