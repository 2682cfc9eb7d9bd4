/**
 * Media a user sends to the OA, and LINE's data API that serves it
 * (https://developers.line.biz/en/reference/messaging-api/#get-content and
 * #verify-video-or-audio-preparation-status; `api-data.line.me` in messaging-api.yml):
 *
 * - `GET /v2/bot/message/{id}/content`: 200 with the bytes, their type in `Content-Type`; 202 while
 *   a video or audio is still being prepared; 404 `{"message":"not found"}` for an unknown ID;
 *   410 `{"message":"The content is gone"}` once the user unsent the message.
 * - `GET …/content/transcoding` (video and audio only): `{"status":"processing"|"succeeded"|"failed"}`;
 *   400 "Transcoding status doesn't support this type of content" for other types.
 * - Only `contentProvider.type: "line"` content can be fetched.
 *
 * Chosen by the sandbox where LINE says nothing: the 202 answer has an empty body; content that
 * failed to prepare, or that an external provider holds, answers 404 `not found`; previews exist
 * for images and videos only (others 404); content types are image/jpeg, video/mp4, audio/x-m4a
 * and, for files, one derived from the file name.
 */
import { newMessageId, newOpaqueToken } from './webhook';
import { contentTypeForFile, sampleJpeg, sampleM4a, sampleMp4, samplePdf } from './mediaSamples';

export type MediaType = 'image' | 'video' | 'audio' | 'file';
export const MEDIA_TYPES: readonly MediaType[] = ['image', 'video', 'audio', 'file'];

/** What a test says about a media message a user sends (all optional but the type). */
export interface MediaSpec {
	messageType: MediaType;
	/** The bytes (a Buffer, or base64 text through the admin API); a sample file otherwise. */
	content?: Buffer | string;
	contentType?: string;
	/** Size of the sample file, when no content is given (video, audio, file). */
	size?: number;
	/** File messages: the name shown in LINE (default 履歴書.pdf). */
	fileName?: string;
	/** Video and audio: length in milliseconds (default 3,000). */
	durationMs?: number;
	/** Video and audio: how long preparing takes before the content can be fetched. */
	transcodingMs?: number;
	/** Video and audio: preparation fails instead. */
	transcodingFails?: boolean;
	/** `external`: the message only carries URLs; the data API has nothing for it. */
	provider?: 'line' | 'external';
	originalContentUrl?: string;
	previewImageUrl?: string;
	imageSet?: { id: string; index?: number; total?: number };
}

export interface StoredContent {
	messageId: string;
	type: MediaType;
	bytes: Buffer;
	contentType: string;
	fileName?: string;
	provider: 'line' | 'external';
	readyAt: number;
	failed: boolean;
	gone: boolean;
}

export type ContentAnswer =
	| { status: 200; bytes: Buffer; contentType: string }
	| { status: 202 }
	| { status: 200; json: { status: 'processing' | 'succeeded' | 'failed' } }
	| { status: 400 | 404 | 410; json: { message: string } };

const NOT_FOUND = { status: 404, json: { message: 'not found' } } as const;
const GONE = { status: 410, json: { message: 'The content is gone' } } as const;

function defaultBytes(spec: MediaSpec): { bytes: Buffer; contentType: string } {
	switch (spec.messageType) {
		case 'image':
			return { bytes: sampleJpeg(), contentType: 'image/jpeg' };
		case 'video':
			return { bytes: sampleMp4(spec.size), contentType: 'video/mp4' };
		case 'audio':
			return { bytes: sampleM4a(spec.size), contentType: 'audio/x-m4a' };
		default: {
			const fileName = spec.fileName ?? '履歴書.pdf';
			const type = contentTypeForFile(fileName);
			const bytes = type === 'application/pdf' ? samplePdf(spec.size) : Buffer.alloc(spec.size ?? 256, 0x41);
			return { bytes, contentType: type };
		}
	}
}

export class MessageContentStore {
	private readonly contents = new Map<string, StoredContent>();

	/**
	 * Records the content of a new media message and returns its webhook `message` object
	 * (without `markAsReadToken`, which the caller issues).
	 */
	create(spec: MediaSpec, now: number, defaultTranscodingMs: number): Record<string, unknown> {
		const id = newMessageId();
		const provider = spec.provider ?? 'line';
		const given =
			spec.content === undefined
				? undefined
				: Buffer.isBuffer(spec.content)
					? spec.content
					: Buffer.from(spec.content, 'base64');
		const sample = defaultBytes(spec);
		const bytes = given ?? sample.bytes;
		const timed = spec.messageType === 'video' || spec.messageType === 'audio';
		const fileName = spec.messageType === 'file' ? (spec.fileName ?? '履歴書.pdf') : undefined;
		this.contents.set(id, {
			messageId: id,
			type: spec.messageType,
			bytes,
			contentType: spec.contentType ?? sample.contentType,
			fileName,
			provider,
			readyAt: timed ? now + (spec.transcodingMs ?? defaultTranscodingMs) : now,
			failed: timed && spec.transcodingFails === true,
			gone: false,
		});

		const message: Record<string, unknown> = { id, type: spec.messageType };
		if (spec.messageType === 'file') {
			message.fileName = fileName;
			message.fileSize = bytes.length;
			return message;
		}
		if (timed) message.duration = spec.durationMs ?? 3000;
		const contentProvider: Record<string, unknown> = { type: provider };
		if (provider === 'external') {
			contentProvider.originalContentUrl = spec.originalContentUrl ?? 'https://example.com/original';
			if (spec.messageType !== 'audio') {
				contentProvider.previewImageUrl = spec.previewImageUrl ?? 'https://example.com/preview';
			}
		}
		message.contentProvider = contentProvider;
		if (spec.messageType === 'image' && spec.imageSet) message.imageSet = { ...spec.imageSet };
		if (spec.messageType !== 'audio') message.quoteToken = newOpaqueToken(48);
		return message;
	}

	list(): StoredContent[] {
		return [...this.contents.values()];
	}

	get(messageId: string): StoredContent | undefined {
		return this.contents.get(messageId);
	}

	/** The user unsent the message: its content is gone (410). */
	unsend(messageId: string): boolean {
		const stored = this.contents.get(messageId);
		if (!stored) return false;
		stored.gone = true;
		return true;
	}

	clear(): void {
		this.contents.clear();
	}

	content(messageId: string, now: number): ContentAnswer {
		const stored = this.contents.get(messageId);
		if (!stored || stored.provider === 'external') return NOT_FOUND;
		if (stored.gone) return GONE;
		if (stored.failed) return NOT_FOUND;
		if (now < stored.readyAt) return { status: 202 };
		return { status: 200, bytes: stored.bytes, contentType: stored.contentType };
	}

	preview(messageId: string): ContentAnswer {
		const stored = this.contents.get(messageId);
		if (!stored || stored.provider === 'external' || (stored.type !== 'image' && stored.type !== 'video')) {
			return NOT_FOUND;
		}
		if (stored.gone) return GONE;
		return { status: 200, bytes: sampleJpeg(), contentType: 'image/jpeg' };
	}

	transcoding(messageId: string, now: number): ContentAnswer {
		const stored = this.contents.get(messageId);
		if (!stored || stored.provider === 'external') return NOT_FOUND;
		if (stored.gone) return GONE;
		if (stored.type !== 'video' && stored.type !== 'audio') {
			return { status: 400, json: { message: "Transcoding status doesn't support this type of content" } };
		}
		const status = stored.failed ? 'failed' : now < stored.readyAt ? 'processing' : 'succeeded';
		return { status: 200, json: { status } };
	}
}
