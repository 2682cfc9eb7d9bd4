/**
 * What a LINE operation is: a description and two steps, run by the router. Every operation file
 * exports one `defineOperation(...)`; its fields are shown through `forOperation`
 * (nodes/shared/displayOptions.ts).
 */
import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/**
 * One operation in two steps. `prepare` reads and checks an item's parameters without any
 * request; the router prepares every item before the first request, so bad input anywhere
 * stops the run before anything is sent. `execute` then talks to LINE and gives the item's
 * results (the router adds `pairedItem`).
 */
export interface LineOperation<Prepared = unknown> {
	description: INodeProperties[];
	prepare: (this: IExecuteFunctions, itemIndex: number, run: RunState) => Prepared;
	execute: (this: IExecuteFunctions, itemIndex: number, prepared: Prepared) => Promise<OperationResult[]>;
}

/** An output item that carries files besides its JSON (e.g. downloaded message content). */
export class ItemWithBinary {
	constructor(
		readonly json: IDataObject,
		readonly binary: IBinaryKeyData,
	) {}
}

/** A plain object becomes an item's JSON; `ItemWithBinary` keeps its files. */
export type OperationResult = IDataObject | ItemWithBinary;

/** What the items of one node run share while they are prepared. */
export class RunState {
	private readonly seen = new Map<string, number>();
	private readonly sharedValues = new Map<string, unknown>();

	/**
	 * One object for the whole run under `name`, made on first use: lets an operation collect
	 * what every item needs while preparing (e.g. the quota a run will use) and act on it once.
	 */
	shared<T>(name: string, create: () => T): T {
		if (!this.sharedValues.has(name)) this.sharedValues.set(name, create());
		return this.sharedValues.get(name) as T;
	}

	/** 0 the first time a key is seen in this run, then 1, 2, … */
	occurrence(key: string): number {
		const count = this.seen.get(key) ?? 0;
		this.seen.set(key, count + 1);
		return count;
	}
}

export function defineOperation<Prepared>(operation: LineOperation<Prepared>): LineOperation {
	return operation as unknown as LineOperation;
}

