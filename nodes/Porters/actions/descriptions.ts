/**
 * Parameter descriptions that several PORTERS operations share. They carry no display options of
 * their own: each operation file places its parameters with `forOperation`
 * (nodes/shared/displayOptions.ts), and narrows a parameter further (e.g. to one Search By
 * choice) with n8n's `updateDisplayOptions`.
 */
import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_MAX_REQUEST_CHARS } from '../../../core/porters/writePlan';

export function ownerParameter(description: string): INodeProperties {
	return {
		displayName: 'Owner',
		name: 'owner',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchUsers', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 5',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^\\s*\\d+\\s*$', errorMessage: 'A PORTERS user ID is a number' },
					},
				],
			},
		],
	};
}

export function fieldValuesParameter(
	loadOptionsMethod: string,
	displayName = 'Fields',
	name = 'fieldValues',
	description = 'Values to write, by PORTERS field. For option fields enter option aliases, e.g. Option.U_LineBlocked (several separated by commas). Users and references take the ID. An empty value clears the field.',
): INodeProperties {
	return {
		displayName,
		name,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field',
		default: {},
		description,
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'Field Name or ID',
						name: 'alias',
						type: 'options',
						typeOptions: { loadOptionsMethod },
						default: '',
						description:
							'Field to write, e.g. Person.P_Name. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
					},
				],
			},
		],
	};
}

export function lineUserIdFieldParameter(required: boolean): INodeProperties {
	return {
		displayName: 'LINE User ID Field Name or ID',
		name: 'lineUserIdField',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getCandidateTextFields' },
		default: '',
		required,
		description:
			'The custom candidate field (Person.U_…) that holds the LINE user ID. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	};
}

const readsPerMinuteOption: INodeProperties = {
	displayName: 'Reads per Minute',
	name: 'readsPerMinute',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 2000 },
	default: 2000,
	description:
		'Upper bound for this node run. PORTERS allows 2,000 reads a minute for the whole app: lower it when several workflows use PORTERS at the same time.',
};

const writesPerMinuteOption: INodeProperties = {
	displayName: 'Writes per Minute',
	name: 'writesPerMinute',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 500 },
	default: 500,
	description:
		'Upper bound for this node run. PORTERS allows 500 writes a minute for the whole app: lower it when several workflows write to PORTERS at the same time.',
};

export const writeOptionsParameter: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Items per Request',
			name: 'batchSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 200 },
			default: 200,
			description: 'Input items sent per PORTERS request (PORTERS accepts at most 200)',
		},
		{
			displayName: 'Max Request Size (Characters)',
			name: 'maxRequestSize',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: DEFAULT_MAX_REQUEST_CHARS,
			description:
				'Longest write request in characters; fewer items go into a request when they would exceed it (0 = by count only). PORTERS does not document its limit; about 15,000 characters is quoted second-hand. A request PORTERS still refuses as too large is sent again in halves.',
		},
		{
			displayName: 'Check Field Names First',
			name: 'validateFields',
			type: 'boolean',
			default: false,
			description:
				'Whether to check every field alias against PORTERS before writing anything (one extra read per run). Without it, an unknown alias is still named in the error once PORTERS refuses the item.',
		},
		readsPerMinuteOption,
		writesPerMinuteOption,
	],
};

export const readOptionsParameter: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Order',
			name: 'order',
			type: 'string',
			default: '',
			placeholder: 'e.g. Resume.P_UpdateDate:desc',
			description:
				'Sort order as Alias:asc or Alias:desc (comma-separated). Only number, date and system fields can be sorted.',
		},
		{
			displayName: 'Readable Option Values',
			name: 'resolveOptionNames',
			type: 'boolean',
			default: true,
			description:
				'Whether to look up the names of option values when PORTERS sends only their IDs (one extra read per run)',
		},
		{
			displayName: 'Simplify Output',
			name: 'simplify',
			type: 'boolean',
			default: true,
			description:
				'Whether to return flat fields (IDs as numbers, option names as text, parent fields under their own aliases) instead of the nested PORTERS structure',
		},
		readsPerMinuteOption,
	],
};

export { returnAllParameters } from '../../shared/returnAllParameters';

/** Hidden: first retry delay in ms (tests shorten it; workflows can set it in JSON). */
export const retryDelayParameter: INodeProperties = {
	displayName: 'Retry Delay (Ms)',
	name: 'retryDelayMs',
	type: 'hidden',
	default: 1000,
};
