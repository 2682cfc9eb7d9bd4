import { NodeApiError } from 'n8n-workflow';
import { isAcceptedRetryKeyConflict, lineApiRequest, type LineRequest } from '../../nodes/Line/transport';
import type { LineSandbox } from '../../sandbox/line/server';
import { TARO, lineContext, requestsTo, startSandbox } from '../support/lineNode';

const FAST = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 };

describe('LINE transport', () => {
	let sandbox: LineSandbox;

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.stop());
	beforeEach(() => sandbox.reset());

	async function call(request: LineRequest) {
		const ctx = lineContext(sandbox, { resource: 'message', operation: 'send' });
		return lineApiRequest.call(ctx, { backoff: FAST, ...request });
	}

	async function failure(request: LineRequest): Promise<NodeApiError> {
		try {
			await call(request);
		} catch (error) {
			return error as NodeApiError;
		}
		throw new Error('expected a failure');
	}

	it("turns LINE's error details and request ID into the error description", async () => {
		const error = await failure({
			method: 'POST',
			path: '/v2/bot/message/push',
			body: { to: TARO, messages: [{ type: 'text', text: 'x', emojis: 'not-a-list' }] },
			itemIndex: 3,
		});
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('400');
		expect(error.message).toMatch(/^LINE rejected the request as invalid: The request body has 1 error\(s\)/);
		expect(error.description).toMatch(/Details: messages\[0\]\.emojis: /);
		const [request] = requestsTo(sandbox, '/v2/bot/message/push');
		expect(error.description).toContain(`LINE request ID: ${request.requestId}`);
		expect(error.context.itemIndex).toBe(3);
	});

	it('returns accepted non-2xx answers instead of throwing (the trigger relies on 404 here)', async () => {
		const response = await call({ method: 'GET', path: '/v2/bot/channel/webhook/endpoint', acceptStatus: [404] });
		expect(response.statusCode).toBe(404);
		expect(response.body).toEqual({ message: 'Webhook endpoint not found' });
		expect(response.requestId).toBe(requestsTo(sandbox, '/v2/bot/channel/webhook/endpoint')[0].requestId);
	});

	it('retries 429 and 5xx a bounded number of times', async () => {
		sandbox.injectFaults([{ status: 429, count: 2 }, { status: 500 }]);
		const response = await call({ method: 'GET', path: '/v2/bot/info' });
		expect(response.statusCode).toBe(200);
		expect(requestsTo(sandbox, '/v2/bot/info').map((r) => r.status)).toEqual([429, 429, 500, 200]);

		sandbox.reset();
		sandbox.injectFaults([{ status: 500, count: 10 }]);
		const error = await failure({ method: 'GET', path: '/v2/bot/info' });
		expect(error.httpCode).toBe('500');
		expect(requestsTo(sandbox, '/v2/bot/info')).toHaveLength(FAST.maxRetries + 1);
	});

	it('can leave 429 or 5xx alone where repeating does not help', async () => {
		sandbox.injectFaults([{ status: 429 }]);
		expect((await failure({ method: 'GET', path: '/v2/bot/info', retryRateLimited: false })).httpCode).toBe('429');
		sandbox.injectFaults([{ status: 503 }]);
		expect((await failure({ method: 'GET', path: '/v2/bot/info', retryServerErrors: false })).httpCode).toBe('503');
		expect(requestsTo(sandbox, '/v2/bot/info')).toHaveLength(2);
	});

	it('recognises the 409 of an accepted retry key', () => {
		const answer = (statusCode: number, body: object, headers: Record<string, string> = {}) => ({
			statusCode,
			body,
			headers,
		});
		expect(isAcceptedRetryKeyConflict(answer(409, { message: 'The retry key is already accepted' }))).toBe(true);
		expect(isAcceptedRetryKeyConflict(answer(409, {}, { 'x-line-accepted-request-id': 'abc' }))).toBe(true);
		expect(isAcceptedRetryKeyConflict(answer(409, { message: 'Conflict' }))).toBe(false);
		expect(isAcceptedRetryKeyConflict(answer(200, { message: 'The retry key is already accepted' }))).toBe(false);
	});
});
