import fc from 'fast-check';
import {
	MAX_TEXT_UTF16_UNITS,
	batches,
	buildFlexMessage,
	buildQuickReply,
	parseRecipientList,
	utf16Length,
	validateMessages,
	validateRecipients,
} from '../../core/line/messages';

const TARO = 'U4af4980629b8f2f9d1b34f6b0e1a7c01';

describe('utf16Length', () => {
	it('counts UTF-16 code units as LINE does', () => {
		expect(utf16Length('abc')).toBe(3);
		expect(utf16Length('あいう')).toBe(3);
		expect(utf16Length('😀')).toBe(2);
		expect(utf16Length('👨‍👩‍👧')).toBe(8);
		expect(utf16Length(Buffer.from('😀', 'utf8').toString('utf8'))).toBe(Buffer.from('😀', 'utf16le').length / 2);
	});
});

describe('validateMessages', () => {
	it('accepts each supported kind with its required fields', () => {
		expect(
			validateMessages([
				{ type: 'text', text: 'hi' },
				{ type: 'sticker', packageId: '446', stickerId: '1988' },
				{ type: 'image', originalContentUrl: 'https://x.example/a.png', previewImageUrl: 'https://x.example/p.png' },
				{ type: 'flex', altText: 'alt', contents: { type: 'bubble' } },
				{ type: 'location', title: 't', address: 'a', latitude: 1, longitude: 2 },
			]),
		).toEqual([]);
	});

	it('reports problems with LINE property paths', () => {
		expect(validateMessages([{ type: 'text' }, { type: 'sticker', packageId: 1 }, { text: 'no type' }])).toEqual([
			{ property: 'messages[0].text', message: 'is required' },
			{ property: 'messages[1].packageId', message: 'must be non-empty text, not a number' },
			{ property: 'messages[1].stickerId', message: 'is required' },
			{ property: 'messages[2].type', message: 'is required' },
		]);
	});

	it('limits a request to 1..5 message objects', () => {
		const text = { type: 'text', text: 'x' };
		expect(validateMessages([])).toEqual([{ property: 'messages', message: 'must hold at least one message' }]);
		expect(validateMessages(Array(5).fill(text))).toEqual([]);
		expect(validateMessages(Array(6).fill(text))[0]).toEqual({
			property: 'messages',
			message: 'holds 6 messages; LINE accepts at most 5 per request',
		});
		expect(validateMessages('hello')[0].property).toBe('messages');
	});

	it('checks flex contents and carousels', () => {
		expect(validateMessages([{ type: 'flex', altText: 'a', contents: '{}' }])[0].property).toBe('messages[0].contents');
		expect(validateMessages([{ type: 'flex', altText: 'a', contents: { type: 'box' } }])[0].property).toBe(
			'messages[0].contents.type',
		);
		const bubble = { type: 'bubble' };
		expect(validateMessages([{ type: 'flex', altText: 'a', contents: { type: 'carousel', contents: Array(13).fill(bubble) } }])).toEqual([
			{ property: 'messages[0].contents.contents', message: 'may hold at most 12 bubbles' },
		]);
		expect(validateMessages([{ type: 'flex', altText: 'x'.repeat(1501), contents: bubble }])[0].property).toBe(
			'messages[0].altText',
		);
	});

	it('checks quick reply buttons', () => {
		const items = Array.from({ length: 14 }, (_, i) => ({ type: 'action', action: { type: 'message', label: `b${i}`, text: 't' } }));
		expect(validateMessages([{ type: 'text', text: 'x', quickReply: { items } }])).toEqual([
			{ property: 'messages[0].quickReply.items', message: 'must hold 1 to 13 buttons, not 14' },
		]);
		expect(
			validateMessages([
				{
					type: 'text',
					text: 'x',
					quickReply: {
						items: [
							{ type: 'action', action: { type: 'postback', label: 'ok' } },
							{ type: 'action', action: { type: 'uri', label: 'x'.repeat(21), uri: 'https://e.example' } },
							{ type: 'action', action: { type: 'camera', label: 'Camera' } },
						],
					},
				},
			]),
		).toEqual([
			{ property: 'messages[0].quickReply.items[0].action.data', message: 'is required' },
			{ property: 'messages[0].quickReply.items[1].action.label', message: 'must be at most 20 characters long' },
		]);
	});

	it('accepts a text exactly when it has at most 5,000 UTF-16 units', () => {
		const unit = fc.constantFrom('a', 'あ', '😀', '\n', 'é', '𠮷');
		fc.assert(
			fc.property(fc.array(unit, { minLength: 1, maxLength: 2600 }), (parts) => {
				const text = parts.join('').padEnd(4990, 'x');
				const problems = validateMessages([{ type: 'text', text }]);
				return (problems.length === 0) === (utf16Length(text) <= MAX_TEXT_UTF16_UNITS);
			}),
			{ numRuns: 200 },
		);
	});
});

describe('recipients', () => {
	it('names each bad recipient by position', () => {
		expect(validateRecipients([TARO, 'nope', `C${TARO.slice(1)}`], 'users')).toEqual([
			{ property: 'to[1]', message: '"nope" is not a LINE user ID (U followed by 32 characters 0-9 a-f)' },
			{ property: 'to[2]', message: expect.stringContaining('is not a LINE user ID') },
		]);
		expect(validateRecipients([`C${TARO.slice(1)}`], 'chats')).toEqual([]);
		expect(validateRecipients(['x'.repeat(100)], 'users')[0].message).toContain('…');
	});

	it('reads recipient lists from text or lists and keeps the first of duplicates', () => {
		expect(parseRecipientList(' a, b\nc;  a \r\n\tb ')).toEqual(['a', 'b', 'c']);
		expect(parseRecipientList(['a', ['b', ['c']], { userId: 'd' }, '', null])).toEqual(['a', 'b', 'c', 'd']);
		expect(parseRecipientList(undefined)).toEqual([]);
		expect(parseRecipientList(42)).toEqual(['42']);
	});

	it('batches keep order, never exceed the size and lose nothing', () => {
		fc.assert(
			fc.property(fc.array(fc.integer(), { maxLength: 3000 }), fc.integer({ min: 1, max: 700 }), (list, size) => {
				const parts = batches(list, size);
				expect(parts.flat()).toEqual(list);
				expect(parts).toHaveLength(Math.ceil(list.length / size));
				for (const part of parts) expect(part.length).toBeGreaterThan(0);
				for (const part of parts) expect(part.length).toBeLessThanOrEqual(size);
			}),
			{ numRuns: 100 },
		);
		expect(batches(Array(1201).fill(0)).map((b) => b.length)).toEqual([500, 500, 201]);
		expect(() => batches([1], 0)).toThrow(RangeError);
	});
});

describe('builders', () => {
	it('builds quick replies with the label as default text', () => {
		expect(buildQuickReply([])).toBeUndefined();
		expect(
			buildQuickReply([
				{ type: 'message', label: 'Yes' },
				{ type: 'postback', label: 'No', data: 'answer=no', text: 'No thanks' },
				{ type: 'uri', label: 'Site', uri: 'https://e.example' },
			]),
		).toEqual({
			items: [
				{ type: 'action', action: { type: 'message', label: 'Yes', text: 'Yes' } },
				{ type: 'action', action: { type: 'postback', label: 'No', data: 'answer=no', displayText: 'No thanks' } },
				{ type: 'action', action: { type: 'uri', label: 'Site', uri: 'https://e.example' } },
			],
		});
	});

	it('builds a flex message from a container or a whole message', () => {
		const bubble = { type: 'bubble' };
		expect(buildFlexMessage('alt', bubble)).toEqual({ type: 'flex', altText: 'alt', contents: bubble });
		expect(buildFlexMessage('', { type: 'flex', altText: 'inner', contents: bubble })).toEqual({
			type: 'flex',
			altText: 'inner',
			contents: bubble,
		});
		expect(buildFlexMessage('outer', { type: 'flex', altText: 'inner', contents: bubble }).altText).toBe('outer');
	});
});
