import { allocateQuota, describeShortfall, remainingThisMonth, totalNeeded } from '../../core/line/quota';

describe('LINE monthly quota arithmetic', () => {
	it('gives what is left of a limited plan, never below zero, and no limit for type none', () => {
		expect(remainingThisMonth({ type: 'limited', value: 5000 }, 4688)).toBe(312);
		expect(remainingThisMonth({ type: 'limited', value: 200 }, 250)).toBe(0);
		expect(remainingThisMonth({ type: 'limited', value: 200 }, Number.NaN)).toBe(200);
		expect(remainingThisMonth({ type: 'none' }, 123_456)).toBeNull();
	});

	it('adds up what the requests of a run need', () => {
		expect(totalNeeded([1, 500, 201])).toBe(702);
		expect(totalNeeded([])).toBe(0);
		expect(totalNeeded([3, -1])).toBe(3);
	});

	it('serves requests in order until the quota ends, the last one in part', () => {
		expect(allocateQuota([5, 1, 4], 7)).toEqual([5, 1, 1]);
		expect(allocateQuota([5, 1, 4], 10)).toEqual([5, 1, 4]);
		expect(allocateQuota([5, 1, 4], 0)).toEqual([0, 0, 0]);
		expect(allocateQuota([2, 3], 4)).toEqual([2, 2]);
		expect(allocateQuota([2, 3], -5)).toEqual([0, 0]);
	});

	it('lets everything through when the plan has no limit', () => {
		expect(allocateQuota([1_000_000, 3], null)).toEqual([1_000_000, 3]);
	});

	it('words a shortfall with thousands separators', () => {
		expect(describeShortfall(1200, 312)).toBe('needs 1,200 messages, 312 left this month');
		expect(describeShortfall(1, 0)).toBe('needs 1 message, 0 left this month');
	});
});
