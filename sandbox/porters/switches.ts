/**
 * The PORTERS sandbox's behaviour switches: one per point that ../shared/docs/porters-api.md §8
 * (U1–U19) and ../shared/docs/porters-evidence.md leave open, plus the few known settings (limits,
 * lifetimes). `SWITCH_TABLE` lists every switch with the values a test matrix should try, so that
 * tests, the command line and the admin API all accept exactly the same names and values.
 */
import { DEFAULT_DATA_SWITCHES, type DataSwitches } from './store';

export interface TransportSwitches {
	/** U3: root element of resource error documents. */
	errorRoot: 'resource' | 'system';
	/** U2: HTTP status of resource errors (200 is allowed: the code is then only in the body). */
	errorHttpStatus: number;
	/** U2: HTTP status of token errors on resource calls (codes 101, 401, 402). */
	tokenErrorHttpStatus: number;
	/** U2: HTTP status of `/v1/oauth` and `/v1/token` errors. */
	authErrorHttpStatus: number;
	/** Overrides of the HTTP status for single result codes. */
	statusByCode: Record<number, number>;
	/** U10: what happens over 2,000 reads or 500 writes a minute. */
	rateLimitMode: 'reset' | '429' | 'off';
	readsPerMinute: number;
	writesPerMinute: number;
	/** U11: longest accepted request (URL plus body) in bytes, any method; 0 = no limit. */
	maxRequestBytes: number;
	/**
	 * U11: longest accepted write body (the serialised XML), in `writeSizeUnit`; 0 = no limit.
	 * The reference quotes "about 15,000 characters" (second-hand) and a withdrawn "32 KB".
	 * A longer write is refused whole: nothing is written.
	 */
	maxWriteBodySize: number;
	/** U11: whether `maxWriteBodySize` counts characters (code points) or UTF-8 bytes. */
	writeSizeUnit: 'characters' | 'bytes';
	/** U11: HTTP status of a request refused for its size (the withdrawn figure said 400). */
	oversizeHttpStatus: number;
	/** U11: body of that answer: null = plain text, a number = an error document with that code. */
	oversizeResultCode: number | null;
	/** U12: billed calls included per month; more are counted in `counters.overQuota`. */
	monthlyQuota: number;
	/** U14: response content type and XML declaration. */
	contentType: string;
	xmlDeclaration: 'standalone' | 'plain' | 'none';
	/** U15: whether Partition Read insists on `partition`. */
	partitionReadNeedsPartition: boolean;
	/**
	 * C2 (porters-evidence.md): Partition Read documents only `request_type`, `count` and `start`.
	 * On, any other parameter (such as `partition`) is refused with `undocumentedParamCode`.
	 */
	partitionReadRejectsUndocumented: boolean;
	/** Result code for an undocumented parameter (the Result Code list: 100 invalid parameter). */
	undocumentedParamCode: number;
	/**
	 * C1 (porters-evidence.md #5): Option Read `level=0` means "the siblings of the item named by
	 * `alias`"; what PORTERS answers when no alias is sent is not documented.
	 */
	optionLevel0WithoutAlias: 'empty' | 'code101' | 'code100' | 'roots';
	/** Option Read with an `alias` that names no option: undocumented (100 = invalid parameter). */
	optionUnknownAlias: 'code100' | 'empty';
	/** Whether "the siblings of" the aliased item include the item itself (undocumented). */
	optionSiblingsIncludeSelf: boolean;
	/** U16: whether a token reaches every partition (false: only the first). */
	multiPartition: boolean;
	/** U18/U19: lifetimes in milliseconds. */
	codeLifetimeMs: number;
	accessTokenLifetimeMs: number;
	refreshTokenLifetimeMs: number;
	/** Whether the one-time browser grant was done (otherwise code_direct fails with 115). */
	grantDone: boolean;
	/**
	 * Tests of find-then-create races: a read that finds nothing is held until this many reads
	 * with the same condition found nothing too (or `emptyReadRendezvousMs` passed since the
	 * first), then all are answered. Executions looking for the same new record at about the
	 * same moment then all find nothing, every time. 0 = off.
	 */
	emptyReadRendezvous: number;
	emptyReadRendezvousMs: number;
}

export type PortersSwitches = TransportSwitches & DataSwitches;

export const DEFAULT_SWITCHES: PortersSwitches = {
	errorRoot: 'resource',
	errorHttpStatus: 400,
	tokenErrorHttpStatus: 401,
	authErrorHttpStatus: 400,
	statusByCode: {},
	rateLimitMode: 'reset',
	readsPerMinute: 2000,
	writesPerMinute: 500,
	maxRequestBytes: 0,
	maxWriteBodySize: 0,
	writeSizeUnit: 'characters',
	oversizeHttpStatus: 400,
	oversizeResultCode: null,
	monthlyQuota: 150_000,
	contentType: 'application/xml;charset=UTF-8',
	xmlDeclaration: 'standalone',
	partitionReadNeedsPartition: false,
	partitionReadRejectsUndocumented: false,
	undocumentedParamCode: 100,
	optionLevel0WithoutAlias: 'empty',
	optionUnknownAlias: 'code100',
	optionSiblingsIncludeSelf: true,
	multiPartition: true,
	codeLifetimeMs: 30_000,
	accessTokenLifetimeMs: 1_800_000,
	refreshTokenLifetimeMs: 7_200_000,
	grantDone: true,
	emptyReadRendezvous: 0,
	emptyReadRendezvousMs: 5000,
	...DEFAULT_DATA_SWITCHES,
};

export type SwitchName = keyof PortersSwitches;

export interface SwitchInfo {
	name: SwitchName;
	/** The open point of porters-api.md §8 (U2…U19), or `C2`/`setting` for the others. */
	point: string;
	/** Values worth testing; the first is the default. Numbers accept any value, enums only these. */
	values: readonly unknown[];
	kind: 'enum' | 'number' | 'boolean' | 'string' | 'object' | 'numberOrNull';
	description: string;
}

/** Every switch, in one table a test matrix can iterate. */
export const SWITCH_TABLE: readonly SwitchInfo[] = [
	{ name: 'errorHttpStatus', point: 'U2', kind: 'number', values: [400, 200, 500], description: 'HTTP status of resource errors' },
	{ name: 'tokenErrorHttpStatus', point: 'U2', kind: 'number', values: [401, 200, 400], description: 'HTTP status of token errors (101, 401, 402)' },
	{ name: 'authErrorHttpStatus', point: 'U2', kind: 'number', values: [400, 200], description: 'HTTP status of /v1/oauth and /v1/token errors' },
	{ name: 'errorRoot', point: 'U3', kind: 'enum', values: ['resource', 'system'], description: 'root element of error documents' },
	{ name: 'optionWrapper', point: 'U4', kind: 'enum', values: ['root', 'none', 'OptionRoot'], description: 'wrapper of option values in reads' },
	{ name: 'optionNames', point: 'U4', kind: 'boolean', values: [false, true], description: 'Option.P_Name inside option values' },
	{ name: 'referenceWrapper', point: 'U5', kind: 'enum', values: ['resource', 'none'], description: '<Candidate> wrapper inside parent fields' },
	{ name: 'candidateSubPrefix', point: 'U6', kind: 'enum', values: ['Person', 'Candidate', 'both'], description: 'prefix accepted inside parentheses' },
	{ name: 'bareReference', point: 'U7', kind: 'enum', values: ['nested', 'flat'], description: 'reference without parentheses' },
	{ name: 'missingOwnerCode', point: 'U9', kind: 'number', values: [107, 5, 104], description: 'per-item code for a missing owner' },
	{ name: 'notFoundCode', point: 'U9', kind: 'number', values: [7], description: 'per-item code for an unknown id' },
	{ name: 'rateLimitMode', point: 'U10', kind: 'enum', values: ['reset', '429', 'off'], description: 'answer over the rate limit' },
	{ name: 'readsPerMinute', point: 'setting', kind: 'number', values: [2000], description: 'read limit per minute' },
	{ name: 'writesPerMinute', point: 'setting', kind: 'number', values: [500], description: 'write limit per minute' },
	{ name: 'maxRequestBytes', point: 'U11', kind: 'number', values: [0], description: 'longest request (URL + body) in bytes, 0 = none' },
	{ name: 'maxWriteBodySize', point: 'U11', kind: 'number', values: [0, 15_000, 32_768], description: 'longest write body, 0 = none' },
	{ name: 'writeSizeUnit', point: 'U11', kind: 'enum', values: ['characters', 'bytes'], description: 'unit of maxWriteBodySize' },
	{ name: 'oversizeHttpStatus', point: 'U11', kind: 'number', values: [400, 413], description: 'HTTP status of a too-large request' },
	{ name: 'oversizeResultCode', point: 'U11', kind: 'numberOrNull', values: [null, 102], description: 'body of that answer: null = text, N = error document' },
	{ name: 'monthlyQuota', point: 'U12', kind: 'number', values: [150_000], description: 'billed calls included per month' },
	{ name: 'defaultReadOrder', point: 'setting', kind: 'enum', values: ['idAsc', 'idDesc'], description: 'order of a read without order (undocumented)' },
	{ name: 'clearOnEmpty', point: 'U13', kind: 'boolean', values: [true, false], description: 'empty element clears a value' },
	{ name: 'contentType', point: 'U14', kind: 'string', values: ['application/xml;charset=UTF-8', 'text/xml; charset=utf-8'], description: 'response Content-Type' },
	{ name: 'xmlDeclaration', point: 'U14', kind: 'enum', values: ['standalone', 'plain', 'none'], description: 'XML declaration of answers' },
	{ name: 'partitionReadNeedsPartition', point: 'U15', kind: 'boolean', values: [false, true], description: 'Partition Read insists on partition' },
	{ name: 'partitionReadRejectsUndocumented', point: 'C2', kind: 'boolean', values: [false, true], description: 'Partition Read refuses undocumented parameters' },
	{ name: 'undocumentedParamCode', point: 'C2', kind: 'number', values: [100, 102], description: 'code for an undocumented parameter' },
	{ name: 'multiPartition', point: 'U16', kind: 'boolean', values: [true, false], description: 'one token reaches every partition' },
	{ name: 'codeLifetimeMs', point: 'U18', kind: 'number', values: [30_000], description: 'code_direct code lifetime' },
	{ name: 'accessTokenLifetimeMs', point: 'U19', kind: 'number', values: [1_800_000], description: 'access token lifetime' },
	{ name: 'refreshTokenLifetimeMs', point: 'U19', kind: 'number', values: [7_200_000], description: 'refresh token lifetime' },
	{ name: 'optionLevel0WithoutAlias', point: 'C1', kind: 'enum', values: ['empty', 'code101', 'code100', 'roots'], description: 'Option Read level=0 with no alias' },
	{ name: 'optionUnknownAlias', point: 'C1', kind: 'enum', values: ['code100', 'empty'], description: 'Option Read with an alias that does not exist' },
	{ name: 'optionSiblingsIncludeSelf', point: 'C1', kind: 'boolean', values: [true, false], description: 'level=0 lists the aliased item among its siblings' },
	{ name: 'badCountCode', point: 'setting', kind: 'number', values: [103, 100], description: 'code for count outside 1–200' },
	{ name: 'grantDone', point: 'setting', kind: 'boolean', values: [true, false], description: 'one-time browser grant done' },
	{ name: 'emptyReadRendezvous', point: 'race', kind: 'number', values: [0, 3], description: 'hold empty reads until N with the same condition (0 = off)' },
	{ name: 'emptyReadRendezvousMs', point: 'race', kind: 'number', values: [5000], description: 'longest hold of an empty read' },
	{ name: 'statusByCode', point: 'U2', kind: 'object', values: [{}], description: 'HTTP status per result code' },
];

/** The points the issue asks to survive in every combination: U2 (status), U3, U4, U5, U6. */
export const WIRE_SHAPE_SWITCHES: readonly SwitchName[] = [
	'errorHttpStatus',
	'tokenErrorHttpStatus',
	'errorRoot',
	'optionWrapper',
	'optionNames',
	'referenceWrapper',
	'candidateSubPrefix',
];

function info(name: string): SwitchInfo {
	const found = SWITCH_TABLE.find((entry) => entry.name === name);
	if (!found) {
		throw new Error(`Unknown PORTERS sandbox switch "${name}" (known: ${SWITCH_TABLE.map((e) => e.name).join(', ')})`);
	}
	return found;
}

/** Refuses unknown switch names and values of the wrong kind, so a typo never goes unnoticed. */
export function checkSwitches(patch: Record<string, unknown>): Partial<PortersSwitches> {
	for (const [name, value] of Object.entries(patch)) {
		const entry = info(name);
		const ok =
			entry.kind === 'enum'
				? entry.values.includes(value)
				: entry.kind === 'number'
					? typeof value === 'number' && Number.isFinite(value)
					: entry.kind === 'numberOrNull'
						? value === null || (typeof value === 'number' && Number.isFinite(value))
						: entry.kind === 'boolean'
							? typeof value === 'boolean'
							: entry.kind === 'string'
								? typeof value === 'string'
								: typeof value === 'object' && value !== null && !Array.isArray(value);
		if (!ok) {
			const expected = entry.kind === 'enum' ? entry.values.map((v) => JSON.stringify(v)).join(' | ') : entry.kind;
			throw new Error(`Switch ${name}: ${JSON.stringify(value)} is not ${expected}`);
		}
	}
	return patch as Partial<PortersSwitches>;
}

/** `name=value` as given on the command line; the value is read as JSON when it parses. */
export function parseSwitchAssignment(text: string): Partial<PortersSwitches> {
	const eq = text.indexOf('=');
	if (eq < 1) throw new Error(`Expected name=value, got "${text}"`);
	const name = text.slice(0, eq);
	const raw = text.slice(eq + 1);
	let value: unknown = raw;
	try {
		value = JSON.parse(raw);
	} catch {
		// not JSON: a plain string such as `system`
	}
	// Enum values that look like numbers (`rateLimitMode=429`) stay strings.
	const entry = info(name);
	if (entry.kind === 'enum' && !entry.values.includes(value) && entry.values.includes(raw)) value = raw;
	return checkSwitches({ [name]: value });
}

/** Every combination of the test values of the given switches (the full matrix). */
export function switchMatrix(names: readonly SwitchName[] = WIRE_SHAPE_SWITCHES): Partial<PortersSwitches>[] {
	let rows: Record<string, unknown>[] = [{}];
	for (const name of names) {
		const values = info(name).values;
		rows = rows.flatMap((row) => values.map((value) => ({ ...row, [name]: value })));
	}
	return rows as Partial<PortersSwitches>[];
}

/**
 * A smaller set in which every pair of values of any two switches occurs at least once
 * (greedy all-pairs), for suites too slow to run the full matrix. Deterministic.
 */
export function pairwiseMatrix(names: readonly SwitchName[] = WIRE_SHAPE_SWITCHES): Partial<PortersSwitches>[] {
	const values = names.map((name) => info(name).values);
	const uncovered = new Set<string>();
	const pairKey = (i: number, a: number, j: number, b: number) => `${i}:${a}|${j}:${b}`;
	for (let i = 0; i < names.length; i++) {
		for (let j = i + 1; j < names.length; j++) {
			for (let a = 0; a < values[i].length; a++) {
				for (let b = 0; b < values[j].length; b++) uncovered.add(pairKey(i, a, j, b));
			}
		}
	}
	const rows: number[][] = [];
	while (uncovered.size > 0) {
		// Start from the first uncovered pair, then fill each other switch with the value that
		// covers the most still-uncovered pairs with what is already chosen.
		const [first] = uncovered;
		const [left, right] = first.split('|').map((part) => part.split(':').map(Number));
		const row = names.map(() => -1);
		row[left[0]] = left[1];
		row[right[0]] = right[1];
		for (let k = 0; k < names.length; k++) {
			if (row[k] !== -1) continue;
			let best = 0;
			let bestGain = -1;
			for (let v = 0; v < values[k].length; v++) {
				let gain = 0;
				for (let other = 0; other < names.length; other++) {
					if (other === k || row[other] === -1) continue;
					const key = other < k ? pairKey(other, row[other], k, v) : pairKey(k, v, other, row[other]);
					if (uncovered.has(key)) gain++;
				}
				if (gain > bestGain) {
					bestGain = gain;
					best = v;
				}
			}
			row[k] = best;
		}
		for (let i = 0; i < names.length; i++) {
			for (let j = i + 1; j < names.length; j++) uncovered.delete(pairKey(i, row[i], j, row[j]));
		}
		rows.push(row);
	}
	return rows.map((row) => Object.fromEntries(row.map((v, k) => [names[k], values[k][v]])) as Partial<PortersSwitches>);
}
