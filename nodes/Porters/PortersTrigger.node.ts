import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

import { decodeRecord, type PortersRecord } from '../../core/porters/codec';
import {
	formatConditions,
	formatFieldList,
	mergeFieldLists,
	parseConditions,
	parseFieldList,
	type Condition,
	type FieldSpec,
} from '../../core/porters/fields';
import { PORTERS_BACKOFF } from '../../core/porters/pacing';
import { PollCursor, startingCursor } from '../../core/porters/pollCursor';
import { recordNeedsOptionNames, recordOutput } from '../../core/porters/recordJson';
import { PORTERS_RESOURCES } from '../../core/porters/resources';
import { retryDelayParameter } from './actions/descriptions';
import { getCandidateFields } from './methods/loadOptions';
import { PortersClient, readOptionNames } from './transport';

/** Fields returned when the Fields parameter is empty, per watched resource. */
const DEFAULT_FIELDS = {
	candidate: 'Person.P_Id,Person.P_Name,Person.P_Owner,Person.P_UpdateDate',
	resume: 'Resume.P_Id,Resume.P_Name,Resume.P_Owner,Resume.P_UpdateDate,Resume.P_Candidate(Person.P_Id,Person.P_Name)',
} as const;

type Watched = keyof typeof DEFAULT_FIELDS;

/** What the node keeps between polls (workflow static data, saved by n8n after each poll). */
interface PollState {
	/** Last `P_UpdateDate` emitted, in PORTERS's clock (see core/porters/pollCursor.ts). */
	cursor?: string;
	/** Records already emitted with `P_UpdateDate` equal to the cursor (ID@date). */
	seenAtCursor?: string[];
	/** What the cursor belongs to; a changed setting starts over. */
	watching?: string;
}

/** The trigger's parameters, read and checked once per poll. */
interface Watch {
	resource: Watched;
	idAlias: string;
	dateAlias: string;
	specs: FieldSpec[];
	extra: Condition[];
	referenceAliases: Set<string>;
	/** Identifies the settings the cursor belongs to. */
	watching: string;
	options: IDataObject;
}

function readWatch(ctx: IPollFunctions): Watch {
	const resource = ctx.getNodeParameter('resource') as Watched;
	const prefix = PORTERS_RESOURCES[resource].prefix;
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const extraCondition = String(ctx.getNodeParameter('condition', '') ?? '').trim();
	const idAlias = `${prefix}.P_Id`;
	const dateAlias = `${prefix}.P_UpdateDate`;
	let specs: FieldSpec[];
	let extra: Condition[];
	try {
		const fieldText = String(ctx.getNodeParameter('fields', '') ?? '').trim();
		specs = parseFieldList(fieldText === '' ? DEFAULT_FIELDS[resource] : fieldText);
		if (resource === 'resume') {
			const candidateFields = ctx.getNodeParameter('candidateFields', []) as string[];
			if (candidateFields.length > 0) {
				specs = mergeFieldLists(specs, [
					{ alias: 'Resume.P_Candidate', sub: candidateFields.map((alias) => ({ alias })) },
				]);
			}
		}
		specs = mergeFieldLists([{ alias: idAlias }, { alias: dateAlias }], specs);
		extra = parseConditions(extraCondition);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), (error as Error).message, {
			description: 'Check the Fields and Additional Condition parameters.',
		});
	}
	const referenceAliases = new Set(specs.filter((s) => s.sub !== undefined).map((s) => s.alias));
	const watching = `${resource}|${extraCondition}`;
	return { resource, idAlias, dateAlias, specs, extra, referenceAliases, watching, options };
}

function textField(record: PortersRecord, alias: string): string {
	const value = record[alias];
	return value && value.type === 'text' ? value.value.trim() : '';
}

async function outputItems(
	client: PortersClient,
	watch: Watch,
	records: PortersRecord[],
): Promise<INodeExecutionData[]> {
	const optionNames =
		watch.options.resolveOptionNames !== false && records.some(recordNeedsOptionNames)
			? await readOptionNames(client)
			: undefined;
	const simplify = watch.options.simplify !== false;
	return records.map((record) => ({
		json: recordOutput(record, { simplify, referenceAliases: watch.referenceAliases, optionNames }) as IDataObject,
	}));
}

/** A manual test run: the latest record, whatever the cursor says. */
async function latestRecord(ctx: IPollFunctions, client: PortersClient, watch: Watch): Promise<PortersRecord[]> {
	const envelope = await client.read(watch.resource, {
		field: formatFieldList(watch.specs),
		condition: watch.extra.length ? formatConditions(watch.extra) : undefined,
		order: `${watch.dateAlias}:desc`,
		count: 1,
		start: 0,
	});
	const records = envelope.items.map(decodeRecord);
	if (records.length === 0) {
		throw new NodeOperationError(ctx.getNode(), `No ${watch.resource} found in PORTERS to show as an example`);
	}
	return records;
}

/**
 * Records changed at or after the cursor, oldest first, at most Max Records per Poll; the rest
 * waits for the next poll, since the cursor does not move past it.
 */
async function changedRecords(
	client: PortersClient,
	watch: Watch,
	cursor: PollCursor,
	cursorDate: string,
): Promise<PortersRecord[]> {
	const maxRecords = Math.max(1, Number(watch.options.maxRecords ?? 1000));
	const fresh: PortersRecord[] = [];
	await client.readPages(
		watch.resource,
		{
			field: formatFieldList(watch.specs),
			condition: formatConditions([{ alias: watch.dateAlias, operator: 'ge', value: cursorDate }, ...watch.extra]),
			order: `${watch.dateAlias}:asc`,
		},
		(items) => {
			for (const item of items) {
				if (fresh.length >= maxRecords) return;
				const record = decodeRecord(item);
				if (cursor.offer(textField(record, watch.idAlias), textField(record, watch.dateAlias))) fresh.push(record);
			}
		},
		{ limit: maxRecords + cursor.alreadySeen },
	);
	return fresh;
}

export class PortersTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'PORTERS Trigger',
		name: 'portersTrigger',
		icon: { light: 'file:porters.svg', dark: 'file:porters.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"changed " + $parameter["resource"] + "s"}}',
		description: 'Starts the workflow when candidates or resumes change in PORTERS (HRBC)',
		defaults: { name: 'PORTERS Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'portersApi', required: true }],
		properties: [
			{
				displayName:
					'PORTERS cannot call n8n, so this node asks it for changes on the schedule above (Poll Times). Every poll is one billable PORTERS request (more when many records changed).',
				name: 'pollingNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Candidate', value: 'candidate' },
					{ name: 'Resume', value: 'resume' },
				],
				default: 'resume',
				description: 'Records whose update date (P_UpdateDate) is at or after the previous poll',
			},
			{
				displayName: 'Fields',
				name: 'fields',
				type: 'string',
				default: '',
				placeholder: 'e.g. Resume.P_Id,Resume.P_Candidate(Person.P_Name,Person.U_…)',
				description:
					'Comma-separated field aliases to return (parent fields in parentheses). Empty returns ID, name, owner and update date (and the candidate of a resume).',
			},
			{
				displayName: 'Candidate Field Names or IDs',
				name: 'candidateFields',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getCandidateFields' },
				default: [],
				displayOptions: { show: { resource: ['resume'] } },
				description:
					'Fields of the parent candidate to add to each resume (e.g. the LINE user ID). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Additional Condition',
				name: 'condition',
				type: 'string',
				default: '',
				placeholder: 'e.g. Resume.P_Owner:eq=5',
				description: 'Only records that also match this PORTERS condition (Alias:operator=value, comma = AND)',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Max Records per Poll',
						name: 'maxRecords',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 1000,
						description: 'More changes than this are picked up by the next polls, oldest first',
					},
					{
						displayName: 'Readable Option Values',
						name: 'resolveOptionNames',
						type: 'boolean',
						default: true,
						description: 'Whether to look up option names when PORTERS sends only option IDs',
					},
					{
						displayName: 'Simplify Output',
						name: 'simplify',
						type: 'boolean',
						default: true,
						description: 'Whether to return flat fields instead of the nested PORTERS structure',
					},
				],
			},
			retryDelayParameter,
		],
	};

	methods = { loadOptions: { getCandidateFields } };

	/**
	 * First poll after activation: remembers "now" and emits nothing, so history does not flood
	 * the workflow. Later polls ask for `P_UpdateDate:ge=<cursor>` oldest first; the cursor moves
	 * to the newest update date PORTERS reported (its own clock), and records already emitted at
	 * exactly that second are skipped next time. A manual test run returns the latest record.
	 */
	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const watch = readWatch(this);
		const client = await PortersClient.create(this, {
			backoffBaseMs: Number(this.getNodeParameter('retryDelayMs', PORTERS_BACKOFF.baseDelayMs)),
		});

		if (this.getMode() === 'manual') {
			return [await outputItems(client, watch, await latestRecord(this, client, watch))];
		}

		const state = this.getWorkflowStaticData('node') as PollState;
		if (!state.cursor || state.watching !== watch.watching) {
			Object.assign(state, startingCursor(Date.now()), { watching: watch.watching });
			return null;
		}

		const cursor = new PollCursor({ cursor: state.cursor, seenAtCursor: state.seenAtCursor });
		const fresh = await changedRecords(client, watch, cursor, state.cursor);
		Object.assign(state, cursor.state());
		if (fresh.length === 0) return null;
		return [await outputItems(client, watch, fresh)];
	}
}
