/**
 * Pure pieces of living beside a LINE marketing tool: the list of URLs a webhook is relayed to
 * (fan-out), whether a failed relay is worth another attempt, and the shared secret a tool that
 * rewrites LINE's body sends instead of LINE's signature (fan-in), and the signed report of a
 * relay that failed.
 */
import { createHash, createHmac, timingSafeEqual } from 'crypto';

/**
 * The relay targets from what the user typed: URLs separated by commas, spaces or new lines,
 * each http(s), each once. Anything else is reported, never silently dropped.
 */
export function parseRelayTargets(text: string): { targets: string[]; invalid: string[] } {
	const targets: string[] = [];
	const invalid: string[] = [];
	for (const part of text.split(/[\s,]+/).filter((p) => p.length > 0)) {
		let url: URL;
		try {
			url = new URL(part);
		} catch {
			invalid.push(part);
			continue;
		}
		if (url.protocol !== 'https:' && url.protocol !== 'http:') invalid.push(part);
		else if (!targets.includes(part)) targets.push(part);
	}
	return { targets, invalid };
}

/**
 * Whether another attempt may help: no answer at all (0), a timeout, rate limiting or a server
 * error. Other 4xx answers (such as the tool rejecting the signature) will not change.
 */
export function relayStatusIsRetryable(status: number): boolean {
	return status === 0 || status === 408 || status === 429 || status >= 500;
}

/**
 * Compares the shared secret a forwarding tool sent with the configured one in constant time.
 * Both sides are hashed first, so neither the content nor the length of the secret leaks through
 * timing. An empty configured secret never matches: "no secret" must not mean "no check".
 */
export function sharedSecretMatches(configured: string, received: string | string[] | undefined): boolean {
	if (configured.length === 0 || typeof received !== 'string' || received.length === 0) return false;
	const expected = createHash('sha256').update(configured, 'utf8').digest();
	const given = createHash('sha256').update(received, 'utf8').digest();
	return timingSafeEqual(expected, given);
}

/**
 * Relay failure reports. A relay ends after LINE has its answer, so its outcome cannot be on the
 * event items; the trigger sends itself a report instead, which becomes an execution on its
 * "Relay Failures" output. The report is signed with the channel secret under its own header and
 * a prefix, so a LINE signature can never pass as a report signature or the other way round.
 */
export const RELAY_REPORT_HEADER = 'x-line-relay-report-signature';
const REPORT_SIGNATURE_PREFIX = 'line-relay-failure-report\n';
/** A report older than this (or dated in the future beyond the skew) is refused as a replay. */
const REPORT_MAX_AGE_MS = 10 * 60 * 1000;
const REPORT_MAX_SKEW_MS = 60 * 1000;

export interface RelayFailure {
	target: string;
	/** The tool's last HTTP status; 0 when it never answered. */
	status: number;
	attempts: number;
	error?: string;
}

export interface RelayFailureReport {
	kind: 'lineRelayFailureReport';
	reportedAt: number;
	/** The events of the request the tool(s) did not get; empty for Verify. */
	webhookEventIds: string[];
	failures: RelayFailure[];
}

export function signRelayReport(channelSecret: string, body: Buffer): string {
	return createHmac('sha256', channelSecret).update(REPORT_SIGNATURE_PREFIX).update(body).digest('base64');
}

/**
 * The report in `body` when its signature is right and it is fresh; undefined otherwise.
 * `now` is passed in so the check is testable.
 */
export function readRelayReport(
	channelSecret: string,
	body: Buffer,
	signature: string | string[] | undefined,
	now: number,
): RelayFailureReport | undefined {
	if (channelSecret.length === 0 || typeof signature !== 'string') return undefined;
	const expected = Buffer.from(signRelayReport(channelSecret, body), 'base64');
	const given = Buffer.from(signature, 'base64');
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
	let report: RelayFailureReport;
	try {
		report = JSON.parse(body.toString('utf8')) as RelayFailureReport;
	} catch {
		return undefined;
	}
	if (report?.kind !== 'lineRelayFailureReport' || typeof report.reportedAt !== 'number') return undefined;
	if (!Array.isArray(report.failures) || !Array.isArray(report.webhookEventIds)) return undefined;
	if (report.reportedAt < now - REPORT_MAX_AGE_MS || report.reportedAt > now + REPORT_MAX_SKEW_MS) return undefined;
	return report;
}
