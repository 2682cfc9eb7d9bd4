import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { PortersSandbox } from '../../sandbox/porters/server';
import {
	DEFAULT_SWITCHES,
	SWITCH_TABLE,
	WIRE_SHAPE_SWITCHES,
	pairwiseMatrix,
	parseSwitchAssignment,
	switchMatrix,
	type PortersSwitches,
	type SwitchName,
} from '../../sandbox/porters/switches';
import { PortersWire } from './portersWire';

const CLI = path.join(__dirname, '../../sandbox/porters/cli.js');
const AREA_FIELD = 'Person.U_91E9887643B6E451FD379449382DE2';

describe('the switch table', () => {
	it('lists every switch once, with its default as the first value to test', () => {
		const names = SWITCH_TABLE.map((entry) => entry.name);
		expect(new Set(names).size).toBe(names.length);
		expect([...names].sort()).toEqual(Object.keys(DEFAULT_SWITCHES).sort());
		for (const entry of SWITCH_TABLE) {
			expect([entry.name, entry.values[0]]).toEqual([entry.name, DEFAULT_SWITCHES[entry.name]]);
		}
	});

	it('names the open points U2–U6 for the wire-shape matrix', () => {
		const points = WIRE_SHAPE_SWITCHES.map((name) => SWITCH_TABLE.find((entry) => entry.name === name)!.point);
		expect(new Set(points)).toEqual(new Set(['U2', 'U3', 'U4', 'U5', 'U6']));
	});

	it('builds the full matrix and an all-pairs subset of it', () => {
		const full = switchMatrix();
		const size = WIRE_SHAPE_SWITCHES.reduce((n, name) => n * SWITCH_TABLE.find((e) => e.name === name)!.values.length, 1);
		expect(full).toHaveLength(size);
		expect(new Set(full.map((row) => JSON.stringify(row))).size).toBe(size);
		const pairs = pairwiseMatrix();
		expect(pairs.length).toBeLessThan(size / 10);
		// Every pair of values of every two switches occurs in some row.
		for (const a of WIRE_SHAPE_SWITCHES) {
			for (const b of WIRE_SHAPE_SWITCHES) {
				if (a >= b) continue;
				for (const va of SWITCH_TABLE.find((e) => e.name === a)!.values) {
					for (const vb of SWITCH_TABLE.find((e) => e.name === b)!.values) {
						const found = pairs.some((row) => row[a] === va && row[b] === vb);
						expect([a, va, b, vb, found]).toEqual([a, va, b, vb, true]);
					}
				}
			}
		}
	});

	it('parses command-line assignments with the value kinds the table declares', () => {
		expect(parseSwitchAssignment('errorHttpStatus=200')).toEqual({ errorHttpStatus: 200 });
		expect(parseSwitchAssignment('rateLimitMode=429')).toEqual({ rateLimitMode: '429' });
		expect(parseSwitchAssignment('oversizeResultCode=null')).toEqual({ oversizeResultCode: null });
		expect(parseSwitchAssignment('errorRoot=system')).toEqual({ errorRoot: 'system' });
		expect(parseSwitchAssignment('statusByCode={"9":503}')).toEqual({ statusByCode: { 9: 503 } });
		expect(() => parseSwitchAssignment('errorRoot=Sytem')).toThrow(/errorRoot/);
		expect(() => parseSwitchAssignment('errorRot=system')).toThrow(/Unknown PORTERS sandbox switch "errorRot"/);
		expect(() => parseSwitchAssignment('optionNames=yes')).toThrow(/optionNames/);
	});

	it('refuses unknown switches in the constructor, setSwitches and the admin API', async () => {
		expect(() => new PortersSandbox({ switches: { errorRot: 'system' } as Partial<PortersSwitches> })).toThrow(/errorRot/);
		const sandbox = new PortersSandbox();
		await sandbox.start(0);
		try {
			expect(() => sandbox.setSwitches({ optionWrapper: 'wrapped' } as unknown as Partial<PortersSwitches>)).toThrow(/optionWrapper/);
			const refused = await fetch(`${sandbox.url}/__sandbox/switches`, { method: 'POST', body: JSON.stringify({ nope: 1 }) });
			expect(refused.status).toBe(400);
			const table = (await (await fetch(`${sandbox.url}/__sandbox/switches`)).json()) as Array<{ name: string; current: unknown }>;
			expect(table.find((entry) => entry.name === 'errorRoot')).toMatchObject({ point: 'U3', current: 'resource' });
		} finally {
			await sandbox.stop();
		}
	});
});

describe('every combination of U2–U6 (all pairs) takes effect on the wire', () => {
	let sandbox: PortersSandbox;
	let wire: PortersWire;

	beforeAll(async () => {
		sandbox = new PortersSandbox();
		await sandbox.start(0);
		wire = new PortersWire(sandbox);
	});

	afterAll(async () => {
		await sandbox.stop();
	});

	it.each(pairwiseMatrix().map((row) => [JSON.stringify(row), row]))('%s', async (_label, row) => {
		const switches = row as Partial<PortersSwitches>;
		sandbox.setSwitches({ ...DEFAULT_SWITCHES, ...switches });
		const errorRoot = switches.errorRoot === 'system' ? 'System' : 'Candidate';

		const badAlias = await wire.read('candidate', 'partition=999999&field=Person.U_NOPE');
		expect([badAlias.status, badAlias.doc![errorRoot]]).toEqual([switches.errorHttpStatus, { Code: '100' }]);

		const noToken = await wire.call('GET', '/v1/candidate?partition=999999');
		expect([noToken.status, noToken.doc![errorRoot]]).toEqual([switches.tokenErrorHttpStatus, { Code: '101' }]);

		const options = await wire.read('candidate', `partition=999999&field=${AREA_FIELD}&condition=Person.P_Id:eq=10001`);
		const area = (options.doc!.Candidate.Item as Array<Record<string, unknown>>)[0][AREA_FIELD] as Record<string, unknown>;
		const wrapper = { root: 'Option.P_Area', OptionRoot: 'OptionRoot', none: undefined }[switches.optionWrapper!];
		const leaves = (wrapper ? area[wrapper] : area) as Record<string, Record<string, string>>;
		expect(Object.keys(leaves)).toEqual(['Option.P_Tokyo', 'Option.P_Osaka']);
		expect(leaves['Option.P_Tokyo']['Option.P_Name']).toBe(switches.optionNames ? '東京都' : undefined);

		const prefix = switches.candidateSubPrefix === 'Candidate' ? 'Candidate' : 'Person';
		const refused = switches.candidateSubPrefix === 'Person' ? 'Candidate' : switches.candidateSubPrefix === 'Candidate' ? 'Person' : undefined;
		const parent = await wire.read('resume', `partition=999999&field=Resume.P_Candidate(${prefix}.P_Name)&condition=Resume.P_Id:eq=20001`);
		const field = (parent.doc!.Resume.Item as Array<Record<string, unknown>>)[0]['Resume.P_Candidate'] as Record<string, unknown>;
		const inner = switches.referenceWrapper === 'resource' ? (field.Candidate as Record<string, unknown>) : field;
		expect(inner[`${prefix}.P_Name`]).toBe('鈴木 一郎');
		if (refused) {
			const other = await wire.read('resume', `partition=999999&field=Resume.P_Candidate(${refused}.P_Name)`);
			expect(other.doc![switches.errorRoot === 'system' ? 'System' : 'Resume']).toEqual({ Code: '100' });
		}
	});
});

describe('Partition Read and undocumented parameters (C2)', () => {
	let sandbox: PortersSandbox;
	let wire: PortersWire;

	beforeAll(async () => {
		sandbox = new PortersSandbox();
		await sandbox.start(0);
		wire = new PortersWire(sandbox);
	});

	afterAll(async () => {
		await sandbox.stop();
	});

	it('accepts `partition` by default (the switch is off)', async () => {
		const answer = await wire.read('partition', 'partition=999999&request_type=1');
		expect([answer.status, answer.doc!.Partition.Code]).toEqual([200, '0']);
	});

	it('refuses any parameter but request_type, count and start with code 100 when on', async () => {
		sandbox.setSwitches({ partitionReadRejectsUndocumented: true });
		try {
			const withPartition = await wire.read('partition', 'partition=999999&request_type=1');
			expect([withPartition.status, withPartition.doc!.Partition]).toEqual([400, { Code: '100' }]);
			expect((await wire.read('partition', 'request_type=1&foo=1')).doc!.Partition.Code).toBe('100');
			const documented = await wire.read('partition', 'request_type=1&count=10&start=0');
			expect([documented.status, documented.doc!.Partition.Code]).toEqual([200, '0']);
			sandbox.setSwitches({ undocumentedParamCode: 102 });
			expect((await wire.read('partition', 'partition=999999&request_type=1')).doc!.Partition.Code).toBe('102');
			// Other resources still need their partition.
			expect((await wire.read('user', 'partition=999999&request_type=1')).doc!.User.Code).toBe('0');
		} finally {
			sandbox.setSwitches({ partitionReadRejectsUndocumented: false, undocumentedParamCode: 100 });
		}
	});
});

describe('command line', () => {
	it('prints the switch table', () => {
		const run = spawnSync(process.execPath, [CLI, 'switches'], { encoding: 'utf8' });
		expect(run.status).toBe(0);
		const table = JSON.parse(run.stdout) as Array<{ name: SwitchName; default: unknown; values: unknown[] }>;
		expect(table.map((entry) => entry.name)).toEqual(SWITCH_TABLE.map((entry) => entry.name));
		expect(table.find((entry) => entry.name === 'maxWriteBodySize')).toMatchObject({ default: 0, values: [0, 15_000, 32_768] });
	});

	it('refuses an unknown switch and exits non-zero', () => {
		const run = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--switch', 'errorRot=system'], { encoding: 'utf8', timeout: 10_000 });
		expect(run.status).not.toBe(0);
		expect(run.stderr).toMatch(/errorRot/);
	});

	it('sets every kind of switch from --switch', async () => {
		const child = spawn(process.execPath, [
			CLI, 'serve', '--port', '0',
			'--switch', 'errorRoot=system',
			'--switch', 'errorHttpStatus=200',
			'--switch', 'optionWrapper=OptionRoot',
			'--switch', 'optionNames=true',
			'--switch', 'referenceWrapper=none',
			'--switch', 'candidateSubPrefix=both',
			'--switch', 'maxWriteBodySize=15000',
			'--switch', 'oversizeResultCode=null',
			'--switch', 'partitionReadRejectsUndocumented=true',
			'--switch', 'rateLimitMode=429',
		]);
		try {
			const lines = createInterface({ input: child.stdout });
			const [first] = (await once(lines, 'line')) as [string];
			const info = JSON.parse(first) as { url: string };
			const state = (await (await fetch(`${info.url}/__sandbox/state`)).json()) as { switches: PortersSwitches };
			expect(state.switches).toMatchObject({
				errorRoot: 'system',
				errorHttpStatus: 200,
				optionWrapper: 'OptionRoot',
				optionNames: true,
				referenceWrapper: 'none',
				candidateSubPrefix: 'both',
				maxWriteBodySize: 15000,
				oversizeResultCode: null,
				partitionReadRejectsUndocumented: true,
				rateLimitMode: '429',
			});
		} finally {
			child.kill('SIGTERM');
			await once(child, 'exit');
		}
	});
});
