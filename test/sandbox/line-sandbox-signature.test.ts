import { validateSignature } from '@line/bot-sdk';
import { readFileSync } from 'fs';
import { join } from 'path';
import { WebhookReceiver } from '../../sandbox/line/receiver';
import { LineSandbox } from '../../sandbox/line/server';
import { signBody } from '../../sandbox/line/webhook';
import { BOT, FIXTURES, TARO } from '../support/lineSandbox';

const SECRET = '8c570fa6dd201bb328f1c1eac23a96d8';

// ../shared/docs/line-platform.md §2.1 test vectors.
const V1_BODY = '{"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[]}';
const V1_SIGNATURE = 'GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs=';
const V3_EVENT =
	'{"message":{"id":"test_event_message_id","text":"this is test message.😄😅😢😞😄😅😢😞","quoteToken":"test_quote_token","type":"text"},"replyToken":"test_reply_token","source":{"groupId":"test_group_id","type":"group"},"webhookEventId":"test_webhook_event_id","deliveryContext":{"isRedelivery":false},"timestamp":0,"mode":"active","type":"message"}';

describe('webhook signing', () => {
	it('reproduces the documented vectors', () => {
		expect(signBody(V1_BODY, SECRET)).toBe(V1_SIGNATURE);
		expect(signBody('{"hello":"world"}', 'test_secret')).toBe(
			't7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=',
		);
		const v3 = `{"events":[${V3_EVENT}],"destination":"Uaaaabbbbccccddddeeeeffff"}`;
		expect(signBody(v3, 'test_channel_secret')).toBe('eRdWYcVCzZV3MVZ3M9/rHJCl/a3oSbsRb04cLovpVwM=');
		const v3b = `{"destination":"Uaaaabbbbccccddddeeeeffff","events":[${V3_EVENT}]}`;
		expect(signBody(v3b, 'test_channel_secret')).toBe('KFAjQCFWM6GObqXk2tiGYchq/a1ZoT60IlHUAB0iz1I=');
		expect(
			signBody(
				'{"destination":"UDEST","events":[{"type":"message","message":{"type":"text","text":"hi"}}]}',
				'channel-secret',
			),
		).toBe('4JPgEyQ4d51A0VdSCi0/MHRP3TUL6FksvJxExC9kfzU=');
	});

	it('signs the exact bytes, not a re-serialisation', () => {
		const body = Buffer.from('{"destination":"U1", "events":[]}', 'utf8');
		expect(signBody(body, SECRET)).not.toBe(signBody('{"destination":"U1","events":[]}', SECRET));
	});
});

describe('webhooks sent by the sandbox', () => {
	const sandbox = new LineSandbox();
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
		receiver.status = 200;
	});

	it('sends the Verify request byte for byte as the documented vector', async () => {
		const result = await sandbox.sendVerify(receiver.url);
		expect(result.status).toBe(200);
		const got = receiver.received[0];
		expect(got.rawBody.toString('utf8')).toBe(V1_BODY);
		expect(got.headers['x-line-signature']).toBe(V1_SIGNATURE);
		expect(got.headers['content-type']).toBe('application/json; charset=utf-8');
		// The committed fixture is the same request.
		expect(readFileSync(join(FIXTURES, 'verify.json'), 'utf8')).toBe(V1_BODY);
	});

	it('signs event webhooks so that the SDK accepts them, emoji included', async () => {
		const result = await sandbox.sendWebhook(receiver.url, [
			{ type: 'message', userId: TARO, text: 'よろしくお願いします😊🙇‍♂️' },
			{ type: 'follow', userId: TARO },
		]);
		expect(result.status).toBe(200);
		const got = receiver.received[0];
		expect(got.rawBody.toString('utf8')).toBe(result.payload);
		expect(validateSignature(got.rawBody, SECRET, got.headers['x-line-signature'])).toBe(true);
		expect(validateSignature(got.rawBody, 'another-secret', got.headers['x-line-signature'])).toBe(false);
		const body = JSON.parse(got.rawBody.toString('utf8'));
		expect(body.destination).toBe(BOT);
		expect(body.events).toHaveLength(2);
		expect(body.events[0].message.text).toBe('よろしくお願いします😊🙇‍♂️');
	});

	it('can forge the signature, leave the header out, or send other exact bytes', async () => {
		await sandbox.sendWebhook(receiver.url, { type: 'follow' }, { forgeSignature: true });
		const forged = receiver.received[0];
		expect(forged.headers['x-line-signature']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
		expect(validateSignature(forged.rawBody, SECRET, forged.headers['x-line-signature'])).toBe(false);

		await sandbox.sendWebhook(receiver.url, { type: 'follow' }, { signatureHeader: null });
		expect(receiver.received[1].headers['x-line-signature']).toBeUndefined();

		const raw = `{"events":[${V3_EVENT}],"destination":"Uaaaabbbbccccddddeeeeffff"}`;
		const result = await sandbox.sendWebhook(receiver.url, [], { rawBody: raw });
		const got = receiver.received[2];
		expect(got.rawBody.toString('utf8')).toBe(raw);
		expect(validateSignature(got.rawBody, SECRET, got.headers['x-line-signature'])).toBe(true);
		expect(result.events).toHaveLength(1);
	});

	it('reports the receiver status and a timeout as status 0', async () => {
		receiver.status = 401;
		const rejected = await sandbox.sendWebhook(receiver.url, { type: 'follow' });
		expect(rejected.status).toBe(401);

		const slow = new LineSandbox({ webhookTimeoutMs: 100 });
		receiver.status = 200;
		receiver.delayMs = 300;
		try {
			const timedOut = await slow.sendVerify(receiver.url);
			expect(timedOut.status).toBe(0);
			expect(slow.sentWebhooks[0].failure).toBe('request_timeout');
		} finally {
			receiver.delayMs = 0;
		}
	});
});
