import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { formatPortersDateTime } from '../../../../core/porters/fields';
import { PORTERS_RESOURCES, type PortersResource } from '../../../../core/porters/resources';
import { readFieldValues, readOwner, readRecordId } from '../../helpers/parameters';
import { planAndWriteItems, type PlannedWrite } from '../../helpers/writeBatch';
import { fieldValuesParameter, ownerParameter, writeOptionsParameter } from '../descriptions';
import { forOperation } from '../../../shared/displayOptions';

/** The kinds of record an activity can belong to (Activity.P_Resource). */
const ATTACHABLE: readonly PortersResource[] = ['candidate', 'resume'];

export const description: INodeProperties[] = forOperation('activity', 'create', [
	{
		displayName: 'Record Type',
		name: 'attachTo',
		type: 'options',
		options: [
			{ name: 'Candidate', value: 'candidate' },
			{ name: 'Resume', value: 'resume' },
		],
		default: 'candidate',
		description: 'Kind of record the activity is recorded against',
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
		displayName: 'Title',
		name: 'title',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. LINE message from candidate',
	},
	{
		displayName: 'Memo',
		name: 'memo',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'Text of the activity, e.g. the LINE message',
	},
	{
		displayName: 'Date',
		name: 'date',
		type: 'dateTime',
		default: '',
		description: 'When it happened (Activity.P_FromDate). Empty means now. Stored in UTC, as PORTERS requires.',
	},
	ownerParameter("PORTERS user who owns the activity. Leave empty to use the credential's Default Owner User ID."),
	fieldValuesParameter('getActivityFields', 'Additional Fields'),
	writeOptionsParameter,
]);

function attachableOrCandidate(attachTo: string): PortersResource {
	return ATTACHABLE.find((resource) => resource === attachTo) ?? 'candidate';
}

/** Records an activity (a contact record) against a candidate or resume, e.g. an incoming LINE message. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await planAndWriteItems(this, items, 'activity', (i, client) => {
		const attachTo = this.getNodeParameter('attachTo', i, 'candidate') as string;
		const recordId = readRecordId(this, i, 'recordId', attachTo);
		const owner = readOwner(this, i, client, true) as number;
		const title = String(this.getNodeParameter('title', i, '') ?? '');
		const memo = String(this.getNodeParameter('memo', i, '') ?? '');
		const dateRaw = this.getNodeParameter('date', i, '') as string;
		const date = dateRaw ? new Date(dateRaw) : new Date();
		if (Number.isNaN(date.getTime())) {
			throw new NodeOperationError(this.getNode(), `"${dateRaw}" is not a date`, { itemIndex: i });
		}
		const extra = readFieldValues(this, i, 'Activity');
		// Aliases from PORTERS's official Activity Field List
		// (https://hrbcapi.porters.jp/hc/en-us/articles/115008016707): P_Owner and P_Title are
		// required on create; P_Resource is the resource number, P_ResourceId the record's ID only.
		const fields: PlannedWrite['fields'] = [
			['Activity.P_Owner', owner],
			['Activity.P_Title', title],
			['Activity.P_Resource', PORTERS_RESOURCES[attachableOrCandidate(attachTo)].resourceId],
			['Activity.P_ResourceId', recordId],
			['Activity.P_FromDate', formatPortersDateTime(date)],
		];
		if (memo !== '') fields.push(['Activity.P_Memo', memo]);
		const merged = new Map(fields);
		for (const [alias, value] of extra) merged.set(alias, value);
		return { id: -1, fields: [...merged.entries()] };
	});
}
