import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeProperties } from 'n8n-workflow';

import { PortersApi } from '../../credentials/PortersApi.credentials';
import { Porters } from '../../nodes/Porters/Porters.node';
import { PortersTrigger } from '../../nodes/Porters/PortersTrigger.node';

const node = new Porters().description;

function operations(resource: string): Array<{ name: string; value: string; action?: string }> {
	const property = node.properties.find(
		(p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource),
	) as INodeProperties & { options: Array<{ name: string; value: string; action?: string }> };
	return property.options;
}

describe('PORTERS node description', () => {
	it('offers the operations under the names users search for', () => {
		expect(operations('candidate').map((o) => o.name)).toEqual([
			'Create Candidate',
			'Find Candidate',
			'Get LINE Audience',
			'Link LINE User ID',
			'Update Candidate',
			'Upsert Candidate by LINE User ID',
		]);
		expect(operations('resume').map((o) => o.name)).toEqual(['Get Resume']);
		expect(operations('activity').map((o) => o.name)).toEqual(['Create Activity', 'Get Many Activities']);
		expect(operations('user').map((o) => o.name)).toEqual(['Get User']);
		for (const resource of ['candidate', 'resume', 'activity', 'user']) {
			for (const op of operations(resource)) expect(op.action?.toLowerCase()).toBe(op.name.toLowerCase());
		}
	});

	it('is usable as a tool, uses the PORTERS credential and ships a codex and icons', () => {
		expect(node.usableAsTool).toBe(true);
		expect(node.credentials).toEqual([{ name: 'portersApi', required: true }]);
		expect(node.subtitle).toBeTruthy();
		const root = path.join(__dirname, '../../../nodes');
		const codex = JSON.parse(readFileSync(path.join(root, 'Porters/Porters.node.json'), 'utf8'));
		expect(codex.node).toBe('n8n-nodes-line-porters.porters');
		for (const file of ['Porters/porters.svg', 'Porters/porters.dark.svg']) {
			expect(readFileSync(path.join(root, file), 'utf8')).toContain('<svg');
		}
		// The trigger sits beside the node and uses its icon files.
		const triggerIcon = new PortersTrigger().description.icon as { light: string; dark: string };
		for (const icon of [triggerIcon.light, triggerIcon.dark]) {
			expect(readFileSync(path.join(root, 'Porters', icon.replace(/^file:/, '')), 'utf8')).toContain('<svg');
		}
	});

	it('shows every operation parameter only for its own operation', () => {
		const shared = ['resource', 'operation', 'retryDelayMs'];
		for (const p of node.properties.filter((p) => !shared.includes(p.name))) {
			const show = p.displayOptions?.show;
			expect(show?.resource).toHaveLength(1);
			expect(show?.operation).toHaveLength(1);
		}
	});

	it('keeps the credential secret hidden and its session expirable', () => {
		const credential = new PortersApi();
		const byName = Object.fromEntries(credential.properties.map((p) => [p.name, p]));
		expect(byName.appSecret.typeOptions?.password).toBe(true);
		expect(byName.session).toMatchObject({ type: 'hidden', typeOptions: { expirable: true } });
		expect(byName.host.default).toBe('api-hrbc-jp.porterscloud.com');
		expect(credential.properties[0].displayName).toContain('one-time grant in the browser');
	});

	it('describes a polling trigger', () => {
		const trigger = new PortersTrigger().description;
		expect(trigger.polling).toBe(true);
		expect(trigger.inputs).toEqual([]);
	});
});
