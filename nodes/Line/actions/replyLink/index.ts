/**
 * The Reply Link resource: signed, expiring links to a reply page for recruiters, and their check.
 * Its operation selector, and its operations in the order their fields are listed.
 */
import type { INodeProperties } from 'n8n-workflow';
import type { LineOperation } from '../operation';
import { create } from './create';
import { verify } from './verify';

export const operationSelector: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['replyLink'] } },
	default: 'create',
	options: [
		{
			name: 'Create Reply Link',
			value: 'create',
			description: 'Make a signed, expiring link to the reply page for one candidate',
			action: 'Create reply link',
		},
		{
			name: 'Verify Reply Link',
			value: 'verify',
			description: 'Check the token of a reply link: genuine, not changed and not expired',
			action: 'Verify reply link',
		},
	],
};

export const operations: Record<string, LineOperation> = { create, verify };
