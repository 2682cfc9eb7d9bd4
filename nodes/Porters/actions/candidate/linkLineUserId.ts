import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { decodeRecord, type WriteValue } from '../../../../core/porters/codec';
import { formatConditions, formatFieldList } from '../../../../core/porters/fields';
import { valueToJson } from '../../../../core/porters/recordJson';
import {
	isFriendAddPlaceholder,
	mergedMarkText,
	planLink,
	reviewFlagText,
	withMark,
	type HolderData,
} from '../../../../core/porters/survivor';
import { forOperation } from '../../../shared/displayOptions';
import { asNodeError, errorItem } from '../../../shared/errors';
import { checkAlias, checkLineUserId, createClient, readRecordId } from '../../helpers/parameters';
import { FieldCatalog, runWrites, writeFailureError, type PlannedWrite } from '../../helpers/writeBatch';
import type { PortersClient } from '../../transport';
import { lineUserIdFieldParameter, writeOptionsParameter } from '../descriptions';

/** Standard fields a friend-add never fills in: a value in any of them is a recruiter's. */
const RECRUITER_DATA_FIELDS = [
	'Person.P_Reading',
	'Person.P_Mail',
	'Person.P_Mobile',
	'Person.P_Telephone',
	'Person.P_Zipcode',
	'Person.P_Memo',
];

export const description: INodeProperties[] = forOperation('candidate', 'linkLineUserId', [
	{
		displayName:
			'Gives the LINE user ID to this candidate only. Another candidate holding it that a friend-add created (no recruiter data, no resume) has it cleared and is marked "merged"; one with recruiter data keeps that data, has the LINE user ID cleared and is flagged for review.',
		name: 'linkNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Candidate ID',
		name: 'candidateId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 10001',
		description: 'PORTERS candidate ID (Person.P_Id) that gets the LINE user ID, e.g. from Link Candidate',
	},
	lineUserIdFieldParameter(true),
	{
		displayName: 'LINE User ID',
		name: 'lineUserId',
		type: 'string',
		required: true,
		default: '',
		placeholder: "e.g. {{ $('Link Candidate').item.json.lineUserId }}",
	},
	{
		displayName: 'Recruiter Data Field Names or IDs',
		name: 'recruiterDataFields',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getCandidateFields' },
		default: [
			'Person.P_Reading',
			'Person.P_Mail',
			'Person.P_Mobile',
			'Person.P_Telephone',
			'Person.P_Zipcode',
			'Person.P_Memo',
		],
		description:
			'Fields only recruiters fill in. Another holder of the LINE user ID with a value in any of them (or with a resume) is kept for review instead of being merged. Never list the fields your friend-add flow writes. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		...writeOptionsParameter,
		options: [
			{
				displayName: 'Merged Mark Field',
				name: 'mergedMarkField',
				type: 'string',
				default: 'Person.P_Memo',
				placeholder: 'e.g. Person.P_Memo',
				description:
					'Text field of a retired friend-add candidate that gets "LINE連携: 候補者 (ID) に統合" as its first line. Leave empty to only clear the LINE user ID.',
			},
			{
				displayName: 'Review Flag Field',
				name: 'reviewFlagField',
				type: 'string',
				default: 'Person.P_Memo',
				placeholder: 'e.g. Person.P_Memo',
				description:
					'Text field of a candidate with recruiter data that lost the LINE user ID. It gets "【要確認】LINE連携: …" as its first line; what the field held stays below. Leave empty to only clear the LINE user ID.',
			},
			...(writeOptionsParameter.options ?? []),
		],
	},
]);

interface LinkSettings {
	lineField: string;
	recruiterFields: string[];
	mergedField: string;
	reviewField: string;
}

function optionalAlias(ctx: IExecuteFunctions, value: unknown, itemIndex: number): string {
	const alias = String(value ?? '').trim();
	return alias === '' ? '' : checkAlias(ctx, alias, 'Person', itemIndex);
}

/** Every other holder of the LINE user ID, with the fields that decide and the mark fields' text. */
async function otherHolders(
	client: PortersClient,
	linkedId: number,
	lineUserId: string,
	settings: LinkSettings,
	itemIndex: number,
): Promise<HolderData[]> {
	const fields = [
		...new Set(['Person.P_Id', ...settings.recruiterFields, settings.mergedField, settings.reviewField].filter(Boolean)),
	];
	const envelope = await client.read(
		'candidate',
		{
			field: formatFieldList(fields.map((alias) => ({ alias }))),
			condition: formatConditions([{ alias: settings.lineField, operator: 'full', value: lineUserId }]),
			count: 100,
			start: 0,
		},
		itemIndex,
	);
	const holders: HolderData[] = [];
	for (const item of envelope.items) {
		const record = decodeRecord(item);
		const idValue = record['Person.P_Id'];
		const id = idValue && idValue.type === 'text' ? Number(idValue.value) : NaN;
		if (!Number.isInteger(id) || id <= 0 || id === linkedId) continue;
		const values = Object.fromEntries(Object.entries(record).map(([alias, value]) => [alias, valueToJson(value)]));
		holders.push({ id, values });
	}
	return holders;
}

/** Resumes of a candidate (one read, count only): a resume means a recruiter worked with it. */
async function resumeCount(client: PortersClient, candidateId: number, itemIndex: number): Promise<number> {
	const envelope = await client.read(
		'resume',
		{
			field: 'Resume.P_Id',
			condition: formatConditions([{ alias: 'Resume.P_Candidate', operator: 'eq', value: String(candidateId) }]),
			count: 1,
			start: 0,
		},
		itemIndex,
	);
	return envelope.total ?? envelope.items.length;
}

function markedFields(holder: HolderData, lineField: string, markField: string, mark: string): Array<[string, WriteValue]> {
	const fields: Array<[string, WriteValue]> = [[lineField, null]];
	if (!markField) return fields;
	const current = holder.values[markField];
	fields.push([markField, withMark(typeof current === 'string' ? current : '', mark)]);
	return fields;
}

/** Writes the LINE user ID on the candidate, then retires or flags every other holder. */
async function linkOne(
	ctx: IExecuteFunctions,
	client: PortersClient,
	catalog: FieldCatalog,
	itemIndex: number,
	batchSize: number,
): Promise<IDataObject> {
	const linkedId = readRecordId(ctx, itemIndex, 'candidateId', 'candidate');
	const lineUserId = String(ctx.getNodeParameter('lineUserId', itemIndex, '') ?? '').trim();
	checkLineUserId(ctx, lineUserId, itemIndex);
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const rawFields = ctx.getNodeParameter('recruiterDataFields', itemIndex, RECRUITER_DATA_FIELDS) as unknown;
	const settings: LinkSettings = {
		lineField: checkAlias(ctx, ctx.getNodeParameter('lineUserIdField', itemIndex, '') as string, 'Person', itemIndex),
		recruiterFields: (Array.isArray(rawFields) ? rawFields : String(rawFields ?? '').split(','))
			.map((alias) => String(alias).trim())
			.filter((alias) => alias !== '')
			.map((alias) => checkAlias(ctx, alias, 'Person', itemIndex)),
		mergedField: optionalAlias(ctx, options.mergedMarkField ?? 'Person.P_Memo', itemIndex),
		reviewField: optionalAlias(ctx, options.reviewFlagField ?? 'Person.P_Memo', itemIndex),
	};
	if (options.validateFields === true) {
		const { lineField, recruiterFields, mergedField, reviewField } = settings;
		for (const alias of [lineField, ...recruiterFields, mergedField, reviewField].filter(Boolean)) {
			await catalog.check(ctx, 'candidate', alias, itemIndex);
		}
	}
	const writeOptions = { batchSize, continueOnFail: false };

	// The linked candidate first: if anything after this fails, the link the person asked for stands.
	const linked = await runWrites(
		client,
		'candidate',
		[{ itemIndex, id: linkedId, fields: [[settings.lineField, lineUserId]] }],
		writeOptions,
	);
	if (linked.failure) throw writeFailureError(ctx, linked.failure, 'candidate');

	const holders = await otherHolders(client, linkedId, lineUserId, settings, itemIndex);
	for (const holder of holders) {
		// Only a holder without recruiter fields can still be a placeholder: look for resumes then.
		if (isFriendAddPlaceholder(holder.values, settings.recruiterFields)) {
			holder.resumes = await resumeCount(client, holder.id, itemIndex);
		}
	}
	const plan = planLink(linkedId, holders, settings.recruiterFields);
	const byId = new Map(holders.map((h) => [h.id, h]));
	const writes: PlannedWrite[] = [
		...plan.retire.map((id) => ({
			itemIndex,
			id,
			fields: markedFields(byId.get(id) as HolderData, settings.lineField, settings.mergedField, mergedMarkText(linkedId)),
		})),
		...plan.review.map((id) => ({
			itemIndex,
			id,
			fields: markedFields(byId.get(id) as HolderData, settings.lineField, settings.reviewField, reviewFlagText(linkedId)),
		})),
	];
	if (writes.length > 0) {
		const retired = await runWrites(client, 'candidate', writes, writeOptions);
		if (retired.failure) throw writeFailureError(ctx, retired.failure, 'candidate');
	}
	return {
		'Person.P_Id': linkedId,
		action: 'linked',
		lineUserId,
		merged: plan.retire,
		review: plan.review,
	};
}

/**
 * Link LINE User ID: after LINE Login proved who the person is, candidate X gets the LINE user ID
 * and becomes its only holder (rule in core/porters/survivor.ts, planLink). Output per item: the
 * candidate, `merged` (friend-add candidates retired) and `review` (candidates flagged), so that
 * the workflow can tell a recruiter.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await createClient(this, options);
	const catalog = new FieldCatalog(client);
	const batchSize = Math.max(1, Math.min(200, Number(options.batchSize ?? 200) || 200));
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			out.push({ json: await linkOne(this, client, catalog, i, batchSize), pairedItem: { item: i } });
		} catch (error) {
			if (!this.continueOnFail()) throw asNodeError(this.getNode(), error, i);
			out.push(errorItem(error, i));
		}
	}
	return out;
}
