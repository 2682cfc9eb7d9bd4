/** The message editor shared by Send Message, Reply and Multicast, and their options. */
import type { INodeProperties } from 'n8n-workflow';
import { quotaGuardOption } from './quotaGuard';

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

/**
 * Options shared by the sending operations. Push and multicast (the sends LINE charges and
 * accepts a retry key for) also get the Retry Key and the Quota Guard.
 */
export function sendOptions(chargedSend: boolean): INodeProperties {
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
	if (chargedSend) {
		options.push(quotaGuardOption, {
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
