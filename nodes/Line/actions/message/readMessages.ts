/**
 * Turns the message editor's parameters into checked LINE message objects, before anything is
 * sent.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import {
	buildFlexMessage,
	buildQuickReply,
	validateMessages,
	type LineMessage,
	type QuickReplyButton,
} from '../../../../core/line/messages';
import { inputError } from '../../helpers/parameters';

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
