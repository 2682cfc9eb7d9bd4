/**
 * PORTERS field syntax: aliases (`Person.P_Name`, `Person.U_3D5F…`), the `field` read parameter
 * with parent-resource fields in parentheses (`Resume.P_Candidate(Person.P_Id,Person.P_Name)`),
 * the `condition` parameter (`Alias:suffix=value`, comma = AND) and the UTC date format
 * `yyyy/mm/dd HH:MM:SS`.
 */

export class PortersSyntaxError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PortersSyntaxError';
	}
}

/** `Prefix.P_Name`, `Prefix.U_Name` or `Prefix.A_Name` (standard, user-made, app-made). */
const ALIAS = /^[A-Z][A-Za-z]*\.[PUA]_[A-Za-z0-9_]+$/;

export function isFieldAlias(value: string): boolean {
	return ALIAS.test(value);
}

/** Custom (user-made) field of a given prefix, e.g. `Person.U_…`. */
export function isCustomFieldAlias(value: string, prefix?: string): boolean {
	if (!ALIAS.test(value)) return false;
	const [head, tail] = value.split('.');
	return tail.startsWith('U_') && (prefix === undefined || head === prefix);
}

export function assertFieldAlias(value: string, what = 'field alias'): string {
	const alias = value.trim();
	if (!ALIAS.test(alias)) {
		throw new PortersSyntaxError(
			`"${value}" is not a valid PORTERS ${what}; expected something like Person.P_Name or Person.U_1A2B3C`,
		);
	}
	return alias;
}

// ---------------------------------------------------------------------------------------------
// field=

export interface FieldSpec {
	alias: string;
	/** Fields of the parent resource, when requested in parentheses; `[]` means "()" (ID only). */
	sub?: FieldSpec[];
}

/**
 * Parses a `field` value such as `Resume.P_Id, Resume.P_Candidate(Person.P_Name,Person.U_X)`.
 * Whitespace around names is ignored; parentheses nest.
 */
export function parseFieldList(input: string): FieldSpec[] {
	let pos = 0;
	const src = input;

	const skip = () => {
		while (pos < src.length && /\s/.test(src[pos])) pos++;
	};

	const parseList = (depth: number): FieldSpec[] => {
		const out: FieldSpec[] = [];
		skip();
		if (depth > 0 && src[pos] === ')') return out;
		for (;;) {
			skip();
			const start = pos;
			while (pos < src.length && /[A-Za-z0-9_.]/.test(src[pos])) pos++;
			const name = src.slice(start, pos);
			if (name === '') {
				const found = pos < src.length ? `"${src[pos]}"` : 'the end';
				throw new PortersSyntaxError(`Expected a field alias at position ${pos + 1}, found ${found}`);
			}
			const spec: FieldSpec = { alias: assertFieldAlias(name) };
			skip();
			if (src[pos] === '(') {
				if (depth >= 3) throw new PortersSyntaxError('Parent fields are nested too deeply');
				pos++;
				spec.sub = parseList(depth + 1);
				skip();
				if (src[pos] !== ')') throw new PortersSyntaxError(`Missing ")" after the fields of ${name}`);
				pos++;
				skip();
			}
			out.push(spec);
			if (src[pos] === ',') {
				pos++;
				continue;
			}
			return out;
		}
	};

	if (src.trim() === '') return [];
	const list = parseList(0);
	skip();
	if (pos < src.length) {
		throw new PortersSyntaxError(`Unexpected "${src[pos]}" at position ${pos + 1} of the field list`);
	}
	return list;
}

export function formatFieldList(fields: FieldSpec[]): string {
	return fields
		.map((f) => (f.sub === undefined ? f.alias : `${f.alias}(${formatFieldList(f.sub)})`))
		.join(',');
}

/** Merges field lists, keeping the first occurrence of each alias and joining their sub-fields. */
export function mergeFieldLists(...lists: FieldSpec[][]): FieldSpec[] {
	const out: FieldSpec[] = [];
	const byAlias = new Map<string, FieldSpec>();
	for (const list of lists) {
		for (const spec of list) {
			const existing = byAlias.get(spec.alias);
			if (!existing) {
				const copy: FieldSpec = { alias: spec.alias };
				if (spec.sub) copy.sub = mergeFieldLists(spec.sub);
				byAlias.set(spec.alias, copy);
				out.push(copy);
			} else if (spec.sub) {
				existing.sub = mergeFieldLists(existing.sub ?? [], spec.sub);
			}
		}
	}
	return out;
}

// ---------------------------------------------------------------------------------------------
// condition=

export type ConditionOperator = 'eq' | 'gt' | 'ge' | 'le' | 'lt' | 'full' | 'part' | 'or' | 'and';

export const CONDITION_OPERATORS: readonly ConditionOperator[] = [
	'eq',
	'gt',
	'ge',
	'le',
	'lt',
	'full',
	'part',
	'or',
	'and',
];

export interface Condition {
	alias: string;
	/** Absent means the field type's default (`eq` for numbers and dates, `part` for text). */
	operator?: ConditionOperator;
	value: string;
}

/**
 * Formats conditions. PORTERS has no escaping inside `condition`, so a value containing a comma
 * would silently become a second condition: that is refused here.
 */
export function formatConditions(conditions: Condition[]): string {
	return conditions
		.map((c) => {
			const alias = assertFieldAlias(c.alias);
			if (c.operator !== undefined && !CONDITION_OPERATORS.includes(c.operator)) {
				throw new PortersSyntaxError(`Unknown condition operator "${c.operator}"`);
			}
			const value = String(c.value);
			if (value.includes(',')) {
				throw new PortersSyntaxError(
					`The search value for ${alias} contains a comma, which PORTERS conditions cannot express`,
				);
			}
			return c.operator ? `${alias}:${c.operator}=${value}` : `${alias}=${value}`;
		})
		.join(',');
}

/** Parses a `condition` value; values may contain ":" (times, option lists) but not ",". */
export function parseConditions(input: string): Condition[] {
	if (input.trim() === '') return [];
	return input.split(',').map((term) => {
		const eq = term.indexOf('=');
		if (eq === -1) throw new PortersSyntaxError(`Condition "${term}" has no "="`);
		const head = term.slice(0, eq).trim();
		const value = term.slice(eq + 1);
		const colon = head.indexOf(':');
		const alias = assertFieldAlias(colon === -1 ? head : head.slice(0, colon));
		if (colon === -1) return { alias, value };
		const operator = head.slice(colon + 1).trim() as ConditionOperator;
		if (!CONDITION_OPERATORS.includes(operator)) {
			throw new PortersSyntaxError(`Unknown condition operator "${operator}" for ${alias}`);
		}
		return { alias, operator, value };
	});
}

// ---------------------------------------------------------------------------------------------
// Dates (always UTC; PORTERS warns that JST is not used)

const DATE_TIME = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DATE_ONLY = /^(\d{4})\/(\d{2})\/(\d{2})$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `yyyy/mm/dd HH:MM:SS` in UTC. */
export function formatPortersDateTime(date: Date | number): string {
	const d = typeof date === 'number' ? new Date(date) : date;
	if (Number.isNaN(d.getTime())) throw new PortersSyntaxError('Invalid date');
	return (
		`${pad(d.getUTCFullYear(), 4)}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ` +
		`${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
	);
}

/** `yyyy/mm/dd` in UTC. */
export function formatPortersDate(date: Date | number): string {
	return formatPortersDateTime(date).slice(0, 10);
}

/** Parses `yyyy/mm/dd HH:MM:SS` or `yyyy/mm/dd` as UTC; rejects impossible dates. */
export function parsePortersDateTime(value: string): Date {
	const m = DATE_TIME.exec(value.trim()) ?? DATE_ONLY.exec(value.trim());
	if (!m) throw new PortersSyntaxError(`"${value}" is not a PORTERS date (yyyy/mm/dd HH:MM:SS)`);
	const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1).map((x) => x ?? '0');
	const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
	const date = new Date(ms);
	if (
		date.getUTCFullYear() !== +y ||
		date.getUTCMonth() !== +mo - 1 ||
		date.getUTCDate() !== +d ||
		+h > 23 ||
		+mi > 59 ||
		+s > 59
	) {
		throw new PortersSyntaxError(`"${value}" is not a valid date`);
	}
	return date;
}

export function isPortersDateTime(value: string): boolean {
	try {
		parsePortersDateTime(value);
		return DATE_TIME.test(value.trim());
	} catch {
		return false;
	}
}
