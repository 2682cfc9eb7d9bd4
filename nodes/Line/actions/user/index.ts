/**
 * The User resource: the profile of a LINE user.
 * Its operation selector, and its operations in the order their fields are listed.
 */
import type { INodeProperties } from 'n8n-workflow';
import type { LineOperation } from '../operation';
import { getProfile } from './getProfile';
import { getFollowerIds } from './getFollowerIds';

export const operationSelector: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['user'] } },
	default: 'getProfile',
	options: [
		{
			name: 'Get Profile',
			value: 'getProfile',
			description: "Get a user's display name, picture, status message and language",
			action: 'Get profile of a user',
		},
		{
			name: 'Get Follower IDs',
			value: 'getFollowerIds',
			description: 'Get the user IDs of all current friends (verified and premium accounts only)',
			action: 'Get follower ids',
		},
	],
};

export const operations: Record<string, LineOperation> = { getProfile, getFollowerIds };
