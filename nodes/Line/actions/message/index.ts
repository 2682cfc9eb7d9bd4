/**
 * The Message resource: push to one chat, reply to an event, multicast to many users, download
 * what a user sent.
 * Its operation selector, and its operations in the order their fields are listed.
 */
import type { INodeProperties } from 'n8n-workflow';
import type { LineOperation } from '../operation';
import { getContent } from './getContent';
import { multicast } from './multicast';
import { reply } from './reply';
import { send } from './send';

export const operationSelector: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['message'] } },
	default: 'send',
	options: [
		{
			name: 'Get Message Content',
			value: 'getContent',
			description: 'Download the image, video, audio or file a user sent, as binary data',
			action: 'Get message content',
		},
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
};

export const operations: Record<string, LineOperation> = { send, reply, multicast, getContent };
