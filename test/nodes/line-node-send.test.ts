import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import { DEFAULT_USERS } from '../../sandbox/line/model';
import type { LineSandbox } from '../../sandbox/line/server';
import { HANAKO, TARO, TOKEN, requestsTo, runLine, startSandbox, textMessages } from '../support/lineNode';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PUSH = '/v2/bot/message/push';

/** An item as the LINE Trigger emits it: the webhook event with `destination` added. */
function triggerItem(sandbox: LineSandbox, userId = TARO) {
	const event = sandbox.buildEvent({ type: 'message', userId, text: 'こんにちは' }) as IDataObject;
	return { json: { ...event, destination: sandbox.messaging.botUserId } };
}

function push(sandbox: LineSandbox, parameters: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
	return runLine(sandbox, {
		resource: 'message',
		operation: 'send',
		parameters: { to: TARO, messageSource: 'fields', messages: textMessages('Hello'), ...parameters },
		...extra,
	});
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected the node to fail');
}

describe('LINE node: Send Message (push)', () => {
	let sandbox: LineSandbox;

	beforeAll(async () => {
		sandbox = await startSandbox({ users: DEFAULT_USERS.map((user) => ({ ...user, isFriend: true })) });
	});
	afterAll(() => sandbox.stop());
	beforeEach(() => sandbox.reset());

	it('pushes every message kind the editor offers, in order, with a retry key', async () => {
		const flexBubble = {
			type: 'bubble',
			body: { type: 'box', layout: 'vertical', contents: [{ type: 'text', text: '面接のご案内' }] },
		};
		const { json, output } = await push(sandbox, {
			messages: {
				message: [
					{
						type: 'text',
						text: 'ご応募ありがとうございます',
						quickReply: {
							button: [
								{ type: 'message', label: '日程を選ぶ', text: '' },
								{ type: 'postback', label: '辞退する', data: 'action=decline', text: '辞退します' },
								{ type: 'uri', label: '求人を見る', uri: 'https://example.com/jobs/1' },
							],
						},
					},
					{ type: 'sticker', packageId: '446', stickerId: '1988' },
					{ type: 'image', originalContentUrl: 'https://example.com/a.jpg', previewImageUrl: '' },
					{ type: 'flex', altText: '面接のご案内', flexJson: JSON.stringify(flexBubble) },
					{ type: 'json', messageJson: '{"type":"location","title":"本社","address":"東京都","latitude":35.68,"longitude":139.76}' },
				],
			},
		});

		expect(sandbox.deliveries).toHaveLength(1);
		const [delivery] = sandbox.deliveries;
		expect(delivery.kind).toBe('push');
		expect(delivery.to).toEqual([TARO]);
		expect(delivery.reached).toEqual([TARO]);
		expect(delivery.messages).toEqual([
			{
				type: 'text',
				text: 'ご応募ありがとうございます',
				quickReply: {
					items: [
						{ type: 'action', action: { type: 'message', label: '日程を選ぶ', text: '日程を選ぶ' } },
						{ type: 'action', action: { type: 'postback', label: '辞退する', data: 'action=decline', displayText: '辞退します' } },
						{ type: 'action', action: { type: 'uri', label: '求人を見る', uri: 'https://example.com/jobs/1' } },
					],
				},
			},
			{ type: 'sticker', packageId: '446', stickerId: '1988' },
			{ type: 'image', originalContentUrl: 'https://example.com/a.jpg', previewImageUrl: 'https://example.com/a.jpg' },
			{ type: 'flex', altText: '面接のご案内', contents: flexBubble },
			{ type: 'location', title: '本社', address: '東京都', latitude: 35.68, longitude: 139.76 },
		]);

		const [request] = requestsTo(sandbox, PUSH);
		expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
		expect(request.headers['x-line-retry-key']).toMatch(UUID);
		expect(delivery.retryKey).toBe(request.headers['x-line-retry-key']);

		expect(json).toEqual([
			expect.objectContaining({
				sent: true,
				duplicate: false,
				to: TARO,
				messageCount: 5,
				retryKey: request.headers['x-line-retry-key'],
				retryKeySource: 'random',
				requestId: delivery.requestId,
			}),
		]);
		expect(json[0].sentMessages).toHaveLength(5);
		expect(output[0].pairedItem).toEqual({ item: 0 });
	});

	it('takes messages as JSON, one object or a list', async () => {
		await push(sandbox, { messageSource: 'json', messagesJson: '{"type":"text","text":"one"}' });
		await push(sandbox, {
			messageSource: 'json',
			messagesJson: [{ type: 'text', text: 'a' }, { type: 'sticker', packageId: '1', stickerId: '2' }],
		});
		expect(sandbox.deliveries.map((d) => d.messages)).toEqual([
			[{ type: 'text', text: 'one' }],
			[{ type: 'text', text: 'a' }, { type: 'sticker', packageId: '1', stickerId: '2' }],
		]);
	});

	it('delivers exactly once when the first attempt gets a 500, reusing the same retry key', async () => {
		sandbox.injectFaults([{ status: 500, path: PUSH }]);
		const { json } = await push(sandbox);
		const attempts = requestsTo(sandbox, PUSH);
		expect(attempts.map((r) => r.status)).toEqual([500, 200]);
		expect(attempts[0].headers['x-line-retry-key']).toMatch(UUID);
		expect(attempts[1].headers['x-line-retry-key']).toBe(attempts[0].headers['x-line-retry-key']);
		expect(sandbox.deliveries).toHaveLength(1);
		expect(json[0]).toMatchObject({ sent: true, duplicate: false });
	});

	it('also retries a 429 and a dropped connection with the same key', async () => {
		sandbox.injectFaults([
			{ status: 429, path: PUSH },
			{ reset: true, path: PUSH },
		]);
		await push(sandbox);
		const attempts = requestsTo(sandbox, PUSH);
		expect(attempts).toHaveLength(3);
		expect(new Set(attempts.map((r) => r.headers['x-line-retry-key'])).size).toBe(1);
		expect(sandbox.deliveries).toHaveLength(1);
	});

	it('gives up after the configured number of retries on lasting server errors', async () => {
		sandbox.injectFaults([{ status: 503, path: PUSH, count: 10 }]);
		const error = await rejection(push(sandbox, { options: { maxRetries: 2 } }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).httpCode).toBe('503');
		expect(requestsTo(sandbox, PUSH)).toHaveLength(3);
		expect(sandbox.deliveries).toHaveLength(0);
	});

	it('never retries other 4xx answers', async () => {
		const stranger = 'U0123456789abcdef0123456789abcdef';
		const error = await rejection(push(sandbox, { to: stranger }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('Failed to send messages');
		expect((error as NodeApiError).httpCode).toBe('400');
		const [request] = requestsTo(sandbox, PUSH);
		expect((error as NodeApiError).description).toContain(`LINE request ID: ${request.requestId}`);
		expect(requestsTo(sandbox, PUSH)).toHaveLength(1);
	});

	it('sends once per LINE event: the same webhookEventId run again is a duplicate', async () => {
		const item = triggerItem(sandbox);
		const first = await push(sandbox, {}, { items: [item] });
		const second = await push(sandbox, {}, { items: [item] });

		expect(sandbox.deliveries).toHaveLength(1);
		expect(first.json[0]).toMatchObject({ sent: true, duplicate: false, retryKeySource: 'event' });
		expect(second.json[0]).toMatchObject({ sent: true, duplicate: true, retryKeySource: 'event' });
		expect(second.json[0].retryKey).toBe(first.json[0].retryKey);
		// The duplicate points at the request that really delivered.
		expect(second.json[0].requestId).toBe(sandbox.deliveries[0].requestId);
		expect(second.output[0].pairedItem).toEqual({ item: 0 });
	});

	it('treats a redelivered event (isRedelivery) like the original', async () => {
		const item = triggerItem(sandbox);
		await push(sandbox, {}, { items: [item] });
		const redelivered = { json: { ...item.json, deliveryContext: { isRedelivery: true } } };
		const again = await push(sandbox, {}, { items: [redelivered] });
		expect(again.json[0].duplicate).toBe(true);
		expect(sandbox.deliveries).toHaveLength(1);
	});

	it('lets two LINE nodes, or two recipients, react to the same event', async () => {
		const item = triggerItem(sandbox);
		await push(sandbox, {}, { items: [item], nodeId: 'notify-candidate' });
		await push(sandbox, {}, { items: [item], nodeId: 'notify-recruiter' });
		await push(sandbox, { to: HANAKO }, { items: [item], nodeId: 'notify-candidate' });
		expect(sandbox.deliveries).toHaveLength(3);
		expect(new Set(sandbox.deliveries.map((d) => d.retryKey)).size).toBe(3);
	});

	it('sends every item of one event to one user in a run, and none of them again on a re-run', async () => {
		const item = triggerItem(sandbox);
		const items = [item, item, item];
		const parameters = {
			messageSource: 'json',
			messagesJson: (i: number) => [{ type: 'text', text: `part ${i + 1}` }],
		};
		const first = await push(sandbox, parameters, { items });
		expect(first.json.map((j) => j.duplicate)).toEqual([false, false, false]);
		expect(new Set(first.json.map((j) => j.retryKey)).size).toBe(3);
		const again = await push(sandbox, parameters, { items });
		expect(again.json.map((j) => j.duplicate)).toEqual([true, true, true]);
		expect(again.json.map((j) => j.retryKey)).toEqual(first.json.map((j) => j.retryKey));
		expect(sandbox.deliveries.map((d) => d.messages)).toEqual([1, 2, 3].map((n) => [{ type: 'text', text: `part ${n}` }]));
	});

	it('uses a fresh key per run for items that did not come from LINE', async () => {
		const first = await push(sandbox, {}, { items: [{ json: { candidateId: 'P-1' } }] });
		const second = await push(sandbox, {}, { items: [{ json: { candidateId: 'P-1' } }] });
		expect(sandbox.deliveries).toHaveLength(2);
		expect(first.json[0].retryKey).not.toBe(second.json[0].retryKey);
		expect(first.json[0].retryKeySource).toBe('random');
	});

	it('honours a retry key set by expression', async () => {
		const parameters = { options: (i: number) => ({ retryKey: `welcome-P-${i + 100}` }) };
		const first = await push(sandbox, parameters);
		const second = await push(sandbox, parameters);
		expect(first.json[0]).toMatchObject({ duplicate: false, retryKeySource: 'custom' });
		expect(second.json[0]).toMatchObject({ duplicate: true, retryKeySource: 'custom' });
		expect(first.json[0].retryKey).toMatch(UUID);
		expect(sandbox.deliveries).toHaveLength(1);

		const uuid = '0b8f7c1e-3d2a-4c5b-9e6f-7a8b9c0d1e2f';
		const verbatim = await push(sandbox, { options: { retryKey: uuid.toUpperCase() } });
		expect(verbatim.json[0].retryKey).toBe(uuid);
		expect(requestsTo(sandbox, PUSH).at(-1)?.headers['x-line-retry-key']).toBe(uuid);
	});

	it('sends silently when asked', async () => {
		await push(sandbox, { options: { notificationDisabled: true } });
		expect(sandbox.deliveries[0].notificationDisabled).toBe(true);
	});

	it('pushes to groups and rooms too', async () => {
		const group = `C${'a1'.repeat(16)}`;
		const { json } = await push(sandbox, { to: group });
		expect(json[0]).toMatchObject({ sent: true, to: group });
		expect(sandbox.deliveries[0].to).toEqual([group]);
	});

	describe('input checked before any request', () => {
		const cases: Array<[string, Record<string, unknown>, RegExp]> = [
			['a user ID of the wrong shape', { to: 'U123' }, /^Item 0: to "U123" is not a LINE user, group or room ID/],
			['an upper-case user ID', { to: TARO.toUpperCase() }, /^Item 0: to .* is not a LINE user, group or room ID/],
			['no recipient', { to: '' }, /^Item 0: to is required/],
			['six messages', { messages: textMessages('1', '2', '3', '4', '5', '6') }, /^Item 0: messages holds 6 messages; LINE accepts at most 5/],
			['no message', { messages: { message: [] } }, /^Item 0: messages must hold at least one message/],
			['an empty text', { messages: textMessages('') }, /^Item 0: messages\[0\]\.text is required/],
			[
				'a text of 5,001 UTF-16 units (emoji count twice)',
				{ messages: textMessages('a', `${'あ'.repeat(4999)}😀`) },
				/^Item 0: messages\[1\]\.text is 5,001 UTF-16 code units long; LINE allows at most 5,000/,
			],
			[
				'a sticker without its sticker ID',
				{ messages: { message: [{ type: 'sticker', packageId: '446', stickerId: '' }] } },
				/^Item 0: messages\[0\]\.stickerId is required/,
			],
			[
				'an image over http',
				{ messages: { message: [{ type: 'image', originalContentUrl: 'http://example.com/a.jpg' }] } },
				/^Item 0: messages\[0\]\.originalContentUrl must be an https:\/\/ URL/,
			],
			[
				'a flex message without alt text',
				{ messages: { message: [{ type: 'flex', altText: '', flexJson: '{"type":"bubble"}' }] } },
				/^Item 0: messages\[0\]\.altText is required/,
			],
			[
				'broken flex JSON',
				{ messages: { message: [{ type: 'flex', altText: 'x', flexJson: '{"type":' }] } },
				/^Item 0: messages\[0\]\.contents is not valid JSON/,
			],
			[
				'a raw message of an unknown type',
				{ messages: { message: [{ type: 'json', messageJson: '{"type":"fax"}' }] } },
				/^Item 0: messages\[0\]\.type "fax" is not a LINE message type/,
			],
			[
				'a quick reply button without a label',
				{ messages: { message: [{ type: 'text', text: 'x', quickReply: { button: [{ type: 'message', label: '' }] } }] } },
				/^Item 0: messages\[0\]\.quickReply\.items\[0\]\.action\.label is required/,
			],
		];

		it.each(cases)('rejects %s with the item and field named, sending nothing', async (_, parameters, message) => {
			const error = await rejection(push(sandbox, parameters));
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toMatch(message);
			expect(sandbox.requests).toHaveLength(0);
		});

		it('accepts a text of exactly 5,000 UTF-16 units', async () => {
			await push(sandbox, { messages: textMessages(`${'あ'.repeat(4998)}😀`) });
			expect(sandbox.deliveries).toHaveLength(1);
		});

		it('names the failing item among several, and sends none of them', async () => {
			const error = await rejection(
				push(sandbox, { to: (i: number) => [TARO, HANAKO, 'nobody'][i] }, {
					items: [{ json: {} }, { json: {} }, { json: {} }],
				}),
			);
			expect(error.message).toMatch(/^Item 2: to "nobody"/);
			expect((error as NodeOperationError).context.itemIndex).toBe(2);
			// Every item is checked before the first request, so the valid ones were not sent either.
			expect(sandbox.requests).toHaveLength(0);
		});
	});

	describe('errors per item with Continue On Fail', () => {
		it('keeps going and pairs every output with its input', async () => {
			const stranger = 'U0123456789abcdef0123456789abcdef';
			const { output } = await push(
				sandbox,
				{ to: (i: number) => [TARO, stranger, 'bad-id', HANAKO][i] },
				{ items: [{ json: {} }, { json: {} }, { json: {} }, { json: {} }], continueOnFail: true },
			);
			expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
			expect(output[0].json).toMatchObject({ sent: true });
			expect(output[1].json.error).toContain('Failed to send messages');
			expect(output[1].json.httpCode).toBe('400');
			expect(output[2].json.error).toMatch(/^Item 2: to "bad-id"/);
			expect(output[3].json).toMatchObject({ sent: true, to: HANAKO });
			expect(sandbox.deliveries.map((d) => d.to[0])).toEqual([TARO, HANAKO]);
		});

		it('reports a user who blocked the account as not reached, without failing the run', async () => {
			// LINE answers 200 for blocked users and simply does not deliver.
			await sandbox.sendWebhook('http://127.0.0.1:9/unused', { type: 'unfollow', userId: TARO }).catch(() => undefined);
			const { json } = await push(sandbox, {}, { continueOnFail: true });
			expect(json[0]).toMatchObject({ sent: true });
			expect(sandbox.deliveries[0].reached).toEqual([]);
		});
	});

	it('says plainly when the monthly quota is used up, without retrying', async () => {
		sandbox.setQuota(0);
		const error = await rejection(push(sandbox));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/monthly message limit .* is used up: You have reached your monthly limit\./);
		expect((error as NodeApiError).description).toContain('Get Quota');
		expect((error as NodeApiError).httpCode).toBe('429');
		expect(requestsTo(sandbox, PUSH)).toHaveLength(1);
		expect(sandbox.deliveries).toHaveLength(0);
	});
});
