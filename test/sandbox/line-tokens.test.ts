import { ManualClock } from '../../sandbox/line/model';
import { WebhookReceiver } from '../../sandbox/line/receiver';
import { LineSandbox } from '../../sandbox/line/server';
import { TARO, api, text } from '../support/lineSandbox';

const KEY = '123e4567-e89b-12d3-a456-426614174000';

describe('LINE sandbox: retry keys, reply tokens, read tokens', () => {
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
	beforeEach(() => sandbox.reset());

	const push = (key?: string, body: unknown = { to: TARO, messages: [text('hi')] }) =>
		api(sandbox, 'POST', '/v2/bot/message/push', body, key === undefined ? {} : { 'x-line-retry-key': key });

	describe('X-Line-Retry-Key', () => {
		it('answers a repeat with 409, the original request id and no new delivery', async () => {
			const first = await push(KEY);
			expect(first.status).toBe(200);
			const second = await push(KEY);
			expect(second.status).toBe(409);
			expect(second.headers.get('x-line-accepted-request-id')).toBe(first.headers.get('x-line-request-id'));
			expect(second.headers.get('x-line-request-id')).not.toBe(first.headers.get('x-line-request-id'));
			expect(second.json).toEqual({
				message: 'The retry key is already accepted',
				sentMessages: first.json.sentMessages,
			});
			expect(sandbox.deliveries).toHaveLength(1);
			expect(sandbox.deliveries[0].retryKey).toBe(KEY);
		});

		it('has no sentMessages in the 409 of a multicast', async () => {
			const body = { to: [TARO], messages: [text('hi')] };
			const headers = { 'x-line-retry-key': KEY };
			expect((await api(sandbox, 'POST', '/v2/bot/message/multicast', body, headers)).status).toBe(200);
			const repeat = await api(sandbox, 'POST', '/v2/bot/message/multicast', body, headers);
			expect(repeat.status).toBe(409);
			expect(repeat.json).toEqual({ message: 'The retry key is already accepted' });
		});

		it('does not burn the key when the request failed', async () => {
			sandbox.injectFaults([{ status: 500, path: '/v2/bot/message/push' }]);
			const failed = await push(KEY);
			expect(failed.status).toBe(500);
			expect(sandbox.deliveries).toHaveLength(0);
			const retried = await push(KEY);
			expect(retried.status).toBe(200);
			expect((await push(KEY)).status).toBe(409);
			expect(sandbox.deliveries).toHaveLength(1);
		});

		it('does not burn the key on a rejected body either', async () => {
			expect((await push(KEY, { to: TARO, messages: [{ type: 'text' }] })).status).toBe(400);
			expect((await push(KEY)).status).toBe(200);
		});

		it('forgets the key after 24 hours', async () => {
			expect((await push(KEY)).status).toBe(200);
			clock.advance(24 * 3600_000 - 1000);
			expect((await push(KEY)).status).toBe(409);
			clock.advance(2000);
			expect((await push(KEY)).status).toBe(200);
			expect(sandbox.deliveries).toHaveLength(2);
		});

		it('requires a UUID and refuses the header where LINE does not take it', async () => {
			const notUuid = await push('retry-1');
			expect(notUuid.status).toBe(400);
			expect(sandbox.deliveries).toHaveLength(0);
			const onReply = await api(
				sandbox,
				'POST',
				'/v2/bot/message/reply',
				{ replyToken: 'x', messages: [text('hi')] },
				{ 'x-line-retry-key': KEY },
			);
			expect(onReply.status).toBe(400);
			expect(onReply.json.message).toMatch(/X-Line-Retry-Key/);
		});
	});

	describe('reply tokens', () => {
		const reply = (replyToken: string) =>
			api(sandbox, 'POST', '/v2/bot/message/reply', { replyToken, messages: [text('ありがとうございます')] });

		it('are single use', async () => {
			const sent = await sandbox.sendWebhook(receiver.url, { type: 'message', userId: TARO, text: 'hi' });
			const token = (sent.events[0] as { replyToken: string }).replyToken;
			const first = await reply(token);
			expect(first.status).toBe(200);
			expect((first.json.sentMessages as unknown[]).length).toBe(1);
			const again = await reply(token);
			expect(again.status).toBe(400);
			expect(again.json).toEqual({ message: 'Invalid reply token' });
			expect(sandbox.deliveries).toEqual([expect.objectContaining({ kind: 'reply', to: [TARO] })]);
			expect(sandbox.quota.consumption).toBe(0);
		});

		it('expire after one minute', async () => {
			const event = sandbox.buildEvent({ type: 'follow', userId: TARO }) as { replyToken: string };
			clock.advance(60_001);
			expect((await reply(event.replyToken)).status).toBe(400);
			expect((await reply('00000000000000000000000000000000')).status).toBe(400);
		});

		it('get another minute on redelivery, within 20 minutes of the event', async () => {
			const sent = await sandbox.sendWebhook(receiver.url, { type: 'message', userId: TARO, text: 'hi' });
			const event = sent.events[0] as { replyToken: string; webhookEventId: string };
			clock.advance(5 * 60_000);
			expect((await reply(event.replyToken)).status).toBe(400);
			await sandbox.redeliver(receiver.url, event);
			const redelivered = receiver.lastJson().events[0];
			expect(redelivered.webhookEventId).toBe(event.webhookEventId);
			expect(redelivered.replyToken).toBe(event.replyToken);
			expect(redelivered.deliveryContext).toEqual({ isRedelivery: true });
			expect((await reply(event.replyToken)).status).toBe(200);

			const late = sandbox.buildEvent({ type: 'follow', userId: TARO }) as { replyToken: string };
			clock.advance(21 * 60_000);
			await sandbox.redeliver(receiver.url, late);
			expect((await reply(late.replyToken)).status).toBe(400);
		});
	});

	describe('markAsRead', () => {
		const markAsRead = (markAsReadToken: string) =>
			api(sandbox, 'POST', '/v2/bot/chat/markAsRead', { markAsReadToken });

		it('accepts only tokens the sandbox issued in a webhook', async () => {
			const sent = await sandbox.sendWebhook(receiver.url, { type: 'message', userId: TARO, text: 'hi' });
			const token = (sent.events[0] as { message: { markAsReadToken: string } }).message.markAsReadToken;
			expect(typeof token).toBe('string');
			const ok = await markAsRead(token);
			expect(ok.status).toBe(200);
			expect(ok.json).toEqual({});
			// Tokens do not expire and may be used again.
			clock.advance(30 * 24 * 3600_000);
			expect((await markAsRead(token)).status).toBe(200);
			expect(sandbox.markedRead.map((m) => [m.token, m.userId])).toEqual([
				[token, TARO],
				[token, TARO],
			]);

			const forged = await markAsRead('made-up-token');
			expect(forged.status).toBe(400);
			expect(forged.json).toEqual({
				message:
					'Invalid markAsReadToken. Tokens must be used by the bot that received them via Webhook.',
			});
			expect(sandbox.markedRead).toHaveLength(2);
		});

		it('refuses the partner-only user-ID variant', async () => {
			const res = await api(sandbox, 'POST', '/v2/bot/message/markAsRead', { chat: { userId: TARO } });
			expect(res.status).toBe(403);
		});
	});
});
