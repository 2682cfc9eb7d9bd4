import { LINE_EVENT_TYPES, parseLineWebhook, selectEvents } from '../../core/line/webhook';

const body = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('parseLineWebhook', () => {
	it('accepts the Verify request', () => {
		const parsed = parseLineWebhook(body({ destination: 'U8e742f61d673b39c7fff3cecb7536ef0', events: [] }));
		expect(parsed).toEqual({ ok: true, body: { destination: 'U8e742f61d673b39c7fff3cecb7536ef0', events: [] } });
	});

	it.each([
		['{"destination":', 'not_json'],
		['', 'not_json'],
		['[]', 'not_line_webhook'],
		['null', 'not_line_webhook'],
		['{"events":[]}', 'not_line_webhook'],
		['{"destination":"U1","events":{}}', 'not_line_webhook'],
		['{"destination":"U1","events":[{"timestamp":1}]}', 'not_line_webhook'],
		['{"destination":"U1","events":[null]}', 'not_line_webhook'],
	])('refuses %p (%s)', (raw, reason) => {
		expect(parseLineWebhook(body(raw))).toEqual({ ok: false, reason });
	});
});

describe('selectEvents', () => {
	const webhook = {
		destination: 'Ubot',
		events: [
			{ type: 'message', timestamp: 30, mode: 'active' },
			{ type: 'follow', timestamp: 10, mode: 'active' },
			{ type: 'brandNewType', timestamp: 20, mode: 'active' },
			{ type: 'unfollow', timestamp: 20, mode: 'standby' },
		],
	};

	it('keeps every event for All, oldest first, each with the destination', () => {
		const events = selectEvents(webhook, { types: ['*'], skipStandby: false });
		expect(events.map((e) => e.type)).toEqual(['follow', 'brandNewType', 'unfollow', 'message']);
		expect(events.every((e) => e.destination === 'Ubot')).toBe(true);
	});

	it('drops standby events when asked', () => {
		const events = selectEvents(webhook, { types: ['*'], skipStandby: true });
		expect(events.map((e) => e.type)).toEqual(['follow', 'brandNewType', 'message']);
	});

	it('keeps only the chosen types and never unknown ones', () => {
		const events = selectEvents(webhook, { types: ['message', 'unfollow'], skipStandby: false });
		expect(events.map((e) => e.type)).toEqual(['unfollow', 'message']);
	});

	it('lists every documented event type once', () => {
		const values = LINE_EVENT_TYPES.map((t) => t.value);
		expect(new Set(values).size).toBe(values.length);
		expect(values).toEqual(
			expect.arrayContaining([
				'follow', 'unfollow', 'message', 'postback', 'accountLink', 'unsend', 'join', 'leave',
				'memberJoined', 'memberLeft', 'videoPlayComplete', 'beacon', 'membership', 'messageEdited',
			]),
		);
	});
});
