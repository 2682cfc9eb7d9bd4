import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { decodeRecord } from '../../../../core/porters/codec';
import { formatConditions } from '../../../../core/porters/fields';
import { chunk } from '../../../../core/porters/pacing';
import { PortersUnknownOutcomeError, type PortersClient } from '../../transport';
import {
	asNodeError,
	checkAlias,
	createClient,
	failedItem,
	FieldCatalog,
	fieldValuesParameter,
	lineUserIdFieldParameter,
	outcomeJson,
	ownerParameter,
	readFieldValues,
	readOwner,
	runWrites,
	writeFailureError,
	writeOptionsParameter,
	type PlannedWrite,
	type WriteOutcome,
	errorItem,
} from '../common';
import { checkLineUserId } from './shared';

const show = { resource: ['candidate'], operation: ['upsertByLineUserId'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'A follow delivered twice updates the same candidate. PORTERS has no unique key, though: two runs at the very same moment for the same new LINE user can still both create one. Later runs then update the oldest and list all in "matchedIds".',
		name: 'upsertNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	lineUserIdFieldParameter(show, true),
	{
		displayName: 'LINE User ID',
		name: 'lineUserId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.source.userId }}',
		displayOptions: { show },
		description: 'The LINE user ID to look for, e.g. the userId of a follow event',
	},
	ownerParameter(
		show,
		"Owner of candidates that have to be created (required by PORTERS). Leave empty to use the credential's Default Owner User ID.",
	),
	fieldValuesParameter(show, 'getCandidateFields', 'Fields to Write Always'),
	fieldValuesParameter(
		show,
		'getCandidateFields',
		'Fields to Write Only When Creating',
		'createFieldValues',
		'Values for new candidates only, e.g. the LINE display name as the name, so that a real name already in PORTERS is not overwritten on a re-follow',
	),
	writeOptionsParameter(show),
];

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

async function findByLineId(client: PortersClient, lineField: string, lineUserId: string, itemIndex: number): Promise<number[]> {
	const envelope = await client.read(
		'candidate',
		{
			field: 'Person.P_Id',
			condition: formatConditions([{ alias: lineField, operator: 'full', value: lineUserId }]),
			count: 10,
			start: 0,
		},
		itemIndex,
	);
	return envelope.items
		.map((item) => {
			const value = decodeRecord(item)['Person.P_Id'];
			return value && value.type === 'text' ? Number(value.value) : NaN;
		})
		.filter((id) => Number.isInteger(id) && id > 0)
		.sort((a, b) => a - b);
}

/**
 * Finds the candidate whose LINE user ID field equals the given ID (`:full=`, exact match) and
 * updates it, or creates one when there is none. A follow delivered twice therefore updates the
 * same candidate, and two items with the same LINE user ID in one run are written one after the
 * other. What remains: two executions running at the same moment for the same new LINE user can
 * both find nothing and both create (PORTERS has no unique key to prevent it). If that happened,
 * later upserts update the oldest match and list all of them in `matchedIds`.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await createClient(this, options);
	const catalog = new FieldCatalog(client);
	const validate = options.validateFields === true;
	const continueOnFail = this.continueOnFail();
	const backoffBaseMs = Number(this.getNodeParameter('retryDelayMs', 0, 1000));
	const batchSize = Math.max(1, Math.min(200, Number(options.batchSize ?? 200) || 200));
	const out = new Map<number, INodeExecutionData>();

	// Items with the same LINE user ID go into successive rounds, so the later ones update the
	// candidate the earlier one created instead of creating another.
	const rounds: Prepared[][] = [];
	const occurrences = new Map<string, number>();
	for (let i = 0; i < items.length; i++) {
		try {
			const lineField = checkAlias(this, this.getNodeParameter('lineUserIdField', i, '') as string, 'Person', i);
			const lineUserId = String(this.getNodeParameter('lineUserId', i, '') ?? '').trim();
			checkLineUserId(this, lineUserId, i);
			const fields = readFieldValues(this, i, 'Person', 'fieldValues').filter(([a]) => a !== lineField);
			const createFields = readFieldValues(this, i, 'Person', 'createFieldValues').filter(([a]) => a !== lineField);
			if (validate) {
				for (const [alias] of [[lineField], ...fields, ...createFields]) {
					await catalog.check(this, 'candidate', alias as string, i);
				}
			}
			const key = `${lineField}\u0000${lineUserId}`;
			const round = occurrences.get(key) ?? 0;
			occurrences.set(key, round + 1);
			(rounds[round] ??= []).push({ itemIndex: i, lineField, lineUserId, fields, createFields });
		} catch (error) {
			if (!continueOnFail) throw asNodeError(this, error, i);
			out.set(i, errorItem(error, i));
		}
	}

	const known = new Map<string, Known>();
	const keyOf = (p: Prepared) => `${p.lineField}\u0000${p.lineUserId}`;

	for (const round of rounds) {
		for (const batch of chunk(round, batchSize)) {
			let refound = false;
			for (;;) {
				for (const p of batch) {
					const key = keyOf(p);
					if (known.has(key) || out.has(p.itemIndex)) continue;
					try {
						const ids = await findByLineId(client, p.lineField, p.lineUserId, p.itemIndex);
						known.set(key, { id: ids[0] ?? -1, matchedIds: ids });
					} catch (error) {
						if (!continueOnFail) throw asNodeError(this, error, p.itemIndex);
						for (const same of batch.filter((b) => keyOf(b) === key)) {
							out.set(same.itemIndex, errorItem(error, same.itemIndex));
						}
					}
				}
				const plans: PlannedWrite[] = [];
				for (const p of batch) {
					if (out.has(p.itemIndex)) continue;
					const match = known.get(keyOf(p)) as Known;
					if (match.id > 0) {
						plans.push({ itemIndex: p.itemIndex, id: match.id, fields: p.fields });
						continue;
					}
					try {
						const owner = readOwner(this, p.itemIndex, client, true) as number;
						const fields: PlannedWrite['fields'] = [...p.createFields, ...p.fields];
						const merged = new Map(fields);
						if (!merged.has('Person.P_Owner')) merged.set('Person.P_Owner', owner);
						merged.set(p.lineField, p.lineUserId);
						plans.push({ itemIndex: p.itemIndex, id: -1, fields: [...merged.entries()] });
					} catch (error) {
						if (!continueOnFail) throw asNodeError(this, error, p.itemIndex);
						out.set(p.itemIndex, errorItem(error, p.itemIndex));
					}
				}
				let result: Awaited<ReturnType<typeof runWrites>>;
				try {
					result = await runWrites(client, 'candidate', plans, {
						batchSize,
						stopOnFailure: !continueOnFail,
						continueOnFail,
						rethrowUnknownOutcome: !refound,
						catalog,
						backoffBaseMs,
					});
				} catch (error) {
					// No answer to a request that creates: look again before repeating, so that a
					// candidate PORTERS did create is updated rather than created twice.
					if (error instanceof PortersUnknownOutcomeError && !refound) {
						refound = true;
						for (const plan of plans) {
							if (plan.id === -1) {
								const p = batch.find((b) => b.itemIndex === plan.itemIndex) as Prepared;
								known.delete(keyOf(p));
							}
						}
						continue;
					}
					throw asNodeError(this, error);
				}
				for (const plan of plans) {
					const outcome = result.outcomes.get(plan.itemIndex) as WriteOutcome | undefined;
					if (!outcome) continue;
					const p = batch.find((b) => b.itemIndex === plan.itemIndex) as Prepared;
					const match = known.get(keyOf(p)) as Known;
					if (outcome.code === 0 && outcome.created && outcome.id) {
						known.set(keyOf(p), { id: outcome.id, matchedIds: [outcome.id] });
					}
					if (outcome.code !== 0) {
						out.set(plan.itemIndex, failedItem(outcome, 'Person.P_Id'));
						continue;
					}
					const json = outcomeJson(outcome, 'Person.P_Id');
					json.lineUserId = p.lineUserId;
					if (match.matchedIds.length > 1) json.matchedIds = match.matchedIds;
					out.set(plan.itemIndex, { json, pairedItem: { item: plan.itemIndex } });
				}
				if (result.failure) throw writeFailureError(this, result.failure, 'candidate');
				break;
			}
		}
	}

	const ordered: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const item = out.get(i);
		if (item) ordered.push(item);
	}
	return ordered;
}
