import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import { DEFAULT_USERS, ManualClock } from '../../sandbox/line/model';
import type { LineSandbox } from '../../sandbox/line/server';
import { HANAKO, TARO, requestsTo, runLine, startSandbox, textMessages } from '../support/lineNode';

function eventItem(sandbox: LineSandbox, spec: Parameters<LineSandbox['buildEvent']>[0]): { json: IDataObject } {
	const event = sandbox.buildEvent(spec) as IDataObject;
	return { json: { ...event, destination: sandbox.messaging.botUserId } };
}

describe('LINE node: reply, chat, user and account operations', () => {
	let sandbox: LineSandbox;

	beforeAll(async () => {
		sandbox = await startSandbox({
			users: DEFAULT_USERS.map((user) => ({ ...user, isFriend: user.userId === TARO })),
		});
	});
	afterAll(() => sandbox.stop());
	beforeEach(() => sandbox.reset());

	describe('Reply', () => {
		function reply(items: Array<{ json: IDataObject }>, parameters: Record<string, unknown> = {}, continueOnFail = false) {
			return runLine(sandbox, {
				resource: 'message',
				operation: 'reply',
				// The default expression of the field: the event's own reply token.
				parameters: { replyToken: (i: number) => items[i].json.replyToken, messageSource: 'fields', messages: textMessages('受け付けました'), ...parameters },
				items,
				continueOnFail,
			});
		}

		it('answers an event with its reply token and no retry key', async () => {
			const item = eventItem(sandbox, { type: 'message', userId: TARO, text: '応募したいです' });
			const { json, output } = await reply([item]);
			expect(sandbox.deliveries).toEqual([
				expect.objectContaining({ kind: 'reply', to: [TARO], messages: [{ type: 'text', text: '受け付けました' }] }),
			]);
			const [request] = requestsTo(sandbox, '/v2/bot/message/reply');
			expect(request.headers['x-line-retry-key']).toBeUndefined();
			expect(json[0]).toMatchObject({ sent: true, messageCount: 1, requestId: request.requestId });
			expect(output[0].pairedItem).toEqual({ item: 0 });
		});

		it('fails clearly on a used or expired reply token, per item with Continue On Fail', async () => {
			const used = eventItem(sandbox, { type: 'follow', userId: TARO });
			await reply([used]);
			const late = eventItem(sandbox, { type: 'follow', userId: TARO });
			(sandbox.clock as ManualClock).advance(61_000);
			const fresh = eventItem(sandbox, { type: 'follow', userId: TARO });
			const { output } = await reply([used, late, fresh], {}, true);
			expect(output[0].json.error).toContain('Invalid reply token');
			expect(output[1].json.error).toContain('Invalid reply token');
			expect(output[2].json).toMatchObject({ sent: true });
			expect(output.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
			// 400 is final: one request per item, no retries.
			expect(requestsTo(sandbox, '/v2/bot/message/reply')).toHaveLength(4);
		});

		it('skips the dummy tokens of LINE console verification events', async () => {
			const { json } = await reply([{ json: { replyToken: '00000000000000000000000000000000' } }]);
			expect(json[0]).toMatchObject({ sent: false, skipped: true });
			expect(sandbox.requests).toHaveLength(0);
		});

		it('asks for a reply token when the item has none (e.g. an unfollow event)', async () => {
			const item = eventItem(sandbox, { type: 'unfollow', userId: HANAKO });
			await expect(reply([item])).rejects.toThrow(/^Item 0: replyToken is required/);
			expect(sandbox.requests).toHaveLength(0);
		});
	});

	describe('Mark Read', () => {
		it('marks a message read with the markAsReadToken of its event', async () => {
			const item = eventItem(sandbox, { type: 'message', userId: TARO, text: '質問があります' });
			const token = (item.json.message as IDataObject).markAsReadToken as string;
			expect(token).toBeTruthy();
			const { json } = await runLine(sandbox, {
				resource: 'chat',
				operation: 'markRead',
				parameters: { markAsReadToken: token },
				items: [item],
			});
			expect(sandbox.markedRead).toEqual([expect.objectContaining({ token, userId: TARO })]);
			const [request] = requestsTo(sandbox, '/v2/bot/chat/markAsRead');
			expect(request.body).toEqual({ markAsReadToken: token });
			expect(json[0]).toEqual({ markedRead: true, requestId: request.requestId });
		});

		it("passes on LINE's message for a token LINE did not issue", async () => {
			let failure: Error | undefined;
			try {
				await runLine(sandbox, { resource: 'chat', operation: 'markRead', parameters: { markAsReadToken: 'forged' } });
			} catch (error) {
				failure = error as Error;
			}
			expect(failure).toBeInstanceOf(NodeApiError);
			expect(failure?.message).toContain('Invalid markAsReadToken. Tokens must be used by the bot that received them via Webhook.');
		});

		it('needs a token', async () => {
			await expect(
				runLine(sandbox, { resource: 'chat', operation: 'markRead', parameters: { markAsReadToken: '' } }),
			).rejects.toThrow(/^Item 0: markAsReadToken is required/);
			expect(sandbox.requests).toHaveLength(0);
		});
	});

	describe('Show Loading Animation', () => {
		it('starts the animation in a 1:1 chat', async () => {
			const { json } = await runLine(sandbox, {
				resource: 'chat',
				operation: 'showLoadingAnimation',
				parameters: { chatId: TARO, loadingSeconds: 30 },
			});
			expect(sandbox.loadingStarted).toEqual([expect.objectContaining({ chatId: TARO, loadingSeconds: 30 })]);
			expect(json[0]).toMatchObject({ started: true, chatId: TARO, loadingSeconds: 30 });
		});

		it('refuses a group ID or an odd number of seconds without asking LINE', async () => {
			const group = `C${'0f'.repeat(16)}`;
			await expect(
				runLine(sandbox, { resource: 'chat', operation: 'showLoadingAnimation', parameters: { chatId: group, loadingSeconds: 20 } }),
			).rejects.toThrow(/^Item 0: chatId .* 1:1 chats only/);
			await expect(
				runLine(sandbox, { resource: 'chat', operation: 'showLoadingAnimation', parameters: { chatId: TARO, loadingSeconds: 7 } }),
			).rejects.toThrow(/^Item 0: loadingSeconds must be 5 to 60 in steps of 5/);
			expect(sandbox.requests).toHaveLength(0);
		});
	});

	describe('Get Profile', () => {
		it('reads the profile of a friend', async () => {
			const { json } = await runLine(sandbox, { resource: 'user', operation: 'getProfile', parameters: { userId: TARO } });
			expect(json).toEqual([
				{
					userId: TARO,
					displayName: '山田 太郎',
					pictureUrl: 'https://profile.line-scdn.net/sandbox/taro',
					statusMessage: '転職活動中',
					language: 'ja',
				},
			]);
		});

		it('gives a per-item error for a user who is not a friend (or blocked), not a failed run', async () => {
			const { output } = await runLine(sandbox, {
				resource: 'user',
				operation: 'getProfile',
				parameters: { userId: (i: number) => [HANAKO, TARO, 'taro'][i] },
				items: [{ json: {} }, { json: {} }, { json: {} }],
				continueOnFail: true,
			});
			expect(output[0].json.httpCode).toBe('404');
			expect(output[0].json.error).toMatch(/not a friend/);
			expect(output[0].json.description).toMatch(/LINE request ID: [0-9a-f-]{36}/);
			expect(output[1].json.displayName).toBe('山田 太郎');
			expect(output[2].json.error).toMatch(/^Item 2: userId "taro" is not a LINE user ID/);
			expect(output.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		});

		it('takes the user of a LINE Trigger event by default expression', async () => {
			const item = eventItem(sandbox, { type: 'follow', userId: TARO });
			const { json } = await runLine(sandbox, {
				resource: 'user',
				operation: 'getProfile',
				parameters: { userId: () => (item.json.source as IDataObject).userId },
				items: [item],
			});
			expect(json[0].userId).toBe(TARO);
		});
	});

	describe('Get Bot Info and Get Quota', () => {
		it('returns the bot info', async () => {
			const { json } = await runLine(sandbox, { resource: 'account', operation: 'getBotInfo' });
			expect(json[0]).toEqual({
				userId: sandbox.messaging.botUserId,
				basicId: sandbox.messaging.basicId,
				displayName: sandbox.messaging.displayName,
				chatMode: 'chat',
				markAsReadMode: 'manual',
			});
		});

		it('returns the quota and its consumption together', async () => {
			sandbox.setQuota(5000);
			sandbox.setConsumption(1234);
			const { json } = await runLine(sandbox, { resource: 'account', operation: 'getQuota' });
			expect(json[0]).toEqual({ type: 'limited', limit: 5000, totalUsage: 1234, remaining: 3766, exhausted: false });
			expect(requestsTo(sandbox, '/v2/bot/message/quota')).toHaveLength(1);
			expect(requestsTo(sandbox, '/v2/bot/message/quota/consumption')).toHaveLength(1);
		});

		it('shows an exhausted quota', async () => {
			sandbox.setQuota(200);
			sandbox.setConsumption(200);
			const { json } = await runLine(sandbox, { resource: 'account', operation: 'getQuota' });
			expect(json[0]).toMatchObject({ remaining: 0, exhausted: true });
		});
	});

	describe('secrets', () => {
		const SECRET = 'secret-token-should-never-show-7f3a9c';

		it('never puts the access token into errors or outputs', async () => {
			// Rejected by LINE (401), and unreachable LINE (connection refused).
			const outputs: unknown[] = [];
			const errors: unknown[] = [];
			for (const apiBaseUrl of [undefined, 'http://127.0.0.1:9']) {
				const options = {
					resource: 'message',
					operation: 'send',
					parameters: { to: TARO, messageSource: 'fields', messages: textMessages('x'), options: { maxRetries: 0 } },
					accessToken: SECRET,
					apiBaseUrl,
				};
				const { output } = await runLine(sandbox, { ...options, continueOnFail: true });
				outputs.push(output);
				try {
					await runLine(sandbox, options);
				} catch (error) {
					errors.push(error);
				}
			}
			expect(errors).toHaveLength(2);
			expect(errors[0]).toBeInstanceOf(NodeApiError);
			expect((errors[0] as Error).message).toMatch(/did not accept the channel access token/);
			expect((errors[1] as Error).message).toMatch(/Could not reach LINE/);
			for (const error of errors as NodeApiError[]) {
				const everything = JSON.stringify({
					error,
					message: error.message,
					description: error.description,
					context: error.context,
					cause: error.cause,
					stack: error.stack,
					messages: error.messages,
				});
				expect(everything).not.toContain(SECRET);
			}
			expect(JSON.stringify(outputs)).not.toContain(SECRET);
			// The token did travel, in the Authorization header only.
			expect(requestsTo(sandbox, '/v2/bot/message/push')[0].headers.authorization).toBe(`Bearer ${SECRET}`);
		});

		it('reports a wrong operation name as a node error', async () => {
			await expect(runLine(sandbox, { resource: 'message', operation: 'fax' })).rejects.toBeInstanceOf(NodeOperationError);
		});
	});
});
