/**
 * The PORTERS sandbox's in-memory world: partitions, users, options, field definitions and the
 * records of three resources (candidate, resume, activity), plus the read and write semantics of
 * ../shared/docs/porters-api.md §3 and §7 — field selection with parent fields, conditions,
 * ordering, paging, per-item write results. Transport (HTTP, tokens, limits) lives in server.ts.
 */
import {
	formatPortersDateTime,
	isFieldAlias,
	parseConditions,
	parseFieldList,
	parsePortersDateTime,
	type Condition,
	type FieldSpec,
} from '../../core/porters/fields';
import { element, type XmlElement } from '../../core/porters/xml';

export type ResourceName = 'candidate' | 'resume' | 'activity';

export interface ResourceInfo {
	name: ResourceName;
	/** Root element of reads and writes, and the nesting tag of a reference to it. */
	root: string;
	/** Alias prefix of its fields. */
	prefix: string;
	/** Value in the PORTERS resource list (Field Read `resource=`). */
	value: number;
}

export const RESOURCES: Record<ResourceName, ResourceInfo> = {
	candidate: { name: 'candidate', root: 'Candidate', prefix: 'Person', value: 1 },
	resume: { name: 'resume', root: 'Resume', prefix: 'Resume', value: 17 },
	activity: { name: 'activity', root: 'Activity', prefix: 'Activity', value: 19 },
};

export function resourceByValue(value: number): ResourceInfo | undefined {
	return Object.values(RESOURCES).find((r) => r.value === value);
}

// ---------------------------------------------------------------------------------------------
// Fixture format

export type FieldTypeName =
	| 'SinglelineText'
	| 'MultilineText'
	| 'Number'
	| 'Currency'
	| 'Date'
	| 'Age'
	| 'DateTime'
	| 'URL'
	| 'Mail'
	| 'Telephone'
	| 'Option[Checkbox]'
	| 'Option[Radiobutton]'
	| 'Option[Dropdown]'
	| 'User'
	| 'System[Id]'
	| 'System[DateTime]'
	| 'System[Reference]';

export interface FixtureField {
	id: number;
	alias: string;
	name: string;
	type: FieldTypeName;
	required?: boolean;
	max?: number;
	/** Root option alias for option fields. */
	options?: string;
	/** Resource a System[Reference] points to; `byResource` follows `Activity.P_Resource`. */
	refersTo?: ResourceName | 'byResource';
}

export interface FixtureOption {
	id: number;
	alias: string;
	name: string;
	/** Option.P_Type: 0 = a normal option, 1–11 = the phases of a resource (Option Read page). */
	type?: number;
	/** Whether the option is in use (Option Read `enabled`); default true. */
	enabled?: boolean;
	children?: FixtureOption[];
}

export type StoredValue = string | number | string[] | null;
export type StoredRecord = Record<string, StoredValue>;

export interface PortersFixture {
	app: { appId: string; secret: string; appUserId: number; grantDone?: boolean };
	partitions: Array<{ id: number; name: string; companyId: string }>;
	users: Array<{ id: number; name: string; mail: string; type: number }>;
	options: FixtureOption[];
	fields: Record<ResourceName, FixtureField[]>;
	records: Record<ResourceName, StoredRecord[]>;
}

/** Numeric Field Type codes ([SECONDARY] Field Type & Data Type List). */
const FIELD_TYPE_CODES: Record<FieldTypeName, number> = {
	SinglelineText: 1,
	MultilineText: 2,
	Number: 3,
	Date: 4,
	'Option[Checkbox]': 5,
	'Option[Radiobutton]': 6,
	'Option[Dropdown]': 7,
	Age: 8,
	URL: 9,
	Mail: 10,
	'System[Id]': 11,
	'System[DateTime]': 11,
	'System[Reference]': 11,
	DateTime: 12,
	Currency: 14,
	Telephone: 15,
	User: 17,
};

export function fieldTypeCode(type: FieldTypeName): number {
	return FIELD_TYPE_CODES[type];
}

// ---------------------------------------------------------------------------------------------
// Behaviour switches that concern data (the transport ones live in server.ts)

export interface DataSwitches {
	/** U4: how options are rendered in reads. */
	optionWrapper: 'root' | 'none' | 'OptionRoot';
	optionNames: boolean;
	/** U5: tag that wraps parent-resource fields; '' puts the fields directly under the alias. */
	referenceWrapper: 'resource' | 'none';
	/** U6: which prefix is accepted for candidate fields inside parentheses. */
	candidateSubPrefix: 'Person' | 'Candidate' | 'both';
	/** U7: a reference without parentheses: nested ID or flat text. */
	bareReference: 'nested' | 'flat';
	/** U9: per-item codes. */
	missingOwnerCode: number;
	notFoundCode: number;
	/** U13: whether an empty element clears a value (true) or is ignored (false). */
	clearOnEmpty: boolean;
	/** Order of a read without `order` (undocumented): by ID, or newest ID first. */
	defaultReadOrder: 'idAsc' | 'idDesc';
	/** Code for `count` outside 1–200. */
	badCountCode: number;
}

export const DEFAULT_DATA_SWITCHES: DataSwitches = {
	optionWrapper: 'root',
	optionNames: false,
	referenceWrapper: 'resource',
	candidateSubPrefix: 'Person',
	bareReference: 'nested',
	missingOwnerCode: 107,
	notFoundCode: 7,
	clearOnEmpty: true,
	defaultReadOrder: 'idAsc',
	badCountCode: 103,
};

/** A PORTERS result code raised while handling a request. */
export class PortersCodeError extends Error {
	constructor(
		readonly code: number,
		message: string,
	) {
		super(message);
	}
}

// ---------------------------------------------------------------------------------------------

interface OptionEntry {
	id: number;
	alias: string;
	name: string;
	parentAlias?: string;
	rootAlias: string;
	order: number;
}

type Kind =
	| 'id'
	| 'text'
	| 'number'
	| 'date'
	| 'dateTime'
	| 'systemDateTime'
	| 'option'
	| 'user'
	| 'reference';

function kindOf(type: FieldTypeName): Kind {
	switch (type) {
		case 'System[Id]':
			return 'id';
		case 'Number':
		case 'Currency':
			return 'number';
		case 'Date':
		case 'Age':
			return 'date';
		case 'DateTime':
			return 'dateTime';
		case 'System[DateTime]':
			return 'systemDateTime';
		case 'Option[Checkbox]':
		case 'Option[Radiobutton]':
		case 'Option[Dropdown]':
			return 'option';
		case 'User':
			return 'user';
		case 'System[Reference]':
			return 'reference';
		default:
			return 'text';
	}
}

export interface QueryParams {
	count?: string | null;
	start?: string | null;
	field?: string | null;
	condition?: string | null;
	order?: string | null;
	itemstate?: string | null;
	keywords?: string | null;
}

export interface QueryResult {
	total: number;
	start: number;
	items: XmlElement[];
}

export type WriteInput = Record<string, string | string[]>;

export interface WriteResult {
	id: number;
	code: number;
}

const USER_FIELDS = ['User.P_Id', 'User.P_Type', 'User.P_Name', 'User.P_Mail'];
const DELETED_STATE_FIELDS = ['P_Id', 'P_UpdateDate', 'P_UpdatedBy'];

export class PortersStore {
	readonly fixture: PortersFixture;
	readonly records: Record<ResourceName, Map<number, StoredRecord>>;
	/** IDs removed by the admin API (PORTERS has no delete API), with the deletion time. */
	readonly deleted: Record<ResourceName, Map<number, { record: StoredRecord; at: number }>>;
	private readonly options = new Map<string, OptionEntry>();
	private readonly optionsById = new Map<number, OptionEntry>();
	private readonly nextId: Record<ResourceName, number>;

	constructor(
		fixture: PortersFixture,
		private readonly now: () => number,
		public switches: DataSwitches = { ...DEFAULT_DATA_SWITCHES },
	) {
		this.fixture = JSON.parse(JSON.stringify(fixture)) as PortersFixture;
		const walk = (opts: FixtureOption[], rootAlias: string | undefined, parentAlias?: string) => {
			opts.forEach((o, index) => {
				const entry: OptionEntry = {
					id: o.id,
					alias: o.alias,
					name: o.name,
					parentAlias,
					rootAlias: rootAlias ?? o.alias,
					order: index + 1,
				};
				this.options.set(o.alias, entry);
				this.optionsById.set(o.id, entry);
				walk(o.children ?? [], rootAlias ?? o.alias, o.alias);
			});
		};
		walk(this.fixture.options, undefined);
		this.records = { candidate: new Map(), resume: new Map(), activity: new Map() };
		this.deleted = { candidate: new Map(), resume: new Map(), activity: new Map() };
		this.nextId = { candidate: 1, resume: 1, activity: 1 };
		for (const name of Object.keys(RESOURCES) as ResourceName[]) {
			const idAlias = `${RESOURCES[name].prefix}.P_Id`;
			for (const record of this.fixture.records[name] ?? []) {
				const id = Number(record[idAlias]);
				this.records[name].set(id, { ...record });
				this.nextId[name] = Math.max(this.nextId[name], id + 1);
			}
			if (this.records[name].size === 0) this.nextId[name] = RESOURCES[name].value * 10_000 + 1;
		}
	}

	// -------------------------------------------------------------------------------------------
	// Masters

	get appUserId(): number {
		return this.fixture.app.appUserId;
	}

	user(id: number) {
		return this.fixture.users.find((u) => u.id === id);
	}

	fields(resource: ResourceName): FixtureField[] {
		return this.fixture.fields[resource];
	}

	field(resource: ResourceName, alias: string): FixtureField | undefined {
		return this.fixture.fields[resource].find((f) => f.alias === alias);
	}

	option(alias: string): OptionEntry | undefined {
		return this.options.get(alias);
	}

	optionTree(): FixtureOption[] {
		return this.fixture.options;
	}

	optionOrder(alias: string): number {
		return this.options.get(alias)?.order ?? 0;
	}

	// -------------------------------------------------------------------------------------------
	// Reads

	private resolveField(resource: ResourceName, alias: string): FixtureField {
		const field = this.field(resource, alias);
		if (!field) {
			// PORTERS answers an unknown alias with code 100 ("invalid parameter").
			throw new PortersCodeError(100, `Unknown field ${alias}`);
		}
		return field;
	}

	private referencedResource(field: FixtureField, record?: StoredRecord): ResourceName | undefined {
		if (field.refersTo === 'byResource') {
			const value = record ? Number(record['Activity.P_Resource']) : NaN;
			return Object.values(RESOURCES).find((r) => r.value === value)?.name;
		}
		return field.refersTo;
	}

	/** Validates a `field` list against the resource; parent fields must belong to the parent. */
	private checkFieldSpecs(resource: ResourceName, specs: FieldSpec[]): void {
		for (const spec of specs) {
			if (spec.alias.endsWith('.P_Deleted')) continue;
			const field = this.resolveField(resource, spec.alias);
			if (spec.sub === undefined) continue;
			const kind = kindOf(field.type);
			if (kind === 'user') {
				for (const sub of spec.sub) {
					if (!USER_FIELDS.includes(sub.alias) || sub.sub) {
						throw new PortersCodeError(100, `${sub.alias} is not a user field`);
					}
				}
			} else if (kind === 'reference') {
				const parent = this.referencedResource(field);
				if (!parent) {
					if (spec.sub.length > 0) throw new PortersCodeError(100, `${spec.alias} has no fixed parent`);
					continue;
				}
				this.checkFieldSpecs(parent, spec.sub.map((s) => ({ ...s, alias: this.subAlias(parent, s.alias) })));
			} else {
				throw new PortersCodeError(100, `${spec.alias} has no parent resource`);
			}
		}
	}

	/** Maps a sub-field alias to the parent's own prefix, honouring the U6 switch. */
	private subAlias(parent: ResourceName, alias: string): string {
		if (parent !== 'candidate') return alias;
		const mode = this.switches.candidateSubPrefix;
		if (alias.startsWith('Person.')) {
			if (mode === 'Candidate') throw new PortersCodeError(100, `${alias}: use the Candidate. prefix`);
			return alias;
		}
		if (alias.startsWith('Candidate.')) {
			if (mode === 'Person') throw new PortersCodeError(100, `${alias}: use the Person. prefix`);
			return 'Person.' + alias.slice('Candidate.'.length);
		}
		return alias;
	}

	private conditionMatches(
		resource: ResourceName,
		record: StoredRecord,
		condition: Condition,
		field: FixtureField,
	): boolean {
		const kind = kindOf(field.type);
		const stored = record[condition.alias];
		if (kind === 'option') {
			const wanted = condition.value.split(':').filter((v) => v !== '');
			const chosen = Array.isArray(stored) ? stored : [];
			const resolve = (v: string) =>
				/^\d+$/.test(v) ? this.optionsById.get(Number(v))?.alias : v.startsWith('Option.') ? v : undefined;
			const aliases = wanted.map(resolve);
			if (aliases.some((a) => a === undefined)) throw new PortersCodeError(103, `Unknown option in ${condition.alias}`);
			return (condition.operator ?? 'or') === 'and'
				? aliases.every((a) => chosen.includes(a as string))
				: aliases.some((a) => chosen.includes(a as string));
		}
		if (kind === 'text') {
			const op = condition.operator ?? 'part';
			if (op !== 'full' && op !== 'part') throw new PortersCodeError(100, `${op} is not valid for text`);
			const text = stored === null || stored === undefined ? '' : String(stored);
			return op === 'full' ? text === condition.value : text.includes(condition.value);
		}
		const op = condition.operator ?? 'eq';
		if (!['eq', 'gt', 'ge', 'le', 'lt'].includes(op)) throw new PortersCodeError(100, `${op} is not valid here`);
		let left: number;
		let right: number;
		if (kind === 'date' || kind === 'dateTime' || kind === 'systemDateTime') {
			try {
				right = parsePortersDateTime(condition.value).getTime();
			} catch {
				throw new PortersCodeError(103, `Invalid date ${condition.value}`);
			}
			if (stored === null || stored === undefined || stored === '') return false;
			left = parsePortersDateTime(String(stored)).getTime();
		} else {
			if (condition.value.trim() === '' || !Number.isFinite(Number(condition.value))) {
				throw new PortersCodeError(103, `Invalid number ${condition.value}`);
			}
			right = Number(condition.value);
			if (stored === null || stored === undefined || stored === '') return false;
			left = Number(stored);
		}
		switch (op) {
			case 'eq':
				return left === right;
			case 'gt':
				return left > right;
			case 'ge':
				return left >= right;
			case 'le':
				return left <= right;
			default:
				return left < right;
		}
	}

	query(resource: ResourceName, params: QueryParams): QueryResult {
		const info = RESOURCES[resource];
		const count = params.count === null || params.count === undefined ? 10 : Number(params.count);
		if (!Number.isInteger(count) || count < 1 || count > 200) {
			throw new PortersCodeError(this.switches.badCountCode, 'count must be 1–200');
		}
		const start = params.start === null || params.start === undefined ? 0 : Number(params.start);
		if (!Number.isInteger(start) || start < 0) throw new PortersCodeError(103, 'start must be ≥ 0');

		let specs: FieldSpec[];
		try {
			specs = params.field ? parseFieldList(params.field) : [{ alias: `${info.prefix}.P_Id` }];
		} catch {
			throw new PortersCodeError(100, 'Invalid field parameter');
		}
		this.checkFieldSpecs(resource, specs);

		const itemstate = params.itemstate ?? 'existing';
		if (!['existing', 'deleted', 'all'].includes(itemstate)) throw new PortersCodeError(133, 'Invalid itemstate');

		let conditions: Condition[];
		try {
			conditions = params.condition ? parseConditions(params.condition) : [];
		} catch {
			throw new PortersCodeError(100, 'Invalid condition parameter');
		}
		const checked = conditions.map((c) => {
			if (c.alias.endsWith('.P_Deleted')) throw new PortersCodeError(100, 'P_Deleted cannot be searched');
			const field = this.resolveField(resource, c.alias);
			if (itemstate !== 'existing' && !DELETED_STATE_FIELDS.some((s) => c.alias === `${info.prefix}.${s}`)) {
				throw new PortersCodeError(100, `${c.alias} cannot be searched with itemstate=${itemstate}`);
			}
			return { condition: c, field };
		});

		let pool: Array<{ record: StoredRecord; deleted: boolean }> = [];
		if (itemstate !== 'deleted') {
			for (const record of this.records[resource].values()) pool.push({ record, deleted: false });
		}
		if (itemstate !== 'existing') {
			const limit = this.now() - 90 * 24 * 3600_000;
			for (const { condition, field } of checked) {
				if (field.type !== 'System[DateTime]') continue;
				let at: number;
				try {
					at = parsePortersDateTime(condition.value).getTime();
				} catch {
					throw new PortersCodeError(103, `Invalid date ${condition.value}`);
				}
				if (at < limit) throw new PortersCodeError(124, 'Deleted records can only be searched within 90 days');
			}
			for (const { record, at } of this.deleted[resource].values()) {
				if (at >= limit) pool.push({ record, deleted: true });
			}
		}

		pool = pool.filter(({ record }) =>
			checked.every(({ condition, field }) => this.conditionMatches(resource, record, condition, field)),
		);

		if (params.keywords) {
			const words = params.keywords.split(',').map((w) => w.trim()).filter((w) => w !== '');
			if (params.keywords.length > 100) throw new PortersCodeError(103, 'keywords longer than 100 characters');
			const textFields = this.fields(resource).filter((f) => kindOf(f.type) === 'text');
			pool = pool.filter(({ record }) =>
				words.every((w) => textFields.some((f) => String(record[f.alias] ?? '').includes(w))),
			);
		}

		const idAlias = `${info.prefix}.P_Id`;
		const orders = (params.order ?? '')
			.split(',')
			.map((o) => o.trim())
			.filter((o) => o !== '')
			.map((o) => {
				const [alias, dir = 'asc'] = o.split(':');
				const field = this.resolveField(resource, alias);
				const kind = kindOf(field.type);
				if (!['id', 'number', 'date', 'dateTime', 'systemDateTime'].includes(kind)) {
					throw new PortersCodeError(100, `${alias} cannot be sorted`);
				}
				if (dir !== 'asc' && dir !== 'desc') throw new PortersCodeError(103, `Invalid order ${dir}`);
				return { alias, kind, desc: dir === 'desc' };
			});
		const sortKey = (record: StoredRecord, alias: string, kind: string): number => {
			const v = record[alias];
			if (v === null || v === undefined || v === '') return -Infinity;
			return kind === 'number' || kind === 'id' ? Number(v) : parsePortersDateTime(String(v)).getTime();
		};
		pool.sort((a, b) => {
			for (const o of orders) {
				const d = sortKey(a.record, o.alias, o.kind) - sortKey(b.record, o.alias, o.kind);
				if (d !== 0) return o.desc ? -d : d;
			}
			const byId = Number(a.record[idAlias]) - Number(b.record[idAlias]);
			return this.switches.defaultReadOrder === 'idDesc' ? -byId : byId;
		});

		const page = pool.slice(start, start + count);
		return {
			total: pool.length,
			start,
			items: page.map(({ record, deleted }) => this.renderItem(resource, record, specs, deleted)),
		};
	}

	private renderItem(resource: ResourceName, record: StoredRecord, specs: FieldSpec[], deleted: boolean): XmlElement {
		return element('Item', this.renderFields(resource, record, specs, deleted));
	}

	/** `nested`: fields of a parent resource inside parentheses, where U6 decides the prefix. */
	private renderFields(
		resource: ResourceName,
		record: StoredRecord,
		specs: FieldSpec[],
		deleted = false,
		nested = false,
	): XmlElement[] {
		return specs.map((spec) => {
			if (spec.alias.endsWith('.P_Deleted')) return element(spec.alias, [deleted ? '1' : '0']);
			const alias = nested ? this.subAlias(resource, spec.alias) : spec.alias;
			const field = this.resolveField(resource, alias);
			return this.renderValue(field, record, spec);
		});
	}

	private renderValue(field: FixtureField, record: StoredRecord, spec: FieldSpec): XmlElement {
		const value = record[field.alias];
		const alias = spec.alias;
		const kind = kindOf(field.type);
		if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
			return element(alias);
		}
		switch (kind) {
			case 'option':
				return element(alias, this.renderOptions(field, value as string[]));
			case 'user': {
				const user = this.user(Number(value));
				const wanted = spec.sub && spec.sub.length > 0 ? spec.sub.map((s) => s.alias) : ['User.P_Id', 'User.P_Name'];
				const props: Record<string, string> = {
					'User.P_Id': String(value),
					'User.P_Type': String(user?.type ?? ''),
					'User.P_Name': user?.name ?? '',
					'User.P_Mail': user?.mail ?? '',
				};
				return element(alias, [element('User', wanted.map((w) => element(w, props[w] ? [props[w]] : [])))]);
			}
			case 'reference': {
				const parentName = this.referencedResource(field, record);
				if (!parentName) return element(alias, [String(value)]);
				const parent = RESOURCES[parentName];
				const parentRecord = this.records[parentName].get(Number(value)) ?? {
					[`${parent.prefix}.P_Id`]: Number(value),
				};
				if (spec.sub === undefined && this.switches.bareReference === 'flat') {
					return element(alias, [String(value)]);
				}
				const subSpecs =
					spec.sub && spec.sub.length > 0
						? spec.sub
						: [{ alias: `${this.switches.candidateSubPrefix === 'Candidate' && parentName === 'candidate' ? 'Candidate' : parent.prefix}.P_Id` }];
				const children = this.renderFields(parentName, parentRecord, subSpecs, false, true);
				return this.switches.referenceWrapper === 'resource'
					? element(alias, [element(parent.root, children)])
					: element(alias, children);
			}
			default:
				return element(alias, [String(value)]);
		}
	}

	private renderOptions(field: FixtureField, chosen: string[]): XmlElement[] {
		const leaves = chosen.map((alias) => {
			const entry = this.options.get(alias);
			const props: XmlElement[] = [];
			if (this.switches.optionNames && entry) props.push(element('Option.P_Name', [entry.name]));
			if (entry) props.push(element('Option.P_Id', [String(entry.id)]));
			return element(alias, props);
		});
		switch (this.switches.optionWrapper) {
			case 'root':
				return [element(field.options ?? 'Option.P_Unknown', leaves)];
			case 'OptionRoot':
				return [element('OptionRoot', leaves)];
			default:
				return leaves;
		}
	}

	// -------------------------------------------------------------------------------------------
	// Writes

	/** Applies one item of a write request; returns its ID and result code. */
	writeItem(resource: ResourceName, input: WriteInput, userId: number): WriteResult {
		const info = RESOURCES[resource];
		const idAlias = `${info.prefix}.P_Id`;
		const rawId = input[idAlias];
		const id = typeof rawId === 'string' ? Number(rawId.trim()) : NaN;
		if (!Number.isInteger(id) || (id < 1 && id !== -1)) return { id: -1, code: 107 };
		const creating = id === -1;
		const existing = creating ? undefined : this.records[resource].get(id);
		if (!creating && !existing) return { id, code: this.switches.notFoundCode };

		const changes: StoredRecord = {};
		// References last, so that Activity.P_Resource is known before Activity.P_ResourceId.
		const entries = Object.entries(input).sort(
			([a], [b]) => Number(this.isReference(resource, a)) - Number(this.isReference(resource, b)),
		);
		for (const [alias, raw] of entries) {
			if (alias === idAlias) continue;
			if (!isFieldAlias(alias)) return { id, code: 100 };
			const field = this.field(resource, alias);
			if (!field) return { id, code: 100 };
			const kind = kindOf(field.type);
			if (kind === 'systemDateTime') return { id, code: 100 };
			const empty = raw === '' || (Array.isArray(raw) && raw.length === 0);
			if (empty) {
				if (this.switches.clearOnEmpty) changes[alias] = null;
				continue;
			}
			const parsed = this.parseWriteValue(field, raw, changes, existing);
			if (typeof parsed === 'object' && parsed !== null && 'code' in parsed) return { id, code: parsed.code };
			changes[alias] = parsed as StoredValue;
		}

		const merged: StoredRecord = { ...(existing ?? {}), ...changes };
		const ownerAlias = `${info.prefix}.P_Owner`;
		if (creating || ownerAlias in changes) {
			if (merged[ownerAlias] === null || merged[ownerAlias] === undefined) {
				return { id, code: this.switches.missingOwnerCode };
			}
		}
		for (const field of this.fields(resource)) {
			if (field.required && field.alias !== ownerAlias && (merged[field.alias] === null || merged[field.alias] === undefined)) {
				if (creating || field.alias in changes) return { id, code: 107 };
			}
		}

		const now = formatPortersDateTime(this.now());
		const finalId = creating ? this.nextId[resource]++ : id;
		merged[idAlias] = finalId;
		if (creating) {
			merged[`${info.prefix}.P_RegistrationDate`] = now;
			merged[`${info.prefix}.P_RegisteredBy`] = changes[`${info.prefix}.P_RegisteredBy`] ?? userId;
		}
		merged[`${info.prefix}.P_UpdateDate`] = now;
		merged[`${info.prefix}.P_UpdatedBy`] = changes[`${info.prefix}.P_UpdatedBy`] ?? userId;
		if (resource === 'resume' && (merged['Resume.P_Name'] === null || merged['Resume.P_Name'] === undefined)) {
			const person = this.records.candidate.get(Number(merged['Resume.P_Candidate']));
			merged['Resume.P_Name'] = `${String(person?.['Person.P_Name'] ?? '')}(${finalId})`;
		}
		this.records[resource].set(finalId, merged);
		return { id: finalId, code: 0 };
	}

	private isReference(resource: ResourceName, alias: string): boolean {
		const field = this.field(resource, alias);
		return !!field && kindOf(field.type) === 'reference';
	}

	private parseWriteValue(
		field: FixtureField,
		raw: string | string[],
		changes: StoredRecord,
		existing: StoredRecord | undefined,
	): StoredValue | { code: number } {
		const kind = kindOf(field.type);
		if (kind === 'option') {
			if (!Array.isArray(raw)) return { code: 103 };
			for (const alias of raw) {
				const entry = this.options.get(alias);
				if (!entry || entry.rootAlias !== field.options || entry.alias === field.options) return { code: 103 };
			}
			if (field.type !== 'Option[Checkbox]' && raw.length > 1) return { code: 103 };
			return [...raw];
		}
		if (Array.isArray(raw)) return { code: 104 };
		const text = raw;
		switch (kind) {
			case 'number': {
				const n = Number(text.trim());
				if (text.trim() === '' || !Number.isFinite(n)) return { code: 104 };
				return Math.trunc(n * 100) / 100;
			}
			case 'date':
			case 'dateTime':
				try {
					parsePortersDateTime(text);
				} catch {
					return { code: 104 };
				}
				if (kind === 'dateTime' && !/\d{2}:\d{2}:\d{2}$/.test(text.trim())) return { code: 104 };
				return text.trim();
			case 'user': {
				const id = Number(text.trim());
				if (!Number.isInteger(id)) return { code: 104 };
				if (!this.user(id)) return { code: 5 };
				return id;
			}
			case 'reference': {
				const id = Number(text.trim());
				if (!Number.isInteger(id)) return { code: 104 };
				const target =
					field.refersTo === 'byResource'
						? Object.values(RESOURCES).find(
								(r) => r.value === Number(changes['Activity.P_Resource'] ?? existing?.['Activity.P_Resource']),
							)?.name
						: field.refersTo;
				if (!target) return { code: 107 };
				if (!this.records[target].has(id)) return { code: this.switches.notFoundCode };
				return id;
			}
			case 'id':
				return { code: 100 };
			default:
				if (field.max !== undefined && Array.from(text).length > field.max) return { code: 106 };
				return text;
		}
	}

	/** Admin: change fields of a record as if a recruiter edited it in PORTERS. */
	touch(resource: ResourceName, id: number, fields: StoredRecord, at = this.now()): StoredRecord {
		const record = this.records[resource].get(id);
		if (!record) throw new PortersCodeError(7, `${resource} ${id} does not exist`);
		const prefix = RESOURCES[resource].prefix;
		Object.assign(record, fields);
		record[`${prefix}.P_UpdateDate`] = formatPortersDateTime(at);
		return record;
	}

	/** Admin: insert records directly (bulk data for benchmarks). */
	insert(resource: ResourceName, record: StoredRecord): number {
		const prefix = RESOURCES[resource].prefix;
		const id = Number(record[`${prefix}.P_Id`] ?? this.nextId[resource]);
		const now = formatPortersDateTime(this.now());
		this.records[resource].set(id, {
			[`${prefix}.P_RegistrationDate`]: now,
			[`${prefix}.P_UpdateDate`]: now,
			...record,
			[`${prefix}.P_Id`]: id,
		});
		this.nextId[resource] = Math.max(this.nextId[resource], id + 1);
		return id;
	}

	/** Admin: mark a record deleted (only PORTERS staff or the UI can; the API cannot). */
	remove(resource: ResourceName, id: number): boolean {
		const record = this.records[resource].get(id);
		if (!record) return false;
		this.records[resource].delete(id);
		this.deleted[resource].set(id, { record, at: this.now() });
		return true;
	}

	snapshot(resource: ResourceName): StoredRecord[] {
		return [...this.records[resource].values()].map((r) => ({ ...r }));
	}
}
