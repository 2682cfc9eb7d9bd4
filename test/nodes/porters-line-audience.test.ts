import type { PortersSandbox } from '../../sandbox/porters/server';
import { credentialsFor, LINE_FIELD, LINE_STATUS_FIELD, runPorters, startSandbox } from '../support/portersNode';

/**
 * Get LINE Audience against the PORTERS sandbox: the reads it makes, the recipients and batches
 * it gives, and the candidates it leaves out.
 */

let sandbox: PortersSandbox;

beforeAll(async () => {
	sandbox = await startSandbox();
});

afterAll(async () => {
	await sandbox.stop();
});

beforeEach(() => {
	sandbox.setSwitches({ candidateSubPrefix: 'Person' });
	sandbox.reset();
});

const user = (n: number) => 'U' + (0xa000000 + n).toString(16).padStart(32, '0');
const TAG_FIELD = 'Person.P_Memo';

/**
 * `count` candidates tagged for the search; every 10th has no LINE user ID, every 25th is
 * blocked, and every 50th shares its LINE user ID with the candidate before it.
 */
function seedCandidates(count: number, firstId = 300_000): { expectedRecipients: string[]; noId: number; blocked: number; duplicate: number } {
	const expectedRecipients: string[] = [];
	let noId = 0;
	let blocked = 0;
	let duplicate = 0;
	for (let i = 0; i < count; i++) {
		const shared = i % 50 === 49 && (i - 1) % 10 !== 9 && (i - 1) % 25 !== 24;
		const hasId = i % 10 !== 9;
		const isBlocked = !shared && i % 25 === 24;
		const lineUserId = shared ? user(i - 1) : hasId ? user(i) : '';
		sandbox.store.insert('candidate', {
			'Person.P_Id': firstId + i,
			'Person.P_Owner': 5,
			'Person.P_Name': `候補者 ${i}`,
			[TAG_FIELD]: 'campaign-2026',
			...(lineUserId ? { [LINE_FIELD]: lineUserId } : {}),
			[LINE_STATUS_FIELD]: [isBlocked ? 'Option.U_LineBlocked' : 'Option.U_LineFollowing'],
		});
		if (!lineUserId) noId++;
		else if (isBlocked) blocked++;
		else if (shared) duplicate++;
		else expectedRecipients.push(lineUserId);
	}
	return { expectedRecipients, noId, blocked, duplicate };
}

const audience = (extra: Record<string, unknown> = {}) => ({
	resource: 'candidate',
	operation: 'getLineAudience',
	searchIn: 'candidate',
	condition: `${TAG_FIELD}:full=campaign-2026`,
	lineUserIdField: LINE_FIELD,
	lineStatusField: LINE_STATUS_FIELD,
	blockedOptions: 'Option.U_LineBlocked',
	output: 'batches',
	batchSize: 500,
	options: {},
	...extra,
});

describe('Get LINE Audience', () => {
	it('turns 1,300 candidates into batches of 500 distinct LINE users, reading 200 records per call', async () => {
		const seeded = seedCandidates(1300);
		sandbox.resetCounters();
		const { output, ctx } = await runPorters(audience(), { credentials: credentialsFor(sandbox) });

		const userIds = output.flatMap((item) => item.json.userIds as string[]);
		expect(userIds).toEqual(seeded.expectedRecipients);
		expect(new Set(userIds).size).toBe(userIds.length);
		expect(output.map((item) => (item.json.userIds as string[]).length)).toEqual([500, 500, seeded.expectedRecipients.length - 1000]);
		expect(output.map((item) => [item.json.batch, item.json.batchCount, item.pairedItem])).toEqual([
			[0, 3, { item: 0 }],
			[1, 3, { item: 0 }],
			[2, 3, { item: 0 }],
		]);
		expect(output[0].json.summary).toEqual({
			matched: 1300,
			recipients: seeded.expectedRecipients.length,
			batches: 3,
			leftOut: { noLineUserId: seeded.noId, invalidLineUserId: 0, blocked: seeded.blocked, duplicate: seeded.duplicate },
		});
		// The candidate behind a shared LINE user ID is the lower of the two.
		const recipients = output.flatMap((item) => item.json.recipients as Array<{ lineUserId: string; candidateId: number }>);
		expect(recipients.find((r) => r.lineUserId === user(48))).toEqual({ lineUserId: user(48), candidateId: 300_048 });

		const reads = ctx.http.filter((call) => call.url.includes('/v1/candidate'));
		expect(reads).toHaveLength(Math.ceil(1300 / 200));
		const url = new URL(reads[0].url);
		expect(url.searchParams.get('field')).toBe(`Person.P_Id,${LINE_FIELD},${LINE_STATUS_FIELD}`);
		expect(url.searchParams.get('condition')).toBe(`${TAG_FIELD}:full=campaign-2026`);
		expect(sandbox.counters.byEndpoint['GET /v1/option'] ?? 0).toBe(0);
	});

	it('counts only, for a dry run, with the same numbers', async () => {
		const seeded = seedCandidates(260);
		const { output } = await runPorters(audience({ output: 'summary' }), { credentials: credentialsFor(sandbox) });
		expect(output).toEqual([
			{
				json: {
					matched: 260,
					recipients: seeded.expectedRecipients.length,
					batches: 1,
					leftOut: { noLineUserId: seeded.noId, invalidLineUserId: 0, blocked: seeded.blocked, duplicate: seeded.duplicate },
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it('searches resumes and gives each candidate once, however many resumes match, with either parent prefix', async () => {
		for (const prefix of ['Person', 'Candidate'] as const) {
			sandbox.setSwitches({ candidateSubPrefix: prefix });
			sandbox.reset();
			seedCandidates(30);
			for (let i = 0; i < 30; i++) {
				for (const copy of [0, 1]) {
					sandbox.store.insert('resume', {
						'Resume.P_Id': 400_000 + i * 2 + copy,
						'Resume.P_Owner': 5,
						'Resume.P_Candidate': 300_000 + i,
						'Resume.P_Name': 'bulk-resume',
					});
				}
			}
			const { output } = await runPorters(
				audience({ searchIn: 'resume', condition: 'Resume.P_Name:full=bulk-resume', output: 'summary' }),
				{ credentials: credentialsFor(sandbox) },
			);
			// 30 candidates: 3 without LINE user ID, 1 blocked; 26 recipients, each with a second resume.
			expect(output[0].json).toEqual({
				matched: 60,
				recipients: 26,
				batches: 1,
				leftOut: { noLineUserId: 6, invalidLineUserId: 0, blocked: 2, duplicate: 26 },
			});
		}
	});

	it('without a status field nobody counts as blocked; a status field without blocked aliases is refused', async () => {
		seedCandidates(25);
		const { output } = await runPorters(audience({ lineStatusField: '', output: 'summary' }), {
			credentials: credentialsFor(sandbox),
		});
		expect(output[0].json.recipients).toBe(23);
		await expect(
			runPorters(audience({ blockedOptions: ' ' }), { credentials: credentialsFor(sandbox) }),
		).rejects.toThrow('Blocked Option Aliases is empty');
	});

	it('gives no batch when nobody matches, and an error item for a broken condition with Continue On Fail', async () => {
		const { output: none } = await runPorters(audience({ condition: `${TAG_FIELD}:full=nobody` }), {
			credentials: credentialsFor(sandbox),
		});
		expect(none).toEqual([]);
		const { output } = await runPorters(audience({ condition: 'Person.P_Name:between=1' }), {
			credentials: credentialsFor(sandbox),
			continueOnFail: true,
		});
		expect(output).toHaveLength(1);
		expect(output[0].json.error).toEqual(expect.any(String));
		expect(output[0].pairedItem).toEqual({ item: 0 });
	});
});
