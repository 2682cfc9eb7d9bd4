/**
 * Get LINE Audience: the LINE recipients of a PORTERS search, ready for Multicast. Only the
 * fields the audience needs are read (200 records per request); each LINE user comes once, in
 * batches of up to 500 (one Multicast request each); candidates without a LINE user ID or marked
 * blocked are left out and counted (core/porters/audience.ts).
 */
import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { batches, MAX_MULTICAST_RECIPIENTS } from '../../../../core/line/messages';
import {
	AudienceBuilder,
	isMarkedBlocked,
	parseAliasList,
	type AudienceRecipient,
	type AudienceSummary,
} from '../../../../core/porters/audience';
import { decodeRecord, type PortersRecord, type PortersValue } from '../../../../core/porters/codec';
import { formatConditions, formatFieldList, parseConditions, PortersSyntaxError, type FieldSpec } from '../../../../core/porters/fields';
import { errorItem } from '../../../shared/errors';
import { forOperation } from '../../../shared/displayOptions';
import { checkAlias, createClient } from '../../helpers/parameters';
import { PortersResultError, type PortersClient } from '../../transport';
import { lineUserIdFieldParameter } from '../descriptions';

export const description: INodeProperties[] = forOperation('candidate', 'getLineAudience', [
	{
		displayName: 'Search In',
		name: 'searchIn',
		type: 'options',
		options: [
			{ name: 'Candidates', value: 'candidate', description: 'The condition is on candidate fields (Person.*)' },
			{
				name: 'Resumes',
				value: 'resume',
				description: "The condition is on resume fields (Resume.*); each resume's candidate is a recipient",
			},
		],
		default: 'candidate',
	},
	{
		displayName: 'Condition',
		name: 'condition',
		type: 'string',
		default: '',
		placeholder: 'e.g. Person.U_…:part=東京 or Resume.U_…:ge=2026/04/01 00:00:00',
		description:
			'PORTERS condition: Alias:operator=value, several joined by commas (all must match). Empty means every record.',
	},
	lineUserIdFieldParameter(true),
	{
		displayName: 'LINE Status Field Name or ID',
		name: 'lineStatusField',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getCandidateFields' },
		default: '',
		description:
			'Option field of the candidate that says whether the user blocked the LINE account (leave empty if there is none). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Blocked Option Aliases',
		name: 'blockedOptions',
		type: 'string',
		default: '',
		placeholder: 'e.g. Option.U_LineBlocked',
		displayOptions: { hide: { lineStatusField: [''] } },
		description: 'Option alias(es) of the status field meaning blocked, separated by commas',
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Batches of Recipients',
				value: 'batches',
				description: 'One item per batch: userIds for Multicast, recipients (LINE user ID and candidate ID) and the counts',
			},
			{
				name: 'Counts Only (Dry Run)',
				value: 'summary',
				description: 'One item: how many would get a message and how many are left out, by reason',
			},
		],
		default: 'batches',
	},
	...updateDisplayOptions({ show: { output: ['batches'] } }, [
		{
			displayName: 'Batch Size',
			name: 'batchSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_MULTICAST_RECIPIENTS },
			default: MAX_MULTICAST_RECIPIENTS,
			description: 'Recipients per output item. 500 is the most one Multicast request takes.',
		},
	]),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Reads per Minute',
				name: 'readsPerMinute',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 2000 },
				default: 2000,
				description:
					'Upper bound for this node run. PORTERS allows 2,000 reads a minute for the whole app: lower it when several workflows use PORTERS at the same time.',
			},
		],
	},
]);

interface AudienceQuery {
	searchIn: 'candidate' | 'resume';
	condition: string;
	lineField: string;
	statusField: string;
	blockedAliases: string[];
}

function readQuery(ctx: IExecuteFunctions, i: number): AudienceQuery {
	const searchIn = ctx.getNodeParameter('searchIn', i) === 'resume' ? 'resume' : 'candidate';
	const conditionText = String(ctx.getNodeParameter('condition', i, '') ?? '').trim();
	const condition = conditionText === '' ? '' : formatConditions(parseConditions(conditionText));
	const lineField = checkAlias(ctx, ctx.getNodeParameter('lineUserIdField', i) as string, 'Person', i);
	const statusRaw = String(ctx.getNodeParameter('lineStatusField', i, '') ?? '').trim();
	const statusField = statusRaw === '' ? '' : checkAlias(ctx, statusRaw, 'Person', i);
	const blockedAliases = statusField === '' ? [] : parseAliasList(String(ctx.getNodeParameter('blockedOptions', i, '') ?? ''));
	if (statusField !== '' && blockedAliases.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Blocked Option Aliases is empty', {
			itemIndex: i,
			description: 'Name the option of the LINE status field that means blocked, e.g. Option.U_LineBlocked, or clear the status field.',
		});
	}
	return { searchIn, condition, lineField, statusField, blockedAliases };
}

function candidateAliases(query: AudienceQuery): string[] {
	return ['Person.P_Id', query.lineField, ...(query.statusField ? [query.statusField] : [])];
}

function textOf(value: PortersValue | undefined): string {
	return value?.type === 'text' ? value.value : '';
}

function optionAliasesOf(value: PortersValue | undefined): string[] {
	return value?.type === 'option' ? value.options.map((option) => option.alias) : [];
}

/** The candidate part of a record: itself, or a resume's parent (under `Person.` or `Candidate.`). */
function candidatePart(record: PortersRecord, searchIn: AudienceQuery['searchIn']): PortersRecord | undefined {
	if (searchIn === 'candidate') return record;
	const parent = record['Resume.P_Candidate'];
	if (parent?.type !== 'reference' || parent.records.length === 0) return undefined;
	const [candidate] = parent.records;
	return Object.fromEntries(Object.entries(candidate).map(([alias, value]) => [alias.replace(/^Candidate\./, 'Person.'), value]));
}

/**
 * Reads the search page by page into the builder. For resumes, a refused `Person.` prefix inside
 * `Resume.P_Candidate(…)` is asked again with `Candidate.` (../shared/docs/porters-api.md §8 U6),
 * before any record has been counted.
 */
async function collect(client: PortersClient, query: AudienceQuery, itemIndex: number): Promise<AudienceBuilder> {
	const read = async (prefix: 'Person' | 'Candidate'): Promise<AudienceBuilder> => {
		const builder = new AudienceBuilder();
		const aliases = candidateAliases(query);
		const fields: FieldSpec[] =
			query.searchIn === 'candidate'
				? aliases.map((alias) => ({ alias }))
				: [
						{ alias: 'Resume.P_Id' },
						{ alias: 'Resume.P_Candidate', sub: aliases.map((alias) => ({ alias: alias.replace(/^Person\./, `${prefix}.`) })) },
					];
		const qs: IDataObject = { field: formatFieldList(fields) };
		if (query.condition) qs.condition = query.condition;
		await client.readPages(
			query.searchIn,
			qs,
			(items) => {
				for (const item of items) {
					const candidate = candidatePart(decodeRecord(item), query.searchIn);
					const candidateId = Number(textOf(candidate?.['Person.P_Id']));
					builder.add({
						candidateId: Number.isFinite(candidateId) ? candidateId : 0,
						lineUserId: textOf(candidate?.[query.lineField]),
						blocked: query.statusField !== '' && isMarkedBlocked(optionAliasesOf(candidate?.[query.statusField]), query.blockedAliases),
					});
				}
			},
			{ itemIndex },
		);
		return builder;
	};
	if (query.searchIn === 'candidate') return await read('Person');
	const first = await read('Person').then(
		(builder) => ({ builder, refused: undefined }),
		(refused: unknown) => ({ builder: undefined, refused }),
	);
	if (first.builder) return first.builder;
	if (!(first.refused instanceof PortersResultError && first.refused.resultCode === 100)) throw first.refused;
	return await read('Candidate');
}

function summaryJson(summary: AudienceSummary, batchCount: number): IDataObject {
	return { matched: summary.matched, recipients: summary.recipients, batches: batchCount, leftOut: { ...summary.leftOut } };
}

function batchItems(
	recipients: AudienceRecipient[],
	summary: AudienceSummary,
	batchSize: number,
	itemIndex: number,
): INodeExecutionData[] {
	const groups = batches(recipients, batchSize);
	return groups.map((group, batch) => ({
		json: {
			batch,
			batchCount: groups.length,
			userIds: group.map((recipient) => recipient.lineUserId),
			recipients: group.map((recipient) => ({ ...recipient })),
			summary: summaryJson(summary, groups.length),
		},
		pairedItem: { item: itemIndex },
	}));
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const options0 = this.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await createClient(this, options0);
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const query = readQuery(this, i);
			const { recipients, summary } = (await collect(client, query, i)).result();
			const batchSize = Math.min(MAX_MULTICAST_RECIPIENTS, Math.max(1, Number(this.getNodeParameter('batchSize', i, MAX_MULTICAST_RECIPIENTS))));
			if (this.getNodeParameter('output', i, 'batches') === 'summary') {
				out.push({ json: summaryJson(summary, Math.ceil(recipients.length / batchSize)), pairedItem: { item: i } });
			} else {
				out.push(...batchItems(recipients, summary, batchSize, i));
			}
		} catch (error) {
			const e =
				error instanceof PortersSyntaxError
					? new NodeOperationError(this.getNode(), error.message, { itemIndex: i, description: 'Check the Condition parameter.' })
					: error;
			if (!this.continueOnFail()) throw e;
			out.push(errorItem(e, i));
		}
	}
	return out;
}
