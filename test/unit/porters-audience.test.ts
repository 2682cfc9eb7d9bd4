import fc from 'fast-check';

import { AudienceBuilder, isMarkedBlocked, parseAliasList, type AudienceRecord } from '../../core/porters/audience';

const user = (n: number) => 'U' + n.toString(16).padStart(32, '0');

function build(records: AudienceRecord[]) {
	const builder = new AudienceBuilder();
	for (const record of records) builder.add(record);
	return builder.result();
}

describe('LINE audience of a PORTERS search', () => {
	it('gives each LINE user once, on the lowest candidate ID, and counts every record left out by reason', () => {
		const { recipients, summary } = build([
			{ candidateId: 12, lineUserId: user(1), blocked: false },
			{ candidateId: 11, lineUserId: user(1), blocked: false }, // same user, lower ID
			{ candidateId: 13, lineUserId: '', blocked: false },
			{ candidateId: 14, lineUserId: undefined, blocked: true }, // no ID wins over blocked
			{ candidateId: 15, lineUserId: 'not-a-line-id', blocked: false },
			{ candidateId: 16, lineUserId: ` ${user(2)} `, blocked: false },
			{ candidateId: 17, lineUserId: user(3), blocked: true },
		]);
		expect(recipients).toEqual([
			{ lineUserId: user(1), candidateId: 11 },
			{ lineUserId: user(2), candidateId: 16 },
		]);
		expect(summary).toEqual({
			matched: 7,
			recipients: 2,
			leftOut: { noLineUserId: 2, invalidLineUserId: 1, blocked: 1, duplicate: 1 },
		});
	});

	it('leaves a user out on every record when any record holding its ID is marked blocked', () => {
		const { recipients, summary } = build([
			{ candidateId: 1, lineUserId: user(9), blocked: false },
			{ candidateId: 2, lineUserId: user(9), blocked: true },
			{ candidateId: 3, lineUserId: user(9), blocked: false },
		]);
		expect(recipients).toEqual([]);
		expect(summary.leftOut).toEqual({ noLineUserId: 0, invalidLineUserId: 0, blocked: 3, duplicate: 0 });
	});

	it('accounts for every record: recipients plus left out equals matched, and no user twice', () => {
		const record = fc.record({
			candidateId: fc.integer({ min: 1, max: 50 }),
			lineUserId: fc.oneof(fc.constant(''), fc.constant('bad'), fc.integer({ min: 0, max: 20 }).map(user)),
			blocked: fc.boolean(),
		});
		fc.assert(
			fc.property(fc.array(record, { maxLength: 80 }), (records) => {
				const { recipients, summary } = build(records);
				const leftOut = Object.values(summary.leftOut).reduce((a, b) => a + b, 0);
				expect(summary.recipients + leftOut).toBe(records.length);
				expect(new Set(recipients.map((r) => r.lineUserId)).size).toBe(recipients.length);
				for (const r of recipients) {
					const holders = records.filter((x) => x.lineUserId.trim() === r.lineUserId);
					expect(holders.some((x) => x.blocked)).toBe(false);
					expect(r.candidateId).toBe(Math.min(...holders.map((x) => x.candidateId)));
				}
			}),
		);
	});

	it('reads the blocked option aliases from a setting', () => {
		expect(parseAliasList(' Option.U_A, Option.U_B\nOption.U_C ')).toEqual(['Option.U_A', 'Option.U_B', 'Option.U_C']);
		expect(parseAliasList('')).toEqual([]);
		expect(isMarkedBlocked(['Option.U_LineFollowing'], ['Option.U_LineBlocked'])).toBe(false);
		expect(isMarkedBlocked(['Option.U_X', 'Option.U_LineBlocked'], ['Option.U_LineBlocked'])).toBe(true);
	});
});
