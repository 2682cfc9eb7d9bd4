import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { DEFAULT_WEBHOOK_SPEC_PATH, OpenApiSpec } from '../../sandbox/line/openapi';
import { LineSandbox } from '../../sandbox/line/server';
import { FIXTURES, HANAKO, TARO } from '../support/lineSandbox';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const webhookSpec = OpenApiSpec.load(DEFAULT_WEBHOOK_SPEC_PATH);
const fixtureFiles = readdirSync(FIXTURES).filter((name) => name.endsWith('.json'));

describe('webhook fixtures', () => {
	it('has the fixtures the other tests rely on', () => {
		expect(fixtureFiles).toEqual(
			expect.arrayContaining(['follow.json', 'unfollow.json', 'message-text.json', 'verify.json']),
		);
	});

	it.each(fixtureFiles)('%s validates against webhook.yml', (name) => {
		const payload = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
		expect(webhookSpec.validate('CallbackRequest', payload)).toEqual([]);
		for (const event of payload.events) {
			expect(event.webhookEventId).toMatch(ULID);
		}
	});

	it('the validator does reject broken payloads (per event type)', () => {
		const follow = JSON.parse(readFileSync(join(FIXTURES, 'follow.json'), 'utf8'));
		delete follow.events[0].follow;
		follow.destination = 'not-a-bot-id';
		const followErrors = webhookSpec.validate('CallbackRequest', follow);
		expect(followErrors).toEqual(
			expect.arrayContaining([
				{ message: 'Must match ^U[0-9a-f]{32}$', property: 'destination' },
				{ message: 'Length must be between 33 and 33', property: 'destination' },
				{ message: 'must be specified', property: 'events[0].follow' },
			]),
		);
		expect(followErrors).toHaveLength(3);

		const message = JSON.parse(readFileSync(join(FIXTURES, 'message-text.json'), 'utf8'));
		delete message.events[0].message.quoteToken;
		message.events[0].mode = 'passive';
		expect(webhookSpec.validate('CallbackRequest', message)).toEqual(
			expect.arrayContaining([
				{ message: 'must be specified', property: 'events[0].message.quoteToken' },
				{ message: 'Must be one of the following values: [active, standby]', property: 'events[0].mode' },
			]),
		);
	});
});

describe('events built by the sandbox', () => {
	const sandbox = new LineSandbox();

	it.each([
		[{ type: 'follow', userId: TARO }],
		[{ type: 'follow', userId: TARO, isUnblocked: true }],
		[{ type: 'unfollow', userId: HANAKO }],
		[{ type: 'message', userId: TARO, text: '応募しました' }],
		[{ type: 'message', userId: TARO, text: 'standby', mode: 'standby' }],
		[{ type: 'postback', userId: TARO, data: 'a=1', params: { date: '2025-12-01' } }],
		[{ type: 'accountLink', userId: TARO, link: { result: 'ok', nonce: 'n0nce' } }],
		[{ type: 'unsend', userId: TARO, unsend: { messageId: '123' } }],
	])('%j validates against webhook.yml', (spec) => {
		const event = sandbox.buildEvent(spec) as Record<string, unknown>;
		const payload = { destination: sandbox.messaging.botUserId, events: [event] };
		expect(webhookSpec.validate('CallbackRequest', payload)).toEqual([]);
		expect(event.webhookEventId).toMatch(ULID);
		expect(event.deliveryContext).toEqual({ isRedelivery: false });
		expect(event.source).toEqual({ type: 'user', userId: spec.userId });
	});

	it('adds a reply token where LINE does, and none in standby', () => {
		const follow = sandbox.buildEvent({ type: 'follow' }) as Record<string, unknown>;
		const unfollow = sandbox.buildEvent({ type: 'unfollow' }) as Record<string, unknown>;
		const standby = sandbox.buildEvent({ type: 'message', text: 'x', mode: 'standby' }) as Record<
			string,
			unknown
		>;
		expect(follow.replyToken).toMatch(/^[0-9a-f]{32}$/);
		expect(follow.mode).toBe('active');
		expect(unfollow).not.toHaveProperty('replyToken');
		expect(standby.mode).toBe('standby');
		expect(standby).not.toHaveProperty('replyToken');
	});

	it('gives every event a unique webhookEventId', () => {
		const ids = new Set<string>();
		for (let i = 0; i < 500; i++) {
			ids.add((sandbox.buildEvent({ type: 'follow' }) as { webhookEventId: string }).webhookEventId);
		}
		expect(ids.size).toBe(500);
	});
});
