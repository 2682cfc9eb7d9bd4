import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { checkAlias, checkLineUserId, readFieldValues, readRecordId } from '../../helpers/parameters';
import { planAndWriteItems } from '../../helpers/writeBatch';
import { fieldValuesParameter, lineUserIdFieldParameter, writeOptionsParameter } from '../descriptions';
import { forOperation } from '../../../shared/displayOptions';

export const description: INodeProperties[] = forOperation('candidate', 'update', [
	{
		displayName: 'Candidate ID',
		name: 'candidateId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 10001',
		description: 'PORTERS candidate ID (Person.P_Id) of the candidate to change',
	},
	lineUserIdFieldParameter(false),
	{
		displayName: 'LINE User ID',
		name: 'lineUserId',
		type: 'string',
		default: '',
		description:
			'LINE user ID to store in the LINE user ID field, e.g. after Link Candidate. Leave empty to keep the current value.',
	},
	fieldValuesParameter('getCandidateFields'),
	writeOptionsParameter,
]);

/**
 * Changes existing candidates; fields that are not listed stay as they are. To mark a candidate
 * as blocked on LINE, set the field your PORTERS uses for it (the sandbox has the option field
 * Person.U_3943E30B5FAC0675FBA4FD084D516F with Option.U_LineBlocked / Option.U_LineFollowing).
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await planAndWriteItems(this, items, 'candidate', (i) => {
		const id = readRecordId(this, i, 'candidateId', 'candidate');
		const fields = readFieldValues(this, i, 'Person');
		const lineUserId = String(this.getNodeParameter('lineUserId', i, '') ?? '').trim();
		if (lineUserId !== '') {
			const lineField = checkAlias(this, this.getNodeParameter('lineUserIdField', i, '') as string, 'Person', i);
			checkLineUserId(this, lineUserId, i);
			fields.push([lineField, lineUserId]);
		}
		if (fields.length === 0) {
			throw new NodeOperationError(this.getNode(), 'Nothing to update', {
				itemIndex: i,
				description: 'Add at least one field (or a LINE user ID) to write.',
			});
		}
		return { id, fields };
	});
}
