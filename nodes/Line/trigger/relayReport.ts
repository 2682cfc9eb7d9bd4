/**
 * The trigger's "Relay Failures" output. A relay finishes after LINE has been answered, so what
 * it could not deliver is not known while the event items are made; relay.ts sends the trigger a
 * signed report once the retries are over, and the report becomes an execution of its own with
 * one item per target the request did not reach.
 */
import type { INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';
import { RELAY_REPORT_HEADER, readRelayReport } from '../../../core/line/relay';

/** Two outputs while "Relay Webhook To" is set, one otherwise (what existing workflows have). */
export const TRIGGER_OUTPUTS =
	'={{ $parameter.options && $parameter.options.relayTo ? [{ "type": "main", "displayName": "Events" }, { "type": "main", "displayName": "Relay Failures" }] : ["main"] }}';

export const RELAY_FAILURES_OUTPUT = 1;

export type RelayReportRequest =
	| { kind: 'none' }
	| { kind: 'refused' }
	| { kind: 'report'; items: INodeExecutionData[] };

/** Whether this request is a relay failure report, and if so its items for the second output. */
export function readRelayReportRequest(ctx: IWebhookFunctions, channelSecret: string, rawBody: Buffer): RelayReportRequest {
	const signature = ctx.getRequestObject().headers[RELAY_REPORT_HEADER];
	if (signature === undefined) return { kind: 'none' };
	const report = readRelayReport(channelSecret, rawBody, signature, Date.now());
	if (!report) return { kind: 'refused' };
	const reportedAt = new Date(report.reportedAt).toISOString();
	return {
		kind: 'report',
		items: report.failures.map((failure) => ({
			json: {
				target: failure.target,
				status: failure.status,
				attempts: failure.attempts,
				...(failure.error ? { error: failure.error } : {}),
				eventCount: report.webhookEventIds.length,
				webhookEventIds: report.webhookEventIds,
				reportedAt,
			},
		})),
	};
}
