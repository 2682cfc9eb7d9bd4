/**
 * The LINE Trigger's options for living beside a LINE marketing tool: relaying LINE's webhooks to
 * the tool (n8n owns the webhook URL), and accepting requests a tool forwards without LINE's
 * signature (the tool owns the URL and rewrites the body). Their properties, how they are read,
 * and the authentication of one request.
 */
import type { INodeProperties, IWebhookFunctions } from 'n8n-workflow';
import { DEFAULT_BACKOFF } from '../../../core/http/backoff';
import { parseRelayTargets, sharedSecretMatches } from '../../../core/line/relay';
import { checkLineSignature, type SignatureCheck } from '../../../core/line/signature';
import type { RelaySettings } from './relay';

export const relayOptionProperties: INodeProperties[] = [
	{
		displayName: 'Relay Webhook To',
		name: 'relayTo',
		type: 'string',
		default: '',
		placeholder: 'https://tool.example.com/line/webhook',
		description:
			"URLs (separated by commas) that get every request LINE sends to this trigger — also Verify and event types this workflow does not select — unchanged, with LINE's signature, so a LINE marketing tool keeps working while LINE's webhook URL points to n8n. Only requests with a valid LINE signature are relayed. LINE gets its answer without waiting for them; a failed relay is retried a few times, then written to n8n's log as a warning and reported on the trigger's second output, Relay Failures (an execution of its own, one item per URL, seconds to a minute later).",
	},
	{
		displayName: 'Accept Forwarded Requests With Shared Secret',
		name: 'forwardedSecret',
		type: 'fixedCollection',
		default: {},
		placeholder: 'Add shared secret',
		description:
			"Only for a marketing tool that forwards LINE's events with a changed body or without LINE's signature. Requests that carry this secret are accepted without the LINE signature check. Trade-off: anyone who learns the secret can start this workflow with made-up events, and they cannot be relayed on. A tool that forwards LINE's bytes and signature unchanged needs no secret.",
		options: [
			{
				displayName: 'Shared Secret',
				name: 'values',
				values: [
					{
						displayName: 'Secret',
						name: 'secret',
						type: 'string',
						typeOptions: { password: true },
						default: '',
						description: 'A long random value (32 characters or more) that you also enter in the tool',
					},
					{
						displayName: 'Sent In',
						name: 'secretIn',
						type: 'options',
						default: 'header',
						options: [
							{ name: 'Header', value: 'header' },
							{ name: 'Query Parameter', value: 'query' },
						],
						description: 'Where the tool puts the secret. A header does not end up in access logs, a query parameter may.',
					},
					{
						displayName: 'Header or Query Parameter Name',
						name: 'fieldName',
						type: 'string',
						default: 'x-relay-secret',
						description: 'Name of the header or query parameter that carries the secret',
					},
				],
			},
		],
	},
];

/** Hidden knobs for the relay's timing; tests, the bench and local runs shorten them. */
export const relayTimingProperties: INodeProperties[] = [
	{ displayName: 'Relay Retries', name: 'relayRetries', type: 'hidden', default: 3 },
	{ displayName: 'Relay Retry Base Delay (Ms)', name: 'relayRetryBaseDelayMs', type: 'hidden', default: 1000 },
	{ displayName: 'Relay Retry Max Delay (Ms)', name: 'relayRetryMaxDelayMs', type: 'hidden', default: 8000 },
	{ displayName: 'Relay Timeout (Ms)', name: 'relayTimeoutMs', type: 'hidden', default: 15000 },
];

interface ArrangementOptions {
	relayTo?: string;
	forwardedSecret?: { values?: { secret?: string; secretIn?: 'header' | 'query'; fieldName?: string } };
}

function numberParameter(ctx: IWebhookFunctions, name: string, fallback: number): number {
	const value = Number(ctx.getNodeParameter(name, fallback));
	return Number.isFinite(value) && value >= 0 ? value : fallback;
}

/**
 * The relay targets and timing, or undefined when relaying is off. Bad URLs are an error to see.
 * Failures are reported to the production URL only for production requests: a test URL listens
 * for one request, and the report would start the active workflow instead.
 */
export function relaySettings(
	ctx: IWebhookFunctions,
	options: ArrangementOptions,
	channelSecret: string,
): RelaySettings | undefined {
	const { targets, invalid } = parseRelayTargets(options.relayTo ?? '');
	if (invalid.length > 0) {
		ctx.logger.warn(`LINE Trigger: "Relay Webhook To" has entries that are not http(s) URLs and are skipped: ${invalid.join(', ')}`);
	}
	if (targets.length === 0) return undefined;
	const reportUrl = ctx.getNodeWebhookUrl('default');
	return {
		targets,
		backoff: {
			maxRetries: Math.min(10, Math.floor(numberParameter(ctx, 'relayRetries', 3))),
			baseDelayMs: numberParameter(ctx, 'relayRetryBaseDelayMs', 1000),
			maxDelayMs: numberParameter(ctx, 'relayRetryMaxDelayMs', DEFAULT_BACKOFF.maxDelayMs),
		},
		timeoutMs: numberParameter(ctx, 'relayTimeoutMs', 15000),
		...(reportUrl && ctx.getMode() !== 'manual' ? { reportTo: { url: reportUrl, channelSecret } } : {}),
	};
}

/** How a request proved it comes from LINE: its signature, or the tool's shared secret. */
export type RequestAuthentication =
	| { accepted: true; by: 'lineSignature' | 'sharedSecret' }
	| { accepted: false; signature: SignatureCheck; secretChecked: boolean };

export function authenticateRequest(
	ctx: IWebhookFunctions,
	channelSecret: string,
	rawBody: Buffer,
	options: ArrangementOptions,
): RequestAuthentication {
	const request = ctx.getRequestObject();
	const signature = checkLineSignature(channelSecret, rawBody, request.headers['x-line-signature']);
	if (signature === 'valid') return { accepted: true, by: 'lineSignature' };
	const shared = options.forwardedSecret?.values;
	if (!shared) return { accepted: false, signature, secretChecked: false };
	const name = (shared.fieldName || 'x-relay-secret').trim();
	const received =
		shared.secretIn === 'query'
			? (ctx.getQueryData() as Record<string, string | string[] | undefined>)[name]
			: request.headers[name.toLowerCase()];
	if (sharedSecretMatches(shared.secret ?? '', received)) return { accepted: true, by: 'sharedSecret' };
	return { accepted: false, signature, secretChecked: true };
}
