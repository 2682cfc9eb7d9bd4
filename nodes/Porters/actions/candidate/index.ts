import type { INodeProperties } from 'n8n-workflow';

import type { PortersOperation } from '../router';
import * as create from './create';
import * as find from './find';
import * as linkLineUserId from './linkLineUserId';
import * as getLineAudience from './getLineAudience';
import * as update from './update';
import * as upsert from './upsert';

export const operationSelector: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['candidate'] } },
	options: [
		{
			name: 'Create Candidate',
			value: 'create',
			description: 'Create a candidate (個人連絡先) for each item, e.g. with a LINE user ID',
			action: 'Create candidate',
		},
		{
			name: 'Find Candidate',
			value: 'find',
			description: 'Find candidates by LINE user ID, e-mail, ID or a condition',
			action: 'Find candidate',
		},
		{
			name: 'Get LINE Audience',
			value: 'getLineAudience',
			description:
				'Turn a candidate or resume search into LINE recipients for Multicast: each LINE user once, in batches of 500, with the candidates left out (no LINE user ID, blocked) counted',
			action: 'Get LINE audience',
		},
		{
			name: 'Link LINE User ID',
			value: 'linkLineUserId',
			description:
				'Give a LINE user ID to this candidate only, e.g. after LINE Login: other candidates holding it are merged (friend-add only) or flagged for review',
			action: 'Link LINE user ID',
		},
		{
			name: 'Update Candidate',
			value: 'update',
			description: 'Change fields of an existing candidate, e.g. mark as blocked on LINE',
			action: 'Update candidate',
		},
		{
			name: 'Upsert Candidate by LINE User ID',
			value: 'upsertByLineUserId',
			description:
				'Update the candidate with this LINE user ID, or create one if there is none (safe for repeated follow events)',
			action: 'Upsert candidate by LINE user ID',
		},
	],
	default: 'upsertByLineUserId',
};

/** The operations' parameters, in the order the editor shows them. */
export const parameters: INodeProperties[] = [
	...create.description,
	...update.description,
	...upsert.description,
	...find.description,
	...linkLineUserId.description,
	...getLineAudience.description,
];

export const operations: Record<string, PortersOperation> = {
	create,
	update,
	upsertByLineUserId: upsert,
	find,
	linkLineUserId,
	getLineAudience,
};
