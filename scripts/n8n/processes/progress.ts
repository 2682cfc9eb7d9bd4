/** Where progress lines go; the default writes to stderr so that stdout stays parseable. */
export type LineWriter = (line: string) => void;

export const writeToStderr: LineWriter = (line) => {
	process.stderr.write(`${line}\n`);
};

export function formatDuration(ms: number): string {
	if (ms < 1000) return `${Math.round(ms)} ms`;
	const seconds = ms / 1000;
	if (seconds < 59.95) return `${seconds.toFixed(1)} s`;
	const whole = Math.round(seconds);
	const minutes = Math.floor(whole / 60);
	return `${minutes} min ${String(whole - minutes * 60).padStart(2, '0')} s`;
}

/**
 * Progress output with a label and the time elapsed since the reporter was created, e.g.
 * `[e2e +12.4 s] n8n is ready`.
 */
export class Progress {
	private readonly startedAt = Date.now();

	constructor(
		private readonly label: string,
		private readonly write: LineWriter = writeToStderr,
	) {}

	info(message: string): void {
		this.write(`[${this.label} +${formatDuration(Date.now() - this.startedAt)}] ${message}`);
	}

	child(label: string): Progress {
		return new Progress(`${this.label}:${label}`, this.write);
	}

	/** Runs `work`, reporting its start, its end and its duration (also when it fails). */
	async step<T>(title: string, work: () => Promise<T>): Promise<T> {
		const begin = Date.now();
		this.info(`${title} …`);
		try {
			const result = await work();
			this.info(`${title}: done in ${formatDuration(Date.now() - begin)}`);
			return result;
		} catch (error) {
			this.info(`${title}: FAILED after ${formatDuration(Date.now() - begin)}`);
			throw error;
		}
	}

	/** Calls `describe` every `everyMs` and prints its answer until the returned stop function runs. */
	heartbeat(describe: () => string, everyMs = 15000): () => void {
		const timer = setInterval(() => this.info(describe()), everyMs);
		timer.unref();
		return () => clearInterval(timer);
	}
}
