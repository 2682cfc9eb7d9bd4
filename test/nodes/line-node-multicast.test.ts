import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import type { LineSandbox } from '../../sandbox/line/server';
import { friendUsers, requestsTo, runLine, startSandbox, textMessages } from '../support/lineNode';

const MULTICAST = '/v2/bot/message/multicast';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('LINE node: Multicast', () => {
	let sandbox: LineSandbox;
	const friends = friendUsers(1300).map((user) => user.userId);

	beforeAll(async () => {
		sandbox = await startSandbox({ users: friendUsers(1300) });
	});
	afterAll(() => sandbox.stop());
	beforeEach(() => sandbox.reset());

	function multicast(userIds: unknown, extra: Record<string, unknown> = {}, parameters: Record<string, unknown> = {}) {
		return runLine(sandbox, {
			resource: 'message',
			operation: 'multicast',
			parameters: { userIds, messageSource: 'fields', messages: textMessages('説明会のお知らせ'), ...parameters },
			...extra,
		});
	}

	function eventItem(): { json: IDataObject } {
		const event = sandbox.buildEvent({ type: 'postback', userId: friends[0], data: 'campaign=1' }) as IDataObject;
		return { json: { ...event, destination: sandbox.messaging.botUserId } };
	}

	it('sends 1,201 recipients in 3 calls of at most 500, each with its own retry key', async () => {
		const { json, output } = await multicast(friends.slice(0, 1201));
		const calls = requestsTo(sandbox, MULTICAST);
		expect(calls).toHaveLength(3);
		expect(calls.map((call) => (call.body as { to: string[] }).to.length)).toEqual([500, 500, 201]);
		expect(calls.flatMap((call) => (call.body as { to: string[] }).to)).toEqual(friends.slice(0, 1201));
		const keys = calls.map((call) => call.headers['x-line-retry-key']);
		for (const key of keys) expect(key).toMatch(UUID);
		expect(new Set(keys).size).toBe(3);

		expect(sandbox.deliveries).toHaveLength(3);
		expect(sandbox.deliveries.flatMap((d) => d.reached)).toHaveLength(1201);
		expect(json[0]).toMatchObject({
			sent: true,
			duplicate: false,
			recipientCount: 1201,
			newlySentTo: 1201,
			requestCount: 3,
			messageCount: 1,
		});
		expect((json[0].batches as IDataObject[]).map((b) => b.requestId)).toEqual(
			sandbox.deliveries.map((d) => d.requestId),
		);
		expect(output[0].pairedItem).toEqual({ item: 0 });
	});

	it('reads comma, space and line-break separated text and drops duplicates', async () => {
		const text = `${friends[0]}, ${friends[1]}\n${friends[2]} ${friends[0]};${friends[1]}`;
		const { json } = await multicast(text);
		expect(sandbox.deliveries[0].to).toEqual(friends.slice(0, 3));
		expect(json[0].recipientCount).toBe(3);
	});

	it('accepts a list from an expression, e.g. user IDs collected from earlier nodes', async () => {
		await multicast(() => [friends[3], [friends[4]], { userId: friends[5] }]);
		expect(sandbox.deliveries[0].to).toEqual(friends.slice(3, 6));
	});

	it('does not send a second time when the same LINE event runs the workflow again', async () => {
		const item = eventItem();
		const first = await multicast(friends.slice(0, 1201), { items: [item] });
		const second = await multicast(friends.slice(0, 1201), { items: [item] });
		expect(sandbox.deliveries).toHaveLength(3);
		expect(requestsTo(sandbox, MULTICAST).map((r) => r.status)).toEqual([200, 200, 200, 409, 409, 409]);
		expect(first.json[0]).toMatchObject({ duplicate: false, newlySentTo: 1201 });
		expect(second.json[0]).toMatchObject({ duplicate: true, newlySentTo: 0, requestCount: 3 });
	});

	it('after a batch fails for good, a re-run of the same event sends only the missing batches', async () => {
		const item = eventItem();
		let multicastCalls = 0;
		const breakSecondBatch = (call: { url: string }) => {
			if (!call.url.endsWith(MULTICAST)) return;
			multicastCalls += 1;
			// The second batch meets a LINE outage that outlasts the retries.
			if (multicastCalls === 2) sandbox.injectFaults([{ status: 500, path: MULTICAST, count: 3 }]);
		};
		let failure: Error | undefined;
		try {
			await multicast(friends.slice(0, 1201), { items: [item], onRequest: breakSecondBatch }, { options: { maxRetries: 2 } });
		} catch (error) {
			failure = error as Error;
		}
		expect(failure).toBeInstanceOf(NodeApiError);
		expect(failure?.message).toContain('batch 2 of 3 failed; batches 1-1 (500 recipients) were sent before');
		expect(sandbox.deliveries).toHaveLength(1);

		const rerun = await multicast(friends.slice(0, 1201), { items: [item] });
		expect(rerun.json[0]).toMatchObject({ duplicate: false, newlySentTo: 701 });
		expect((rerun.json[0].batches as IDataObject[]).map((b) => b.duplicate)).toEqual([true, false, false]);
		expect(sandbox.deliveries).toHaveLength(3);
		const delivered = sandbox.deliveries.flatMap((d) => d.to);
		expect(new Set(delivered).size).toBe(1201);
		expect(delivered).toHaveLength(1201);
	});

	it('rejects a bad user ID anywhere in the list before sending anything', async () => {
		const list = friends.slice(0, 1201);
		list[857] = 'Cabcdefabcdefabcdefabcdefabcdefab';
		let failure: Error | undefined;
		try {
			await multicast(list);
		} catch (error) {
			failure = error as Error;
		}
		expect(failure).toBeInstanceOf(NodeOperationError);
		expect(failure?.message).toMatch(/^Item 0: to\[857\] "Cabcdef.*" is not a LINE user ID/);
		expect(sandbox.requests).toHaveLength(0);
	});

	it('lists at most 20 bad IDs in the error description', async () => {
		const bad = Array.from({ length: 30 }, (_, i) => `user-${i}`);
		let failure: NodeOperationError | undefined;
		try {
			await multicast(bad);
		} catch (error) {
			failure = error as NodeOperationError;
		}
		expect(failure?.message).toBe(
			'Item 0: to[0] "user-0" is not a LINE user ID (U followed by 32 characters 0-9 a-f) (and 29 more problems)',
		);
		const lines = String(failure?.description).split('\n');
		expect(lines).toHaveLength(21);
		expect(lines[20]).toBe('• … and 10 more');
		expect(sandbox.requests).toHaveLength(0);
	});

	it('rejects an empty recipient list', async () => {
		await expect(multicast('  ,  ')).rejects.toThrow(/^Item 0: to needs at least one user ID/);
		expect(sandbox.requests).toHaveLength(0);
	});
});
