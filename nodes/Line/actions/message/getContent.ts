/**
 * Get Message Content: the image, video, audio or file a user sent, downloaded from LINE's data
 * API as n8n binary data. Videos and audio are prepared by LINE first; while that runs the
 * content answers 202, so the preparation status is polled within a bounded wait.
 */
import { NodeApiError, NodeOperationError, sleep, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { baseMimeType, contentFileName } from '../../../../core/line/contentFile';
import { lineApiRequest, type LineResponse } from '../../transport';
import { asNodeError } from '../../../shared/errors';
import { forOperation } from '../../../shared/displayOptions';
import { defineOperation, ItemWithBinary } from '../operation';
import { inputError, stringParameter } from '../../helpers/parameters';
import { retryPolicy } from '../../helpers/retryPolicy';

const DEFAULT_MAX_WAIT_SECONDS = 60;

export const description = forOperation('message', 'getContent', [
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		required: true,
		default: '={{ $json.message.id }}',
		placeholder: '468789577898262530',
		description:
			'ID of an image, video, audio or file message. The default takes the message of the event from the LINE Trigger.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description:
					'Name of the output file. Empty = the name the user\'s file had (file messages), otherwise the message ID with an extension for the content type, e.g. 468789577898262530.jpg.',
			},
			{
				displayName: 'Max Wait for Video and Audio (Seconds)',
				name: 'maxWaitSeconds',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 600 },
				default: DEFAULT_MAX_WAIT_SECONDS,
				description:
					'LINE prepares videos and audio before they can be downloaded. How long to wait for that before giving up.',
			},
			{
				displayName: 'Put Output File in Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
				description: 'The binary field the downloaded file is put in',
			},
		],
	},
	{
		displayName: 'Preparation Poll Interval (Ms)',
		name: 'contentPollIntervalMs',
		type: 'hidden',
		default: 2000,
	},
]);

interface ContentPlan {
	messageId: string;
	fileName?: string;
	binaryPropertyName: string;
	maxWaitMs: number;
}

function prepare(this: IExecuteFunctions, itemIndex: number): ContentPlan {
	const messageId = stringParameter(this, 'messageId', itemIndex);
	if (!/^\d+$/.test(messageId)) {
		const message = messageId
			? 'must be the ID of a LINE message (digits only, e.g. 468789577898262530)'
			: 'is required: the ID of an image, video, audio or file message from the LINE Trigger';
		throw inputError(this, itemIndex, [{ property: 'messageId', message }]);
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const maxWait = Number(options.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS);
	const binaryPropertyName = String(options.binaryPropertyName ?? '').trim() || 'data';
	return {
		messageId,
		fileName: String(options.fileName ?? '').trim() || fileNameFromEvent(this, itemIndex, messageId),
		binaryPropertyName,
		maxWaitMs: Number.isFinite(maxWait) ? Math.max(0, Math.min(600, maxWait)) * 1000 : DEFAULT_MAX_WAIT_SECONDS * 1000,
	};
}

/** A file message from the LINE Trigger names its file; the data API does not. */
function fileNameFromEvent(ctx: IExecuteFunctions, itemIndex: number, messageId: string): string | undefined {
	const message = (ctx.getInputData()[itemIndex]?.json ?? {}).message as IDataObject | undefined;
	if (!message || String(message.id) !== messageId) return undefined;
	return typeof message.fileName === 'string' && message.fileName.trim() ? message.fileName : undefined;
}

async function execute(this: IExecuteFunctions, itemIndex: number, plan: ContentPlan): Promise<ItemWithBinary[]> {
	const response = await downloadWhenReady(this, itemIndex, plan);
	const bytes = response.bytes ?? Buffer.alloc(0);
	const mimeType = baseMimeType(response.headers['content-type']);
	const fileName = contentFileName(plan.messageId, mimeType, plan.fileName);
	const binary = await this.helpers.prepareBinaryData(bytes, fileName, mimeType);
	return [
		new ItemWithBinary(
			{ messageId: plan.messageId, mimeType, size: bytes.length, fileName },
			{ [plan.binaryPropertyName]: binary },
		),
	];
}

function contentRequest(ctx: IExecuteFunctions, itemIndex: number, path: string, binary: boolean) {
	return lineApiRequest.call(ctx, {
		method: 'GET',
		path,
		host: 'data',
		binary,
		acceptStatus: [202],
		backoff: retryPolicy(ctx, itemIndex),
		itemIndex,
	});
}

/** Downloads the content; while LINE still prepares it (202), waits on the preparation status. */
async function downloadWhenReady(
	ctx: IExecuteFunctions,
	itemIndex: number,
	plan: ContentPlan,
): Promise<LineResponse> {
	const pollMs = Math.max(0, Number(ctx.getNodeParameter('contentPollIntervalMs', itemIndex, 2000)) || 0);
	const started = Date.now();
	for (;;) {
		const content = await downloadOrExplain(ctx, itemIndex, plan.messageId);
		if (content.statusCode !== 202) return content;
		// LINE documents the status endpoint for exactly this: 202 means "not prepared yet".
		for (;;) {
			const state = await preparationStatus(ctx, itemIndex, plan.messageId);
			if (state === 'succeeded') break;
			if (state === 'failed') throw preparationFailed(ctx, itemIndex, plan.messageId);
			if (Date.now() - started + pollMs > plan.maxWaitMs) throw stillPreparing(ctx, itemIndex, plan);
			await sleep(pollMs);
		}
	}
}

async function preparationStatus(ctx: IExecuteFunctions, itemIndex: number, messageId: string): Promise<string> {
	const path = `/v2/bot/message/${messageId}/content/transcoding`;
	const status = await contentRequest(ctx, itemIndex, path, false);
	return String(status.body.status ?? '');
}

function preparationFailed(ctx: IExecuteFunctions, itemIndex: number, messageId: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `LINE could not prepare the video or audio of message ${messageId}`, {
		itemIndex,
		description: 'LINE reported that converting this content failed, so it cannot be downloaded. Ask the user to send it again.',
	});
}

function stillPreparing(ctx: IExecuteFunctions, itemIndex: number, plan: ContentPlan): NodeOperationError {
	const seconds = Math.round(plan.maxWaitMs / 1000);
	return new NodeOperationError(
		ctx.getNode(),
		`LINE is still preparing the video or audio of message ${plan.messageId} after ${seconds} seconds`,
		{
			itemIndex,
			description:
				'Long videos take LINE a while to prepare. Raise "Max Wait for Video and Audio" in the options, or run this again later.',
		},
	);
}

/**
 * The content request, with 404 and 410 in words a workflow builder can act on. A 404 can also
 * mean that LINE failed to prepare a video or audio; its preparation status tells which.
 */
async function downloadOrExplain(ctx: IExecuteFunctions, itemIndex: number, messageId: string): Promise<LineResponse> {
	try {
		return await contentRequest(ctx, itemIndex, `/v2/bot/message/${messageId}/content`, true);
	} catch (error) {
		const httpCode = error instanceof NodeApiError ? error.httpCode : undefined;
		if (httpCode === '404') {
			const state = await preparationStatus(ctx, itemIndex, messageId).catch(() => '');
			if (state === 'failed') throw preparationFailed(ctx, itemIndex, messageId);
			throw new NodeApiError(ctx.getNode(), { message: (error as Error).message }, {
				message: `LINE has no content for message ${messageId}`,
				description:
					'Check the Message ID: it must come from an image, video, audio or file message sent to this LINE account. LINE keeps content only for a limited time, and media the user shared as a link (contentProvider "external") cannot be downloaded.',
				httpCode,
				itemIndex,
			});
		}
		if (httpCode === '410') {
			throw new NodeApiError(ctx.getNode(), { message: (error as Error).message }, {
				message: `The content of message ${messageId} is no longer available`,
				description: 'The user unsent the message, or LINE has deleted its content.',
				httpCode,
				itemIndex,
			});
		}
		throw asNodeError(ctx.getNode(), error, itemIndex);
	}
}

export const getContent = defineOperation({ description, prepare, execute });
