/**
 * The candidate link, LINE Login's only resource (so the node shows no Resource parameter).
 * Its operation selector, and its operations in the order their fields are listed.
 */
import type { INodeProperties } from 'n8n-workflow';
import type { LoginOperation } from '../operation';
import { generateLinkUrl } from './generateLinkUrl';
import { linkCandidate } from './linkCandidate';

export const operationSelector: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'generateLinkUrl',
	options: [
		{
			name: 'Generate Link URL',
			value: 'generateLinkUrl',
			description: 'Create a signed LINE Login URL for one candidate, to send by mail',
			action: 'Generate link URL',
		},
		{
			name: 'Link Candidate',
			value: 'linkCandidate',
			description:
				'Handle the LINE Login callback: verify the link and return the LINE user ID for the candidate',
			action: 'Link candidate',
		},
	],
};

export const operations: Record<string, LoginOperation> = { generateLinkUrl, linkCandidate };
