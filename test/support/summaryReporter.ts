/**
 * A jest reporter that ends the run with one plain line, "<label>: N passed, N failed, N skipped",
 * which CI logs and people read the same way whatever runner produced it.
 */
interface RunResults {
	numPassedTests: number;
	numFailedTests: number;
	numPendingTests: number;
	numTodoTests: number;
}

class SummaryReporter {
	private readonly label: string;

	constructor(_globalConfig: unknown, options: { label?: string } = {}) {
		this.label = options.label ?? 'tests';
	}

	onRunComplete(_contexts: unknown, results: RunResults): void {
		const skipped = results.numPendingTests + results.numTodoTests;
		process.stdout.write(
			`\n${this.label}: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`,
		);
	}
}

module.exports = SummaryReporter;
