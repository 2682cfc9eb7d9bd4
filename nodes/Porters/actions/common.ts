/**
 * Parameters and helpers shared by the PORTERS operations: field/value lists, the owner chooser,
 * options, the client factory, field validation and the batched write engine.
 */
import {
	NodeApiError,
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IDisplayOptions,
	type INodeProperties,
	type JsonObject,
} from 'n8n-workflow';

import { describeResultCode, resultCodeReaction } from '../../../core/porters/resultCodes';
import {
	decodeRecord,
	type PortersRecord,
	type WriteItemResult,
	type WriteValue,
} from '../../../core/porters/codec';
import { isFieldAlias } from '../../../core/porters/fields';
import { PORTERS_RESOURCES, type PortersResource } from '../../../core/porters/resources';
import { toWriteValue } from '../../../core/porters/values';
import {
	recordNeedsOptionNames,
	recordOutput as recordOutputJson,
	type OptionNames,
	type RecordOutputOptions,
} from '../../../core/porters/recordJson';
import { chunk, PORTERS_BACKOFF, retryDelay } from '../../../core/porters/pacing';
import { PortersClient, PortersUnknownOutcomeError, type PortersClientOptions } from '../transport';

type Show = NonNullable<IDisplayOptions['show']>;

/** Errors leave the node as NodeApiError or NodeOperationError, with the item they belong to. */
export function asNodeError(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

// ---------------------------------------------------------------------------------------------
// Parameter builders

export function ownerParameter(show: Show, description: string): INodeProperties {
	return {
		displayName: 'Owner',
		name: 'owner',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		description,
		displayOptions: { show },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchUsers', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 5',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^\\s*\\d+\\s*$', errorMessage: 'A PORTERS user ID is a number' },
					},
				],
			},
		],
	};
}

export function fieldValuesParameter(
	show: Show,
	loadOptionsMethod: string,
	displayName = 'Fields',
	name = 'fieldValues',
	description = 'Values to write, by PORTERS field. For option fields enter option aliases, e.g. Option.U_LineBlocked (several separated by commas). Users and references take the ID. An empty value clears the field.',
): INodeProperties {
	return {
		displayName,
		name,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show },
		description,
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'Field Name or ID',
						name: 'alias',
						type: 'options',
						typeOptions: { loadOptionsMethod },
						default: '',
						description:
							'Field to write, e.g. Person.P_Name. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
					},
				],
			},
		],
	};
}

export function lineUserIdFieldParameter(show: Show, required: boolean): INodeProperties {
	return {
		displayName: 'LINE User ID Field Name or ID',
		name: 'lineUserIdField',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getCandidateTextFields' },
		default: '',
		required,
		displayOptions: { show },
		description:
			'The custom candidate field (Person.U_…) that holds the LINE user ID. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	};
}

export function writeOptionsParameter(show: Show): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Items per Request',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 200 },
				default: 200,
				description: 'Input items sent per PORTERS request (PORTERS accepts at most 200)',
			},
			{
				displayName: 'Check Field Names First',
				name: 'validateFields',
				type: 'boolean',
				default: false,
				description:
					'Whether to check every field alias against PORTERS before writing anything (one extra read per run). Without it, an unknown alias is still named in the error once PORTERS refuses the item.',
			},
			...rateOptions,
		],
	};
}

export const rateOptions: INodeProperties[] = [
	{
		displayName: 'Reads per Minute',
		name: 'readsPerMinute',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 2000 },
		default: 2000,
		description:
			'Upper bound for this node run. PORTERS allows 2,000 reads a minute for the whole app: lower it when several workflows use PORTERS at the same time.',
	},
	{
		displayName: 'Writes per Minute',
		name: 'writesPerMinute',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 500 },
		default: 500,
		description:
			'Upper bound for this node run. PORTERS allows 500 writes a minute for the whole app: lower it when several workflows write to PORTERS at the same time.',
	},
];

/** Hidden: first retry delay in ms (tests shorten it; workflows can set it in JSON). */
export const backoffParameter: INodeProperties = {
	displayName: 'Retry Delay (Ms)',
	name: 'retryDelayMs',
	type: 'hidden',
	default: 1000,
};

// ---------------------------------------------------------------------------------------------
// Reading parameters

export async function createClient(ctx: IExecuteFunctions, options: IDataObject = {}): Promise<PortersClient> {
	const clientOptions: PortersClientOptions = {
		backoffBaseMs: Number(ctx.getNodeParameter('retryDelayMs', 0, PORTERS_BACKOFF.baseDelayMs)),
		readsPerMinute: options.readsPerMinute as number | undefined,
		writesPerMinute: options.writesPerMinute as number | undefined,
	};
	return await PortersClient.create(ctx, clientOptions);
}

export function checkAlias(ctx: IExecuteFunctions, alias: string, prefix: string, itemIndex: number): string {
	const trimmed = String(alias ?? '').trim();
	if (!isFieldAlias(trimmed)) {
		throw new NodeOperationError(ctx.getNode(), `"${trimmed}" is not a PORTERS field alias`, {
			itemIndex,
			description: `Field aliases look like ${prefix}.P_Name (standard) or ${prefix}.U_1A2B… (custom). Pick the field from the list, or copy its alias from PORTERS.`,
		});
	}
	if (!trimmed.startsWith(`${prefix}.`)) {
		throw new NodeOperationError(ctx.getNode(), `The field ${trimmed} does not belong here`, {
			itemIndex,
			description: `Only ${prefix}.… fields can be written by this operation.`,
		});
	}
	return trimmed;
}

export function readFieldValues(
	ctx: IExecuteFunctions,
	itemIndex: number,
	prefix: string,
	parameter = 'fieldValues',
): Array<[string, WriteValue]> {
	const collection = ctx.getNodeParameter(parameter, itemIndex, {}) as {
		field?: Array<{ alias: string; value: unknown }>;
	};
	return (collection.field ?? []).map(({ alias, value }) => [
		checkAlias(ctx, alias, prefix, itemIndex),
		toWriteValue(value),
	]);
}

export function readOwner(ctx: IExecuteFunctions, itemIndex: number, client: PortersClient, required: boolean): number | undefined {
	const raw = ctx.getNodeParameter('owner', itemIndex, '', { extractValue: true }) as string | number;
	const text = String(raw ?? '').trim();
	if (text !== '') {
		const id = Number(text);
		if (!Number.isInteger(id) || id <= 0) {
			throw new NodeOperationError(ctx.getNode(), `"${text}" is not a PORTERS user ID`, { itemIndex });
		}
		return id;
	}
	if (client.defaultOwnerUserId !== undefined) return client.defaultOwnerUserId;
	if (required) {
		throw new NodeOperationError(ctx.getNode(), 'PORTERS needs an owner for a new record', {
			itemIndex,
			description:
				'Choose an Owner in this node, or set a Default Owner User ID in the PORTERS credential.',
		});
	}
	return undefined;
}

export function readRecordId(ctx: IExecuteFunctions, itemIndex: number, parameter: string, what: string): number {
	const raw = ctx.getNodeParameter(parameter, itemIndex, '') as string | number;
	const id = Number(String(raw).trim());
	if (String(raw).trim() === '' || !Number.isInteger(id) || id <= 0) {
		throw new NodeOperationError(ctx.getNode(), `"${String(raw)}" is not a valid ${what} ID`, {
			itemIndex,
			description: `A PORTERS ${what} ID is a positive whole number.`,
		});
	}
	return id;
}

// ---------------------------------------------------------------------------------------------
// Field validation (one Field Read per resource and run)

export class FieldCatalog {
	private readonly known = new Map<PortersResource, Promise<Set<string>>>();

	constructor(private readonly client: PortersClient) {}

	async aliases(resource: PortersResource): Promise<Set<string>> {
		let pending = this.known.get(resource);
		if (!pending) {
			pending = this.client
				.listFields(PORTERS_RESOURCES[resource].resourceId)
				.then((fields) => new Set(fields.map((f) => f.alias)));
			this.known.set(resource, pending);
		}
		return await pending;
	}

	/** Aliases PORTERS does not know; empty if the field list cannot be read. */
	async unknownAliases(resource: PortersResource, aliases: string[]): Promise<string[]> {
		let known: Set<string>;
		try {
			known = await this.aliases(resource);
		} catch {
			return [];
		}
		return aliases.filter((alias) => !known.has(alias));
	}

	async check(ctx: IExecuteFunctions, resource: PortersResource, alias: string, itemIndex: number): Promise<void> {
		const known = await this.aliases(resource);
		if (!known.has(alias)) {
			throw new NodeOperationError(ctx.getNode(), `The field ${alias} does not exist in PORTERS`, {
				itemIndex,
				description: `PORTERS has no ${PORTERS_RESOURCES[resource].label} field with this alias (it may be a typo, belong to another PORTERS account, or have been deleted). Pick the field from the list, or check the alias in PORTERS.`,
			});
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Batched writes

export interface PlannedWrite {
	itemIndex: number;
	fields: Array<[string, WriteValue]>;
	/** `-1` creates; an ID updates. */
	id: number;
}

export interface WriteOutcome {
	itemIndex: number;
	id?: number;
	/** PORTERS result code; -1 when the request failed without one. */
	code: number;
	created: boolean;
	/** Why the request failed, when it failed as a whole. */
	error?: string;
}

/** Adds to an error what earlier requests of the same run already saved. */
function withWrittenSoFar(error: unknown, outcomes: Map<number, WriteOutcome>, label: string): unknown {
	const written = [...outcomes.values()].filter((o) => o.code === 0);
	if (written.length === 0 || !(error instanceof NodeApiError)) return error;
	const created = written.filter((w) => w.created).map((w) => w.id);
	const updated = written.filter((w) => !w.created).map((w) => w.id);
	const parts: string[] = [];
	if (created.length) parts.push(`created ${created.length} ${label} (IDs ${created.join(', ')})`);
	if (updated.length) parts.push(`updated ${updated.length} ${label} (IDs ${updated.join(', ')})`);
	error.description = `${error.description ? `${error.description} ` : ''}Earlier requests of this run ${parts.join(' and ')}.`;
	return error;
}

export class WriteFailure extends Error {
	constructor(
		readonly outcome: WriteOutcome,
		readonly written: WriteOutcome[],
	) {
		super(describeResultCode(outcome.code));
	}
}

/**
 * Sends planned writes in requests of at most `batchSize` items and maps each result code back
 * to its input item. Items answered with a code that means "nothing was done, try later" (9, 302)
 * are sent again. With `stopOnFailure`, no further request is sent once an item failed.
 */
export async function runWrites(
	client: PortersClient,
	resource: PortersResource,
	plans: PlannedWrite[],
	opts: {
		batchSize: number;
		stopOnFailure: boolean;
		backoffBaseMs: number;
		/** Turn a failed request into failed items instead of throwing. */
		continueOnFail?: boolean;
		/** Even with `continueOnFail`, let the caller handle "outcome unknown" (Upsert looks again). */
		rethrowUnknownOutcome?: boolean;
		/** Used to name the unknown field when PORTERS answers an item with code 100. */
		catalog?: FieldCatalog;
	},
): Promise<{ outcomes: Map<number, WriteOutcome>; failure?: WriteFailure }> {
	const info = PORTERS_RESOURCES[resource];
	const idAlias = `${info.prefix}.P_Id`;
	const outcomes = new Map<number, WriteOutcome>();
	const size = Math.max(1, Math.min(200, Math.floor(opts.batchSize) || 200));
	for (const batch of chunk(plans, size)) {
		let pending = batch;
		for (let round = 0; pending.length > 0; round++) {
			let results: WriteItemResult[];
			try {
				results = await client.write(
					resource,
					info.root,
					pending.map((p) => [[idAlias, p.id] as [string, WriteValue], ...p.fields.filter(([a]) => a !== idAlias)]),
					{ idempotent: pending.every((p) => p.id > 0), itemIndex: pending[0].itemIndex },
				);
			} catch (error) {
				const unknown = error instanceof PortersUnknownOutcomeError;
				if (!opts.continueOnFail || (unknown && opts.rethrowUnknownOutcome)) {
					throw withWrittenSoFar(error, outcomes, info.label);
				}
				const e = error as Error & { resultCode?: number };
				for (const plan of pending) {
					outcomes.set(plan.itemIndex, {
						itemIndex: plan.itemIndex,
						id: plan.id > 0 ? plan.id : undefined,
						code: e.resultCode ?? -1,
						created: false,
						error: e.message,
					});
				}
				break;
			}
			const retry: PlannedWrite[] = [];
			pending.forEach((plan, index) => {
				const result = results[index];
				if (resultCodeReaction(result.code) === 'retry' && round < PORTERS_BACKOFF.maxRetries) {
					retry.push(plan);
					return;
				}
				outcomes.set(plan.itemIndex, {
					itemIndex: plan.itemIndex,
					id: result.code === 0 ? result.id : plan.id > 0 ? plan.id : undefined,
					code: result.code,
					created: plan.id === -1 && result.code === 0,
				});
			});
			if (opts.catalog) {
				for (const plan of pending) {
					const outcome = outcomes.get(plan.itemIndex);
					if (outcome?.code !== 100) continue;
					const unknown = await opts.catalog.unknownAliases(resource, plan.fields.map(([alias]) => alias));
					if (unknown.length > 0) {
						outcome.error = `The field ${unknown.join(', ')} does not exist in PORTERS (${describeResultCode(100)})`;
					}
				}
			}
			pending = retry;
			if (retry.length > 0) await sleep(retryDelay(round + 1, { ...PORTERS_BACKOFF, baseDelayMs: opts.backoffBaseMs }));
		}
		if (opts.stopOnFailure) {
			const failed = batch.map((p) => outcomes.get(p.itemIndex)).find((o) => o && o.code !== 0);
			if (failed) {
				const written = [...outcomes.values()].filter((o) => o.code === 0);
				return { outcomes, failure: new WriteFailure(failed, written) };
			}
		}
	}
	return { outcomes };
}

/** The error for a failed item when the node does not continue on failures. */
export function writeFailureError(ctx: IExecuteFunctions, failure: WriteFailure, what: string): NodeApiError {
	const { outcome, written } = failure;
	const created = written.filter((w) => w.created);
	const updated = written.filter((w) => !w.created);
	const parts: string[] = [];
	if (created.length) parts.push(`created ${created.length} (IDs ${created.map((w) => w.id).join(', ')})`);
	if (updated.length) parts.push(`updated ${updated.length} (IDs ${updated.map((w) => w.id).join(', ')})`);
	return new NodeApiError(ctx.getNode(), { message: `result code ${outcome.code}`, resultCode: outcome.code } as JsonObject, {
		message: `PORTERS did not save the ${what} of item ${outcome.itemIndex + 1}: ${outcome.error ?? describeResultCode(outcome.code)}`,
		description:
			(parts.length
				? `Before this, PORTERS ${parts.join(' and ')} ${what}s. `
				: `No other ${what}s were saved. `) +
			'Turn on "Continue On Fail" to write the other items and get one result per item.',
		itemIndex: outcome.itemIndex,
	});
}

export function errorItem(error: unknown, itemIndex: number): INodeExecutionData {
	const e = error as Error & { description?: string };
	return {
		json: { error: e.message, ...(e.description ? { errorDescription: e.description } : {}) },
		pairedItem: { item: itemIndex },
	};
}

/**
 * One write per input item: `planItem` turns an item into the record ID (-1 to create) and the
 * fields to write; items that cannot be planned become error items (with Continue On Fail) or
 * stop the run. The writes then go out in batches, and the result is one output item per input
 * item, in input order: the record's ID and result code, the item's own error, or a failed item.
 */
export async function planAndWriteItems(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	resource: PortersResource,
	planItem: (
		itemIndex: number,
		client: PortersClient,
	) => Promise<Omit<PlannedWrite, 'itemIndex'>> | Omit<PlannedWrite, 'itemIndex'>,
	/** Adds fields to a successful item's JSON (e.g. the LINE user ID written). */
	decorate?: (json: IDataObject, itemIndex: number) => void,
): Promise<INodeExecutionData[]> {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await createClient(ctx, options);
	const catalog = new FieldCatalog(client);
	const errors = new Map<number, INodeExecutionData>();
	const plans: PlannedWrite[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const plan = await planItem(i, client);
			if (options.validateFields === true) {
				for (const [alias] of plan.fields) await catalog.check(ctx, resource, alias, i);
			}
			plans.push({ ...plan, itemIndex: i });
		} catch (error) {
			if (!ctx.continueOnFail()) throw asNodeError(ctx, error, i);
			errors.set(i, errorItem(error, i));
		}
	}

	const idAlias = `${PORTERS_RESOURCES[resource].prefix}.P_Id`;
	const { outcomes, failure } = await runWrites(client, resource, plans, {
		batchSize: Number(options.batchSize ?? 200),
		stopOnFailure: !ctx.continueOnFail(),
		continueOnFail: ctx.continueOnFail(),
		catalog,
		backoffBaseMs: Number(ctx.getNodeParameter('retryDelayMs', 0, 1000)),
	});
	if (failure) throw writeFailureError(ctx, failure, resource);

	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const error = errors.get(i);
		if (error) {
			out.push(error);
			continue;
		}
		const outcome = outcomes.get(i);
		if (!outcome) continue;
		if (outcome.code !== 0) {
			out.push(failedItem(outcome, idAlias));
			continue;
		}
		const json = outcomeJson(outcome, idAlias);
		decorate?.(json, i);
		out.push({ json, pairedItem: { item: i } });
	}
	return out;
}

export function outcomeJson(outcome: WriteOutcome, idAlias: string): IDataObject {
	return {
		[idAlias]: outcome.id ?? null,
		action: outcome.created ? 'created' : 'updated',
		resultCode: outcome.code,
	};
}

export function failedItem(outcome: WriteOutcome, idAlias: string): INodeExecutionData {
	return {
		json: {
			error: outcome.error ?? describeResultCode(outcome.code),
			resultCode: outcome.code,
			[idAlias]: outcome.id ?? null,
		},
		pairedItem: { item: outcome.itemIndex },
	};
}

// ---------------------------------------------------------------------------------------------
// Read output

export type OutputOptions = RecordOutputOptions;

export function recordOutput(record: PortersRecord, options: OutputOptions): IDataObject {
	return recordOutputJson(record, options) as IDataObject;
}

// ---------------------------------------------------------------------------------------------
// Searches

export const readOptionsParameter = (show: Show): INodeProperties => ({
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: { show },
	options: [
		{
			displayName: 'Order',
			name: 'order',
			type: 'string',
			default: '',
			placeholder: 'e.g. Resume.P_UpdateDate:desc',
			description:
				'Sort order as Alias:asc or Alias:desc (comma-separated). Only number, date and system fields can be sorted.',
		},
		{
			displayName: 'Readable Option Values',
			name: 'resolveOptionNames',
			type: 'boolean',
			default: true,
			description:
				'Whether to look up the names of option values when PORTERS sends only their IDs (one extra read per run)',
		},
		{
			displayName: 'Simplify Output',
			name: 'simplify',
			type: 'boolean',
			default: true,
			description:
				'Whether to return flat fields (IDs as numbers, option names as text, parent fields under their own aliases) instead of the nested PORTERS structure',
		},
		rateOptions[0],
	],
});

export function returnAllParameters(show: Show): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			displayOptions: { show },
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			displayOptions: { show: { ...show, returnAll: [false] } },
			description: 'Max number of results to return',
		},
	];
}

export class OptionNameCache {
	private pending?: Promise<OptionNames | undefined>;

	constructor(private readonly client: PortersClient) {}

	async get(): Promise<OptionNames | undefined> {
		this.pending ??= this.client.optionNames();
		return await this.pending;
	}
}

/** Reads matching records page by page (200 per request) and turns them into output items. */
export async function searchRecords(
	client: PortersClient,
	resource: PortersResource,
	qs: IDataObject,
	itemIndex: number,
	opts: {
		returnAll: boolean;
		limit: number;
		simplify: boolean;
		resolveOptionNames: boolean;
		optionNames: OptionNameCache;
		referenceAliases?: ReadonlySet<string>;
	},
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	const records: PortersRecord[] = [];
	await client.readPages(
		resource,
		qs,
		(items) => {
			for (const item of items) records.push(decodeRecord(item));
		},
		{ limit: opts.returnAll ? undefined : opts.limit, itemIndex },
	);
	const names =
		opts.resolveOptionNames && records.some(recordNeedsOptionNames) ? await opts.optionNames.get() : undefined;
	for (const record of records) {
		out.push({
			json: recordOutput(record, {
				simplify: opts.simplify,
				referenceAliases: opts.referenceAliases,
				optionNames: names,
			}),
			pairedItem: { item: itemIndex },
		});
	}
	return out;
}
