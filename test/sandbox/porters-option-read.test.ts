import { DEFAULT_FIXTURE, PortersSandbox } from '../../sandbox/porters/server';
import type { FixtureOption, PortersFixture } from '../../sandbox/porters/store';
import { PortersWire, itemsOf, type Doc } from './portersWire';

// A three-level tree besides the seed's two-level ones, an unused option and a phase option,
// so that `level` depths, `enabled` and P_Type can be seen.
const JOB_TYPES: FixtureOption = {
	id: 400,
	alias: 'Option.U_JobType',
	name: '職種',
	children: [
		{
			id: 410,
			alias: 'Option.U_JobIT',
			name: 'IT',
			children: [
				{ id: 411, alias: 'Option.U_JobEngineer', name: 'エンジニア' },
				{ id: 412, alias: 'Option.U_JobDesigner', name: 'デザイナー', enabled: false },
			],
		},
		{ id: 420, alias: 'Option.U_JobSales', name: '営業' },
	],
};
const PHASES: FixtureOption = {
	id: 500,
	alias: 'Option.P_PersonPhase',
	name: '個人連絡先フェーズ',
	type: 7,
	children: [{ id: 501, alias: 'Option.P_PersonPhaseNew', name: '新規', type: 7 }],
};
const fixture: PortersFixture = { ...DEFAULT_FIXTURE, options: [...DEFAULT_FIXTURE.options, JOB_TYPES, PHASES] };
const ROOT_IDS = ['100', '200', '300', '400', '500'];

let sandbox: PortersSandbox;
let wire: PortersWire;

beforeAll(async () => {
	sandbox = new PortersSandbox({ fixture });
	await sandbox.start(0);
	wire = new PortersWire(sandbox);
});

afterAll(async () => {
	await sandbox.stop();
});

afterEach(() => {
	sandbox.setSwitches({ optionLevel0WithoutAlias: 'empty', optionUnknownAlias: 'code100', optionSiblingsIncludeSelf: true });
});

async function options(query: string): Promise<{ code: string; items: Array<Record<string, unknown>>; text: string; doc: Doc; status: number }> {
	const answer = await wire.read('option', `partition=999999${query ? `&${query}` : ''}`);
	const doc = answer.doc!;
	const root = doc.Option ?? doc.System;
	return { code: String(root.Code), items: itemsOf(root), text: answer.text, doc, status: answer.status };
}

const ids = (items: Array<Record<string, unknown>>) => items.map((item) => item['Option.P_Id']);
const childrenOf = (item: Record<string, unknown>) => itemsOf(item.Items);

describe('Option Read: level, alias, enabled and count as the Option-Read page documents', () => {
	it('answers every level by default (level -1), roots with P_ParentId 0, in the documented element order', async () => {
		const all = await options('');
		expect(all.code).toBe('0');
		expect(all.doc.Option['@Total']).toBeUndefined();
		expect(ids(all.items)).toEqual(ROOT_IDS);
		expect(all.text).toContain(
			'<Item><Option.P_Id>300</Option.P_Id><Option.P_Name>エリア</Option.P_Name><Option.P_Alias>Option.P_Area</Option.P_Alias>' +
				'<Option.P_ParentId>0</Option.P_ParentId><Option.P_Type>0</Option.P_Type><Option.P_Order>3</Option.P_Order><Items><Item>' +
				'<Option.P_Id>87</Option.P_Id><Option.P_Name>東京都</Option.P_Name><Option.P_Alias>Option.P_Tokyo</Option.P_Alias>' +
				'<Option.P_ParentId>300</Option.P_ParentId><Option.P_Type>0</Option.P_Type><Option.P_Order>1</Option.P_Order><Items/></Item>',
		);
		const jobs = all.items[3];
		expect(ids(childrenOf(jobs))).toEqual(['410', '420']);
		expect(ids(childrenOf(childrenOf(jobs)[0]))).toEqual(['411', '412']);
		expect(await options('level=-1')).toEqual(all);
	});

	it('gives the aliased item with all its levels for level -1 and an alias', async () => {
		const jobs = await options('alias=Option.U_JobType');
		expect(ids(jobs.items)).toEqual(['400']);
		expect(ids(childrenOf(childrenOf(jobs.items[0])[0]))).toEqual(['411', '412']);
		const inner = await options('alias=Option.U_JobIT&level=-1');
		expect(inner.items).toHaveLength(1);
		expect(inner.items[0]).toMatchObject({ 'Option.P_Id': '410', 'Option.P_ParentId': '400', 'Option.P_Order': '1' });
	});

	it('gives the siblings of the aliased item for level 0, without their children', async () => {
		const tokyo = await options('level=0&alias=Option.P_Tokyo');
		expect(ids(tokyo.items)).toEqual(['87', '88', '89']);
		expect(tokyo.items.every((item) => item['Option.P_ParentId'] === '300' && item.Items === '')).toBe(true);
		const roots = await options('level=0&alias=Option.U_JobType');
		expect(ids(roots.items)).toEqual(ROOT_IDS);
		expect(roots.items.every((item) => item.Items === '')).toBe(true);
		sandbox.setSwitches({ optionSiblingsIncludeSelf: false });
		expect(ids((await options('level=0&alias=Option.P_Tokyo')).items)).toEqual(['88', '89']);
	});

	it('gives the children of the aliased item for level 1 or more, as deep as the level', async () => {
		const one = await options('level=1&alias=Option.U_JobType');
		expect(ids(one.items)).toEqual(['410', '420']);
		expect(one.items.every((item) => item.Items === '')).toBe(true);
		const two = await options('level=2&alias=Option.U_JobType');
		expect(ids(childrenOf(two.items[0]))).toEqual(['411', '412']);
		expect(ids((await options('level=1&alias=Option.U_JobEngineer')).items)).toEqual([]);
	});

	it('reads level 1 or more without an alias as the top levels (the roots being level 1)', async () => {
		const one = await options('level=1');
		expect(ids(one.items)).toEqual(ROOT_IDS);
		expect(one.items.every((item) => item.Items === '')).toBe(true);
		const two = await options('level=2');
		expect(ids(childrenOf(two.items[3]))).toEqual(['410', '420']);
		expect(childrenOf(two.items[3])[0].Items).toBe('');
	});

	it.each([
		['empty', 200, '0', 0],
		['roots', 200, '0', 5],
		['code101', 400, '101', 0],
		['code100', 400, '100', 0],
	] as const)('answers level 0 without an alias per switch: %s', async (mode, status, code, count) => {
		sandbox.setSwitches({ optionLevel0WithoutAlias: mode });
		// What the node sent before C1 was fixed: level=0&enabled=-1, no alias.
		const answer = await options('level=0&enabled=-1');
		expect([answer.status, answer.code, answer.items.length]).toEqual([status, code, count]);
	});

	it('filters by enabled (-1 all, 0 unused only, 1 in use only)', async () => {
		const used = await options('alias=Option.U_JobIT&enabled=1');
		expect(ids(childrenOf(used.items[0]))).toEqual(['411']);
		const unused = await options('level=1&alias=Option.U_JobIT&enabled=0');
		expect(ids(unused.items)).toEqual(['412']);
		expect(ids(childrenOf((await options('alias=Option.U_JobIT&enabled=-1')).items[0]))).toEqual(['411', '412']);
	});

	it('limits the items with count, and outputs every item without it', async () => {
		expect(ids((await options('count=2')).items)).toEqual(['100', '200']);
		expect(ids((await options('level=0&alias=Option.P_Tokyo&count=1')).items)).toEqual(['87']);
	});

	it('carries Option.P_Type (7 = the candidate phases)', async () => {
		const phase = await options('alias=Option.P_PersonPhase');
		expect(phase.items[0]['Option.P_Type']).toBe('7');
		expect(childrenOf(phase.items[0])[0]['Option.P_Type']).toBe('7');
	});

	it('refuses malformed values with 103 and an unknown alias per switch', async () => {
		for (const query of ['level=x', 'level=-2', 'enabled=2', 'count=0']) {
			expect([query, (await options(query)).code]).toEqual([query, '103']);
		}
		expect((await options('alias=Option.U_Nope')).code).toBe('100');
		sandbox.setSwitches({ optionUnknownAlias: 'empty' });
		const none = await options('alias=Option.U_Nope');
		expect([none.code, none.items]).toEqual(['0', []]);
	});
});
