import { toWriteValue } from '../../core/porters/values';

describe('write values from workflow parameters', () => {
	it('keeps text and numbers, and writes an empty element for null', () => {
		expect(toWriteValue('鈴木 一郎')).toBe('鈴木 一郎');
		expect(toWriteValue('')).toBe('');
		expect(toWriteValue(42)).toBe(42);
		expect(toWriteValue(null)).toBeNull();
		expect(toWriteValue(undefined)).toBeNull();
	});

	it('writes booleans as PORTERS check-box values', () => {
		expect(toWriteValue(true)).toBe('1');
		expect(toWriteValue(false)).toBe('0');
	});

	it('turns option aliases, alone or comma-separated, into option elements', () => {
		expect(toWriteValue('Option.U_LineBlocked')).toEqual({ options: ['Option.U_LineBlocked'] });
		expect(toWriteValue(' Option.U_A , Option.U_B ')).toEqual({ options: ['Option.U_A', 'Option.U_B'] });
		expect(toWriteValue(['Option.U_A', 'Option.U_B'])).toEqual({ options: ['Option.U_A', 'Option.U_B'] });
	});

	it('keeps text that only looks partly like an option list', () => {
		expect(toWriteValue('Option.U_A, free text')).toBe('Option.U_A, free text');
		expect(toWriteValue('see Option.U_A')).toBe('see Option.U_A');
		expect(toWriteValue(['Option.U_A', 'x'])).toBe('["Option.U_A","x"]');
	});

	it('writes other objects as JSON text', () => {
		expect(toWriteValue({ a: 1 })).toBe('{"a":1}');
	});
});
