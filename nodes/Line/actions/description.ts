/** The LINE node's parameters: resource, operation, and each operation's own fields. */
import type { INodeProperties } from 'n8n-workflow';
import { retryTimingProperties } from '../helpers/retryPolicy';
import * as account from './account';
import * as chat from './chat';
import * as message from './message';
import * as replyLink from './replyLink';
import * as user from './user';

const resource: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	default: 'message',
	options: [
		{ name: 'Account', value: 'account', description: 'The LINE Official Account: info, quota, setup check' },
		{ name: 'Chat', value: 'chat', description: 'Read status and loading animation of a chat' },
		{ name: 'Message', value: 'message', description: 'Send messages, download what users sent' },
		{
			name: 'Reply Link',
			value: 'replyLink',
			description: 'Signed, expiring links to a reply page for recruiters',
		},
		{ name: 'User', value: 'user', description: 'LINE users who are friends of the account' },
	],
};

/** In the order of the panel: first every operation selector, then every operation's fields. */
const resources = [message, chat, user, account, replyLink];

export const operationSelectors: INodeProperties[] = resources.map((r) => r.operationSelector);

export const properties: INodeProperties[] = [
	resource,
	...operationSelectors,
	...resources.flatMap((r) => Object.values(r.operations).flatMap((operation) => operation.description)),
	...retryTimingProperties,
];
