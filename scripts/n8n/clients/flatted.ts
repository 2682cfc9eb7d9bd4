/**
 * Reader for the "flatted" JSON encoding n8n uses for execution data in its REST API.
 *
 * The text is a JSON array. Entry 0 is the root. Inside every object or array entry, each string
 * value is a reference: the decimal index of another entry, which is either a plain string (the
 * value) or an object/array (the value, shared when referenced several times, which is how cycles
 * are written). Numbers, booleans and null are written in place.
 */
export function parseFlatted(text: string): unknown {
	const table: unknown = JSON.parse(text);
	if (!Array.isArray(table) || table.length === 0) {
		throw new Error('Not a flatted document: expected a non-empty JSON array');
	}
	const revived = new Map<number, unknown>();

	const resolveReference = (reference: string): unknown => {
		const index = Number(reference);
		if (!Number.isInteger(index) || index < 0 || index >= table.length) {
			throw new Error(`Not a flatted document: bad reference "${reference.slice(0, 40)}"`);
		}
		return resolveEntry(index);
	};

	const resolveEntry = (index: number): unknown => {
		const entry: unknown = table[index];
		if (entry === null || typeof entry !== 'object') return entry;
		const known = revived.get(index);
		if (known !== undefined) return known;
		const target: Record<string, unknown> | unknown[] = Array.isArray(entry) ? [] : {};
		revived.set(index, target);
		copyInto(target, entry as Record<string, unknown>);
		return target;
	};

	const reviveValue = (value: unknown): unknown => {
		if (typeof value === 'string') return resolveReference(value);
		if (value !== null && typeof value === 'object') {
			const target: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
			copyInto(target, value as Record<string, unknown>);
			return target;
		}
		return value;
	};

	const copyInto = (
		target: Record<string, unknown> | unknown[],
		source: Record<string, unknown>,
	) => {
		for (const [key, value] of Object.entries(source)) {
			// defineProperty, so that a key named "__proto__" stays a plain key
			Object.defineProperty(target, key, {
				value: reviveValue(value),
				enumerable: true,
				writable: true,
				configurable: true,
			});
		}
	};

	return resolveEntry(0);
}
