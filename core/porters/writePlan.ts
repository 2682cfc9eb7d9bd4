/**
 * How writes are cut into requests: at most 200 items (the documented limit) and, as far as one
 * item allows, at most a given serialised size.
 *
 * Why a size limit at all (../shared/docs/porters-api.md §4, U11): no official page seen states one.
 * An older secondary spec said "32 KB → HTTP 400"; its author withdrew that figure as a guess and
 * now quotes "about 15,000 characters recommended" from a secondary source that nobody here has
 * verified (../shared/docs/porters-evidence.md #10). The default stays below that unverified
 * figure with room for the request line and headers; when PORTERS still refuses a request as too
 * large, the node splits it (nodes/Porters/helpers/writeBatch.ts).
 */
import { MAX_ITEMS_PER_REQUEST } from './pacing';

/** Default longest write body, in characters: below the unverified ~15,000 of U11. */
export const DEFAULT_MAX_REQUEST_CHARS = 12_000;

/**
 * Size of a string as the limit counts it. JavaScript's length (UTF-16 code units) is never
 * below the number of code points, so it stays on the safe side whether PORTERS counts code
 * points or UTF-16 characters; UTF-8 bytes (3 per Japanese character) are not covered, which is
 * what splitting on a refusal is for.
 */
export function requestChars(text: string): number {
	return text.length;
}

export interface WriteBatchLimits {
	/** Items per request, 1–200. */
	maxItems: number;
	/** Longest request body in characters; 0 or less = no size limit. */
	maxChars: number;
	/** Characters of the body that are not items: the XML declaration and the root element. */
	overheadChars: number;
}

/**
 * Cuts items (given by their serialised sizes) into consecutive batches, in input order: each
 * batch has at most `maxItems` items and fits in `maxChars` with the overhead. An item too large
 * to fit even alone goes alone (PORTERS may still accept it; if not, its refusal is that item's
 * error). Greedy filling keeps the order and gives the fewest batches possible for it.
 * Returns the indexes of the items of each batch.
 */
export function planWriteBatches(sizes: readonly number[], limits: WriteBatchLimits): number[][] {
	const maxItems = Math.max(1, Math.min(MAX_ITEMS_PER_REQUEST, Math.floor(limits.maxItems) || MAX_ITEMS_PER_REQUEST));
	const sizeLimited = Number.isFinite(limits.maxChars) && limits.maxChars > 0;
	const batches: number[][] = [];
	let current: number[] = [];
	let used = limits.overheadChars;
	sizes.forEach((size, index) => {
		const full = current.length >= maxItems || (sizeLimited && current.length > 0 && used + size > limits.maxChars);
		if (full) {
			batches.push(current);
			current = [];
			used = limits.overheadChars;
		}
		current.push(index);
		used += size;
	});
	if (current.length > 0) batches.push(current);
	return batches;
}

/** The two halves a refused batch is sent as; the first gets the extra item of an odd count. */
export function halves<T>(items: readonly T[]): [T[], T[]] {
	const middle = Math.ceil(items.length / 2);
	return [items.slice(0, middle), items.slice(middle)];
}
