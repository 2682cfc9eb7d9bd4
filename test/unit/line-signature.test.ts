import { validateSignature } from '@line/bot-sdk';
import fc from 'fast-check';
import { checkLineSignature, computeLineSignature } from '../../core/line/signature';

// Vectors from ../shared/docs/line-platform.md §2.1 (LINE's openssl walkthrough and @line/bot-sdk's tests).
const V3_BODY =
	'{"events":[{"message":{"id":"test_event_message_id","text":"this is test message.😄😅😢😞😄😅😢😞","quoteToken":"test_quote_token","type":"text"},"replyToken":"test_reply_token","source":{"groupId":"test_group_id","type":"group"},"webhookEventId":"test_webhook_event_id","deliveryContext":{"isRedelivery":false},"timestamp":0,"mode":"active","type":"message"}],"destination":"Uaaaabbbbccccddddeeeeffff"}';
const V3B_BODY =
	'{"destination":"Uaaaabbbbccccddddeeeeffff","events":[{"message":{"id":"test_event_message_id","text":"this is test message.😄😅😢😞😄😅😢😞","quoteToken":"test_quote_token","type":"text"},"replyToken":"test_reply_token","source":{"groupId":"test_group_id","type":"group"},"webhookEventId":"test_webhook_event_id","deliveryContext":{"isRedelivery":false},"timestamp":0,"mode":"active","type":"message"}]}';
const vectors = [
	{
		id: 'V1',
		secret: '8c570fa6dd201bb328f1c1eac23a96d8',
		body: '{"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[]}',
		signature: 'GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs=',
	},
	{ id: 'V2', secret: 'test_secret', body: '{"hello":"world"}', signature: 't7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=' },
	{ id: 'V3', secret: 'test_channel_secret', body: V3_BODY, signature: 'eRdWYcVCzZV3MVZ3M9/rHJCl/a3oSbsRb04cLovpVwM=' },
	{ id: 'V3b', secret: 'test_channel_secret', body: V3B_BODY, signature: 'KFAjQCFWM6GObqXk2tiGYchq/a1ZoT60IlHUAB0iz1I=' },
	{
		id: 'V4',
		secret: 'channel-secret',
		body: '{"destination":"UDEST","events":[{"type":"message","message":{"type":"text","text":"hi"}}]}',
		signature: '4JPgEyQ4d51A0VdSCi0/MHRP3TUL6FksvJxExC9kfzU=',
	},
];

describe('LINE webhook signature', () => {
	it.each(vectors)('matches documented vector $id', ({ secret, body, signature }) => {
		expect(computeLineSignature(secret, Buffer.from(body, 'utf8'))).toBe(signature);
		expect(checkLineSignature(secret, Buffer.from(body, 'utf8'), signature)).toBe('valid');
	});

	it('rejects the SDK vector with two letters case-flipped', () => {
		expect(
			checkLineSignature('test_secret', Buffer.from('{"hello":"world"}'), 't7Hn4ZDHqs6e+wdvi5TyQivzie0DmMUmuXEBqyyE/tM='),
		).toBe('mismatch');
	});

	it('shows that re-serialising a parsed body breaks the signature (V3 vs V3b)', () => {
		const reserialised = JSON.stringify(JSON.parse(V3_BODY), ['destination', ...Object.keys(JSON.parse(V3_BODY))]);
		expect(checkLineSignature('test_channel_secret', Buffer.from(V3B_BODY), vectors[2].signature)).toBe('mismatch');
		expect(reserialised).not.toBe(V3_BODY);
	});

	it.each([
		[undefined, 'missing'],
		['', 'missing'],
		['not-base64!', 'malformed'],
		['GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs', 'malformed'],
		['GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs=extra', 'malformed'],
		[['GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs='], 'malformed'],
	])('classifies header %p as %s', (header, expected) => {
		expect(checkLineSignature(vectors[0].secret, Buffer.from(vectors[0].body), header as string)).toBe(expected);
	});

	it('agrees with @line/bot-sdk validateSignature on arbitrary bodies and secrets', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 512 }), fc.string({ minLength: 1, maxLength: 40 }), (bytes, secret) => {
				const body = Buffer.from(bytes);
				const signature = computeLineSignature(secret, body);
				expect(validateSignature(body, secret, signature)).toBe(true);
				expect(checkLineSignature(secret, body, signature)).toBe('valid');
			}),
		);
	});

	it('rejects any single changed byte of the body', () => {
		fc.assert(
			fc.property(
				fc.uint8Array({ minLength: 1, maxLength: 256 }),
				fc.nat(),
				fc.integer({ min: 1, max: 255 }),
				(bytes, position, delta) => {
					const body = Buffer.from(bytes);
					const signature = computeLineSignature('secret', body);
					const tampered = Buffer.from(body);
					const i = position % tampered.length;
					tampered[i] = (tampered[i] + delta) % 256;
					expect(checkLineSignature('secret', tampered, signature)).toBe('mismatch');
				},
			),
		);
	});
});
