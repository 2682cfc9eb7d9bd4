/**
 * Check Setup: the "verify settings" step of a LINE integration. The checks themselves are in
 * setupChecks.ts; this operation reports them, or fails with them when asked to.
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
} from 'n8n-workflow';
import { forOperation } from '../../../shared/displayOptions';
import { defineOperation } from '../operation';
import { runChecks } from './setupChecks';

export const description = forOperation('account', 'checkSetup', [
	{
		displayName: 'Webhook URL',
		name: 'webhookUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://n8n.example.com/webhook/1f0c…/webhook',
		description:
			'The Production URL of your LINE Trigger node (open the trigger → Webhook URLs → Production URL). It must be the URL registered at LINE.',
	},
	{
		displayName: "LINE's Webhook URL Points to a Relay",
		name: 'webhookUrlIsRelay',
		type: 'boolean',
		default: false,
		description:
			'Whether LINE sends webhooks to a LINE marketing tool (or another relay) that forwards them to the LINE Trigger, instead of to the trigger itself',
	},
	{
		displayName: 'Relay URL',
		name: 'relayUrl',
		type: 'string',
		default: '',
		placeholder: 'https://tool.example.com/line/webhook',
		description:
			"The relay's own webhook URL, as registered at LINE (for a marketing tool: its webhook URL for this channel)",
		displayOptions: { show: { webhookUrlIsRelay: [true] } },
	},
	{
		displayName: 'Send Test Webhook',
		name: 'runWebhookTest',
		type: 'boolean',
		default: true,
		description:
			'Whether to ask LINE to send a test webhook to the URL (LINE allows 60 tests per hour). The workflow with the LINE Trigger must be active.',
	},
	{
		displayName:
			'To also check that PORTERS can be reached, select a PORTERS API credential above (optional)',
		name: 'portersNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Fail on Problems',
		name: 'failOnProblems',
		type: 'boolean',
		default: false,
		description: 'Whether to stop with an error listing the failed checks, instead of only reporting them',
	},
]);

async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const results = await runChecks(this, itemIndex);
	const failed = results.filter((r) => r.status === 'fail');
	if (failed.length > 0 && this.getNodeParameter('failOnProblems', itemIndex, false) === true) {
		throw new NodeOperationError(
			this.getNode(),
			`Setup check failed: ${failed.map((r) => r.title).join(', ')}`,
			{
				itemIndex,
				description: failed.map((r) => `• ${r.message} Fix: ${r.fix ?? ''}`).join('\n'),
			},
		);
	}
	return results;
}

export const checkSetup = defineOperation({ description, prepare: () => undefined, execute });
