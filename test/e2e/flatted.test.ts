import fc from 'fast-check';
import { join } from 'path';

import { parseFlatted } from '../../scripts/n8n/clients/flatted';
import { e2e } from '../support/e2e';

/**
 * The harness decodes execution data itself; n8n encodes it with the `flatted` package. This
 * checks the decoder against the very `flatted` n8n uses, on random values with shared and
 * circular references.
 */

interface FlattedModule {
	stringify(value: unknown): string;
	parse(text: string): unknown;
}

function n8nFlatted(): FlattedModule {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(join(e2e().n8n.projectDir, 'node_modules', 'flatted')) as FlattedModule;
}

describe('flatted decoder', () => {
	it('decodes what n8n’s flatted encodes, for any JSON value', () => {
		const flatted = n8nFlatted();
		fc.assert(
			fc.property(fc.jsonValue(), (value) => {
				expect(parseFlatted(flatted.stringify(value))).toEqual(
					flatted.parse(flatted.stringify(value)),
				);
			}),
			{ numRuns: 300 },
		);
	});

	it('keeps shared and circular references', () => {
		const flatted = n8nFlatted();
		fc.assert(
			fc.property(
				fc.array(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())), {
					minLength: 1,
					maxLength: 6,
				}),
				fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ minLength: 1 })), { maxLength: 10 }),
				(objects, links) => {
					const nodes = objects.map((entries) => ({ ...entries }) as Record<string, unknown>);
					for (const [from, to, key] of links)
						nodes[from % nodes.length][`link:${key}`] = nodes[to % nodes.length];
					const root = { nodes, first: nodes[0] };
					const decoded = parseFlatted(flatted.stringify(root)) as typeof root;
					expect(decoded).toEqual(flatted.parse(flatted.stringify(root)));
					expect(decoded.first).toBe(decoded.nodes[0]);
					// A later link with the same source and key replaces an earlier one.
					const finalLinks = new Map<string, [number, string, number]>();
					for (const [from, to, key] of links)
						finalLinks.set(`${from % nodes.length} ${key}`, [from % nodes.length, key, to % nodes.length]);
					for (const [from, key, to] of finalLinks.values()) {
						expect(decoded.nodes[from][`link:${key}`]).toBe(decoded.nodes[to]);
					}
				},
			),
			{ numRuns: 200 },
		);
	});

	it('treats "__proto__" as a plain key', () => {
		const flatted = n8nFlatted();
		const text = flatted.stringify(JSON.parse('{"__proto__":{"polluted":"yes"},"a":"b"}'));
		const decoded = parseFlatted(text) as Record<string, unknown>;
		expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
		expect(Object.keys(decoded)).toEqual(['__proto__', 'a']);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('rejects text that is not flatted', () => {
		expect(() => parseFlatted('{"a":1}')).toThrow(/Not a flatted document/);
		expect(() => parseFlatted('[{"a":"7"}]')).toThrow(/bad reference/);
	});
});
