import { spawn } from 'child_process';

/**
 * Runs a long-lived server (n8n) on behalf of the harness and makes sure it does not outlive it.
 *
 * Usage: `node guardian.js <command> [args…]`, started by the harness as the leader of a new process
 * group, with a pipe on stdin and a log file (not a pipe) as stdout and stderr, which the server
 * inherits. The server runs in the same group, so the harness stops both with one signal to the
 * group. If the harness dies without stopping it (even by SIGKILL), the stdin pipe closes and the
 * guardian stops the group itself: SIGTERM, then SIGKILL for whatever is left.
 */

const GRACE_MS = Number(process.env.GUARDIAN_GRACE_MS ?? '15000');
/** NODE_OPTIONS for the server, e.g. `--cpu-prof --cpu-prof-dir=<dir>` (see bench/webhook-ack.ts). */
const SERVER_NODE_OPTIONS_ENV = 'GUARDIAN_SERVER_NODE_OPTIONS';

function signalOwnGroup(signal: NodeJS.Signals): void {
	try {
		process.kill(-process.pid, signal);
	} catch {
		// the group is already empty
	}
}

function main(): void {
	const [command, ...args] = process.argv.slice(2);
	if (!command) {
		process.stderr.write('usage: guardian <command> [args…]\n');
		process.exit(2);
	}
	// A signal sent to the whole group reaches the server directly; the guardian only waits for it.
	for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
		process.on(signal, () => undefined);

	// Node flags for the server only: the guardian's own Node would refuse some in NODE_OPTIONS
	// (`--cpu-prof`), and the harness's CLI calls should not get them.
	const serverNodeOptions = process.env[SERVER_NODE_OPTIONS_ENV];
	const env = serverNodeOptions ? { ...process.env, NODE_OPTIONS: serverNodeOptions } : process.env;
	const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
	let orphaned = false;

	const stopGroupOnOrphan = () => {
		if (orphaned) return;
		orphaned = true;
		signalOwnGroup('SIGTERM');
		process.stderr.write('[guardian] the harness is gone: stopping the server\n');
		// Not unref'd: the guardian stays until the group is gone (SIGKILL ends the guardian too).
		setTimeout(() => signalOwnGroup('SIGKILL'), GRACE_MS);
	};
	process.stdin.on('end', stopGroupOnOrphan);
	process.stdin.on('close', stopGroupOnOrphan);
	process.stdin.on('error', stopGroupOnOrphan);
	process.stdin.resume();

	child.on('error', (error) => {
		process.stderr.write(`[guardian] cannot start ${command}: ${error.message}\n`);
		process.exit(127);
	});
	child.on('exit', (code, signal) => {
		if (orphaned) {
			// Give the server's own children a moment to follow it, then clear the group.
			setTimeout(() => signalOwnGroup('SIGKILL'), 1000);
			return;
		}
		process.exit(code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGTERM' ? 143 : 1));
	});
}

main();
