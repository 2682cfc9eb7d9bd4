import fc from 'fast-check';

import {
	chooseSurvivor,
	convergeAfterCreate,
	duplicateMarkText,
	isFriendAddPlaceholder,
	mergedMarkText,
	planLink,
	reviewFlagText,
	withMark,
} from '../../core/porters/survivor';

const holdersArb = fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 12 });

describe('survivor rule', () => {
	it('keeps the lowest candidate ID when none is linked', () => {
		expect(chooseSurvivor([{ id: 30002 }, { id: 30001 }, { id: 30005 }])).toEqual({
			survivorId: 30001,
			others: [30002, 30005],
		});
	});

	it('prefers a candidate linked through LINE Login over a lower ID', () => {
		expect(chooseSurvivor([{ id: 30002, linked: true }, { id: 30001 }])).toEqual({ survivorId: 30002, others: [30001] });
	});

	it('has no survivor without holders, and ignores invalid IDs and repeats', () => {
		expect(chooseSurvivor([])).toBeUndefined();
		expect(chooseSurvivor([{ id: 0 }, { id: NaN }])).toBeUndefined();
		expect(chooseSurvivor([{ id: 7 }, { id: 7 }, { id: -1 }])).toEqual({ survivorId: 7, others: [] });
	});

	it('gives the same survivor for the same set in any order (property)', () => {
		fc.assert(
			fc.property(
				holdersArb,
				fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
				fc.integer(),
				(ids, linkedFlags, seed) => {
					const holders = ids.map((id, i) => ({ id, linked: linkedFlags[i] }));
					const shuffled = [...holders].sort((a, b) => ((a.id * 31 + seed) % 97) - ((b.id * 31 + seed) % 97));
					const one = chooseSurvivor(holders);
					const other = chooseSurvivor(shuffled.reverse());
					expect(other).toEqual(one);
					expect(one?.others).toHaveLength(ids.length - 1);
					expect(one?.others).not.toContain(one?.survivorId);
				},
			),
		);
	});
});

describe('convergence after concurrent creates', () => {
	it('retires only what the execution created itself, and only when it lost', () => {
		expect(convergeAfterCreate([{ id: 101 }, { id: 102 }], [102])).toEqual({
			survivorId: 101,
			others: [102],
			retire: [102],
		});
		expect(convergeAfterCreate([{ id: 101 }, { id: 102 }], [101])?.retire).toEqual([]);
	});

	it('counts its own create even when the read did not see it yet', () => {
		expect(convergeAfterCreate([{ id: 101 }], [103])).toEqual({ survivorId: 101, others: [103], retire: [103] });
	});

	it('leaves exactly one holder once every execution retired its own losers (property)', () => {
		fc.assert(
			fc.property(holdersArb, fc.integer(), (created, seed) => {
				// Each execution created one candidate and sees all of them, in its own order.
				const retired = new Set<number>();
				const survivors = new Set<number>();
				created.forEach((own, k) => {
					const seen = [...created].sort((a, b) => ((a + k + seed) % 13) - ((b + k + seed) % 13));
					const result = convergeAfterCreate(seen.map((id) => ({ id })), [own]);
					survivors.add(result?.survivorId as number);
					for (const id of result?.retire ?? []) retired.add(id);
				});
				expect(survivors.size).toBe(1);
				expect(created.filter((id) => !retired.has(id))).toEqual([...survivors]);
			}),
		);
	});
});

describe('linking a LINE user to a candidate', () => {
	const recruiterFields = ['Person.P_Mail', 'Person.P_Telephone', 'Person.P_Memo'];

	it('treats a candidate with only friend-add data as a placeholder', () => {
		expect(isFriendAddPlaceholder({ 'Person.P_Name': 'LINE 表示名', 'Person.P_Mail': '', 'Person.P_Memo': ' ' }, recruiterFields)).toBe(
			true,
		);
		expect(isFriendAddPlaceholder({ 'Person.P_Mail': 'a@example.jp' }, recruiterFields)).toBe(false);
		expect(isFriendAddPlaceholder({ 'Person.P_Telephone': [{ name: '090' }] }, recruiterFields)).toBe(false);
		expect(isFriendAddPlaceholder({ 'Person.P_Telephone': [] }, recruiterFields)).toBe(true);
	});

	it('retires placeholders, flags holders with data, and never touches the linked candidate', () => {
		const plan = planLink(
			10001,
			[
				{ id: 30002, values: { 'Person.P_Memo': '面談済み' } },
				{ id: 10001, values: { 'Person.P_Mail': 'ichiro@example.jp' } },
				{ id: 30001, values: { 'Person.P_Name': 'LINE 表示名' } },
			],
			recruiterFields,
		);
		expect(plan).toEqual({ retire: [30001], review: [30002] });
	});

	it('counts a resume as recruiter data', () => {
		const plan = planLink(10001, [{ id: 30001, values: {}, resumes: 1 }, { id: 30002, values: {}, resumes: 0 }], recruiterFields);
		expect(plan).toEqual({ retire: [30002], review: [30001] });
	});

	it('puts a mark above what a field holds, once', () => {
		const flag = reviewFlagText(10001);
		expect(withMark('', flag)).toBe(flag);
		expect(withMark('面談済み\n来週連絡', flag)).toBe(`${flag}\n面談済み\n来週連絡`);
		expect(withMark(`${flag}\n面談済み`, flag)).toBe(`${flag}\n面談済み`);
		expect(withMark(' ', mergedMarkText(10001))).toBe('LINE連携: 候補者 10001 に統合');
	});

	it('names the survivor in the duplicate mark', () => {
		expect(duplicateMarkText(30001)).toBe('LINE重複: 候補者 30001 に統合');
	});
});
