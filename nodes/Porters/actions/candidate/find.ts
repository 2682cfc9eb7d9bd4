import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { formatConditions, formatFieldList, parseConditions, PortersSyntaxError } from '../../../../core/porters/fields';
import { errorItem } from '../../../shared/errors';
import { OptionNameCache, searchRecords } from '../../helpers/output';
import { checkAlias, checkLineUserId, createClient, readRecordId } from '../../helpers/parameters';
import { lineUserIdFieldParameter, readOptionsParameter, returnAllParameters } from '../descriptions';
import { forOperation } from '../../../shared/displayOptions';

export const DEFAULT_CANDIDATE_FIELDS = [
	'Person.P_Id',
	'Person.P_Name',
	'Person.P_Mail',
	'Person.P_Owner',
	'Person.P_UpdateDate',
];

export const description: INodeProperties[] = forOperation('candidate', 'find', [
	{
		displayName: 'Search By',
		name: 'searchBy',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'LINE User ID', value: 'lineUserId' },
			{ name: 'Email', value: 'email' },
			{ name: 'Candidate ID', value: 'id' },
			{ name: 'Condition', value: 'condition' },
		],
		default: 'lineUserId',
	},
	...updateDisplayOptions({ show: { searchBy: ['lineUserId'] } }, [lineUserIdFieldParameter(true)]),
	{
		displayName: 'LINE User ID',
		name: 'lineUserId',
		type: 'string',
		required: true,
		default: '',
		displayOptions: { show: { searchBy: ['lineUserId'] } },
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		required: true,
		default: '',
		displayOptions: { show: { searchBy: ['email'] } },
		description: 'Exact e-mail address (Person.P_Mail)',
	},
	{
		displayName: 'Candidate ID',
		name: 'candidateId',
		type: 'string',
		required: true,
		default: '',
		displayOptions: { show: { searchBy: ['id'] } },
	},
	{
		displayName: 'Condition',
		name: 'condition',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Person.P_Name:part=鈴木,Person.P_UpdateDate:ge=2026/01/01 00:00:00',
		displayOptions: { show: { searchBy: ['condition'] } },
		description:
			'PORTERS condition: Alias:operator=value, several joined by commas (all must match). Text: full (exact) or part; numbers and dates (UTC, yyyy/mm/dd HH:MM:SS): eq, gt, ge, le, lt.',
	},
	{
		displayName: 'Field Names or IDs',
		name: 'fields',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getCandidateFields' },
		default: [],
		description:
			'Fields to return; empty returns ID, name, e-mail, owner and update date. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	...returnAllParameters,
	findOptionsParameter(),
]);

/** The read options plus the one this search adds: one output item per input item. */
function findOptionsParameter(): INodeProperties {
	const options = readOptionsParameter;
	return {
		...options,
		options: [
			{
				displayName: 'One Item per Input Item',
				name: 'oneItemPerInput',
				type: 'boolean',
				default: false,
				description:
					'Whether to return exactly one item for each input item, also when nothing or several candidates match: found (true/false), count, candidate (the first match: the oldest, lowest ID, unless an Order is set) and candidates (the matches returned). Later nodes can then rely on one result per input item.',
			},
			...(options.options ?? []),
		],
	};
}

/** Oldest (lowest ID) first, as Upsert chooses its candidate; no `order` is sent for it. */
function oldestFirst(matches: INodeExecutionData[]): INodeExecutionData[] {
	const id = (match: INodeExecutionData) => Number(match.json['Person.P_Id']);
	return [...matches].sort((a, b) => (id(a) - id(b)) || 0);
}

/** One item for one input item, whatever the number of matches. */
function matchesItem(matches: INodeExecutionData[], itemIndex: number): INodeExecutionData {
	const candidates = matches.map((match) => match.json);
	return {
		json: { found: candidates.length > 0, count: candidates.length, candidate: candidates[0] ?? null, candidates },
		pairedItem: { item: itemIndex },
	};
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const options0 = this.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await createClient(this, options0);
	const optionNames = new OptionNameCache(client);
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const searchBy = this.getNodeParameter('searchBy', i) as string;
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			const chosen = (this.getNodeParameter('fields', i, []) as string[]).map((f) => checkAlias(this, f, 'Person', i));
			const fields = chosen.length > 0 ? [...chosen] : [...DEFAULT_CANDIDATE_FIELDS];
			let condition: string;
			if (searchBy === 'lineUserId') {
				const lineField = checkAlias(this, this.getNodeParameter('lineUserIdField', i) as string, 'Person', i);
				const lineUserId = String(this.getNodeParameter('lineUserId', i) ?? '').trim();
				checkLineUserId(this, lineUserId, i);
				condition = formatConditions([{ alias: lineField, operator: 'full', value: lineUserId }]);
				if (!fields.includes(lineField)) fields.push(lineField);
			} else if (searchBy === 'email') {
				const email = String(this.getNodeParameter('email', i) ?? '').trim();
				if (email === '') throw new NodeOperationError(this.getNode(), 'The e-mail address is empty', { itemIndex: i });
				condition = formatConditions([{ alias: 'Person.P_Mail', operator: 'full', value: email }]);
			} else if (searchBy === 'id') {
				const id = readRecordId(this, i, 'candidateId', 'candidate');
				condition = formatConditions([{ alias: 'Person.P_Id', operator: 'eq', value: String(id) }]);
			} else {
				condition = formatConditions(parseConditions(this.getNodeParameter('condition', i) as string));
			}
			if (!fields.includes('Person.P_Id')) fields.unshift('Person.P_Id');
			const onePerInput = options.oneItemPerInput === true;
			const qs: IDataObject = { field: formatFieldList(fields.map((alias) => ({ alias }))), condition };
			if (options.order) qs.order = String(options.order);
			const matches = await searchRecords(client, 'candidate', qs, i, {
				returnAll: this.getNodeParameter('returnAll', i, false) as boolean,
				limit: this.getNodeParameter('limit', i, 50) as number,
				simplify: options.simplify !== false,
				resolveOptionNames: options.resolveOptionNames !== false,
				optionNames,
			});
			if (onePerInput) out.push(matchesItem(options.order ? matches : oldestFirst(matches), i));
			else out.push(...matches);
		} catch (error) {
			const e =
				error instanceof PortersSyntaxError
					? new NodeOperationError(this.getNode(), error.message, { itemIndex: i })
					: error;
			if (!this.continueOnFail()) throw e;
			out.push(errorItem(e, i));
		}
	}
	return out;
}
