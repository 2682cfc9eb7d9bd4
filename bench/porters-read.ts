/* eslint-disable no-console */
/**
 * Benchmark: read 10,000 resumes (with their candidate's name and LINE user ID) from the PORTERS
 * sandbox, which runs in its own process so that memory figures are the client's alone.
 *
 *   - "Get Resume (Return All)": the PORTERS node as a workflow runs it; all 10,000 items are
 *     returned, so memory grows with the output, as for any n8n node.
 *   - "Transport pages only": the same reads through the node's transport, each page decoded
 *     and dropped. Run for 2,000 and 10,000 resumes: the peak heap should not grow with pages.
 *
 * Prints PORTERS calls (reads, authentication), wall time and peak heap/RSS per run.
 *
 *   npm run build:dev && node --expose-gc build/bench/porters-read.js [--resumes 10000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { PortersApi } from '../credentials/PortersApi.credentials';
import { decodeRecord } from '../core/porters/codec';
import { Porters } from '../nodes/Porters/Porters.node';
import { PortersClient } from '../nodes/Porters/transport';
import { createExecuteContext } from '../test/support/n8nContext';

const LINE_FIELD = 'Person.U_20A292C634376220CB97FC77478A5A';

interface Counters {
	reads: number;
	auth: number;
	billed: number;
}

export interface ReadRun {
	label: string;
	resumes: number;
	reads: number;
	auth: number;
	wallMs: number;
	peakHeapMb: number;
	peakRssMb: number;
	output: number;
}

class PeakMemory {
	private heap = 0;
	private rss = 0;
	private timer?: NodeJS.Timeout;

	start(): void {
		(globalThis as { gc?: () => void }).gc?.();
		this.heap = 0;
		this.rss = 0;
		this.sample();
		this.timer = setInterval(() => this.sample(), 5);
	}

	private sample(): void {
		const m = process.memoryUsage();
		this.heap = Math.max(this.heap, m.heapUsed);
		this.rss = Math.max(this.rss, m.rss);
	}

	stop(): { heapMb: number; rssMb: number } {
		this.sample();
		clearInterval(this.timer);
		return { heapMb: this.heap / 1048576, rssMb: this.rss / 1048576 };
	}
}

async function startSandboxProcess(): Promise<{ child: ChildProcess; url: string; info: Record<string, unknown> }> {
	const cli = path.join(__dirname, '../sandbox/porters/cli.js');
	const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
	const lines = createInterface({ input: child.stdout! });
	const [first] = (await once(lines, 'line')) as [string];
	const info = JSON.parse(first) as Record<string, unknown>;
	return { child, url: String(info.url), info };
}

async function admin(url: string, method: string, pathName: string, body?: unknown): Promise<unknown> {
	const response = await fetch(`${url}/__sandbox/${pathName}`, {
		method,
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return await response.json();
}

async function counters(url: string): Promise<Counters> {
	return ((await admin(url, 'GET', 'state')) as { counters: Counters }).counters;
}

/** Fills the sandbox up to `total` resumes (the fixture's own resumes count towards it). */
async function seedResumes(url: string, total: number): Promise<void> {
	await admin(url, 'POST', 'reset');
	const existing = ((await admin(url, 'GET', 'state')) as { records: { resume: number } }).records.resume;
	total -= existing;
	const candidates = Array.from({ length: Math.ceil(total / 4) }, (_, i) => ({
		'Person.P_Id': 100_000 + i,
		'Person.P_Owner': 5,
		'Person.P_Name': `候補者 ${i} 🎯`,
		[LINE_FIELD]: `U${i.toString(16).padStart(32, '0')}`,
	}));
	await admin(url, 'POST', 'records/candidate', { records: candidates });
	for (let offset = 0; offset < total; offset += 2000) {
		const records = Array.from({ length: Math.min(2000, total - offset) }, (_, j) => {
			const i = offset + j;
			return {
				'Resume.P_Id': 200_000 + i,
				'Resume.P_Owner': i % 2 ? 5 : 6,
				'Resume.P_Candidate': 100_000 + Math.floor(i / 4),
				'Resume.P_Name': `候補者 ${Math.floor(i / 4)} 🎯(${200_000 + i})`,
				'Resume.U_F094D5541B273A62498DD52E2D5F24': ['Option.U_InterviewScheduled'],
				'Resume.P_Memo': `メモ <${i}> & "引用" 'test' — ＡＢＣ`,
			};
		});
		await admin(url, 'POST', 'records/resume', { records });
	}
	await admin(url, 'POST', 'counters');
}

function credentials(url: string, info: Record<string, unknown>): ICredentialDataDecryptedObject {
	return {
		host: new URL(url).host,
		protocol: 'http',
		appId: String(info.appId),
		appSecret: String(info.secret),
		partitionId: Number(info.partitionId),
		defaultOwnerUserId: 5,
		session: '',
		staleSession: '',
	};
}

async function runNode(url: string, info: Record<string, unknown>, resumes: number): Promise<ReadRun> {
	await seedResumes(url, resumes);
	const ctx = createExecuteContext({
		parameters: {
			resource: 'resume',
			operation: 'get',
			searchBy: 'all',
			resumeFields: 'Resume.P_Id,Resume.P_Name,Resume.P_Owner,Resume.P_UpdateDate,Resume.U_F094D5541B273A62498DD52E2D5F24,Resume.P_Memo',
			candidateFields: ['Person.P_Id', 'Person.P_Name', LINE_FIELD],
			returnAll: true,
			options: {},
		},
		credentials: { portersApi: credentials(url, info) },
		credentialTypes: { portersApi: new PortersApi() },
	});
	const memory = new PeakMemory();
	memory.start();
	const started = performance.now();
	const [output] = await new Porters().execute.call(ctx);
	const wallMs = performance.now() - started;
	const peak = memory.stop();
	const c = await counters(url);
	return {
		label: 'Get Resume (Return All)',
		resumes,
		reads: c.reads,
		auth: c.auth,
		wallMs,
		peakHeapMb: peak.heapMb,
		peakRssMb: peak.rssMb,
		output: output.length,
	};
}

async function runPages(url: string, info: Record<string, unknown>, resumes: number): Promise<ReadRun> {
	await seedResumes(url, resumes);
	const ctx = createExecuteContext({
		credentials: { portersApi: credentials(url, info) },
		credentialTypes: { portersApi: new PortersApi() },
	});
	const memory = new PeakMemory();
	memory.start();
	const started = performance.now();
	const client = await PortersClient.create(ctx);
	let seen = 0;
	let withLineId = 0;
	await client.readPages(
		'resume',
		{ field: `Resume.P_Id,Resume.P_Name,Resume.P_Memo,Resume.P_Candidate(Person.P_Name,${LINE_FIELD})` },
		(items) => {
			for (const item of items) {
				const record = decodeRecord(item);
				seen++;
				const candidate = record['Resume.P_Candidate'];
				if (candidate?.type === 'reference' && candidate.records[0]?.[LINE_FIELD]) withLineId++;
			}
		},
	);
	const wallMs = performance.now() - started;
	const peak = memory.stop();
	const c = await counters(url);
	if (withLineId < resumes - 3) throw new Error(`only ${withLineId} of ${seen} resumes had a LINE user ID`);
	return {
		label: 'Transport pages only',
		resumes,
		reads: c.reads,
		auth: c.auth,
		wallMs,
		peakHeapMb: peak.heapMb,
		peakRssMb: peak.rssMb,
		output: seen,
	};
}

export async function main(argv = process.argv.slice(2)): Promise<ReadRun[]> {
	const at = argv.indexOf('--resumes');
	const resumes = at >= 0 ? Number(argv[at + 1]) : 10_000;
	const { child, url, info } = await startSandboxProcess();
	try {
		const runs: ReadRun[] = [];
		runs.push(await runPages(url, info, Math.max(200, Math.floor(resumes / 5))));
		runs.push(await runPages(url, info, resumes));
		runs.push(await runNode(url, info, resumes));
		console.log(`\nPORTERS: read ${resumes} resumes, 200 per request`);
		console.table(
			runs.map((r) => ({
				run: r.label,
				resumes: r.resumes,
				'PORTERS reads': r.reads,
				'auth calls': r.auth,
				'items out': r.output,
				'wall ms': Math.round(r.wallMs),
				'peak heap MB': r.peakHeapMb.toFixed(1),
				'peak RSS MB': r.peakRssMb.toFixed(1),
			})),
		);
		const [small, large] = runs;
		console.log(
			`Transport peak heap: ${small.peakHeapMb.toFixed(1)} MB for ${small.resumes} resumes vs ` +
				`${large.peakHeapMb.toFixed(1)} MB for ${large.resumes} (pages are dropped after decoding).`,
		);
		if (!(globalThis as { gc?: () => void }).gc) console.log('(run with --expose-gc for steadier memory figures)');
		return runs;
	} finally {
		child.kill('SIGTERM');
		await once(child, 'exit');
	}
}

if (require.main === module) {
	main().catch((error: Error) => {
		console.error(error);
		process.exit(1);
	});
}
