/**
 * Decoded PORTERS records as workflows see them: flat (`simplifyRecord`) or with PORTERS's
 * structure (`recordToJson`), with the names of option values filled in where PORTERS sent only
 * their aliases or IDs.
 */
import type { PortersRecord, PortersValue } from './codec';

/** System reference fields whose flat text (no nesting) is a record ID. */
const REFERENCE_SUFFIXES = new Set([
	'P_Candidate',
	'P_Resume',
	'P_Job',
	'P_Client',
	'P_Recruiter',
	'P_Process',
	'P_Contract',
	'P_ResourceId',
	'P_Owner',
	'P_RegisteredBy',
	'P_UpdatedBy',
]);

function fieldSuffix(alias: string): string {
	return alias.slice(alias.indexOf('.') + 1);
}

function idValue(text: string): string | number {
	const t = text.trim();
	return /^-?\d{1,15}$/.test(t) ? Number(t) : text;
}

function isIdAlias(alias: string, referenceAliases?: ReadonlySet<string>): boolean {
	const suffix = fieldSuffix(alias);
	return suffix === 'P_Id' || REFERENCE_SUFFIXES.has(suffix) || !!referenceAliases?.has(alias);
}

function primaryId(record: PortersRecord): string | number | undefined {
	for (const [alias, value] of Object.entries(record)) {
		if (fieldSuffix(alias) === 'P_Id' && value.type === 'text') return idValue(value.value);
	}
	return undefined;
}

/** A JSON-friendly copy of a decoded value (for "raw" output). */
export function valueToJson(value: PortersValue): unknown {
	switch (value.type) {
		case 'text':
			return value.value;
		case 'option':
			return { options: value.options.map((o) => ({ ...o })) };
		case 'reference': {
			const inner =
				value.records.length === 1 ? recordToJson(value.records[0]) : value.records.map((r) => recordToJson(r));
			return value.resource === '' ? inner : { [value.resource]: inner };
		}
		case 'object':
			return recordToJson(value.record);
	}
}

export function recordToJson(record: PortersRecord): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [alias, value] of Object.entries(record)) out[alias] = valueToJson(value);
	return out;
}

export interface SimplifyOptions {
	/** Aliases known to be references (requested with parentheses), so flat text becomes an ID. */
	referenceAliases?: ReadonlySet<string>;
}

/**
 * Flattens a record for workflows:
 * - text stays text; IDs (`*.P_Id` and references) become numbers;
 * - an option field becomes its option names joined by ", " (the alias when no name is sent),
 *   and `<alias>.options` lists `{ alias, id, name }` for each selected option;
 * - a user reference becomes the user ID, plus `<alias>.name` / `.mail` / `.type`;
 * - a parent-resource reference (e.g. `Resume.P_Candidate`) becomes the parent's ID, and the
 *   parent's requested fields appear under their own aliases (`Person.P_Name`, `Person.U_…`).
 */
export function simplifyRecord(
	record: PortersRecord,
	options: SimplifyOptions = {},
): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	const put = (key: string, value: unknown) => {
		if (!(key in out)) out[key] = value;
	};

	const visit = (rec: PortersRecord) => {
		for (const [alias, value] of Object.entries(rec)) {
			switch (value.type) {
				case 'text':
					put(alias, isIdAlias(alias, options.referenceAliases) ? idValue(value.value) : value.value);
					break;
				case 'option':
					put(alias, value.options.map((o) => o.name ?? o.alias).join(', '));
					put(`${alias}.options`, value.options.map((o) => ({ ...o })));
					break;
				case 'reference': {
					const ids = value.records.map(primaryId);
					put(alias, ids.length === 1 ? ids[0] ?? null : ids);
					if (value.resource === 'User') {
						for (const prop of ['Name', 'Mail', 'Type']) {
							const values = value.records.map((r) => {
								const v = r[`User.P_${prop}`];
								return v && v.type === 'text' ? v.value : undefined;
							});
							if (values.some((v) => v !== undefined)) {
								put(`${alias}.${prop.toLowerCase()}`, values.length === 1 ? values[0] : values);
							}
						}
					} else {
						for (const parent of value.records) visit(parent);
					}
					break;
				}
				case 'object':
					put(alias, recordToJson(value.record));
					break;
			}
		}
	};
	visit(record);
	return out;
}

/** Option aliases and IDs mapped to their names (from PORTERS's Option Read). */
export interface OptionNames {
	byAlias: Map<string, string>;
	byId: Map<number, string>;
}

/** Fills in option names that the answer left out (PORTERS may send only option IDs). */
export function fillOptionNames(record: PortersRecord, names: OptionNames | undefined): void {
	if (!names) return;
	for (const value of Object.values(record)) {
		if (value.type === 'option') {
			for (const option of value.options) {
				if (option.name !== undefined) continue;
				const name = (option.id !== undefined ? names.byId.get(option.id) : undefined) ?? names.byAlias.get(option.alias);
				if (name !== undefined) option.name = name;
			}
		} else if (value.type === 'reference') {
			for (const r of value.records) fillOptionNames(r, names);
		} else if (value.type === 'object') {
			fillOptionNames(value.record, names);
		}
	}
}

/** Whether some option value, also in parent records, came without its name. */
export function recordNeedsOptionNames(record: PortersRecord): boolean {
	return Object.values(record).some(
		(v) =>
			(v.type === 'option' && v.options.some((o) => o.name === undefined)) ||
			(v.type === 'reference' && v.records.some(recordNeedsOptionNames)) ||
			(v.type === 'object' && recordNeedsOptionNames(v.record)),
	);
}

export interface RecordOutputOptions extends SimplifyOptions {
	simplify: boolean;
	optionNames?: OptionNames;
}

/** One output item's JSON: option names filled in, then flat or structured. */
export function recordOutput(record: PortersRecord, options: RecordOutputOptions): Record<string, unknown> {
	fillOptionNames(record, options.optionNames);
	return options.simplify
		? simplifyRecord(record, { referenceAliases: options.referenceAliases })
		: recordToJson(record);
}
