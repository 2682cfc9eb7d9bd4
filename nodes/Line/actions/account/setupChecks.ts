/**
 * The checks of Check Setup, one function each. Every check gives pass, fail or skipped and, when
 * it fails, says in plain words where to fix it.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { BackoffPolicy } from '../../../../core/http/backoff';
import { compareWebhookUrls, isTestWebhookUrl } from '../../../../core/line/webhookUrl';
import { PORTERS_CREDENTIAL, checkPortersPartition } from '../../../Porters/transport';
import { stringParameter } from '../../helpers/parameters';
import { retryPolicy } from '../../helpers/retryPolicy';
import { lineApiRequest, type LineResponse } from '../../transport';

/** The checks in the order they are reported, with the title a user reads. */
const CHECK_TITLES = {
	accessToken: 'Access token works',
	webhookUrl: 'Webhook URL matches',
	webhookActive: 'Webhook is turned on',
	webhookTest: 'Test webhook is delivered',
	markAsReadMode: 'Chat allows Mark Read',
	portersPartition: 'PORTERS partition is reachable',
} as const;

export type CheckName = keyof typeof CHECK_TITLES;
export type CheckStatus = 'pass' | 'fail' | 'skipped';

export interface CheckResult extends IDataObject {
	check: CheckName;
	title: string;
	status: CheckStatus;
	message: string;
	fix: string | null;
}

const CONSOLE_WEBHOOK_URL = 'LINE Developers console → your Messaging API channel → Messaging API tab → Webhook settings → Webhook URL';
const SKIPPED_FOR_TOKEN = 'Skipped: needs a working access token.';

function result(check: CheckName, status: CheckStatus, message: string, fix?: string): CheckResult {
	return { check, title: CHECK_TITLES[check], status, message, fix: status === 'fail' ? fix ?? null : null };
}

function errorText(error: unknown): string {
	const e = error as { message?: string; description?: string };
	return [e.message, e.description].filter(Boolean).join(' — ');
}

/** What every LINE check of one run needs. */
interface LineCheckRun {
	ctx: IExecuteFunctions;
	itemIndex: number;
	backoff: BackoffPolicy;
	/** The LINE Trigger's Production URL as the user gave it; may be empty. */
	webhookUrl: string;
	/** Set when LINE's webhook URL is a relay (a marketing tool) that forwards to the trigger. */
	relay?: { url: string };
}

/** 1. The access token (everything else at LINE needs it). Gives the bot info when it works. */
async function checkAccessToken(run: LineCheckRun): Promise<{ result: CheckResult; botInfo?: IDataObject }> {
	try {
		const info = await lineApiRequest.call(run.ctx, {
			method: 'GET',
			path: '/v2/bot/info',
			acceptStatus: [401, 403],
			backoff: run.backoff,
			itemIndex: run.itemIndex,
		});
		if (info.statusCode !== 200) {
			const detail = info.body.message ? `: ${String(info.body.message)}` : '';
			return {
				result: result(
					'accessToken',
					'fail',
					`LINE did not accept the channel access token (HTTP ${info.statusCode}${detail}).`,
					'Issue a channel access token in LINE Developers console → your Messaging API channel → Messaging API tab → Channel access token, and paste it into the LINE Messaging API credential.',
				),
			};
		}
		const botInfo = info.body;
		const pass = result(
			'accessToken',
			'pass',
			`The channel access token works for the account "${String(botInfo.displayName ?? '')}" ` +
				`(${String(botInfo.basicId ?? botInfo.userId ?? '')}).`,
		);
		return { result: pass, botInfo };
	} catch (error) {
		return {
			result: result(
				'accessToken',
				'fail',
				`LINE could not be asked: ${errorText(error)}`,
				'Check the network of this n8n and the API Base URL in the LINE Messaging API credential (normally https://api.line.me).',
			),
		};
	}
}

/** The webhook settings at LINE: the registered URL ('' when none) and whether LINE uses it. */
type WebhookEndpoint = { ok: true; registered: string; active: boolean } | { ok: false; error: unknown };

async function readWebhookEndpoint(run: LineCheckRun): Promise<WebhookEndpoint> {
	let endpoint: LineResponse;
	try {
		endpoint = await lineApiRequest.call(run.ctx, {
			method: 'GET',
			path: '/v2/bot/channel/webhook/endpoint',
			acceptStatus: [404],
			backoff: run.backoff,
			itemIndex: run.itemIndex,
		});
	} catch (error) {
		return { ok: false, error };
	}
	const registered =
		endpoint.statusCode === 200 && typeof endpoint.body.endpoint === 'string' ? endpoint.body.endpoint : '';
	return { ok: true, registered, active: endpoint.body.active === true };
}

/** 2. The webhook URL registered at LINE is the LINE Trigger's Production URL. */
function checkWebhookUrl(endpoint: WebhookEndpoint, webhookUrl: string): CheckResult {
	if (!endpoint.ok) {
		const text = `LINE could not tell the registered webhook URL: ${errorText(endpoint.error)}`;
		return result('webhookUrl', 'fail', text, 'Run the check again later.');
	}
	const { registered } = endpoint;
	if (!webhookUrl) {
		return result(
			'webhookUrl',
			'fail',
			registered
				? `LINE has the webhook URL ${registered}, but no URL was given to compare it with.`
				: 'No webhook URL is registered at LINE and none was given to compare with.',
			"Copy the Production URL of your LINE Trigger node into this node's Webhook URL field.",
		);
	}
	if (!registered) {
		return result(
			'webhookUrl',
			'fail',
			'No webhook URL is set at LINE.',
			`Set it in ${CONSOLE_WEBHOOK_URL} to ${webhookUrl} (or turn on "Register Webhook URL at LINE" in the LINE Trigger and activate its workflow).`,
		);
	}
	if (registered !== webhookUrl) {
		const hint = compareWebhookUrls(registered, webhookUrl);
		return result(
			'webhookUrl',
			'fail',
			`Webhook URL does not match: LINE has ${JSON.stringify(registered)}, ` +
				`the LINE Trigger's URL is ${JSON.stringify(webhookUrl)}.${hint ? ` ${hint}` : ''}`,
			`Set it in ${CONSOLE_WEBHOOK_URL} to ${webhookUrl}.`,
		);
	}
	if (isTestWebhookUrl(webhookUrl)) {
		return result(
			'webhookUrl',
			'fail',
			'LINE has the test URL of the trigger, which only answers while the editor is listening.',
			`Register the Production URL of the LINE Trigger instead, in ${CONSOLE_WEBHOOK_URL}.`,
		);
	}
	return result('webhookUrl', 'pass', `LINE sends webhooks to ${webhookUrl}.`);
}

/** 2 (relay). LINE's webhook URL is the relay's, which is all that can be seen from here. */
function checkRelayWebhookUrl(endpoint: WebhookEndpoint, relayUrl: string, webhookUrl: string): CheckResult {
	const turnOff = 'or turn off "LINE\'s Webhook URL Points to a Relay" if LINE should send webhooks to n8n directly';
	if (!endpoint.ok) {
		const text = `LINE could not tell the registered webhook URL: ${errorText(endpoint.error)}`;
		return result('webhookUrl', 'fail', text, 'Run the check again later.');
	}
	if (!relayUrl) {
		return result(
			'webhookUrl',
			'fail',
			'"LINE\'s Webhook URL Points to a Relay" is on, but no relay URL was given.',
			`Enter the relay's webhook URL in Relay URL, ${turnOff}.`,
		);
	}
	const { registered } = endpoint;
	if (registered !== relayUrl) {
		const hint = registered ? compareWebhookUrls(registered, relayUrl) : undefined;
		const has = registered ? JSON.stringify(registered) : 'no webhook URL';
		return result(
			'webhookUrl',
			'fail',
			`LINE's webhook URL is not the relay's: LINE has ${has}, the relay's URL is ${JSON.stringify(relayUrl)}.${hint ? ` ${hint}` : ''}`,
			`Set it in ${CONSOLE_WEBHOOK_URL} to ${relayUrl}, ${turnOff}.`,
		);
	}
	const target = webhookUrl ? ` to ${webhookUrl}` : '';
	return result(
		'webhookUrl',
		'pass',
		`LINE sends webhooks to the relay ${relayUrl}. Not checked (LINE does not show it): whether the relay forwards them${target}, and unchanged — send a message to the account and look for an execution of the LINE Trigger's workflow.`,
	);
}

/** 3. "Use webhook" is on, so LINE sends events at all. */
function checkWebhookActive(endpoint: WebhookEndpoint): CheckResult {
	if (!endpoint.ok || !endpoint.registered) {
		return result('webhookActive', 'skipped', 'Skipped: no webhook URL is registered at LINE.');
	}
	if (endpoint.active) return result('webhookActive', 'pass', '"Use webhook" is on.');
	return result(
		'webhookActive',
		'fail',
		'"Use webhook" is off, so LINE sends no events at all.',
		'Turn on "Use webhook" in LINE Developers console → your Messaging API channel → Messaging API tab → Webhook settings.',
	);
}

/** 4. LINE's own delivery test to the trigger's URL. */
async function checkWebhookTest(run: LineCheckRun, runWebhookTest: boolean): Promise<CheckResult> {
	if (!runWebhookTest) return result('webhookTest', 'skipped', 'Skipped: turned off in this node.');
	if (!run.webhookUrl) return result('webhookTest', 'skipped', 'Skipped: no webhook URL given.');
	try {
		const response = await lineApiRequest.call(run.ctx, {
			method: 'POST',
			path: '/v2/bot/channel/webhook/test',
			body: { endpoint: run.webhookUrl },
			// The test is limited to 60 an hour: waiting seconds will not help, and every retry
			// would use up one more test.
			retryRateLimited: false,
			acceptStatus: [400, 404, 429],
			backoff: run.backoff,
			itemIndex: run.itemIndex,
		});
		return webhookTestResult(response, run.webhookUrl, run.relay);
	} catch (error) {
		return result(
			'webhookTest',
			'fail',
			`LINE could not run the webhook test: ${errorText(error)}`,
			'Run Check Setup again later.',
		);
	}
}

function webhookTestResult(response: LineResponse, webhookUrl: string, relay?: { url: string }): CheckResult {
	// LINE tests the trigger's own URL: a relay in between cannot be tested from here.
	const viaRelayNote = relay ? '; sent directly, not through the relay' : '';
	const body = response.body;
	if (response.statusCode === 429) {
		return result(
			'webhookTest',
			'fail',
			'LINE refused the test: at most 60 webhook tests per hour are allowed.',
			'Run Check Setup again in an hour, or turn off "Send Test Webhook".',
		);
	}
	if (response.statusCode !== 200) {
		return result(
			'webhookTest',
			'fail',
			`LINE refused to test ${webhookUrl}: ${String(body.message ?? `HTTP ${response.statusCode}`)}.`,
			'Give a public https:// URL (at most 500 characters): the Production URL of the LINE Trigger.',
		);
	}
	if (body.success === true) {
		const delivered = `LINE delivered a test webhook to ${webhookUrl} (HTTP ${String(body.statusCode)}${viaRelayNote}).`;
		return result('webhookTest', 'pass', delivered);
	}
	const status = Number(body.statusCode);
	const answered = Number.isFinite(status) && status > 0;
	const what = answered ? `n8n answered HTTP ${status}` : 'LINE could not get an answer';
	const detail = [body.reason, body.detail].filter((v) => typeof v === 'string' && v.length > 0).join(': ');
	let fix =
		'Activate the workflow that contains the LINE Trigger (its Production URL answers only while the workflow is active), and make sure this n8n is reachable from the internet over https.';
	if (status === 401 || status === 403) {
		fix =
			"The trigger rejected LINE's signature: the LINE Trigger must use a credential with this channel's Channel secret (LINE Developers console → Basic settings → Channel secret).";
	}
	const failed = `LINE's test webhook to ${webhookUrl} failed: ${what}${detail ? ` (${detail})` : ''}.`;
	return result('webhookTest', 'fail', failed, fix);
}

/** 5. Read mode: Mark Read only matters (and only works) when Chat is on. */
function checkMarkAsReadMode(botInfo: IDataObject): CheckResult {
	if (botInfo.markAsReadMode === 'manual') {
		return result(
			'markAsReadMode',
			'pass',
			'Chat is on (markAsReadMode "manual"): messages stay unread until marked read or answered.',
		);
	}
	return result(
		'markAsReadMode',
		'fail',
		`Chat is off (markAsReadMode "${String(botInfo.markAsReadMode ?? 'unknown')}"): LINE marks every message read at once, so Mark Read has no effect.`,
		'Turn on Chat in LINE Official Account Manager → Settings → Response settings (応答設定) → Chat.',
	);
}

/** 6. PORTERS, checked only when a PORTERS credential is attached to this node. */
async function checkPorters(ctx: IExecuteFunctions): Promise<CheckResult> {
	try {
		const partition = await checkPortersPartition(ctx);
		return result(
			'portersPartition',
			'pass',
			`The PORTERS credential reaches partition ${partition.partitionId} (${partition.name}).`,
		);
	} catch (error) {
		const { message, description } = error as { message?: string; description?: string };
		return result(
			'portersPartition',
			'fail',
			`PORTERS: ${message ?? String(error)}${description ? ` (${description})` : ''}`,
			"Check the Partition ID, Host, App ID and App Secret in the PORTERS API credential. PORTERS must have registered this n8n server's address for the app, and an administrator must have done the one-time grant.",
		);
	}
}

/** Runs every check in order; one that cannot run for lack of another is reported as skipped. */
export async function runChecks(ctx: IExecuteFunctions, itemIndex: number): Promise<CheckResult[]> {
	const run: LineCheckRun = {
		ctx,
		itemIndex,
		backoff: retryPolicy(ctx, itemIndex),
		webhookUrl: stringParameter(ctx, 'webhookUrl', itemIndex),
	};
	if (ctx.getNodeParameter('webhookUrlIsRelay', itemIndex, false) === true) {
		run.relay = { url: stringParameter(ctx, 'relayUrl', itemIndex) };
	}
	const runWebhookTest = ctx.getNodeParameter('runWebhookTest', itemIndex, true) as boolean;
	const token = await checkAccessToken(run);
	const results = [token.result];
	if (token.botInfo) {
		const endpoint = await readWebhookEndpoint(run);
		const urlCheck = run.relay
			? checkRelayWebhookUrl(endpoint, run.relay.url, run.webhookUrl)
			: checkWebhookUrl(endpoint, run.webhookUrl);
		results.push(urlCheck, checkWebhookActive(endpoint));
		results.push(await checkWebhookTest(run, runWebhookTest));
		results.push(checkMarkAsReadMode(token.botInfo));
	} else {
		const needToken = ['webhookUrl', 'webhookActive', 'webhookTest', 'markAsReadMode'] as const;
		results.push(...needToken.map((check) => result(check, 'skipped', SKIPPED_FOR_TOKEN)));
	}
	if (ctx.getNode().credentials?.[PORTERS_CREDENTIAL]) results.push(await checkPorters(ctx));
	return results;
}
