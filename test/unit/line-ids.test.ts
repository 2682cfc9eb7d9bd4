import fc from 'fast-check';
import { LINE_CHAT_ID_FORMAT, LINE_USER_ID_FORMAT, isLineChatId, isLineUserId } from '../../core/line/ids';

const TARO = 'U4af4980629b8f2f9d1b34f6b0e1a7c01';

describe('LINE IDs', () => {
	it('recognises user, group and room IDs', () => {
		expect(isLineUserId(TARO)).toBe(true);
		expect(isLineUserId(TARO.toUpperCase())).toBe(false);
		expect(isLineUserId(`${TARO}0`)).toBe(false);
		expect(isLineUserId(`C${TARO.slice(1)}`)).toBe(false);
		expect(isLineChatId(`C${TARO.slice(1)}`)).toBe(true);
		expect(isLineChatId(`R${TARO.slice(1)}`)).toBe(true);
		expect(isLineChatId(`X${TARO.slice(1)}`)).toBe(false);
		expect(isLineUserId(undefined)).toBe(false);
	});

	it('takes every user ID for a chat ID, and no text around an ID', () => {
		const hex = fc.stringMatching(/^[0-9a-f]{32}$/);
		fc.assert(
			fc.property(hex, fc.constantFrom('U', 'C', 'R'), (digits, kind) => {
				const id = `${kind}${digits}`;
				expect(isLineUserId(id)).toBe(kind === 'U');
				expect(isLineChatId(id)).toBe(true);
				expect(isLineChatId(` ${id}`)).toBe(false);
				expect(isLineChatId(`${id}\n`)).toBe(false);
			}),
		);
	});

	it('checks only text', () => {
		for (const value of [null, 42, ['U'], { id: TARO }]) {
			expect(isLineUserId(value)).toBe(false);
			expect(isLineChatId(value)).toBe(false);
		}
		expect(LINE_USER_ID_FORMAT.test(TARO)).toBe(true);
		expect(LINE_CHAT_ID_FORMAT.test(TARO)).toBe(true);
	});
});
