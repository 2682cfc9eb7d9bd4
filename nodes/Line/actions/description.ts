/** The LINE node's parameters: resource, operation, and each operation's own fields. */
import type { INodeProperties } from 'n8n-workflow';
import { retryTimingProperties } from '../helpers/retryPolicy';
import { operations } from './operations';

const resource: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	default: 'message',
	options: [
		{ name: 'Account', value: 'account', description: 'The LINE Official Account: info, quota, setup check' },
		{ name: 'Chat', value: 'chat', description: 'Read status and loading animation of a chat' },
		{ name: 'Message', value: 'message', description: 'Send messages' },
		{ name: 'User', value: 'user', description: 'LINE users who are friends of the account' },
	],
};

const operationsByResource: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		default: 'send',
		options: [
			{
				name: 'Multicast',
				value: 'multicast',
				description: 'Send the same messages to many users (requests of 500 recipients)',
				action: 'Multicast a message to many users',
			},
			{
				name: 'Reply',
				value: 'reply',
				description: 'Answer an event from the LINE Trigger with its reply token (free of charge)',
				action: 'Reply to an event',
			},
			{
				name: 'Send Message',
				value: 'send',
				description: 'Push messages to a user, group or room',
				action: 'Send message',
			},
		],
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['chat'] } },
		default: 'markRead',
		options: [
			{
				name: 'Mark Read',
				value: 'markRead',
				description: "Mark a user's message and everything before it as read",
				action: 'Mark read a message',
			},
			{
				name: 'Show Loading Animation',
				value: 'showLoadingAnimation',
				description: 'Show the loading animation in a 1:1 chat',
				action: 'Show loading animation in a chat',
			},
		],
	},
	{
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
		],
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['account'] } },
		default: 'checkSetup',
		options: [
			{
				name: 'Check Setup',
				value: 'checkSetup',
				description: 'Verify the access token, webhook URL, webhook delivery and chat mode',
				action: 'Check setup of the account',
			},
			{
				name: 'Get Bot Info',
				value: 'getBotInfo',
				description: "Get the account's user ID, basic ID, name, chat mode and read mode",
				action: 'Get bot info',
			},
			{
				name: 'Get Quota',
				value: 'getQuota',
				description: "Get this month's message limit and usage",
				action: 'Get quota and usage',
			},
		],
	},
];

export const properties: INodeProperties[] = [
	resource,
	...operationsByResource,
	...Object.values(operations).flatMap((byOperation) =>
		Object.values(byOperation).flatMap((operation) => operation.description),
	),
	...retryTimingProperties,
];
