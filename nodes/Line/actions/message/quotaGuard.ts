/**
 * The Quota Guard of Send Message and Multicast: before the first message of a run goes out, the
 * month's limit and usage are read once, and the recipients of every item of the run are weighed
 * against them. A refused run sends nothing; "Send What Fits" serves items in input order until
 * the quota ends. Counting is in core/line/quota.ts.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { allocateQuota, describeShortfall, remainingThisMonth, totalNeeded } from '../../../../core/line/quota';
import { lineApiRequest } from '../../transport';
import type { RunState } from '../operation';

export type QuotaGuardMode = 'off' | 'refuse' | 'fit';

export const quotaGuardOption: INodeProperties = {
	displayName: 'Quota Guard',
	name: 'quotaGuard',
	type: 'options',
	default: 'off',
	description:
		"Checks LINE's monthly message limit once per run, before anything is sent. Every recipient counts as one message however many messages a request holds; a group or room counts as one here although LINE counts its members.",
	options: [
		{ name: 'Off', value: 'off', description: 'Send without checking. LINE refuses sends once the limit is reached.' },
		{
			name: 'Refuse When Over',
			value: 'refuse',
			description: 'Send nothing and stop with an error when the whole run does not fit into what is left this month',
		},
		{
			name: 'Send What Fits',
			value: 'fit',
			description: 'Send to as many recipients as fit, in input order; the others are output with sent: false and reason: quota',
		},
	],
};

export function quotaGuardMode(ctx: IExecuteFunctions, itemIndex: number): QuotaGuardMode {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const mode = options.quotaGuard;
	return mode === 'refuse' || mode === 'fit' ? mode : 'off';
}

interface Demand {
	mode: 'refuse' | 'fit';
	count: number;
}

interface Decision {
	allowed: Map<number, number>;
	refusal?: { needed: number; remaining: number; limit: number; used: number };
}

/** What the guarded items of one run need, and the one decision made for all of them. */
export class QuotaGuard {
	private readonly demands = new Map<number, Demand>();
	private decision?: Promise<Decision>;

	static forRun(run: RunState): QuotaGuard {
		return run.shared('quotaGuard', () => new QuotaGuard());
	}

	/** Called while preparing: the item will send to `count` recipients. */
	add(itemIndex: number, mode: QuotaGuardMode, count: number): void {
		if (mode !== 'off') this.demands.set(itemIndex, { mode, count });
	}

	/**
	 * How many of the item's recipients may be sent (all of them for an unguarded item). The
	 * first call reads the quota for the whole run; a refused item throws.
	 */
	async allowance(ctx: IExecuteFunctions, itemIndex: number): Promise<number> {
		const demand = this.demands.get(itemIndex);
		if (!demand) return Number.POSITIVE_INFINITY;
		this.decision ??= this.decide(ctx, itemIndex);
		const decision = await this.decision;
		if (demand.mode === 'refuse' && decision.refusal) throw refusalError(ctx, itemIndex, decision.refusal);
		return decision.allowed.get(itemIndex) ?? demand.count;
	}

	private async decide(ctx: IExecuteFunctions, itemIndex: number): Promise<Decision> {
		const [quota, consumption] = await Promise.all([
			lineApiRequest.call(ctx, { method: 'GET', path: '/v2/bot/message/quota', itemIndex }),
			lineApiRequest.call(ctx, { method: 'GET', path: '/v2/bot/message/quota/consumption', itemIndex }),
		]);
		const used = Number(consumption.body.totalUsage ?? 0);
		const quotaAnswer = { type: String(quota.body.type ?? 'none'), value: Number(quota.body.value ?? 0) };
		const remaining = remainingThisMonth(quotaAnswer, used);
		const entries = [...this.demands.entries()].sort(([a], [b]) => a - b);
		const needed = totalNeeded(entries.map(([, demand]) => demand.count));
		if (remaining === null || needed <= remaining) return { allowed: new Map() };

		// Over the limit: refusing items send nothing, so the quota goes to the others in order.
		const fitting = entries.filter(([, demand]) => demand.mode === 'fit');
		const granted = allocateQuota(fitting.map(([, demand]) => demand.count), remaining);
		return {
			allowed: new Map(fitting.map(([index], position) => [index, granted[position]])),
			refusal: { needed, remaining, limit: quotaAnswer.value, used },
		};
	}
}

function refusalError(
	ctx: IExecuteFunctions,
	itemIndex: number,
	refusal: NonNullable<Decision['refusal']>,
): NodeOperationError {
	const number = new Intl.NumberFormat('en-US');
	return new NodeOperationError(
		ctx.getNode(),
		`Nothing sent: this run ${describeShortfall(refusal.needed, refusal.remaining)}`,
		{
			itemIndex,
			description: [
				`The monthly limit of this LINE Official Account is ${number.format(refusal.limit)} messages and ${number.format(refusal.used)} are used (LINE's figure is approximate).`,
				'Send to fewer recipients, raise the plan in LINE Official Account Manager → Settings → Plan, or set Quota Guard to "Send What Fits".',
			].join(' '),
		},
	);
}
