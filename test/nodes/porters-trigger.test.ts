import type { IDataObject } from 'n8n-workflow';

import { PortersTrigger } from '../../nodes/Porters/PortersTrigger.node';
import type { PortersSandbox } from '../../sandbox/porters/server';
import { credentialsFor, INTERVIEW_FIELD, LINE_FIELD, pollContext, startSandbox } from '../support/portersNode';

let sandbox: PortersSandbox;

beforeAll(async () => {
	sandbox = await startSandbox();
});

afterAll(async () => {
	await sandbox.stop();
});

beforeEach(() => sandbox.reset());

const params = (extra: Record<string, unknown> = {}) => ({
	resource: 'resume',
	fields: '',
	candidateFields: [LINE_FIELD],
	condition: '',
	options: {},
	...extra,
});

async function poll(staticData: IDataObject, extra: Record<string, unknown> = {}, mode: 'trigger' | 'manual' = 'trigger') {
	const credentials = credentialsFor(sandbox);
	const ctx = pollContext(params(extra), credentials, staticData, mode);
	return await new PortersTrigger().poll.call(ctx);
}

describe('PORTERS Trigger', () => {
	it('does not flood the workflow on the first poll, then emits each change once', async () => {
		const state: IDataObject = {};
		expect(await poll(state)).toBeNull();
		expect(state.cursor).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);
		expect(sandbox.counters.reads).toBe(0);

		sandbox.touch('resume', 20002, { [INTERVIEW_FIELD]: ['Option.U_InterviewDone'] });
		const changed = await poll(state);
		expect(changed?.[0].map((i) => i.json['Resume.P_Id'])).toEqual([20002]);
		expect(changed?.[0][0].json).toMatchObject({
			'Resume.P_Candidate': 10002,
			'Person.P_Id': 10002,
			'Resume.P_Owner.name': '田中 誠',
		});

		// Same second, nothing new: not emitted again.
		expect(await poll(state)).toBeNull();

		sandbox.touch('resume', 20001);
		sandbox.touch('resume', 20003);
		const next = await poll(state);
		expect(next?.[0].map((i) => i.json['Resume.P_Id']).sort()).toEqual([20001, 20003]);
	});

	it('asks PORTERS only for records updated at or after the cursor (UTC)', async () => {
		const state: IDataObject = { cursor: '2026/01/12 00:00:00', seenAtCursor: [], watching: 'candidate|' };
		const result = await poll(state, { resource: 'candidate', candidateFields: [] });
		expect(result?.[0].map((i) => i.json['Person.P_Id'])).toEqual([10003]);
		expect(state.cursor).toBe('2026/01/12 09:15:00');
		expect(state.seenAtCursor).toEqual(['10003@2026/01/12 09:15:00']);
	});

	it('applies an additional condition and starts over when the settings change', async () => {
		const state: IDataObject = { cursor: '2026/01/01 00:00:00', seenAtCursor: [], watching: 'resume|' };
		expect(await poll(state, { condition: 'Resume.P_Owner:eq=6' })).toBeNull();
		expect(state.watching).toBe('resume|Resume.P_Owner:eq=6');
		state.cursor = '2026/01/01 00:00:00';
		const result = await poll(state, { condition: 'Resume.P_Owner:eq=6' });
		expect(result?.[0].map((i) => i.json['Resume.P_Id'])).toEqual([20002]);
	});

	it('hands over at most the configured number per poll and continues where it stopped', async () => {
		const state: IDataObject = { cursor: '2026/01/01 00:00:00', seenAtCursor: [], watching: 'resume|' };
		const first = await poll(state, { options: { maxRecords: 2 } });
		expect(first?.[0].map((i) => i.json['Resume.P_Id'])).toEqual([20003, 20001]);
		const second = await poll(state, { options: { maxRecords: 2 } });
		expect(second?.[0].map((i) => i.json['Resume.P_Id'])).toEqual([20002]);
		expect(await poll(state, { options: { maxRecords: 2 } })).toBeNull();
	});

	it('returns the latest record for a manual test run without moving the cursor', async () => {
		const state: IDataObject = {};
		const result = await poll(state, {}, 'manual');
		expect(result?.[0].map((i) => i.json['Resume.P_Id'])).toEqual([20002]);
		expect(state.cursor).toBeUndefined();
	});
});
