import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { checkAlias, checkLineUserId, readFieldValues, readOwner } from '../../helpers/parameters';
import { planAndWriteItems } from '../../helpers/writeBatch';
import { fieldValuesParameter, lineUserIdFieldParameter, ownerParameter, writeOptionsParameter } from '../descriptions';
import { forOperation } from '../../../shared/displayOptions';

export const description: INodeProperties[] = forOperation('candidate', 'create', [
	ownerParameter(
		"PORTERS user who owns the new candidate (required by PORTERS). Leave empty to use the credential's Default Owner User ID.",
	),
	lineUserIdFieldParameter(false),
	{
		displayName: 'LINE User ID',
		name: 'lineUserId',
		type: 'string',
		default: '',
		placeholder: 'e.g. U4af4980629…',
		description: 'LINE user ID to store in the LINE user ID field (from the LINE Trigger or Get Profile)',
	},
	fieldValuesParameter('getCandidateFields'),
	writeOptionsParameter,
]);

/**
 * Creates one candidate per input item (`Person.P_Id = -1`), up to 200 per request. It does not
 * look for an existing candidate first: use Upsert Candidate by LINE User ID for LINE follows.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const lineIds = new Map<number, string>();
	return await planAndWriteItems(
		this,
		items,
		'candidate',
		(i, client) => {
			const owner = readOwner(this, i, client, true) as number;
			const fields = readFieldValues(this, i, 'Person');
			const lineUserId = String(this.getNodeParameter('lineUserId', i, '') ?? '').trim();
			if (lineUserId !== '') {
				const lineField = checkAlias(this, this.getNodeParameter('lineUserIdField', i, '') as string, 'Person', i);
				checkLineUserId(this, lineUserId, i);
				fields.push([lineField, lineUserId]);
				lineIds.set(i, lineUserId);
			}
			if (!fields.some(([alias]) => alias === 'Person.P_Owner')) fields.unshift(['Person.P_Owner', owner]);
			return { id: -1, fields };
		},
		(json, i) => {
			if (lineIds.has(i)) json.lineUserId = lineIds.get(i);
		},
	);
}
