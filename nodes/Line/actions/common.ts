/**
 * Pieces shared by the LINE operations: the message editor, reading and checking messages, the
 * retry policy, and turning a problem list into one clear error.
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../../../core/http/backoff';
import {
	buildFlexMessage,
	buildQuickReply,
	validateMessages,
	type LineMessage,
	type MessageProblem,
	type QuickReplyButton,
} from '../../../core/line/messages';

/**
 * One operation in two steps. `prepare` reads and checks an item's parameters without any
 * request; the router prepares every item before the first request, so bad input anywhere
 * stops the run before anything is sent. `execute` then talks to LINE and gives the item's
 * results (the router adds `pairedItem`).
 */
export interface LineOperation<Prepared = unknown> {
	description: INodeProperties[];
	prepare: (this: IExecuteFunctions, itemIndex: number, run: RunState) => Prepared;
	execute: (this: IExecuteFunctions, itemIndex: number, prepared: Prepared) => Promise<IDataObject[]>;
}

/** What the items of one node run share while they are prepared. */
export class RunState {
	private readonly seen = new Map<string, number>();

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

/** Adds `displayOptions.show` for one resource and operation to every property. */
export function forOperation(
	resource: string,
	operation: string,
	properties: INodeProperties[],
): INodeProperties[] {
	return properties.map((property) => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...property.displayOptions?.show, resource: [resource], operation: [operation] },
		},
	}));
}

const quickReplyButtons: INodeProperties = {
	displayName: 'Quick Reply Buttons',
	name: 'quickReply',
	type: 'fixedCollection',
	placeholder: 'Add Button',
	typeOptions: { multipleValues: true },
	default: {},
	description: 'Buttons shown above the chat input (at most 13). LINE shows them for the last message only.',
	displayOptions: { show: { type: ['text'] } },
	options: [
		{
			displayName: 'Button',
			name: 'button',
			values: [
				{
					displayName: 'Action',
					name: 'type',
					type: 'options',
					default: 'message',
					options: [
						{ name: 'Open URL', value: 'uri' },
						{ name: 'Postback', value: 'postback', description: 'Your webhook receives a postback event with the data' },
						{ name: 'Send Text', value: 'message', description: 'The user sends the text as a message' },
					],
				},
				{
					displayName: 'Data',
					name: 'data',
					type: 'string',
					default: '',
					description: 'Postback data delivered to the LINE Trigger (at most 300 characters)',
					displayOptions: { show: { type: ['postback'] } },
				},
				{
					displayName: 'Label',
					name: 'label',
					type: 'string',
					default: '',
					description: 'Button text, at most 20 characters',
				},
				{
					displayName: 'Text',
					name: 'text',
					type: 'string',
					default: '',
					description: 'Text the user sends (Send Text) or that appears in the chat (Postback). Empty = the label.',
					displayOptions: { show: { type: ['message', 'postback'] } },
				},
				{
					displayName: 'URL',
					name: 'uri',
					type: 'string',
					default: '',
					placeholder: 'https://example.com',
					displayOptions: { show: { type: ['uri'] } },
				},
			],
		},
	],
};

/** The message editor: up to 5 messages defined field by field, or a JSON list. */
export const messageProperties: INodeProperties[] = [
	{
		displayName: 'Define Messages',
		name: 'messageSource',
		type: 'options',
		default: 'fields',
		options: [
			{ name: 'Using Fields Below', value: 'fields' },
			{ name: 'Using JSON', value: 'json', description: 'A list of LINE message objects (or one object)' },
		],
	},
	{
		displayName: 'Messages',
		name: 'messages',
		type: 'fixedCollection',
		placeholder: 'Add Message',
		typeOptions: { multipleValues: true, sortable: true },
		default: { message: [{ type: 'text', text: '' }] },
		description: 'One to five messages, delivered in this order in one request',
		displayOptions: { show: { messageSource: ['fields'] } },
		options: [
			{
				displayName: 'Message',
				name: 'message',
				// Field names are chosen so that the alphabetical order n8n requires still puts the
				// type selector first.
				values: [
					{
						displayName: 'Content Type',
						name: 'type',
						type: 'options',
						default: 'text',
						options: [
							{ name: 'Flex (JSON)', value: 'flex', description: 'A Flex bubble or carousel, e.g. from the Flex Message Simulator' },
							{ name: 'Image', value: 'image' },
							{ name: 'Message JSON', value: 'json', description: 'Any LINE message object' },
							{ name: 'Sticker', value: 'sticker' },
							{ name: 'Text', value: 'text' },
						],
					},
					{
						displayName: 'Flex JSON',
						name: 'flexJson',
						type: 'json',
						default: '{\n  "type": "bubble",\n  "body": {\n    "type": "box",\n    "layout": "vertical",\n    "contents": [{ "type": "text", "text": "Hello" }]\n  }\n}',
						description: 'A Flex bubble or carousel (the Flex Message Simulator exports this), or a whole flex message',
						displayOptions: { show: { type: ['flex'] } },
					},
					{
						displayName: 'Image URL',
						name: 'originalContentUrl',
						type: 'string',
						default: '',
						placeholder: 'https://example.com/photo.jpg',
						description: 'HTTPS URL of a JPEG or PNG, at most 10 MB',
						displayOptions: { show: { type: ['image'] } },
					},
					{
						displayName: 'Message JSON',
						name: 'messageJson',
						type: 'json',
						default: '{\n  "type": "text",\n  "text": "Hello"\n}',
						description: 'One LINE message object',
						displayOptions: { show: { type: ['json'] } },
					},
					{
						displayName: 'Notification Text',
						name: 'altText',
						type: 'string',
						default: '',
						description: 'The alternative text shown in notifications and chat lists, at most 1,500 characters',
						displayOptions: { show: { type: ['flex'] } },
					},
					{
						displayName: 'Package ID',
						name: 'packageId',
						type: 'string',
						default: '',
						placeholder: '446',
						description: 'See the list of stickers available to bots in the LINE Developers documentation',
						displayOptions: { show: { type: ['sticker'] } },
					},
					{
						displayName: 'Preview Image URL',
						name: 'previewImageUrl',
						type: 'string',
						default: '',
						description: 'HTTPS URL of a preview at most 1 MB. Empty = the image URL.',
						displayOptions: { show: { type: ['image'] } },
					},
					quickReplyButtons,
					{
						displayName: 'Sticker ID',
						name: 'stickerId',
						type: 'string',
						default: '',
						placeholder: '1988',
						displayOptions: { show: { type: ['sticker'] } },
					},
					{
						displayName: 'Text',
						name: 'text',
						type: 'string',
						typeOptions: { rows: 4 },
						default: '',
						description: 'At most 5,000 characters (emoji count as two)',
						displayOptions: { show: { type: ['text'] } },
					},
				],
			},
		],
	},
	{
		displayName: 'Messages (JSON)',
		name: 'messagesJson',
		type: 'json',
		default: '[\n  { "type": "text", "text": "Hello" }\n]',
		description: 'One to five LINE message objects',
		displayOptions: { show: { messageSource: ['json'] } },
	},
];

/** Options shared by the sending operations. */
export function sendOptions(withRetryKey: boolean): INodeProperties {
	const options: INodeProperties[] = [
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 10 },
			default: 4,
			description:
				'How often a request is repeated after a rate limit (429) or a LINE server error (5xx). Other errors are never repeated.',
		},
		{
			displayName: 'Silent',
			name: 'notificationDisabled',
			type: 'boolean',
			default: false,
			description: 'Whether to deliver without a push notification on the phone',
		},
	];
	if (withRetryKey) {
		options.push({
			displayName: 'Retry Key',
			name: 'retryKey',
			type: 'string',
			default: '',
			description:
				'Makes the send happen only once for this key (LINE remembers it for 24 hours). Empty = automatic: derived from the LINE event for items from the LINE Trigger, else a new key per run. Any text works, e.g. an expression with a candidate ID; it is turned into a UUID.',
		});
	}
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options,
	};
}

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

/** One error for everything wrong with an item's input, naming the item and each field. */
export function inputError(
	ctx: IExecuteFunctions,
	itemIndex: number,
	problems: MessageProblem[],
): NodeOperationError {
	const [first] = problems;
	const others = problems.length - 1;
	const more = others > 0 ? ` (and ${others} more problem${others > 1 ? 's' : ''})` : '';
	const message = `Item ${itemIndex}: ${first.property} ${first.message}${more}`;
	const listed = problems.slice(0, 20).map((p) => `• ${p.property} ${p.message}`);
	if (problems.length > listed.length) listed.push(`• … and ${problems.length - listed.length} more`);
	return new NodeOperationError(ctx.getNode(), message, { itemIndex, description: listed.join('\n') });
}

/** Reads a `json` parameter, which n8n hands over as text or, from an expression, as a value. */
export function parseJsonParameter(
	ctx: IExecuteFunctions,
	itemIndex: number,
	value: unknown,
	property: string,
): unknown {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch (error) {
		throw inputError(ctx, itemIndex, [
			{ property, message: `is not valid JSON (${(error as Error).message})` },
		]);
	}
}

interface MessageEntry {
	type?: string;
	text?: string;
	quickReply?: { button?: QuickReplyButton[] };
	packageId?: string;
	stickerId?: string;
	originalContentUrl?: string;
	previewImageUrl?: string;
	altText?: string;
	flexJson?: unknown;
	messageJson?: unknown;
}

function messageFromEntry(
	ctx: IExecuteFunctions,
	itemIndex: number,
	entry: MessageEntry,
	index: number,
): unknown {
	const at = `messages[${index}]`;
	switch (entry.type ?? 'text') {
		case 'text': {
			const message: LineMessage = { type: 'text', text: entry.text ?? '' };
			const quickReply = buildQuickReply(entry.quickReply?.button ?? []);
			if (quickReply) message.quickReply = quickReply;
			return message;
		}
		case 'sticker':
			return {
				type: 'sticker',
				packageId: String(entry.packageId ?? '').trim(),
				stickerId: String(entry.stickerId ?? '').trim(),
			};
		case 'image': {
			const original = String(entry.originalContentUrl ?? '').trim();
			const preview = String(entry.previewImageUrl ?? '').trim();
			return { type: 'image', originalContentUrl: original, previewImageUrl: preview || original };
		}
		case 'flex':
			return buildFlexMessage(
				String(entry.altText ?? ''),
				parseJsonParameter(ctx, itemIndex, entry.flexJson, `${at}.contents`),
			);
		case 'json':
			return parseJsonParameter(ctx, itemIndex, entry.messageJson, at);
		default:
			return { type: entry.type };
	}
}

/**
 * The messages of one item, checked. Throws a `NodeOperationError` naming the item and the
 * field before anything is sent.
 */
export function readMessages(ctx: IExecuteFunctions, itemIndex: number): LineMessage[] {
	const source = ctx.getNodeParameter('messageSource', itemIndex, 'fields') as string;
	let messages: unknown;
	if (source === 'json') {
		const value = ctx.getNodeParameter('messagesJson', itemIndex);
		const parsed = parseJsonParameter(ctx, itemIndex, value, 'messages');
		messages = Array.isArray(parsed) ? parsed : [parsed];
	} else {
		const entries = ctx.getNodeParameter('messages.message', itemIndex, []) as MessageEntry[];
		messages = entries.map((entry, index) => messageFromEntry(ctx, itemIndex, entry, index));
	}
	const problems = validateMessages(messages);
	if (problems.length > 0) throw inputError(ctx, itemIndex, problems);
	return messages as LineMessage[];
}

export function stringParameter(ctx: IExecuteFunctions, name: string, itemIndex: number): string {
	const value = ctx.getNodeParameter(name, itemIndex, '');
	return value === undefined || value === null ? '' : String(value).trim();
}
