import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import {
	formatConditions,
	formatFieldList,
	mergeFieldLists,
	parseFieldList,
	PortersSyntaxError,
} from '../../../../core/porters/fields';
import { PORTERS_RESOURCES, type PortersResource } from '../../../../core/porters/resources';
import { errorItem } from '../../../shared/errors';
import { forOperation } from '../../../shared/displayOptions';
import { OptionNameCache, searchRecords } from '../../helpers/output';
import { createClient, readRecordId } from '../../helpers/parameters';
import { readOptionsParameter, returnAllParameters } from '../descriptions';

const DEFAULT_FIELDS = 'Activity.P_Id,Activity.P_Title,Activity.P_Memo,Activity.P_FromDate';

export const description: INodeProperties[] = forOperation('activity', 'getMany', [
	{
		displayName: 'Record Type',
		name: 'attachTo',
		type: 'options',
		options: [
			{ name: 'Candidate', value: 'candidate' },
			{ name: 'Resume', value: 'resume' },
		],
		default: 'candidate',
		description: 'Kind of record whose activities to read',
	},
	{
		displayName: 'Record ID',
		name: 'recordId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 10001',
		description: 'ID of the candidate (Person.P_Id) or resume (Resume.P_Id)',
	},
	{
		displayName: 'Activity Fields',
		name: 'activityFields',
		type: 'string',
		default: DEFAULT_FIELDS,
		description: 'Comma-separated activity field aliases',
	},
	...returnAllParameters,
	readOptionsParameter,
]);

function resourceOf(attachTo: string): PortersResource {
	return attachTo === 'resume' ? 'resume' : 'candidate';
}

/**
 * The activities recorded against one record, newest first unless an Order is given. The record is named by
 * its resource number and ID (`Activity.P_Resource`, `Activity.P_ResourceId`), the way a
 * reference ID is searched elsewhere (`Resume.P_Candidate:eq=…`).
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const client = await createClient(this, this.getNodeParameter('options', 0, {}) as IDataObject);
	const optionNames = new OptionNameCache(client);
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const resource = resourceOf(this.getNodeParameter('attachTo', i, 'candidate') as string);
			const recordId = readRecordId(this, i, 'recordId', resource);
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			const fields = mergeFieldLists(
				[{ alias: 'Activity.P_Id' }],
				parseFieldList(this.getNodeParameter('activityFields', i, DEFAULT_FIELDS) as string),
			);
			const qs: IDataObject = {
				field: formatFieldList(fields),
				condition: formatConditions([
					{ alias: 'Activity.P_Resource', operator: 'eq', value: String(PORTERS_RESOURCES[resource].resourceId) },
					{ alias: 'Activity.P_ResourceId', operator: 'eq', value: String(recordId) },
				]),
			};
			qs.order = String(options.order || 'Activity.P_FromDate:desc');
			out.push(
				...(await searchRecords(client, 'activity', qs, i, {
					returnAll: this.getNodeParameter('returnAll', i, false) as boolean,
					limit: this.getNodeParameter('limit', i, 50) as number,
					simplify: options.simplify !== false,
					resolveOptionNames: options.resolveOptionNames !== false,
					optionNames,
				})),
			);
		} catch (error) {
			const e =
				error instanceof PortersSyntaxError
					? new NodeOperationError(this.getNode(), error.message, {
							itemIndex: i,
							description: 'Check the Activity Fields and the Order option.',
						})
					: error;
			if (!this.continueOnFail()) throw e;
			out.push(errorItem(e, i));
		}
	}
	return out;
}
