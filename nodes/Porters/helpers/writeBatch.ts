/**
 * How the PORTERS node writes: one planned write per input item, sent in requests of up to 200
 * items and of a bounded size, each PORTERS result code mapped back to its input item, "try
 * later" items sent again, requests refused as too large sent again in halves, and failures
 * reported with what the run had already saved.
 */
import {
	NodeApiError,
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { encodeWriteItem, writeRequestOverhead, type WriteItem, type WriteItemResult, type WriteValue } from '../../../core/porters/codec';
import { retryDelay } from '../../../core/porters/pacing';
import { idAliasOf, PORTERS_RESOURCES, type PortersResource } from '../../../core/porters/resources';
import {
	describeRejectedValue,
	describeResultCode,
	isValueRejectedCode,
	resultCodeReaction,
} from '../../../core/porters/resultCodes';
import { halves, planWriteBatches, requestChars } from '../../../core/porters/writePlan';
import { asNodeError, errorItem } from '../../shared/errors';
import { listFields, PortersTooLargeError, PortersUnknownOutcomeError, type PortersClient } from '../transport';
import { createClient } from './parameters';

/** The field aliases PORTERS knows, read once per resource and run (Field Read). */
export class FieldCatalog {
	private readonly known = new Map<PortersResource, Promise<Set<string>>>();

	constructor(private readonly client: PortersClient) {}

	async aliases(resource: PortersResource): Promise<Set<string>> {
		let pending = this.known.get(resource);
		if (!pending) {
			pending = listFields(this.client, PORTERS_RESOURCES[resource].resourceId).then(
				(fields) => new Set(fields.map((f) => f.alias)),
			);
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

export interface WriteOptions {
	batchSize: number;
	/** Longest request body in characters (0 = count only); by default the client's. */
	maxRequestChars?: number;
	/** Turn failures into failed items and go on; without it, no request follows a failed item. */
	continueOnFail: boolean;
	/** Even with `continueOnFail`, let the caller handle "outcome unknown" (Upsert looks again). */
	rethrowUnknownOutcome?: boolean;
	/** Used to name the unknown field when PORTERS answers an item with code 100. */
	catalog?: FieldCatalog;
}

type Outcomes = Map<number, WriteOutcome>;

/** Adds to an error what earlier requests of the same run already saved. */
function withWrittenSoFar(error: unknown, outcomes: Outcomes, label: string): unknown {
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

/** The `<Item>` of a planned write: the record ID first, then the fields. */
function writeItemOf(plan: PlannedWrite, idAlias: string): WriteItem {
	return [[idAlias, plan.id] as [string, WriteValue], ...plan.fields.filter(([a]) => a !== idAlias)];
}

/** Serialised size of each planned write; a value that cannot be encoded fails later, in the client. */
function itemSizes(plans: PlannedWrite[], idAlias: string): number[] {
	return plans.map((plan) => {
		try {
			return requestChars(encodeWriteItem(writeItemOf(plan, idAlias)));
		} catch {
			return 0;
		}
	});
}

/** A single item whose request PORTERS refused as too large: that item's error, nothing written. */
function recordTooLarge(plan: PlannedWrite, error: PortersTooLargeError, resource: PortersResource, outcomes: Outcomes) {
	const [size] = itemSizes([plan], idAliasOf(resource));
	outcomes.set(plan.itemIndex, {
		itemIndex: plan.itemIndex,
		id: plan.id > 0 ? plan.id : undefined,
		code: error.resultCode ?? -1,
		created: false,
		error: `${error.message}. This item alone is ${size.toLocaleString('en-US')} characters long: shorten its longest values.`,
	});
}

/**
 * One request for the pending items. Returns PORTERS's per-item results; `tooLarge` when PORTERS
 * refused several items as possibly too large (nothing written: send them in halves); or nothing
 * when the request failed as a whole and its items were recorded as failed.
 */
async function sendOnce(
	client: PortersClient,
	resource: PortersResource,
	pending: PlannedWrite[],
	outcomes: Outcomes,
	opts: WriteOptions,
): Promise<WriteItemResult[] | 'tooLarge' | undefined> {
	const info = PORTERS_RESOURCES[resource];
	const idAlias = idAliasOf(resource);
	try {
		return await client.write(
			resource,
			info.root,
			pending.map((p) => writeItemOf(p, idAlias)),
			{ idempotent: pending.every((p) => p.id > 0), itemIndex: pending[0].itemIndex },
		);
	} catch (error) {
		if (error instanceof PortersTooLargeError) {
			if (pending.length > 1) return 'tooLarge';
			recordTooLarge(pending[0], error, resource, outcomes);
			return undefined;
		}
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
		return undefined;
	}
}

/** Records each item's result; returns the items PORTERS asked to send again (codes 9, 302). */
function recordResults(
	pending: PlannedWrite[],
	results: WriteItemResult[],
	mayRetry: boolean,
	outcomes: Outcomes,
): PlannedWrite[] {
	const retry: PlannedWrite[] = [];
	pending.forEach((plan, index) => {
		const result = results[index];
		if (resultCodeReaction(result.code) === 'retry' && mayRetry) {
			retry.push(plan);
			return;
		}
		outcomes.set(plan.itemIndex, {
			itemIndex: plan.itemIndex,
			id: result.code === 0 ? result.id : plan.id > 0 ? plan.id : undefined,
			code: result.code,
			created: plan.id === -1 && result.code === 0,
			error: isValueRejectedCode(result.code) ? describeRejectedValue(result.code, plan.fields.map(([a]) => a)) : undefined,
		});
	});
	return retry;
}

/** Code 100 only says "a field alias does not exist": name the field. */
async function nameUnknownFields(
	catalog: FieldCatalog,
	resource: PortersResource,
	pending: PlannedWrite[],
	outcomes: Outcomes,
): Promise<void> {
	for (const plan of pending) {
		const outcome = outcomes.get(plan.itemIndex);
		if (outcome?.code !== 100) continue;
		const unknown = await catalog.unknownAliases(resource, plan.fields.map(([alias]) => alias));
		if (unknown.length > 0) {
			outcome.error = `The field ${unknown.join(', ')} does not exist in PORTERS (${describeResultCode(100)})`;
		}
	}
}

/**
 * Sends one batch, repeating the items PORTERS asked to send again (codes 9, 302). A batch
 * refused as too large was not written at all, so it goes again as two halves, recursively;
 * writes whose outcome is unknown are never repeated here.
 */
async function writeBatch(
	client: PortersClient,
	resource: PortersResource,
	batch: PlannedWrite[],
	outcomes: Outcomes,
	opts: WriteOptions,
): Promise<void> {
	const policy = client.retryPolicy;
	let pending = batch;
	for (let round = 0; pending.length > 0; round++) {
		const results = await sendOnce(client, resource, pending, outcomes, opts);
		if (results === 'tooLarge') {
			for (const half of halves(pending)) {
				await writeBatch(client, resource, half, outcomes, opts);
				if (!opts.continueOnFail && half.some((p) => outcomes.get(p.itemIndex)?.code !== 0)) return;
			}
			return;
		}
		if (!results) return;
		const retry = recordResults(pending, results, round < policy.maxRetries, outcomes);
		if (opts.catalog) await nameUnknownFields(opts.catalog, resource, pending, outcomes);
		pending = retry;
		if (retry.length > 0) await sleep(retryDelay(round + 1, policy));
	}
}

/**
 * Sends planned writes in requests of at most `batchSize` items and `maxRequestChars`
 * characters (core/porters/writePlan.ts) and maps each result code back to its input item.
 * Without `continueOnFail`, no further request is sent once an item failed.
 */
export async function runWrites(
	client: PortersClient,
	resource: PortersResource,
	plans: PlannedWrite[],
	opts: WriteOptions,
): Promise<{ outcomes: Outcomes; failure?: WriteFailure }> {
	const outcomes: Outcomes = new Map();
	const batches = planWriteBatches(itemSizes(plans, idAliasOf(resource)), {
		maxItems: opts.batchSize,
		maxChars: opts.maxRequestChars ?? client.maxRequestChars,
		overheadChars: requestChars(writeRequestOverhead(PORTERS_RESOURCES[resource].root)),
	});
	for (const indexes of batches) {
		const batch = indexes.map((i) => plans[i]);
		await writeBatch(client, resource, batch, outcomes, opts);
		if (!opts.continueOnFail) {
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
		message: `PORTERS did not save the ${what} of item ${outcome.itemIndex}: ${outcome.error ?? describeResultCode(outcome.code)}`,
		description:
			(parts.length
				? `Before this, PORTERS ${parts.join(' and ')} ${what}s. `
				: `No other ${what}s were saved. `) +
			'Turn on "Continue On Fail" to write the other items and get one result per item.',
		itemIndex: outcome.itemIndex,
	});
}

/** A saved item: the record's ID, whether it was created or updated, and the result code. */
export function outcomeJson(outcome: WriteOutcome, idAlias: string): IDataObject {
	return {
		[idAlias]: outcome.id ?? null,
		action: outcome.created ? 'created' : 'updated',
		resultCode: outcome.code,
	};
}

/** An item PORTERS did not save (Continue On Fail): why, its result code and the record's ID. */
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

export type PlanItem = (
	itemIndex: number,
	client: PortersClient,
) => Promise<Omit<PlannedWrite, 'itemIndex'>> | Omit<PlannedWrite, 'itemIndex'>;

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
	planItem: PlanItem,
	/** Adds fields to a successful item's JSON (e.g. the LINE user ID written). */
	decorate?: (json: IDataObject, itemIndex: number) => void,
): Promise<INodeExecutionData[]> {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const continueOnFail = ctx.continueOnFail();
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
			if (!continueOnFail) throw asNodeError(ctx.getNode(), error, i);
			errors.set(i, errorItem(error, i));
		}
	}

	const idAlias = idAliasOf(resource);
	const { outcomes, failure } = await runWrites(client, resource, plans, {
		batchSize: Number(options.batchSize ?? 200),
		continueOnFail,
		catalog,
	});
	if (failure) throw writeFailureError(ctx, failure, resource);

	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const outcome = outcomes.get(i);
		if (errors.has(i)) {
			out.push(errors.get(i) as INodeExecutionData);
		} else if (outcome && outcome.code !== 0) {
			out.push(failedItem(outcome, idAlias));
		} else if (outcome) {
			const json = outcomeJson(outcome, idAlias);
			decorate?.(json, i);
			out.push({ json, pairedItem: { item: i } });
		}
	}
	return out;
}
