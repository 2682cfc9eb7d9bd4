/**
 * Records read from PORTERS as output items: searched page by page, option names looked up at
 * most once per run when PORTERS sent only option IDs, then flattened or kept structured
 * (core/porters/recordJson.ts).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { decodeRecord, type PortersRecord } from '../../../core/porters/codec';
import { recordNeedsOptionNames, recordOutput, type OptionNames } from '../../../core/porters/recordJson';
import type { PortersResource } from '../../../core/porters/resources';
import { readOptionNames, type PortersClient } from '../transport';

/** Option names, read from PORTERS the first time a run needs them. */
export class OptionNameCache {
	private pending?: Promise<OptionNames>;

	constructor(private readonly client: PortersClient) {}

	async get(): Promise<OptionNames> {
		this.pending ??= readOptionNames(this.client);
		return await this.pending;
	}
}

export interface SearchOptions {
	returnAll: boolean;
	limit: number;
	simplify: boolean;
	resolveOptionNames: boolean;
	optionNames: OptionNameCache;
	referenceAliases?: ReadonlySet<string>;
}

/** Reads matching records page by page (200 per request) and turns them into output items. */
export async function searchRecords(
	client: PortersClient,
	resource: PortersResource,
	qs: IDataObject,
	itemIndex: number,
	opts: SearchOptions,
): Promise<INodeExecutionData[]> {
	const records: PortersRecord[] = [];
	await client.readPages(
		resource,
		qs,
		(items) => {
			for (const item of items) records.push(decodeRecord(item));
		},
		{ limit: opts.returnAll ? undefined : opts.limit, itemIndex },
	);
	const names =
		opts.resolveOptionNames && records.some(recordNeedsOptionNames) ? await opts.optionNames.get() : undefined;
	return records.map((record) => ({
		json: recordOutput(record, {
			simplify: opts.simplify,
			referenceAliases: opts.referenceAliases,
			optionNames: names,
		}) as IDataObject,
		pairedItem: { item: itemIndex },
	}));
}
