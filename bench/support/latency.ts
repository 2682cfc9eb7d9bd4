/**
 * Figures and tables the benchmarks print: nearest-rank percentiles, ratios and shares, and a
 * plain-text table with the first column left-aligned.
 */

/** LINE stops waiting for an answer after 2 seconds. */
export const LINE_ACK_LIMIT_MS = 2000;

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: number[], share: number): number {
	if (sorted.length === 0) return Number.NaN;
	const rank = Math.ceil(share * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function table(headers: string[], rows: string[][]): string {
	const widths = headers.map((header, column) =>
		Math.max(header.length, ...rows.map((row) => row[column].length)),
	);
	const line = (cells: string[]): string =>
		cells
			.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
			.join('  ');
	return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

export const ms = (value: number): string => (Number.isNaN(value) ? '-' : value.toFixed(1));
export const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(3) : '-');
export const share = (count: number, total: number): string =>
	`${((100 * count) / Math.max(1, total)).toFixed(2)} %`;
