import { PollCursor, startingCursor } from '../../core/porters/pollCursor';

describe('PORTERS poll cursor', () => {
	it('starts at the given moment in PORTERS time (UTC), with nothing seen', () => {
		expect(startingCursor(Date.UTC(2026, 0, 12, 9, 15, 7))).toEqual({
			cursor: '2026/01/12 09:15:07',
			seenAtCursor: [],
		});
	});

	it('moves to the newest date and remembers only the records at that second', () => {
		const cursor = new PollCursor({ cursor: '2026/01/12 09:00:00', seenAtCursor: [] });
		expect(cursor.offer('1', '2026/01/12 09:00:00')).toBe(true);
		expect(cursor.offer('2', '2026/01/12 09:15:00')).toBe(true);
		expect(cursor.offer('3', '2026/01/12 09:15:00')).toBe(true);
		expect(cursor.state()).toEqual({
			cursor: '2026/01/12 09:15:00',
			seenAtCursor: ['2@2026/01/12 09:15:00', '3@2026/01/12 09:15:00'],
		});
	});

	it('skips records emitted at the cursor before, but not a newer save of the same record', () => {
		const cursor = new PollCursor({ cursor: '2026/01/12 09:15:00', seenAtCursor: ['2@2026/01/12 09:15:00'] });
		expect(cursor.alreadySeen).toBe(1);
		expect(cursor.offer('2', '2026/01/12 09:15:00')).toBe(false);
		expect(cursor.offer('4', '2026/01/12 09:15:00')).toBe(true);
		expect(cursor.state().seenAtCursor).toEqual(['2@2026/01/12 09:15:00', '4@2026/01/12 09:15:00']);
		expect(cursor.offer('2', '2026/01/12 09:16:00')).toBe(true);
		expect(cursor.state()).toEqual({ cursor: '2026/01/12 09:16:00', seenAtCursor: ['2@2026/01/12 09:16:00'] });
	});

	it('keeps the cursor when nothing new came', () => {
		const cursor = new PollCursor({ cursor: '2026/01/12 09:15:00', seenAtCursor: ['2@2026/01/12 09:15:00'] });
		expect(cursor.offer('2', '2026/01/12 09:15:00')).toBe(false);
		expect(cursor.state()).toEqual({ cursor: '2026/01/12 09:15:00', seenAtCursor: ['2@2026/01/12 09:15:00'] });
	});

	it('emits a record whose date cannot be read without moving the cursor', () => {
		const cursor = new PollCursor({ cursor: '2026/01/12 09:15:00' });
		expect(cursor.offer('5', 'not a date')).toBe(true);
		expect(cursor.state()).toEqual({ cursor: '2026/01/12 09:15:00', seenAtCursor: [] });
	});

	it('refuses a stored cursor that is not a PORTERS date', () => {
		expect(() => new PollCursor({ cursor: 'yesterday' })).toThrow('is not a PORTERS date');
	});
});
