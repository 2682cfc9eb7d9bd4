/**
 * The Chat resource: mark a chat read, show the loading animation.
 * Its operation selector, and its operations in the order their fields are listed.
 */
import type { INodeProperties } from 'n8n-workflow';
import type { LineOperation } from '../operation';
import { markRead } from './markRead';
import { showLoadingAnimation } from './showLoadingAnimation';

export const operationSelector: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['chat'] } },
	default: 'markRead',
	options: [
		{
			name: 'Mark as Read',
			value: 'markRead',
			description: "Mark a user's message and everything before it as read",
			action: 'Mark as read',
		},
		{
			name: 'Show Loading Animation',
			value: 'showLoadingAnimation',
			description: 'Show the loading animation in a 1:1 chat',
			action: 'Show loading animation in a chat',
		},
	],
};

export const operations: Record<string, LineOperation> = { markRead, showLoadingAnimation };
