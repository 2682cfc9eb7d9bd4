import { NodeApiError, NodeOperationError, type IBinaryData, type IDataObject } from 'n8n-workflow';
import { ManualClock } from '../../sandbox/line/model';
import type { LineSandbox } from '../../sandbox/line/server';
import { TARO, runLine, startSandbox } from '../support/lineNode';

describe('LINE node: Get Message Content', () => {
	const clock = new ManualClock();
	let sandbox: LineSandbox;

	beforeAll(async () => {
		sandbox = await startSandbox({ clock });
	});
	afterAll(() => sandbox.stop());
	beforeEach(() => sandbox.reset());

	/** A media message event as the LINE Trigger outputs it; its content is stored by the sandbox. */
	function userSends(spec: Record<string, unknown>): { json: IDataObject } {
		const event = sandbox.buildEvent({ type: 'message', userId: TARO, ...spec } as never) as IDataObject;
		return { json: { ...event, destination: sandbox.messaging.botUserId } };
	}

	function idOf(item: { json: IDataObject }): string {
		return String((item.json.message as IDataObject).id);
	}

	function getContent(items: Array<{ json: IDataObject }>, parameters: Record<string, unknown> = {}, extra = {}) {
		return runLine(sandbox, {
			resource: 'message',
			operation: 'getContent',
			// The trigger item's message ID, as the default expression gives it.
			parameters: { messageId: (i: number) => items[i].json.message && idOf(items[i]), contentPollIntervalMs: 5, ...parameters },
			items,
			...extra,
		});
	}

	function binaryOf(output: Array<{ binary?: Record<string, IBinaryData> }>, field = 'data'): IBinaryData {
		const binary = output[0].binary?.[field];
		if (!binary) throw new Error(`no binary field ${field}`);
		return binary;
	}

	function dataApiPaths(): string[] {
		return sandbox.requests.filter((r) => r.path.includes('/content')).map((r) => `${r.host} ${r.status} ${r.path}`);
	}

	it('downloads an image from the data API as binary data with its type and a file name', async () => {
		const item = userSends({ messageType: 'image' });
		const id = idOf(item);
		const { output, json } = await getContent([item]);
		const stored = sandbox.contents.get(id)!;
		const binary = binaryOf(output);
		expect(Buffer.from(binary.data, 'base64').equals(stored.bytes)).toBe(true);
		expect(binary).toMatchObject({ mimeType: 'image/jpeg', fileName: `${id}.jpg`, fileExtension: 'jpg' });
		expect(json[0]).toEqual({ messageId: id, mimeType: 'image/jpeg', size: stored.bytes.length, fileName: `${id}.jpg` });
		expect(output[0].pairedItem).toEqual({ item: 0 });
		// The data API host, not the Messaging API host.
		expect(dataApiPaths()).toEqual([`data 200 /v2/bot/message/${id}/content`]);
	});

	it('names a video .mp4 and an audio .m4a, with their MIME types', async () => {
		const video = userSends({ messageType: 'video' });
		const audio = userSends({ messageType: 'audio' });
		const { output, json } = await getContent([video, audio]);
		expect(json.map((j) => j.mimeType)).toEqual(['video/mp4', 'audio/x-m4a']);
		expect(output.map((o) => o.binary?.data.fileName)).toEqual([`${idOf(video)}.mp4`, `${idOf(audio)}.m4a`]);
		expect(Buffer.from(output[1].binary!.data.data, 'base64').equals(sandbox.contents.get(idOf(audio))!.bytes)).toBe(true);
		expect(output.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it("keeps a file message's own file name, and puts the file in the chosen field", async () => {
		const item = userSends({ messageType: 'file', fileName: '職務経歴書.pdf' });
		const { output, json } = await getContent([item], { options: { binaryPropertyName: 'resume' } });
		expect(binaryOf(output, 'resume')).toMatchObject({ fileName: '職務経歴書.pdf', mimeType: 'application/pdf' });
		expect(json[0].size).toBe(sandbox.contents.get(idOf(item))!.bytes.length);
	});

	it('waits while LINE prepares a video (202), checking the preparation status, then downloads it', async () => {
		const item = userSends({ messageType: 'video', transcodingMs: 5000 });
		const id = idOf(item);
		let statusChecks = 0;
		const { output } = await getContent([item], {}, {
			onRequest: (call: { url: string }) => {
				// LINE's preparation goes on while the node waits: two status checks later it is done.
				if (call.url.endsWith('/content/transcoding') && ++statusChecks === 2) clock.advance(5000);
			},
		});
		expect(dataApiPaths()).toEqual([
			`data 202 /v2/bot/message/${id}/content`,
			`data 200 /v2/bot/message/${id}/content/transcoding`,
			`data 200 /v2/bot/message/${id}/content/transcoding`,
			`data 200 /v2/bot/message/${id}/content`,
		]);
		expect(binaryOf(output).mimeType).toBe('video/mp4');
	});

	it('gives up with a clear error when the video is not ready within the maximum wait', async () => {
		const item = userSends({ messageType: 'video', transcodingMs: 600_000 });
		const run = getContent([item], { options: { maxWaitSeconds: 0 } });
		await expect(run).rejects.toThrow(NodeOperationError);
		await expect(getContent([item], { options: { maxWaitSeconds: 0 } })).rejects.toThrow(
			`LINE is still preparing the video or audio of message ${idOf(item)} after 0 seconds`,
		);
	});

	it('says that LINE failed to prepare the content when its preparation failed', async () => {
		const item = userSends({ messageType: 'audio', transcodingFails: true });
		await expect(getContent([item])).rejects.toThrow(`LINE could not prepare the video or audio of message ${idOf(item)}`);
	});

	it('explains an unknown or expired message ID (404) and an unsent message (410)', async () => {
		const unknown = getContent([{ json: {} }], { messageId: '123456789012345678' });
		await expect(unknown).rejects.toThrow(NodeApiError);
		await expect(getContent([{ json: {} }], { messageId: '123456789012345678' })).rejects.toThrow(
			'LINE has no content for message 123456789012345678',
		);

		const item = userSends({ messageType: 'image' });
		sandbox.unsendMessage(idOf(item));
		await expect(getContent([item])).rejects.toThrow(`The content of message ${idOf(item)} is no longer available`);
	});

	it('with Continue On Fail, a bad item gets its own error item and the others their files', async () => {
		const image = userSends({ messageType: 'image' });
		const { output, json } = await getContent([{ json: {} }, image], {
			messageId: (i: number) => (i === 0 ? 'not-an-id' : idOf(image)),
		}, { continueOnFail: true });
		expect(json[0].error).toContain('Item 0: messageId must be the ID of a LINE message');
		expect(output[0].pairedItem).toEqual({ item: 0 });
		expect(binaryOf([output[1]]).mimeType).toBe('image/jpeg');
		expect(dataApiPaths()).toHaveLength(1);
	});
});
