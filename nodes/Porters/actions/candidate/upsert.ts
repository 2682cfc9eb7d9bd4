import {
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { chunk, lookAgainPolicy, retryDelay } from '../../../../core/porters/pacing';
import { chooseSurvivor } from '../../../../core/porters/survivor';
import { asNodeError, errorItem } from '../../../shared/errors';
import { checkAlias, checkLineUserId, createClient, readFieldValues, readOwner } from '../../helpers/parameters';
import {
	failedItem,
	FieldCatalog,
	outcomeJson,
	runWrites,
	writeFailureError,
	type PlannedWrite,
	type WriteOutcome,
} from '../../helpers/writeBatch';
import { PortersUnknownOutcomeError, type PortersClient } from '../../transport';
import { convergeCreated, findLineIdHolders, type ConvergedHolder, type CreatedHolder } from './lineIdHolders';
import { fieldValuesParameter, lineUserIdFieldParameter, ownerParameter, writeOptionsParameter } from '../descriptions';
import { forOperation } from '../../../shared/displayOptions';

export const description: INodeProperties[] = forOperation('candidate', 'upsertByLineUserId', [
	{
		displayName:
			'A follow delivered twice updates the same candidate. If runs at the very same moment for the same new LINE user each create one, they converge: the oldest (lowest ID) keeps the LINE user ID, the others have it cleared and are marked as duplicates, and every run returns the oldest.',
		name: 'upsertNotice',
		type: 'notice',
		default: '',
	},
	lineUserIdFieldParameter(true),
	{
		displayName: 'LINE User ID',
		name: 'lineUserId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.source.userId }}',
		description: 'The LINE user ID to look for, e.g. the userId of a follow event',
	},
	ownerParameter(
		"Owner of candidates that have to be created (required by PORTERS). Leave empty to use the credential's Default Owner User ID.",
	),
	fieldValuesParameter('getCandidateFields', 'Fields to Write Always'),
	fieldValuesParameter(
		'getCandidateFields',
		'Fields to Write Only When Creating',
		'createFieldValues',
		'Values for new candidates only, e.g. the LINE display name as the name, so that a real name already in PORTERS is not overwritten on a re-follow',
	),
	upsertOptionsParameter(),
]);

/** The write options plus where a retired duplicate is marked. */
function upsertOptionsParameter(): INodeProperties {
	return {
		...writeOptionsParameter,
		options: [
			{
				displayName: 'Duplicate Mark Field',
				name: 'duplicateMarkField',
				type: 'string',
				default: 'Person.P_Memo',
				placeholder: 'e.g. Person.P_Memo',
				description:
					'Text field of a candidate this run created and then retired because another run created one for the same LINE user at the same moment. It gets "LINE重複: 候補者 (survivor ID) に統合" (PORTERS cannot delete). Leave empty to only clear the LINE user ID.',
			},
			...(writeOptionsParameter.options ?? []),
		],
	};
}

/** The alias of the Duplicate Mark Field, checked, or '' for none. */
function duplicateMarkField(ctx: IExecuteFunctions, options: IDataObject): string {
	const alias = String(options.duplicateMarkField ?? 'Person.P_Memo').trim();
	return alias === '' ? '' : checkAlias(ctx, alias, 'Person', 0);
}

interface Prepared {
	itemIndex: number;
	lineField: string;
	lineUserId: string;
	fields: PlannedWrite['fields'];
	createFields: PlannedWrite['fields'];
}

interface Known {
	id: number;
	matchedIds: number[];
}

const keyOf = (p: Prepared) => `${p.lineField}\u0000${p.lineUserId}`;

interface RunSettings {
	catalog: FieldCatalog;
	continueOnFail: boolean;
	batchSize: number;
	/** Field marked on a duplicate this run created and retired; '' to only clear its LINE user ID. */
	markField: string;
}

/** One Upsert run: the candidates found or created per LINE user ID, and the output so far. */
class UpsertRun {
	private readonly out = new Map<number, INodeExecutionData>();
	private readonly known = new Map<string, Known>();

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly client: PortersClient,
		readonly settings: RunSettings,
	) {}

	/** An item's error becomes its output item, or stops the run without Continue On Fail. */
	private fail(error: unknown, itemIndex: number): void {
		if (!this.settings.continueOnFail) throw asNodeError(this.ctx.getNode(), error, itemIndex);
		this.out.set(itemIndex, errorItem(error, itemIndex));
	}

	/**
	 * Reads every item's parameters. Items with the same LINE user ID go into successive rounds,
	 * so the later ones update the candidate the earlier one created instead of creating another.
	 */
	async prepare(items: INodeExecutionData[], validate: boolean): Promise<Prepared[][]> {
		const ctx = this.ctx;
		const rounds: Prepared[][] = [];
		const occurrences = new Map<string, number>();
		for (let i = 0; i < items.length; i++) {
			try {
				const lineField = checkAlias(ctx, ctx.getNodeParameter('lineUserIdField', i, '') as string, 'Person', i);
				const lineUserId = String(ctx.getNodeParameter('lineUserId', i, '') ?? '').trim();
				checkLineUserId(ctx, lineUserId, i);
				const fields = readFieldValues(ctx, i, 'Person', 'fieldValues').filter(([a]) => a !== lineField);
				const createFields = readFieldValues(ctx, i, 'Person', 'createFieldValues').filter(([a]) => a !== lineField);
				if (validate) {
					for (const [alias] of [[lineField], ...fields, ...createFields]) {
						await this.settings.catalog.check(ctx, 'candidate', alias as string, i);
					}
				}
				const prepared: Prepared = { itemIndex: i, lineField, lineUserId, fields, createFields };
				const round = occurrences.get(keyOf(prepared)) ?? 0;
				occurrences.set(keyOf(prepared), round + 1);
				(rounds[round] ??= []).push(prepared);
			} catch (error) {
				this.fail(error, i);
			}
		}
		return rounds;
	}

	/** Looks up the candidates of LINE user IDs this run has not seen yet. */
	private async lookUp(batch: Prepared[]): Promise<void> {
		for (const p of batch) {
			const key = keyOf(p);
			if (this.known.has(key) || this.out.has(p.itemIndex)) continue;
			try {
				const ids = await findLineIdHolders(this.client, p.lineField, p.lineUserId, p.itemIndex);
				this.known.set(key, { id: chooseSurvivor(ids.map((id) => ({ id })))?.survivorId ?? -1, matchedIds: ids });
			} catch (error) {
				this.fail(error, p.itemIndex);
				for (const same of batch.filter((b) => keyOf(b) === key)) {
					this.out.set(same.itemIndex, errorItem(error, same.itemIndex));
				}
			}
		}
	}

	/** Updates the oldest match, or creates with owner, create-only fields and the LINE user ID. */
	private plan(batch: Prepared[]): PlannedWrite[] {
		const plans: PlannedWrite[] = [];
		for (const p of batch) {
			if (this.out.has(p.itemIndex)) continue;
			const match = this.known.get(keyOf(p)) as Known;
			if (match.id > 0) {
				plans.push({ itemIndex: p.itemIndex, id: match.id, fields: p.fields });
				continue;
			}
			try {
				const owner = readOwner(this.ctx, p.itemIndex, this.client, true) as number;
				const merged = new Map([...p.createFields, ...p.fields]);
				if (!merged.has('Person.P_Owner')) merged.set('Person.P_Owner', owner);
				merged.set(p.lineField, p.lineUserId);
				plans.push({ itemIndex: p.itemIndex, id: -1, fields: [...merged.entries()] });
			} catch (error) {
				this.fail(error, p.itemIndex);
			}
		}
		return plans;
	}

	/** Output for each written item; returns the candidates created, to converge. */
	private record(batch: Prepared[], plans: PlannedWrite[], outcomes: Map<number, WriteOutcome>): CreatedHolder[] {
		const created: CreatedHolder[] = [];
		for (const plan of plans) {
			const outcome = outcomes.get(plan.itemIndex);
			if (!outcome) continue;
			const p = batch.find((b) => b.itemIndex === plan.itemIndex) as Prepared;
			const match = this.known.get(keyOf(p)) as Known;
			if (outcome.code !== 0) {
				this.out.set(plan.itemIndex, failedItem(outcome, 'Person.P_Id'));
				continue;
			}
			if (outcome.created && outcome.id) {
				this.known.set(keyOf(p), { id: outcome.id, matchedIds: [outcome.id] });
				created.push({ ...p, createdId: outcome.id });
			}
			const json = outcomeJson(outcome, 'Person.P_Id');
			json.lineUserId = p.lineUserId;
			if (match.matchedIds.length > 1) json.matchedIds = match.matchedIds;
			this.out.set(plan.itemIndex, { json, pairedItem: { item: plan.itemIndex } });
		}
		return created;
	}

	/**
	 * After creating, looks again: if other executions created a candidate for the same LINE user
	 * at the same moment, all agree on the survivor, and an item whose candidate lost returns the
	 * survivor (`action: merged`, `duplicatesMarked`). A failed re-check leaves the created
	 * candidate as the result, with `convergenceError`: later upserts still pick the survivor.
	 */
	private async converge(batch: Prepared[], created: CreatedHolder[]): Promise<void> {
		if (created.length === 0) return;
		let converged: Map<number, ConvergedHolder>;
		try {
			converged = await convergeCreated(this.client, created, this.settings);
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			for (const c of created) {
				const item = this.out.get(c.itemIndex);
				if (item) item.json.convergenceError = message;
			}
			return;
		}
		for (const c of created) {
			const result = converged.get(c.itemIndex) as ConvergedHolder;
			const p = batch.find((b) => b.itemIndex === c.itemIndex) as Prepared;
			const remaining = result.holders.filter((id) => !result.retire.includes(id));
			this.known.set(keyOf(p), { id: result.survivorId, matchedIds: remaining });
			if (result.holders.length < 2) continue;
			const json = (this.out.get(c.itemIndex) as INodeExecutionData).json;
			json.converged = true;
			json.matchedIds = result.holders;
			if (result.retire.length === 0) continue;
			json['Person.P_Id'] = result.survivorId;
			json.action = 'merged';
			json.survivorUpdated = result.survivorUpdated;
			json.duplicatesMarked = result.retire;
		}
	}

	/**
	 * Looks up, plans and writes one batch. When a request that creates gets no answer, the batch
	 * is looked up again before it is repeated, so that a candidate PORTERS did create is updated
	 * rather than created twice. Those rounds wait first: in a burst the cut connection is most
	 * often PORTERS's write limit, which other executions share.
	 */
	async write(batch: Prepared[]): Promise<void> {
		const { catalog, continueOnFail, batchSize } = this.settings;
		const lookAgain = lookAgainPolicy(this.client.retryPolicy);
		let lookedAgain = 0;
		for (;;) {
			await this.lookUp(batch);
			const plans = this.plan(batch);
			let result: Awaited<ReturnType<typeof runWrites>>;
			try {
				result = await runWrites(this.client, 'candidate', plans, {
					batchSize,
					continueOnFail,
					rethrowUnknownOutcome: lookedAgain < lookAgain.maxRetries,
					catalog,
				});
			} catch (error) {
				if (!(error instanceof PortersUnknownOutcomeError) || lookedAgain >= lookAgain.maxRetries) {
					throw asNodeError(this.ctx.getNode(), error);
				}
				lookedAgain++;
				await sleep(retryDelay(lookedAgain, lookAgain));
				for (const plan of plans) {
					if (plan.id === -1) this.known.delete(keyOf(batch.find((b) => b.itemIndex === plan.itemIndex) as Prepared));
				}
				continue;
			}
			await this.converge(batch, this.record(batch, plans, result.outcomes));
			if (result.failure) throw writeFailureError(this.ctx, result.failure, 'candidate');
			return;
		}
	}

	/** One output item per input item that has one, in input order. */
	output(count: number): INodeExecutionData[] {
		const ordered: INodeExecutionData[] = [];
		for (let i = 0; i < count; i++) {
			const item = this.out.get(i);
			if (item) ordered.push(item);
		}
		return ordered;
	}
}

/**
 * Finds the candidate whose LINE user ID field equals the given ID (`:full=`, exact match) and
 * updates it, or creates one when there is none. A follow delivered twice therefore updates the
 * same candidate, and two items with the same LINE user ID in one run are written one after the
 * other. Two executions running at the same moment for the same new LINE user can both find
 * nothing and both create (PORTERS has no unique key); after a create each one looks again, and
 * they converge on the lowest ID by the rule in core/porters/survivor.ts. When several candidates
 * already hold the ID, the upsert updates that same survivor and lists all in `matchedIds`.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await createClient(this, options);
	const run = new UpsertRun(this, client, {
		catalog: new FieldCatalog(client),
		continueOnFail: this.continueOnFail(),
		batchSize: Math.max(1, Math.min(200, Number(options.batchSize ?? 200) || 200)),
		markField: duplicateMarkField(this, options),
	});
	const rounds = await run.prepare(items, options.validateFields === true);
	for (const round of rounds) {
		for (const batch of chunk(round, run.settings.batchSize)) await run.write(batch);
	}
	return run.output(items.length);
}
