import { liveProcessGroups, signalGroup, stopGroup } from './processGroups';
import type { Progress } from './progress';

/**
 * Orderly shutdown for the harness and the demo: cleanups registered with `onShutdown` run in
 * reverse order on SIGINT / SIGTERM / SIGHUP (and when `runShutdown` is called on the normal path),
 * then any process group still alive is stopped. A second signal kills what is left at once.
 */

type Cleanup = () => Promise<void> | void;

const cleanups: Array<{ name: string; run: Cleanup }> = [];
let handlersInstalled = false;
let shuttingDown = false;

export function onShutdown(name: string, run: Cleanup): () => void {
	const entry = { name, run };
	cleanups.push(entry);
	return () => {
		const index = cleanups.indexOf(entry);
		if (index >= 0) cleanups.splice(index, 1);
	};
}

export async function runShutdown(progress?: Progress): Promise<void> {
	while (cleanups.length > 0) {
		const entry = cleanups.pop();
		if (!entry) break;
		try {
			await entry.run();
		} catch (error) {
			progress?.info(`cleanup "${entry.name}" failed: ${(error as Error).message}`);
		}
	}
	for (const { pgid, description } of liveProcessGroups()) {
		progress?.info(`stopping leftover process group ${pgid} (${description})`);
		try {
			await stopGroup(pgid, 5000);
		} catch (error) {
			progress?.info((error as Error).message);
		}
	}
}

const EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export function installSignalHandlers(progress: Progress): void {
	if (handlersInstalled) return;
	handlersInstalled = true;
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.on(signal, () => {
			if (shuttingDown) {
				progress.info(`${signal} again: killing every child process now`);
				for (const { pgid } of liveProcessGroups()) signalGroup(pgid, 'SIGKILL');
				process.exit(EXIT_CODES[signal]);
			}
			shuttingDown = true;
			progress.info(`${signal} received: stopping everything (press Ctrl-C again to force)`);
			void runShutdown(progress).finally(() => {
				progress.info('everything stopped');
				process.exit(EXIT_CODES[signal]);
			});
		});
	}
}

export function isShuttingDown(): boolean {
	return shuttingDown;
}
