/**
 * Fan-out: forwards a webhook LINE sent (and the trigger verified) to other URLs, such as a LINE
 * marketing tool's own webhook URL, byte for byte with LINE's `x-line-signature` and
 * `content-type`, so the tool checks LINE's signature with the same channel secret.
 *
 * The trigger starts the relay and does not wait for it: n8n answers LINE (onReceived) only after
 * webhook() resolves, and LINE gives up after 2 s. The relay then runs on in the process that
 * received the request (main, or the long-lived webhook processor in queue mode), retries what may
 * succeed later with bounded backoff, logs a warning for every target it finally gave up on, and
 * sends the trigger a signed report of those targets, which starts an execution on the trigger's
 * "Relay Failures" output (see relayReport.ts).
 */
import { sleep, type IDataObject, type IWebhookFunctions } from 'n8n-workflow';
import { backoffDelay, type BackoffPolicy } from '../../../core/http/backoff';
import {
	RELAY_REPORT_HEADER,
	relayStatusIsRetryable,
	signRelayReport,
	type RelayFailureReport,
} from '../../../core/line/relay';

export interface RelayRequest {
	rawBody: Buffer;
	signature: string;
	contentType: string;
	/** For the log: which events the failed request carried. */
	webhookEventIds: string[];
}

export interface RelaySettings {
	targets: string[];
	backoff: BackoffPolicy;
	/** Per attempt; long enough for a slow tool that does answer, so it does not get the body twice. */
	timeoutMs: number;
	/** Where failures are reported: the trigger's own production URL, signed with the channel secret. */
	reportTo?: { url: string; channelSecret: string };
}

export interface RelayOutcome {
	target: string;
	ok: boolean;
	/** The tool's last HTTP status; 0 when it never answered (refused, timed out, cut). */
	status: number;
	attempts: number;
	error?: string;
}

async function postOnce(
	ctx: IWebhookFunctions,
	target: string,
	body: Buffer,
	headers: Record<string, string>,
	timeoutMs: number,
): Promise<{ status: number; error?: string }> {
	try {
		const response = (await ctx.helpers.httpRequest({
			method: 'POST',
			url: target,
			body,
			headers,
			json: false,
			encoding: 'text',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: timeoutMs,
		})) as { statusCode: number };
		return { status: response.statusCode };
	} catch (error) {
		return { status: 0, error: (error as Error).message };
	}
}

async function relayToOne(
	ctx: IWebhookFunctions,
	target: string,
	request: RelayRequest,
	settings: RelaySettings,
): Promise<RelayOutcome> {
	let attempts = 0;
	for (;;) {
		attempts += 1;
		const headers = { 'content-type': request.contentType, 'x-line-signature': request.signature };
		const { status, error } = await postOnce(ctx, target, request.rawBody, headers, settings.timeoutMs);
		if (status >= 200 && status < 300) return { target, ok: true, status, attempts };
		const retryable = relayStatusIsRetryable(status);
		if (!retryable || attempts > settings.backoff.maxRetries) {
			return { target, ok: false, status, attempts, ...(error ? { error } : {}) };
		}
		await sleep(backoffDelay(attempts, settings.backoff));
	}
}

function warnAboutFailure(ctx: IWebhookFunctions, outcome: RelayOutcome, request: RelayRequest): void {
	const answer = outcome.status > 0 ? `HTTP ${outcome.status}` : `no answer (${outcome.error ?? 'unknown error'})`;
	const meta: IDataObject = {
		target: outcome.target,
		status: outcome.status,
		attempts: outcome.attempts,
		webhookEventIds: request.webhookEventIds,
		workflowId: ctx.getWorkflow().id,
		node: ctx.getNode().name,
	};
	// The IDs go into the text too: log output often shows only the message.
	const ids = request.webhookEventIds;
	const missed =
		ids.length === 0
			? 'a request without events (such as Verify)'
			: `${ids.length} event(s): ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}`;
	ctx.logger.warn(
		`LINE Trigger could not relay a LINE webhook to ${outcome.target}: ${answer} after ${outcome.attempts} attempt(s); the tool did not get ${missed}`,
		meta,
	);
}

/**
 * Sends the failures to the trigger's production URL, so they become an execution the user sees.
 * n8n reaches itself through its public address here (like LINE does); when it cannot, the log
 * warnings above are all that is left, and a further warning says so.
 */
async function reportFailures(
	ctx: IWebhookFunctions,
	failed: RelayOutcome[],
	request: RelayRequest,
	report: NonNullable<RelaySettings['reportTo']>,
): Promise<void> {
	const content: RelayFailureReport = {
		kind: 'lineRelayFailureReport',
		reportedAt: Date.now(),
		webhookEventIds: request.webhookEventIds,
		failures: failed.map(({ target, status, attempts, error }) => ({ target, status, attempts, ...(error ? { error } : {}) })),
	};
	const body = Buffer.from(JSON.stringify(content), 'utf8');
	const { status, error } = await postOnce(
		ctx,
		report.url,
		body,
		{ 'content-type': 'application/json', [RELAY_REPORT_HEADER]: signRelayReport(report.channelSecret, body) },
		15000,
	);
	if (status < 200 || status >= 300) {
		const answer = status > 0 ? `HTTP ${status}` : `no answer (${error ?? 'unknown error'})`;
		ctx.logger.warn(
			`LINE Trigger could not report ${failed.length} failed relay(s) to its "Relay Failures" output at ${report.url}: ${answer}. Is n8n's public webhook address reachable from n8n itself?`,
			{ url: report.url, status, workflowId: ctx.getWorkflow().id, node: ctx.getNode().name },
		);
	}
}

/**
 * Relays one request to every target at once and resolves when all are done; never rejects.
 * The trigger must not await it (see the file comment); tests and the bench do.
 */
export async function relayWebhook(
	ctx: IWebhookFunctions,
	request: RelayRequest,
	settings: RelaySettings,
): Promise<RelayOutcome[]> {
	const outcomes = await Promise.all(
		settings.targets.map(async (target) => {
			try {
				return await relayToOne(ctx, target, request, settings);
			} catch (error) {
				return { target, ok: false, status: 0, attempts: 1, error: (error as Error).message };
			}
		}),
	);
	const failed = outcomes.filter((outcome) => !outcome.ok);
	for (const outcome of failed) warnAboutFailure(ctx, outcome, request);
	if (failed.length > 0 && settings.reportTo) {
		await reportFailures(ctx, failed, request, settings.reportTo).catch((error: Error) =>
			ctx.logger.warn(`LINE Trigger could not report failed relays: ${error.message}`),
		);
	}
	return outcomes;
}
