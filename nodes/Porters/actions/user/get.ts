import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { asNodeError, errorItem } from '../../../shared/errors';
import { forOperation } from '../../../shared/displayOptions';
import { createClient } from '../../helpers/parameters';
import { listUsers } from '../../transport';

export const description: INodeProperties[] = forOperation('user', 'get', [
	{
		displayName: 'User ID',
		name: 'userId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 5',
		description:
			"PORTERS user ID (User.P_Id), e.g. a candidate's owner (Person.P_Owner). An item whose ID is empty or unknown gets found: false.",
	},
]);

/**
 * Looks up users (name, e-mail) by ID, e.g. to notify a candidate's owner. The user list is read
 * once per run (User Read, request_type=1) whatever the number of items; every input item gets
 * exactly one output item, `found: false` when there is no such user.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	let users: Awaited<ReturnType<typeof listUsers>> | undefined;
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const wanted = String(this.getNodeParameter('userId', i, '') ?? '').trim();
			users ??= await listUsers(await createClient(this));
			const user = /^\d+$/.test(wanted) ? users.find((u) => u.id === Number(wanted)) : undefined;
			const json: IDataObject = user
				? { found: true, userId: user.id, name: user.name, mail: user.mail }
				: { found: false, userId: wanted === '' ? null : wanted };
			out.push({ json, pairedItem: { item: i } });
		} catch (caught) {
			const error = asNodeError(this.getNode(), caught, i);
			if (!this.continueOnFail()) throw error;
			out.push(errorItem(error, i));
		}
	}
	return out;
}
