import { readFileSync } from 'fs';
import { resolve } from 'path';
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { Line } from '../../nodes/Line/Line.node';
import { operations } from '../../nodes/Line/actions/router';

const description = new Line().description;

function operationOptions(): Array<INodePropertyOptions & { resource: string }> {
	return description.properties
		.filter((p) => p.name === 'operation')
		.flatMap((p) =>
			(p.options as INodePropertyOptions[]).map((option) => ({
				...option,
				resource: (p.displayOptions?.show?.resource as string[])[0],
			})),
		);
}

describe('LINE node description', () => {
	it('is the LINE node, usable as a tool, with the LINE Messaging API credential', () => {
		expect(description).toMatchObject({ name: 'line', displayName: 'LINE', version: 1, usableAsTool: true });
		expect(description.credentials).toEqual([
			{ name: 'lineMessagingApi', required: true },
			{
				name: 'portersApi',
				required: false,
				displayOptions: { show: { resource: ['account'], operation: ['checkSetup'] } },
			},
		]);
		expect(description.icon).toEqual({ light: 'file:line.svg', dark: 'file:line.dark.svg' });
	});

	it('offers every capability under the name users search for', () => {
		const names = operationOptions().map((option) => option.name);
		expect(names.sort()).toEqual(
			[
				'Check Setup',
				'Create Reply Link',
				'Get Bot Info',
				'Get Follower IDs',
				'Get Message Content',
				'Get Profile',
				'Get Quota',
				'Mark as Read',
				'Multicast',
				'Reply',
				'Send Message',
				'Show Loading Animation',
				'Verify Reply Link',
			].sort(),
		);
		// The panel lists operations by their action text: it must contain the name too.
		for (const option of operationOptions()) {
			expect(option.action?.toLowerCase()).toContain(option.name.toLowerCase());
		}
	});

	it('has an implementation for every operation and no implementation without an operation', () => {
		const described = operationOptions().map((o) => `${o.resource}.${String(o.value)}`).sort();
		const implemented = Object.entries(operations)
			.flatMap(([resource, byOperation]) => Object.keys(byOperation).map((op) => `${resource}.${op}`))
			.sort();
		expect(implemented).toEqual(described);
	});

	it('shows each operation field only for its own operation', () => {
		const fields = description.properties.filter(
			(p: INodeProperties) => !['resource', 'operation'].includes(p.name) && p.type !== 'hidden',
		);
		for (const field of fields) {
			expect(field.displayOptions?.show?.resource).toHaveLength(1);
			expect(field.displayOptions?.show?.operation).toHaveLength(1);
		}
	});

	it('has a codex file naming this node in this package', () => {
		const codex = JSON.parse(readFileSync(resolve(__dirname, '../../..', 'nodes/Line/Line.node.json'), 'utf8'));
		const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../..', 'package.json'), 'utf8'));
		expect(codex.node).toBe(`${pkg.name}.line`);
		expect(codex.alias).toEqual(expect.arrayContaining(['Send Message', 'Mark Read', 'Check Setup']));
	});
});
