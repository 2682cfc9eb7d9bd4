/**
 * The Account resource (the LINE Official Account): setup check, bot info, quota.
 * Its operation selector, and its operations in the order their fields are listed.
 */
import type { INodeProperties } from 'n8n-workflow';
import type { LineOperation } from '../operation';
import { checkSetup } from './checkSetup';
import { getBotInfo } from './getBotInfo';
import { getQuota } from './getQuota';

export const operationSelector: INodeProperties = {
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
};

export const operations: Record<string, LineOperation> = { getBotInfo, getQuota, checkSetup };
