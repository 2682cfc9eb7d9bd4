/**
 * The retry policy of LINE requests: the user's Max Retries option and the hidden timing knobs,
 * read into a backoff policy for the transport.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../../../core/http/backoff';

/** Hidden knobs for the retry timing; tests and local runs shorten them. */
export const retryTimingProperties: INodeProperties[] = [
	{
		displayName: 'Retry Base Delay (Ms)',
		name: 'retryBaseDelayMs',
		type: 'hidden',
		default: 500,
	},
	{
		displayName: 'Retry Max Delay (Ms)',
		name: 'retryMaxDelayMs',
		type: 'hidden',
		default: 8000,
	},
];

export function retryPolicy(ctx: IExecuteFunctions, itemIndex: number): BackoffPolicy {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const maxRetries = Number(options.maxRetries ?? DEFAULT_BACKOFF.maxRetries);
	const base = Number(ctx.getNodeParameter('retryBaseDelayMs', itemIndex, DEFAULT_BACKOFF.baseDelayMs));
	const max = Number(ctx.getNodeParameter('retryMaxDelayMs', itemIndex, DEFAULT_BACKOFF.maxDelayMs));
	return {
		maxRetries: Number.isFinite(maxRetries)
			? Math.max(0, Math.min(10, Math.floor(maxRetries)))
			: DEFAULT_BACKOFF.maxRetries,
		baseDelayMs: Number.isFinite(base) && base >= 0 ? base : DEFAULT_BACKOFF.baseDelayMs,
		maxDelayMs: Number.isFinite(max) && max >= 0 ? max : DEFAULT_BACKOFF.maxDelayMs,
	};
}
