/**
 * Check Setup: the "verify settings" step of a LINE integration. Every check gives pass, fail or
 * skipped and, when it fails, says in plain words where to fix it.
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
} from 'n8n-workflow';
import { PORTERS_CREDENTIAL, checkPortersPartition } from '../../../Porters/transport';
import { lineApiRequest, type LineResponse } from '../../transport';
import { defineOperation, forOperation } from '../operation';
import { stringParameter } from '../../helpers/parameters';
import { retryPolicy } from '../../helpers/retryPolicy';

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

export type CheckStatus = 'pass' | 'fail' | 'skipped';

export interface CheckResult extends IDataObject {
	check: string;
	title: string;
	status: CheckStatus;
	message: string;
	fix: string | null;
}

const CONSOLE_WEBHOOK_URL = 'LINE Developers console → your Messaging API channel → Messaging API tab → Webhook settings → Webhook URL';

function result(
	check: string,
	title: string,
	status: CheckStatus,
	message: string,
	fix?: string,
): CheckResult {
	return { check, title, status, message, fix: status === 'fail' ? fix ?? null : null };
}

function errorText(error: unknown): string {
	const e = error as { message?: string; description?: string };
	return [e.message, e.description].filter(Boolean).join(' — ');
}

/** What went wrong between two URLs that should be equal, in terms a user can act on. */
export function compareWebhookUrls(registered: string, expected: string): string | undefined {
	if (registered === expected) return undefined;
	const withoutSpaces = (url: string) => url.replace(/\s+/g, '');
	if (withoutSpaces(registered) === withoutSpaces(expected)) {
		return 'They differ only in spaces or line breaks, which usually come with copying: copy the URL again without them.';
	}
	if (registered.replace(/\/+$/, '') === expected.replace(/\/+$/, '')) {
		return 'They differ only in a trailing slash.';
	}
	if (registered.includes('/webhook-test/') && !expected.includes('/webhook-test/')) {
		return 'LINE has the test URL of the trigger, which only answers while the editor is listening: register the Production URL.';
	}
	if (registered.replace(/^http:/, 'https:') === expected || expected.replace(/^http:/, 'https:') === registered) {
		return 'They differ in http versus https.';
	}
	return undefined;
}

export async function runChecks(ctx: IExecuteFunctions, itemIndex: number): Promise<CheckResult[]> {
	const backoff = retryPolicy(ctx, itemIndex);
	const webhookUrl = stringParameter(ctx, 'webhookUrl', itemIndex);
	const runWebhookTest = ctx.getNodeParameter('runWebhookTest', itemIndex, true) as boolean;
	const results: CheckResult[] = [];

	// 1. The access token (everything else at LINE needs it).
	let botInfo: IDataObject | undefined;
	try {
		const info = await lineApiRequest.call(ctx, {
			method: 'GET',
			path: '/v2/bot/info',
			acceptStatus: [401, 403],
			backoff,
			itemIndex,
		});
		if (info.statusCode === 200) {
			botInfo = info.body;
			results.push(
				result(
					'accessToken',
					'Access token works',
					'pass',
					`The channel access token works for the account "${String(botInfo.displayName ?? '')}" ` +
						`(${String(botInfo.basicId ?? botInfo.userId ?? '')}).`,
				),
			);
		} else {
			results.push(
				result(
					'accessToken',
					'Access token works',
					'fail',
					`LINE did not accept the channel access token (HTTP ${info.statusCode}${info.body.message ? `: ${String(info.body.message)}` : ''}).`,
					'Issue a channel access token in LINE Developers console → your Messaging API channel → Messaging API tab → Channel access token, and paste it into the LINE Messaging API credential.',
				),
			);
		}
	} catch (error) {
		results.push(
			result(
				'accessToken',
				'Access token works',
				'fail',
				`LINE could not be asked: ${errorText(error)}`,
				'Check the network of this n8n and the API Base URL in the LINE Messaging API credential (normally https://api.line.me).',
			),
		);
	}
	const skippedForToken = 'Skipped: needs a working access token.';

	// 2. The webhook URL registered at LINE, and whether LINE uses it.
	if (!botInfo) {
		results.push(result('webhookUrl', 'Webhook URL matches', 'skipped', skippedForToken));
		results.push(result('webhookActive', 'Webhook is turned on', 'skipped', skippedForToken));
	} else {
		let endpoint: LineResponse | undefined;
		let endpointError: unknown;
		try {
			endpoint = await lineApiRequest.call(ctx, {
				method: 'GET',
				path: '/v2/bot/channel/webhook/endpoint',
				acceptStatus: [404],
				backoff,
				itemIndex,
			});
		} catch (error) {
			endpointError = error;
		}
		const registered =
			endpoint && endpoint.statusCode === 200 && typeof endpoint.body.endpoint === 'string'
				? endpoint.body.endpoint
				: '';
		if (endpointError) {
			const text = `LINE could not tell the registered webhook URL: ${errorText(endpointError)}`;
			results.push(result('webhookUrl', 'Webhook URL matches', 'fail', text, 'Run the check again later.'));
		} else if (!webhookUrl) {
			results.push(
				result(
					'webhookUrl',
					'Webhook URL matches',
					'fail',
					registered
						? `LINE has the webhook URL ${registered}, but no URL was given to compare it with.`
						: 'No webhook URL is registered at LINE and none was given to compare with.',
					"Copy the Production URL of your LINE Trigger node into this node's Webhook URL field.",
				),
			);
		} else if (!registered) {
			results.push(
				result(
					'webhookUrl',
					'Webhook URL matches',
					'fail',
					'No webhook URL is set at LINE.',
					`Set it in ${CONSOLE_WEBHOOK_URL} to ${webhookUrl} (or turn on "Register Webhook URL at LINE" in the LINE Trigger and activate its workflow).`,
				),
			);
		} else if (registered !== webhookUrl) {
			const hint = compareWebhookUrls(registered, webhookUrl);
			results.push(
				result(
					'webhookUrl',
					'Webhook URL matches',
					'fail',
					`Webhook URL does not match: LINE has ${JSON.stringify(registered)}, ` +
						`the LINE Trigger's URL is ${JSON.stringify(webhookUrl)}.${hint ? ` ${hint}` : ''}`,
					`Set it in ${CONSOLE_WEBHOOK_URL} to ${webhookUrl}.`,
				),
			);
		} else if (webhookUrl.includes('/webhook-test/')) {
			results.push(
				result(
					'webhookUrl',
					'Webhook URL matches',
					'fail',
					'LINE has the test URL of the trigger, which only answers while the editor is listening.',
					`Register the Production URL of the LINE Trigger instead, in ${CONSOLE_WEBHOOK_URL}.`,
				),
			);
		} else {
			results.push(
				result('webhookUrl', 'Webhook URL matches', 'pass', `LINE sends webhooks to ${webhookUrl}.`),
			);
		}

		if (endpointError || !registered) {
			const why = 'Skipped: no webhook URL is registered at LINE.';
			results.push(result('webhookActive', 'Webhook is turned on', 'skipped', why));
		} else if (endpoint?.body.active === true) {
			results.push(result('webhookActive', 'Webhook is turned on', 'pass', '"Use webhook" is on.'));
		} else {
			results.push(
				result(
					'webhookActive',
					'Webhook is turned on',
					'fail',
					'"Use webhook" is off, so LINE sends no events at all.',
					'Turn on "Use webhook" in LINE Developers console → your Messaging API channel → Messaging API tab → Webhook settings.',
				),
			);
		}
	}

	// 3. LINE's own delivery test to the trigger's URL.
	if (!botInfo) {
		results.push(result('webhookTest', 'Test webhook is delivered', 'skipped', skippedForToken));
	} else if (!runWebhookTest) {
		results.push(result('webhookTest', 'Test webhook is delivered', 'skipped', 'Skipped: turned off in this node.'));
	} else if (!webhookUrl) {
		results.push(result('webhookTest', 'Test webhook is delivered', 'skipped', 'Skipped: no webhook URL given.'));
	} else {
		results.push(await webhookTest(ctx, itemIndex, webhookUrl));
	}

	// 4. Read mode: Mark Read only matters (and only works) when Chat is on.
	if (!botInfo) {
		results.push(result('markAsReadMode', 'Chat allows Mark Read', 'skipped', skippedForToken));
	} else if (botInfo.markAsReadMode === 'manual') {
		results.push(
			result('markAsReadMode', 'Chat allows Mark Read', 'pass', 'Chat is on (markAsReadMode "manual"): messages stay unread until marked read or answered.'),
		);
	} else {
		results.push(
			result(
				'markAsReadMode',
				'Chat allows Mark Read',
				'fail',
				`Chat is off (markAsReadMode "${String(botInfo.markAsReadMode ?? 'unknown')}"): LINE marks every message read at once, so Mark Read has no effect.`,
				'Turn on Chat in LINE Official Account Manager → Settings → Response settings (応答設定) → Chat.',
			),
		);
	}

	// 5. PORTERS, only when a PORTERS credential is attached to this node.
	if (ctx.getNode().credentials?.[PORTERS_CREDENTIAL]) results.push(await portersCheck(ctx));
	return results;
}

async function portersCheck(ctx: IExecuteFunctions): Promise<CheckResult> {
	const title = 'PORTERS partition is reachable';
	try {
		const partition = await checkPortersPartition(ctx);
		return result(
			'portersPartition',
			title,
			'pass',
			`The PORTERS credential reaches partition ${partition.partitionId} (${partition.name}).`,
		);
	} catch (error) {
		const { message, description } = error as { message?: string; description?: string };
		return result(
			'portersPartition',
			title,
			'fail',
			`PORTERS: ${message ?? String(error)}${description ? ` (${description})` : ''}`,
			"Check the Partition ID, Host, App ID and App Secret in the PORTERS API credential. PORTERS must have registered this n8n server's address for the app, and an administrator must have done the one-time grant.",
		);
	}
}

async function webhookTest(
	ctx: IExecuteFunctions,
	itemIndex: number,
	webhookUrl: string,
): Promise<CheckResult> {
	const title = 'Test webhook is delivered';
	try {
		const response = await lineApiRequest.call(ctx, {
			method: 'POST',
			path: '/v2/bot/channel/webhook/test',
			body: { endpoint: webhookUrl },
			// The test is limited to 60 an hour: waiting seconds will not help, and every retry
			// would use up one more test.
			retryRateLimited: false,
			acceptStatus: [400, 404, 429],
			backoff: retryPolicy(ctx, itemIndex),
			itemIndex,
		});
		const body = response.body;
		if (response.statusCode === 429) {
			return result(
				'webhookTest',
				title,
				'fail',
				'LINE refused the test: at most 60 webhook tests per hour are allowed.',
				'Run Check Setup again in an hour, or turn off "Send Test Webhook".',
			);
		}
		if (response.statusCode !== 200) {
			return result(
				'webhookTest',
				title,
				'fail',
				`LINE refused to test ${webhookUrl}: ${String(body.message ?? `HTTP ${response.statusCode}`)}.`,
				'Give a public https:// URL (at most 500 characters): the Production URL of the LINE Trigger.',
			);
		}
		if (body.success === true) {
			const delivered = `LINE delivered a test webhook to ${webhookUrl} (HTTP ${String(body.statusCode)}).`;
			return result('webhookTest', title, 'pass', delivered);
		}
		const status = Number(body.statusCode);
		const answered = Number.isFinite(status) && status > 0;
		const what = answered
			? `n8n answered HTTP ${status}`
			: 'LINE could not get an answer';
		const detail = [body.reason, body.detail].filter((v) => typeof v === 'string' && v.length > 0).join(': ');
		let fix =
			'Activate the workflow that contains the LINE Trigger (its Production URL answers only while the workflow is active), and make sure this n8n is reachable from the internet over https.';
		if (status === 401 || status === 403) {
			fix =
				"The trigger rejected LINE's signature: the LINE Trigger must use a credential with this channel's Channel secret (LINE Developers console → Basic settings → Channel secret).";
		}
		const failed = `LINE's test webhook to ${webhookUrl} failed: ${what}${detail ? ` (${detail})` : ''}.`;
		return result('webhookTest', title, 'fail', failed, fix);
	} catch (error) {
		return result(
			'webhookTest',
			title,
			'fail',
			`LINE could not run the webhook test: ${errorText(error)}`,
			'Run Check Setup again later.',
		);
	}
}

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
