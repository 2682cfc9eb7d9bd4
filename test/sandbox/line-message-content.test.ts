import { createHash } from 'crypto';
import { ManualClock } from '../../sandbox/line/model';
import { DEFAULT_MESSAGING_SPEC_PATH, DEFAULT_WEBHOOK_SPEC_PATH, OpenApiSpec } from '../../sandbox/line/openapi';
import { WebhookReceiver } from '../../sandbox/line/receiver';
import { LineSandbox } from '../../sandbox/line/server';
import { TARO, TOKEN, api } from '../support/lineSandbox';

const messagingSpec = OpenApiSpec.load(DEFAULT_MESSAGING_SPEC_PATH, { closedDiscriminators: true });
const webhookSpec = OpenApiSpec.load(DEFAULT_WEBHOOK_SPEC_PATH);
const operation = (id: string) => messagingSpec.operations.find((op) => op.operationId === id)!;

interface Fetched {
	status: number;
	contentType: string;
	bytes: Buffer;
	json?: Record<string, unknown>;
}

describe('message content on the data API (api-data.line.me)', () => {
	const clock = new ManualClock();
	const sandbox = new LineSandbox({ clock });
	const receiver = new WebhookReceiver();

	beforeAll(async () => {
		await sandbox.start(0);
		await receiver.start(0);
	});
	afterAll(async () => {
		await sandbox.stop();
		await receiver.stop();
	});
	beforeEach(() => {
		sandbox.reset();
		receiver.received.length = 0;
	});

	async function get(base: string, path: string, token: string | null = TOKEN): Promise<Fetched> {
		const response = await fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
		const bytes = Buffer.from(await response.arrayBuffer());
		const contentType = response.headers.get('content-type') ?? '';
		const json = contentType.includes('application/json') && bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : undefined;
		return { status: response.status, contentType, bytes, json };
	}

	/** Sends a media message webhook and returns the event's message object as received. */
	async function userSends(spec: Record<string, unknown>): Promise<Record<string, unknown>> {
		const sent = await sandbox.sendWebhook(receiver.url, { type: 'message', userId: TARO, ...spec });
		expect(sent.status).toBe(200);
		const payload = receiver.lastJson();
		expect(webhookSpec.validate('CallbackRequest', payload)).toEqual([]);
		return payload.events[0].message as Record<string, unknown>;
	}

	function conformsToSpec(operationId: string, fetched: Fetched): void {
		const body = fetched.json ?? fetched.bytes;
		expect(messagingSpec.validateResponse(operation(operationId), fetched.status, fetched.contentType, body)).toEqual([]);
	}

	it('serves the data API on its own base URL, and only there', async () => {
		const message = await userSends({ messageType: 'image' });
		const path = `/v2/bot/message/${message.id}/content`;
		expect(sandbox.dataUrl).not.toBe(sandbox.url);
		expect((await get(sandbox.dataUrl, path)).status).toBe(200);
		const onApiHost = await get(sandbox.url, path);
		expect([onApiHost.status, onApiHost.json]).toEqual([404, { message: 'Not found' }]);
		expect((await get(sandbox.dataUrl, '/v2/bot/info')).status).toBe(404);
		expect((await get(sandbox.dataUrl, path, null)).status).toBe(401);
		expect(sandbox.requests.filter((r) => r.host === 'data').map((r) => r.status)).toEqual([200, 404, 401]);
	});

	it('delivers an image a user sent: a JPEG with its content type, as the spec declares', async () => {
		const message = await userSends({ messageType: 'image' });
		expect(message).toMatchObject({ type: 'image', contentProvider: { type: 'line' } });
		expect(typeof message.quoteToken).toBe('string');
		const content = await get(sandbox.dataUrl, `/v2/bot/message/${message.id}/content`);
		expect(content.status).toBe(200);
		expect(content.contentType).toBe('image/jpeg');
		expect([...content.bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
		expect([...content.bytes.subarray(-2)]).toEqual([0xff, 0xd9]);
		expect(content.bytes.equals(sandbox.contents.get(String(message.id))!.bytes)).toBe(true);
		conformsToSpec('getMessageContent', content);
		const preview = await get(sandbox.dataUrl, `/v2/bot/message/${message.id}/content/preview`);
		expect([preview.status, preview.contentType]).toEqual([200, 'image/jpeg']);
		conformsToSpec('getMessageContentPreview', preview);
	});

	it('answers 202 while a video is being prepared, then the MP4 once transcoding succeeded', async () => {
		sandbox.contentPreparationMs = 5000;
		const message = await userSends({ messageType: 'video', durationMs: 12_345, size: 4096 });
		expect(message).toMatchObject({ type: 'video', duration: 12_345, contentProvider: { type: 'line' } });
		const contentPath = `/v2/bot/message/${message.id}/content`;

		const early = await get(sandbox.dataUrl, contentPath);
		expect([early.status, early.bytes.length]).toEqual([202, 0]);
		const processing = await get(sandbox.dataUrl, `${contentPath}/transcoding`);
		expect(processing.json).toEqual({ status: 'processing' });
		conformsToSpec('getMessageContentTranscodingByMessageId', processing);

		clock.advance(5000);
		const done = await get(sandbox.dataUrl, `${contentPath}/transcoding`);
		expect(done.json).toEqual({ status: 'succeeded' });
		conformsToSpec('getMessageContentTranscodingByMessageId', done);
		const video = await get(sandbox.dataUrl, contentPath);
		expect([video.status, video.contentType, video.bytes.length]).toEqual([200, 'video/mp4', 4096]);
		expect(video.bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
		conformsToSpec('getMessageContent', video);
	});

	it('takes the preparation time per message, and can fail it', async () => {
		const audio = await userSends({ messageType: 'audio', transcodingMs: 1000 });
		expect(audio).toMatchObject({ type: 'audio', duration: 3000, contentProvider: { type: 'line' } });
		expect(audio.quoteToken).toBeUndefined();
		expect((await get(sandbox.dataUrl, `/v2/bot/message/${audio.id}/content`)).status).toBe(202);
		clock.advance(1000);
		const m4a = await get(sandbox.dataUrl, `/v2/bot/message/${audio.id}/content`);
		expect([m4a.status, m4a.contentType, m4a.bytes.subarray(8, 12).toString('latin1')]).toEqual([200, 'audio/x-m4a', 'M4A ']);

		const broken = await userSends({ messageType: 'video', transcodingFails: true });
		expect((await get(sandbox.dataUrl, `/v2/bot/message/${broken.id}/content/transcoding`)).json).toEqual({ status: 'failed' });
		expect((await get(sandbox.dataUrl, `/v2/bot/message/${broken.id}/content`)).status).toBe(404);
	});

	it('delivers a file with its name and size, and exactly the bytes a test gives', async () => {
		const pdf = await userSends({ messageType: 'file' });
		expect(pdf).toMatchObject({ type: 'file', fileName: '履歴書.pdf' });
		const served = await get(sandbox.dataUrl, `/v2/bot/message/${pdf.id}/content`);
		expect([served.contentType, served.bytes.length]).toEqual(['application/pdf', pdf.fileSize]);
		expect(served.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
		expect(served.bytes.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);

		const own = Buffer.from('氏名,電話\n山田 太郎,090-0000-0000\n', 'utf8');
		const csv = await userSends({ messageType: 'file', fileName: '応募者.csv', content: own });
		expect(csv.fileSize).toBe(own.length);
		const back = await get(sandbox.dataUrl, `/v2/bot/message/${csv.id}/content`);
		expect([back.contentType, back.bytes.equals(own)]).toEqual(['text/csv', true]);

		const base64 = await fetch(`${sandbox.url}/__sandbox/webhook`, {
			method: 'POST',
			body: JSON.stringify({
				url: receiver.url,
				events: [{ type: 'message', userId: TARO, messageType: 'image', content: own.toString('base64'), contentType: 'image/png' }],
			}),
		});
		expect(base64.status).toBe(200);
		const image = receiver.lastJson().events[0].message as Record<string, unknown>;
		const summary = ((await (await fetch(`${sandbox.url}/__sandbox/contents`)).json()) as Array<Record<string, unknown>>).find(
			(c) => c.messageId === image.id,
		);
		expect(summary).toMatchObject({ type: 'image', contentType: 'image/png', size: own.length, sha256: createHash('sha256').update(own).digest('hex') });
	});

	it('answers LINE\'s errors: unknown ID 404, unsent message 410, transcoding of an image 400', async () => {
		const unknown = await get(sandbox.dataUrl, '/v2/bot/message/123456789012345678/content');
		expect([unknown.status, unknown.json]).toEqual([404, { message: 'not found' }]);
		const image = await userSends({ messageType: 'image' });
		const transcoding = await get(sandbox.dataUrl, `/v2/bot/message/${image.id}/content/transcoding`);
		expect([transcoding.status, transcoding.json]).toEqual([400, { message: "Transcoding status doesn't support this type of content" }]);
		const unsent = await fetch(`${sandbox.url}/__sandbox/unsend`, { method: 'POST', body: JSON.stringify({ messageId: image.id }) });
		expect(unsent.status).toBe(200);
		const gone = await get(sandbox.dataUrl, `/v2/bot/message/${image.id}/content`);
		expect([gone.status, gone.json]).toEqual([410, { message: 'The content is gone' }]);
	});

	it('has nothing for content an external provider holds', async () => {
		const external = await userSends({ messageType: 'image', provider: 'external', originalContentUrl: 'https://example.com/a.jpg', previewImageUrl: 'https://example.com/a-preview.jpg' });
		expect(external.contentProvider).toEqual({ type: 'external', originalContentUrl: 'https://example.com/a.jpg', previewImageUrl: 'https://example.com/a-preview.jpg' });
		expect((await get(sandbox.dataUrl, `/v2/bot/message/${external.id}/content`)).status).toBe(404);
	});

	it('gives media messages a markAsReadToken the mark-as-read API accepts', async () => {
		const message = await userSends({ messageType: 'video', imageSet: { id: 'ignored-for-video' } });
		expect(message.imageSet).toBeUndefined();
		const read = await api(sandbox, 'POST', '/v2/bot/chat/markAsRead', { markAsReadToken: message.markAsReadToken });
		expect(read.status).toBe(200);
		expect(sandbox.markedRead.map((entry) => entry.userId)).toEqual([TARO]);
		const set = await userSends({ messageType: 'image', imageSet: { id: 'SET1', index: 1, total: 2 } });
		expect(set.imageSet).toEqual({ id: 'SET1', index: 1, total: 2 });
	});
});
