import { messagingApi } from '@line/bot-sdk';
import { WebhookReceiver } from '../../sandbox/line/receiver';
import { LINE_ERRORS, LineSandbox } from '../../sandbox/line/server';
import { HANAKO, TARO, TOKEN, api, text } from '../support/lineSandbox';

const OTHER_USER = 'U0123456789abcdef0123456789abcdef';

describe('LINE sandbox: Messaging API', () => {
	const sandbox = new LineSandbox();
	let client: messagingApi.MessagingApiClient;

	beforeAll(async () => {
		await sandbox.start(0);
		client = new messagingApi.MessagingApiClient({ channelAccessToken: TOKEN, baseURL: sandbox.url });
	});
	afterAll(() => sandbox.stop());
	beforeEach(() => sandbox.reset());

	describe('routing and auth', () => {
		it('answers 404 for paths or methods the spec does not have', async () => {
			const unknown = await api(sandbox, 'GET', '/v2/bot/nothing-here');
			expect(unknown.status).toBe(404);
			expect(unknown.json).toEqual({ message: 'Not found' });
			const wrongMethod = await api(sandbox, 'GET', '/v2/bot/message/push');
			expect(wrongMethod.status).toBe(404);
		});

		it('refuses a missing or unknown access token with LINE texts', async () => {
			const missing = await api(sandbox, 'GET', '/v2/bot/info', undefined, { authorization: '' });
			expect(missing.status).toBe(401);
			expect(missing.json).toEqual({ message: LINE_ERRORS.authHeaderRequired });
			const wrong = await api(sandbox, 'GET', '/v2/bot/info', undefined, {
				authorization: 'Bearer nope',
			});
			expect(wrong.status).toBe(401);
			expect(wrong.json).toEqual({
				message:
					'Authentication failed. Confirm that the access token in the authorization request header is valid.',
			});
		});

		it('puts x-line-request-id on every response, errors included', async () => {
			const ok = await api(sandbox, 'GET', '/v2/bot/info');
			const notFound = await api(sandbox, 'GET', '/nope');
			const ids = [ok.headers.get('x-line-request-id'), notFound.headers.get('x-line-request-id')];
			for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
			expect(ids[0]).not.toBe(ids[1]);
		});

		it('serves bot info to the SDK client', async () => {
			const info = await client.getBotInfo();
			expect(info).toEqual({
				userId: 'U8e742f61d673b39c7fff3cecb7536ef0',
				basicId: '@sandbox',
				displayName: 'Sandbox Recruiting',
				chatMode: 'chat',
				markAsReadMode: 'manual',
			});
		});
	});

	describe('request body validation', () => {
		it('rejects a text message without text in LINE error shape', async () => {
			const res = await api(sandbox, 'POST', '/v2/bot/message/push', {
				to: TARO,
				messages: [{ type: 'text' }],
			});
			expect(res.status).toBe(400);
			expect(res.json).toEqual({
				message: 'The request body has 1 error(s)',
				details: [{ message: 'must be specified', property: 'messages[0].text' }],
			});
			expect(sandbox.deliveries).toHaveLength(0);
		});

		it('rejects unknown message types, empty and oversize message lists', async () => {
			const bogus = await api(sandbox, 'POST', '/v2/bot/message/push', {
				to: TARO,
				messages: [{ type: 'bogus' }],
			});
			expect(bogus.status).toBe(400);
			expect(bogus.json.details).toEqual([
				expect.objectContaining({ property: 'messages[0].type' }),
			]);
			const none = await api(sandbox, 'POST', '/v2/bot/message/push', { to: TARO, messages: [] });
			expect(none.json.details).toEqual([{ message: 'Size must be between 1 and 5', property: 'messages' }]);
			const six = await api(sandbox, 'POST', '/v2/bot/message/push', {
				to: TARO,
				messages: Array.from({ length: 6 }, (_, i) => text(`m${i}`)),
			});
			expect(six.status).toBe(400);
			expect(six.json.details).toEqual([{ message: 'Size must be between 1 and 5', property: 'messages' }]);
		});

		it('counts text length in UTF-16 units (5,000 max)', async () => {
			const emoji = '😊'; // two UTF-16 units
			const atLimit = await api(sandbox, 'POST', '/v2/bot/message/push', {
				to: TARO,
				messages: [text(emoji.repeat(2500))],
			});
			expect(atLimit.status).toBe(200);
			const over = await api(sandbox, 'POST', '/v2/bot/message/push', {
				to: TARO,
				messages: [text('a'), text(emoji.repeat(2500) + 'a')],
			});
			expect(over.status).toBe(400);
			expect(over.json).toEqual({
				message: 'The request body has 1 error(s)',
				details: [{ message: 'Length must be between 0 and 5000', property: 'messages[1].text' }],
			});
		});

		it('checks recipients: push target format, multicast size and user IDs', async () => {
			const badTo = await api(sandbox, 'POST', '/v2/bot/message/push', {
				to: 'taro',
				messages: [text('hi')],
			});
			expect(badTo.status).toBe(400);
			expect(badTo.json).toEqual({ message: LINE_ERRORS.invalidTo });

			const tooMany = await api(sandbox, 'POST', '/v2/bot/message/multicast', {
				to: Array.from({ length: 501 }, () => TARO),
				messages: [text('hi')],
			});
			expect(tooMany.status).toBe(400);
			expect(tooMany.json.details).toEqual([{ message: 'Size must be between 1 and 500', property: 'to' }]);

			const group = await api(sandbox, 'POST', '/v2/bot/message/multicast', {
				to: [TARO, 'C4e1b9f3a2d7c6e5b8a0f1d2c3b4a5968'],
				messages: [text('hi')],
			});
			expect(group.status).toBe(400);
			expect(group.json.details).toEqual([{ message: 'Invalid user ID', property: 'to[1]' }]);
		});

		it('refuses a user ID the provider does not know (another provider\'s ID)', async () => {
			const res = await api(sandbox, 'POST', '/v2/bot/message/push', {
				to: OTHER_USER,
				messages: [text('hi')],
			});
			expect(res.status).toBe(400);
			expect(res.json).toEqual({ message: 'Failed to send messages' });
		});

		it('rejects malformed JSON and non-JSON content', async () => {
			const malformed = await api(sandbox, 'POST', '/v2/bot/message/push', '{"to":');
			expect(malformed.status).toBe(400);
			const form = await api(sandbox, 'POST', '/v2/bot/message/push', 'to=x', {
				'content-type': 'application/x-www-form-urlencoded',
			});
			expect(form.status).toBe(415);
		});
	});

	describe('sending', () => {
		it('accepts a valid push from the SDK client and records the delivery', async () => {
			sandbox.users.find((u) => u.userId === TARO)!.isFriend = true;
			const response = await client.pushMessage({ to: TARO, messages: [text('面接は明日です')] });
			expect(response.sentMessages).toHaveLength(1);
			expect(response.sentMessages[0].id).toMatch(/^\d{18}$/);
			expect(typeof response.sentMessages[0].quoteToken).toBe('string');
			expect(sandbox.deliveries).toEqual([
				expect.objectContaining({
					kind: 'push',
					to: [TARO],
					reached: [TARO],
					messages: [text('面接は明日です')],
					sentMessages: response.sentMessages,
				}),
			]);
			const recorded = sandbox.requests[0];
			expect(recorded.headers.authorization).toBe(`Bearer ${TOKEN}`);
			expect(recorded.body).toEqual({ to: TARO, messages: [text('面接は明日です')] });
			expect(recorded.status).toBe(200);
		});

		it('accepts a push to a non-friend but does not deliver it (and does not charge it)', async () => {
			const res = await api(sandbox, 'POST', '/v2/bot/message/push', { to: HANAKO, messages: [text('x')] });
			expect(res.status).toBe(200);
			expect(sandbox.deliveries[0].reached).toEqual([]);
			expect(sandbox.quota.consumption).toBe(0);
		});

		it('multicasts, charging one message per reached recipient', async () => {
			for (const user of sandbox.users) user.isFriend = true;
			const res = await api(sandbox, 'POST', '/v2/bot/message/multicast', {
				to: [TARO, HANAKO, OTHER_USER],
				messages: [text('a'), text('b')],
			});
			expect(res.status).toBe(200);
			expect(res.json).toEqual({});
			expect(sandbox.deliveries[0]).toEqual(
				expect.objectContaining({ kind: 'multicast', to: [TARO, HANAKO, OTHER_USER], reached: [TARO, HANAKO] }),
			);
			const consumption = await client.getMessageQuotaConsumption();
			expect(consumption).toEqual({ totalUsage: 2 });
		});

		it('broadcasts to current friends only', async () => {
			await sandbox.sendWebhook('http://127.0.0.1:9/unreachable', { type: 'follow', userId: HANAKO });
			const res = await api(sandbox, 'POST', '/v2/bot/message/broadcast', { messages: [text('news')] });
			expect(res.status).toBe(200);
			expect(sandbox.deliveries[0]).toEqual(expect.objectContaining({ kind: 'broadcast', to: [HANAKO] }));
		});
	});

	describe('profile, loading, quota', () => {
		it('returns profiles of friends, 404 for strangers and after a block', async () => {
			const stranger = await api(sandbox, 'GET', `/v2/bot/profile/${TARO}`);
			expect(stranger.status).toBe(404);
			expect(stranger.json).toEqual({ message: 'Not found' });

			const receiver = new WebhookReceiver();
			await receiver.start(0);
			try {
				await sandbox.sendWebhook(receiver.url, { type: 'follow', userId: TARO });
				const profile = await client.getProfile(TARO);
				expect(profile).toEqual({
					displayName: '山田 太郎',
					userId: TARO,
					pictureUrl: 'https://profile.line-scdn.net/sandbox/taro',
					statusMessage: '転職活動中',
					language: 'ja',
				});
				await sandbox.sendWebhook(receiver.url, { type: 'unfollow', userId: TARO });
				expect((await api(sandbox, 'GET', `/v2/bot/profile/${TARO}`)).status).toBe(404);
				// Re-following unblocks: the event says so and the profile is back.
				const refollow = await sandbox.sendWebhook(receiver.url, { type: 'follow', userId: TARO });
				expect((refollow.events[0] as { follow: unknown }).follow).toEqual({ isUnblocked: true });
				expect((await api(sandbox, 'GET', `/v2/bot/profile/${TARO}`)).status).toBe(200);
			} finally {
				await receiver.stop();
			}
		});

		it('ends a block when the user becomes a friend again another way (LINE Login add-friend)', async () => {
			await sandbox.sendWebhook('http://127.0.0.1:9/unreachable', { type: 'unfollow', userId: TARO });
			const blocked = await api(sandbox, 'POST', '/v2/bot/message/push', { to: TARO, messages: [text('x')] });
			expect(blocked.status).toBe(200);
			expect(sandbox.deliveries[0].reached).toEqual([]);
			sandbox.users.find((u) => u.userId === TARO)!.isFriend = true;
			expect((await api(sandbox, 'GET', `/v2/bot/profile/${TARO}`)).status).toBe(200);
			await api(sandbox, 'POST', '/v2/bot/message/push', { to: TARO, messages: [text('x')] });
			expect(sandbox.deliveries[1].reached).toEqual([TARO]);
		});

		it('also returns the profile of a non-friend who wrote to the OA', async () => {
			await sandbox.sendWebhook('http://127.0.0.1:9/unreachable', {
				type: 'message',
				userId: HANAKO,
				text: 'こんにちは',
			});
			expect((await api(sandbox, 'GET', `/v2/bot/profile/${HANAKO}`)).status).toBe(200);
		});

		it('starts the loading animation for users only, in steps of 5 s', async () => {
			const ok = await api(sandbox, 'POST', '/v2/bot/chat/loading/start', { chatId: TARO, loadingSeconds: 10 });
			expect(ok.status).toBe(202);
			expect(ok.json).toEqual({});
			const defaulted = await api(sandbox, 'POST', '/v2/bot/chat/loading/start', { chatId: TARO });
			expect(defaulted.status).toBe(202);
			const group = await api(sandbox, 'POST', '/v2/bot/chat/loading/start', {
				chatId: 'C4e1b9f3a2d7c6e5b8a0f1d2c3b4a5968',
			});
			expect(group.status).toBe(400);
			const odd = await api(sandbox, 'POST', '/v2/bot/chat/loading/start', { chatId: TARO, loadingSeconds: 7 });
			expect(odd.status).toBe(400);
			const tooLong = await api(sandbox, 'POST', '/v2/bot/chat/loading/start', {
				chatId: TARO,
				loadingSeconds: 65,
			});
			expect(tooLong.status).toBe(400);
			expect(sandbox.loadingStarted.map((l) => [l.chatId, l.loadingSeconds])).toEqual([
				[TARO, 10],
				[TARO, 20],
			]);
		});

		it('refuses sends over the monthly quota with 429 and no delivery', async () => {
			for (const user of sandbox.users) user.isFriend = true;
			sandbox.setQuota(3);
			sandbox.setConsumption(2);
			expect(await client.getMessageQuota()).toEqual({ type: 'limited', value: 3 });
			const over = await api(sandbox, 'POST', '/v2/bot/message/multicast', {
				to: [TARO, HANAKO],
				messages: [text('x')],
			});
			expect(over.status).toBe(429);
			expect(over.json).toEqual({ message: 'You have reached your monthly limit.' });
			const fits = await api(sandbox, 'POST', '/v2/bot/message/push', { to: TARO, messages: [text('x')] });
			expect(fits.status).toBe(200);
			expect(sandbox.deliveries).toHaveLength(1);
			expect(sandbox.quota.consumption).toBe(3);
		});
	});
});
