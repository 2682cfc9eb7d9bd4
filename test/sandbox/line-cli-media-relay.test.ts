import { ChildProcess, execFile, spawn } from 'child_process';
import { once } from 'events';
import { writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { promisify } from 'util';
import { WebhookReceiver } from '../../sandbox/line/receiver';
import { TARO, TOKEN } from '../support/lineSandbox';

const run = promisify(execFile);
const CLI = resolve(__dirname, '../../sandbox/line/cli.js');

/** Starts a CLI command and resolves the JSON object it prints once it listens. */
async function startCli(args: string[]): Promise<{ child: ChildProcess; info: Record<string, unknown> }> {
	const child = spawn(process.execPath, [CLI, ...args]);
	let out = '';
	const info = await new Promise<Record<string, unknown>>((resolvePrinted, reject) => {
		child.stdout!.on('data', (chunk: Buffer) => {
			out += chunk.toString('utf8');
			const start = out.indexOf('{');
			if (start === -1) return;
			try {
				resolvePrinted(JSON.parse(out.slice(start)) as Record<string, unknown>);
			} catch {
				// not complete yet
			}
		});
		child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
	});
	return { child, info };
}

async function stopCli(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null) return;
	child.kill('SIGTERM');
	await once(child, 'exit');
}

describe('LINE sandbox command line: followers, media, marketing tool and relay', () => {
	const n8n = new WebhookReceiver();
	let sandbox: { child: ChildProcess; info: Record<string, unknown> };
	let tool: { child: ChildProcess; info: Record<string, unknown> };

	beforeAll(async () => {
		await n8n.start(0);
		sandbox = await startCli(['serve', '--port', '0', '--data-port', '0', '--followers', '12', '--account-type', 'unverified']);
		tool = await startCli(['tool', '--port', '0', '--forward-to', n8n.url]);
	});
	afterAll(async () => {
		await stopCli(sandbox.child);
		await stopCli(tool.child);
		await n8n.stop();
	});

	it('serves with seeded followers, the account type and a separate data API', async () => {
		expect(sandbox.info).toMatchObject({ accountType: 'unverified', friends: 12 });
		expect(sandbox.info.dataUrl).not.toBe(sandbox.info.url);
		const refused = await fetch(`${sandbox.info.url}/v2/bot/followers/ids`, { headers: { authorization: `Bearer ${TOKEN}` } });
		expect(refused.status).toBe(403);
	});

	it('sends a media message through the tool to n8n, and its content is downloadable', async () => {
		const file = join(tmpdir(), `line-cli-${process.pid}.csv`);
		writeFileSync(file, '氏名\n山田 太郎\n');
		const { stdout } = await run(process.execPath, [
			CLI, 'file', '--sandbox', String(sandbox.info.url), '--to', n8n.url, '--user', TARO,
			'--file', file, '--via', String(tool.info.base),
		]);
		expect(stdout.trim()).toBe('HTTP 200 OK');
		// The tool answers LINE first and forwards afterwards.
		for (let i = 0; i < 50 && n8n.received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
		const message = n8n.lastJson().events[0].message as Record<string, unknown>;
		expect(message).toMatchObject({ type: 'file', fileName: `line-cli-${process.pid}.csv` });
		const content = await fetch(`${sandbox.info.dataUrl}/v2/bot/message/${message.id}/content`, {
			headers: { authorization: `Bearer ${TOKEN}` },
		});
		expect([content.status, content.headers.get('content-type'), await content.text()]).toEqual([200, 'text/csv', '氏名\n山田 太郎\n']);
		const toolState = (await (await fetch(`${tool.info.base}/__tool/state`)).json()) as { received: Array<{ signatureValid: boolean }> };
		expect(toolState.received.map((r) => r.signatureValid)).toEqual([true]);
	});

	it('prints what the receiver answered for a relayed Verify', async () => {
		const { stdout } = await run(process.execPath, [
			CLI, 'verify', '--sandbox', String(sandbox.info.url), '--to', n8n.url, '--via', String(tool.info.base),
		]);
		expect(stdout.trim()).toBe('HTTP 200 OK');
	});
});
