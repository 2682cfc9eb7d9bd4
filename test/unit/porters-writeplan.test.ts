import fc from 'fast-check';

import { encodeWriteItem, encodeWriteRequest, writeRequestOverhead, type WriteItem } from '../../core/porters/codec';
import {
	DEFAULT_MAX_REQUEST_CHARS,
	halves,
	planWriteBatches,
	requestChars,
} from '../../core/porters/writePlan';

const total = (sizes: readonly number[], batch: number[]) => batch.reduce((sum, i) => sum + sizes[i], 0);

describe('planWriteBatches', () => {
	it('cuts by count alone when there is no size limit', () => {
		const sizes = Array.from({ length: 450 }, () => 400);
		const batches = planWriteBatches(sizes, { maxItems: 200, maxChars: 0, overheadChars: 70 });
		expect(batches.map((b) => b.length)).toEqual([200, 200, 50]);
	});

	it('cuts by size: 450 items of 400 characters under 12,000 go 29 to a request', () => {
		const sizes = Array.from({ length: 450 }, () => 400);
		const batches = planWriteBatches(sizes, { maxItems: 200, maxChars: 12_000, overheadChars: 70 });
		// (12,000 − 70) / 400 = 29.8 → 29 items per request, 16 requests for 450.
		expect(batches.map((b) => b.length)).toEqual([...Array(15).fill(29), 15]);
	});

	it('sends an item larger than the limit alone, between its neighbours', () => {
		const batches = planWriteBatches([100, 100, 5000, 100], { maxItems: 200, maxChars: 1000, overheadChars: 50 });
		expect(batches).toEqual([[0, 1], [2], [3]]);
	});

	it('never allows more than 200 items, whatever is asked', () => {
		const batches = planWriteBatches(Array(401).fill(1), { maxItems: 1000, maxChars: 0, overheadChars: 0 });
		expect(batches.map((b) => b.length)).toEqual([200, 200, 1]);
		expect(planWriteBatches([1, 1], { maxItems: 0, maxChars: 0, overheadChars: 0 })).toEqual([[0, 1]]);
	});

	it('plans nothing for no items', () => {
		expect(planWriteBatches([], { maxItems: 200, maxChars: 100, overheadChars: 10 })).toEqual([]);
	});

	const limitsArb = fc.record({
		maxItems: fc.integer({ min: 1, max: 200 }),
		maxChars: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50_000 })),
		overheadChars: fc.integer({ min: 0, max: 200 }),
	});
	const sizesArb = fc.array(fc.integer({ min: 1, max: 20_000 }), { maxLength: 600 });

	it('keeps every item exactly once, in input order (property)', () => {
		fc.assert(
			fc.property(sizesArb, limitsArb, (sizes, limits) => {
				const flat = planWriteBatches(sizes, limits).flat();
				expect(flat).toEqual(sizes.map((_, i) => i));
			}),
		);
	});

	it('respects the count, and the size unless an item is alone (property)', () => {
		fc.assert(
			fc.property(sizesArb, limitsArb, (sizes, limits) => {
				for (const batch of planWriteBatches(sizes, limits)) {
					expect(batch.length).toBeGreaterThan(0);
					expect(batch.length).toBeLessThanOrEqual(limits.maxItems);
					if (limits.maxChars > 0 && batch.length > 1) {
						expect(limits.overheadChars + total(sizes, batch)).toBeLessThanOrEqual(limits.maxChars);
					}
				}
			}),
		);
	});

	it('fills greedily: the first item of the next batch would not have fitted (property)', () => {
		fc.assert(
			fc.property(sizesArb, limitsArb, (sizes, limits) => {
				const batches = planWriteBatches(sizes, limits);
				for (let b = 1; b < batches.length; b++) {
					const previous = batches[b - 1];
					const next = batches[b][0];
					const countFull = previous.length === limits.maxItems;
					const sizeFull =
						limits.maxChars > 0 && limits.overheadChars + total(sizes, previous) + sizes[next] > limits.maxChars;
					expect(countFull || sizeFull).toBe(true);
				}
			}),
		);
	});
});

describe('halves', () => {
	it('splits into two non-empty parts that join back (property)', () => {
		fc.assert(
			fc.property(fc.array(fc.integer(), { minLength: 2, maxLength: 400 }), (items) => {
				const [first, second] = halves(items);
				expect([...first, ...second]).toEqual(items);
				expect(first.length).toBeGreaterThan(0);
				expect(second.length).toBeGreaterThan(0);
				expect(first.length - second.length).toBeGreaterThanOrEqual(0);
				expect(first.length - second.length).toBeLessThanOrEqual(1);
			}),
		);
	});
});

describe('request size of a write', () => {
	const itemArb: fc.Arbitrary<WriteItem> = fc.array(
		fc.tuple(
			fc.constantFrom('Person.P_Name', 'Person.P_Memo', 'Person.U_20A292C634376220CB97FC77478A5A'),
			fc.oneof(
				fc.string({ unit: 'grapheme' }),
				fc.integer(),
				fc.constant(null),
				fc.constant({ options: ['Option.U_LineFollowing'] }),
			),
		),
		{ maxLength: 6 },
	) as fc.Arbitrary<WriteItem>;

	it('is the overhead plus the encoded items, exactly (property)', () => {
		fc.assert(
			fc.property(fc.array(itemArb, { minLength: 1, maxLength: 20 }), (items) => {
				const body = encodeWriteRequest('Candidate', items);
				const parts = writeRequestOverhead('Candidate') + items.map(encodeWriteItem).join('');
				expect(requestChars(body)).toBe(
					requestChars(writeRequestOverhead('Candidate')) +
						items.reduce((sum, item) => sum + requestChars(encodeWriteItem(item)), 0),
				);
				expect(parts.length).toBe(body.length);
			}),
		);
	});

	it('counts an emoji as two characters, erring on the safe side', () => {
		expect(requestChars('😀')).toBe(2);
		expect(requestChars('鈴木')).toBe(2);
	});

	it('defaults below the unverified ~15,000 characters', () => {
		expect(DEFAULT_MAX_REQUEST_CHARS).toBeLessThan(15_000);
	});
});
