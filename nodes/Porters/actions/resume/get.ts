import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import {
	formatConditions,
	formatFieldList,
	mergeFieldLists,
	parseConditions,
	parseFieldList,
	PortersSyntaxError,
	type FieldSpec,
} from '../../../../core/porters/fields';
import { errorItem } from '../../../shared/errors';
import { OptionNameCache, searchRecords } from '../../helpers/output';
import { checkAlias, createClient, readRecordId } from '../../helpers/parameters';
import { readOptionsParameter, returnAllParameters } from '../descriptions';
import { forOperation } from '../../../shared/displayOptions';

export const description: INodeProperties[] = forOperation('resume', 'get', [
	{
		displayName: 'Search By',
		name: 'searchBy',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Resume ID', value: 'id' },
			{ name: 'Candidate ID', value: 'candidateId' },
			{ name: 'Condition', value: 'condition' },
			{ name: 'All Resumes', value: 'all' },
		],
		default: 'id',
	},
	{
		displayName: 'Resume ID',
		name: 'resumeId',
		type: 'string',
		required: true,
		default: '',
		displayOptions: { show: { searchBy: ['id'] } },
	},
	{
		displayName: 'Candidate ID',
		name: 'candidateId',
		type: 'string',
		required: true,
		default: '',
		displayOptions: { show: { searchBy: ['candidateId'] } },
		description: 'Returns the resumes of this candidate (Resume.P_Candidate)',
	},
	{
		displayName: 'Condition',
		name: 'condition',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Resume.P_UpdateDate:ge=2026/01/01 00:00:00',
		displayOptions: { show: { searchBy: ['condition'] } },
		description:
			'PORTERS condition: Alias:operator=value, several joined by commas (all must match). Candidate fields cannot be searched here, but Resume.P_Candidate:eq=&lt;candidate ID&gt; can.',
	},
	{
		displayName: 'Resume Fields',
		name: 'resumeFields',
		type: 'string',
		default: 'Resume.P_Id,Resume.P_Name,Resume.P_Owner,Resume.P_UpdateDate',
		description:
			'Comma-separated resume field aliases. Fields of the candidate can also be written in parentheses, e.g. Resume.P_Candidate(Person.P_Name,Person.U_…).',
	},
	{
		displayName: 'Candidate Field Names or IDs',
		name: 'candidateFields',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getCandidateFields' },
		default: ['Person.P_Id', 'Person.P_Name'],
		description:
			'Fields of the parent candidate to return with each resume (LINE user ID, owner, real name, …). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	...updateDisplayOptions({ show: { searchBy: ['candidateId', 'condition', 'all'] } }, returnAllParameters),
	readOptionsParameter,
]);

/**
 * `GET /v1/resume` with the candidate's fields through `Resume.P_Candidate(…)`, 200 per request
 * until `Total` is reached. Output is flat: `Resume.*` fields, `Resume.P_Candidate` as the
 * candidate ID and the requested `Person.*` fields under their own aliases.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const options0 = this.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await createClient(this, options0);
	const optionNames = new OptionNameCache(client);
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const searchBy = this.getNodeParameter('searchBy', i) as string;
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			let specs: FieldSpec[] = parseFieldList(this.getNodeParameter('resumeFields', i, '') as string);
			const candidateFields = (this.getNodeParameter('candidateFields', i, []) as string[]).map((f) =>
				checkAlias(this, f, 'Person', i),
			);
			if (candidateFields.length > 0) {
				specs = mergeFieldLists(specs, [
					{ alias: 'Resume.P_Candidate', sub: candidateFields.map((alias) => ({ alias })) },
				]);
			}
			specs = mergeFieldLists([{ alias: 'Resume.P_Id' }], specs);
			const referenceAliases = new Set(specs.filter((s) => s.sub !== undefined).map((s) => s.alias));
			const qs: IDataObject = { field: formatFieldList(specs) };
			let single = false;
			if (searchBy === 'id') {
				const id = readRecordId(this, i, 'resumeId', 'resume');
				qs.condition = formatConditions([{ alias: 'Resume.P_Id', operator: 'eq', value: String(id) }]);
				single = true;
			} else if (searchBy === 'candidateId') {
				const id = readRecordId(this, i, 'candidateId', 'candidate');
				qs.condition = formatConditions([{ alias: 'Resume.P_Candidate', operator: 'eq', value: String(id) }]);
			} else if (searchBy === 'condition') {
				qs.condition = formatConditions(parseConditions(this.getNodeParameter('condition', i) as string));
			}
			if (options.order) qs.order = String(options.order);
			out.push(
				...(await searchRecords(client, 'resume', qs, i, {
					returnAll: single ? false : (this.getNodeParameter('returnAll', i, false) as boolean),
					limit: single ? 1 : (this.getNodeParameter('limit', i, 50) as number),
					simplify: options.simplify !== false,
					resolveOptionNames: options.resolveOptionNames !== false,
					optionNames,
					referenceAliases,
				})),
			);
		} catch (error) {
			const e =
				error instanceof PortersSyntaxError
					? new NodeOperationError(this.getNode(), error.message, {
							itemIndex: i,
							description: 'Check the Resume Fields and Condition parameters.',
						})
					: error;
			if (!this.continueOnFail()) throw e;
			out.push(errorItem(e, i));
		}
	}
	return out;
}
