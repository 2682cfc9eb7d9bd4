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
import { PortersResultError } from '../../transport';
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
 * U6 (../shared/docs/porters-api.md §8): inside `Resume.P_Candidate(…)` PORTERS may want the
 * candidate's fields as `Candidate.P_*` rather than `Person.P_*` (only inferred either way). When
 * the `Person.` form is refused as an invalid parameter (100), the read is sent once more with
 * `Candidate.` and the answer's names are given back as the `Person.` aliases that were asked for.
 */
async function searchWithCandidatePrefix(
	read: (prefix: 'Person' | 'Candidate') => Promise<INodeExecutionData[]>,
	hasCandidateFields: boolean,
): Promise<INodeExecutionData[]> {
	const first = await read('Person').then(
		(output) => ({ output, refused: undefined }),
		(refused: unknown) => ({ output: undefined, refused }),
	);
	if (first.output) return first.output;
	const wantsOtherPrefix =
		hasCandidateFields && first.refused instanceof PortersResultError && first.refused.resultCode === 100;
	if (!wantsOtherPrefix) throw first.refused;
	const output = await read('Candidate');
	for (const item of output) {
		item.json = Object.fromEntries(
			Object.entries(item.json).map(([key, value]) => [key.replace(/^Candidate\./, 'Person.'), value]),
		);
	}
	return output;
}

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
			const specs: FieldSpec[] = parseFieldList(this.getNodeParameter('resumeFields', i, '') as string);
			const candidateFields = (this.getNodeParameter('candidateFields', i, []) as string[]).map((f) =>
				checkAlias(this, f, 'Person', i),
			);
			const fieldList = (prefix: 'Person' | 'Candidate') => {
				let all = specs;
				if (candidateFields.length > 0) {
					const sub = candidateFields.map((alias) => ({ alias: alias.replace(/^Person\./, `${prefix}.`) }));
					all = mergeFieldLists(all, [{ alias: 'Resume.P_Candidate', sub }]);
				}
				return mergeFieldLists([{ alias: 'Resume.P_Id' }], all);
			};
			const referenceAliases = new Set(
				fieldList('Person')
					.filter((s) => s.sub !== undefined)
					.map((s) => s.alias),
			);
			const qs: IDataObject = {};
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
			const searchOptions = {
				returnAll: single ? false : (this.getNodeParameter('returnAll', i, false) as boolean),
				limit: single ? 1 : (this.getNodeParameter('limit', i, 50) as number),
				simplify: options.simplify !== false,
				resolveOptionNames: options.resolveOptionNames !== false,
				optionNames,
				referenceAliases,
			};
			const read = async (prefix: 'Person' | 'Candidate') =>
				await searchRecords(client, 'resume', { field: formatFieldList(fieldList(prefix)), ...qs }, i, searchOptions);
			out.push(...(await searchWithCandidatePrefix(read, candidateFields.length > 0)));
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
