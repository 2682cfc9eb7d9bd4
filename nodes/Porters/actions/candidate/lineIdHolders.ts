/**
 * The candidates that hold a LINE user ID, and how Upsert converges them to one after a create
 * (PORTERS has no unique key and no delete; see core/porters/survivor.ts for the rule).
 */
import { decodeRecord, type WriteValue } from '../../../../core/porters/codec';
import { formatConditions } from '../../../../core/porters/fields';
import { convergeAfterCreate, duplicateMarkText, type Convergence } from '../../../../core/porters/survivor';
import { runWrites, type PlannedWrite } from '../../helpers/writeBatch';
import type { PortersClient } from '../../transport';

/** Every candidate whose LINE user ID field equals `lineUserId` (exact match), lowest ID first. */
export async function findLineIdHolders(
	client: PortersClient,
	lineField: string,
	lineUserId: string,
	itemIndex: number,
): Promise<number[]> {
	const envelope = await client.read(
		'candidate',
		{
			field: 'Person.P_Id',
			condition: formatConditions([{ alias: lineField, operator: 'full', value: lineUserId }]),
			count: 100,
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

/** A candidate this run created, to check against the other holders of its LINE user ID. */
export interface CreatedHolder {
	itemIndex: number;
	lineField: string;
	lineUserId: string;
	createdId: number;
	/** The always-written fields, for the survivor when this create lost. */
	fields: Array<[string, WriteValue]>;
}

export interface ConvergedHolder extends Convergence {
	holders: number[];
	/** Whether this run wrote its always-written fields to the survivor. */
	survivorUpdated: boolean;
}

export interface ConvergeSettings {
	/** Field that receives "LINE重複: 候補者 <survivor> に統合" on a retired duplicate; '' for none. */
	markField: string;
	batchSize: number;
}

function retirePlan(created: CreatedHolder, survivorId: number, markField: string): PlannedWrite {
	const fields: Array<[string, WriteValue]> = [[created.lineField, null]];
	if (markField) fields.push([markField, duplicateMarkText(survivorId)]);
	return { itemIndex: created.itemIndex, id: created.createdId, fields };
}

/**
 * Looks again for the holders of each created candidate's LINE user ID (one read each). Where
 * another execution created one too, all agree on the survivor; this run retires only its own
 * losing candidates (LINE user ID cleared, marked) in one request, then writes its always-written
 * fields to the survivor in another. Nothing is copied from a retired duplicate to the survivor.
 */
export async function convergeCreated(
	client: PortersClient,
	createdHolders: CreatedHolder[],
	settings: ConvergeSettings,
): Promise<Map<number, ConvergedHolder>> {
	const result = new Map<number, ConvergedHolder>();
	for (const created of createdHolders) {
		const holders = await findLineIdHolders(client, created.lineField, created.lineUserId, created.itemIndex);
		const convergence = convergeAfterCreate(holders.map((id) => ({ id })), [created.createdId]) as Convergence;
		const all = [...new Set([...holders, created.createdId])].sort((a, b) => a - b);
		result.set(created.itemIndex, { ...convergence, holders: all, survivorUpdated: false });
	}
	const losers = createdHolders.filter((c) => (result.get(c.itemIndex) as ConvergedHolder).retire.length > 0);
	if (losers.length === 0) return result;
	const writeOptions = { batchSize: settings.batchSize, continueOnFail: false };
	const retired = await runWrites(
		client,
		'candidate',
		losers.map((c) => retirePlan(c, (result.get(c.itemIndex) as ConvergedHolder).survivorId, settings.markField)),
		writeOptions,
	);
	if (retired.failure) throw retired.failure;
	const updates = losers
		.filter((c) => c.fields.length > 0)
		.map((c) => ({ itemIndex: c.itemIndex, id: (result.get(c.itemIndex) as ConvergedHolder).survivorId, fields: c.fields }));
	if (updates.length === 0) return result;
	const updated = await runWrites(client, 'candidate', updates, writeOptions);
	if (updated.failure) throw updated.failure;
	for (const update of updates) (result.get(update.itemIndex) as ConvergedHolder).survivorUpdated = true;
	return result;
}
