/**
 * The sandbox switch that makes a find-then-create race certain: reads that find nothing wait for
 * each other (same condition), so concurrent finds for the same new record all find nothing.
 */
import { PortersSandbox } from '../../sandbox/porters/server';
import { PARTITION, PortersWire } from './portersWire';

const LINE_FIELD = 'Person.U_20A292C634376220CB97FC77478A5A';
const find = (userId: string) =>
	`partition=${PARTITION}&field=Person.P_Id&condition=${encodeURIComponent(`${LINE_FIELD}:full=${userId}`)}&count=10&start=0`;
const create = (userId: string) =>
	`<?xml version="1.0" encoding="UTF-8"?><Candidate><Item><Person.P_Id>-1</Person.P_Id><Person.P_Owner>5</Person.P_Owner><${LINE_FIELD}>${userId}</${LINE_FIELD}></Item></Candidate>`;

let sandbox: PortersSandbox;
let wire: PortersWire;

beforeAll(async () => {
	sandbox = new PortersSandbox({ switches: { emptyReadRendezvous: 3, emptyReadRendezvousMs: 1500 } });
	await sandbox.start(0);
	wire = new PortersWire(sandbox);
	await wire.accessToken();
});

afterAll(async () => {
	await sandbox.stop();
});

/** Find, then create when nothing was found: the upsert's first two steps. */
async function findThenCreate(userId: string): Promise<number> {
	const found = await wire.read('candidate', find(userId));
	if (Number(found.doc?.Candidate['@Total']) > 0) return 0;
	await wire.write('candidate', create(userId));
	return 1;
}

describe('emptyReadRendezvous', () => {
	it('lets three finds that overlap only partly all find nothing, so all three create', async () => {
		const userId = `U${'a1'.repeat(16)}`;
		const first = findThenCreate(userId);
		await new Promise((resolve) => setTimeout(resolve, 50));
		const created = await Promise.all([first, findThenCreate(userId), findThenCreate(userId)]);
		expect(created).toEqual([1, 1, 1]);
		expect([...sandbox.store.records.candidate.values()].filter((r) => r[LINE_FIELD] === userId)).toHaveLength(3);
	});

	it('holds a lone empty find until the longest hold is over, while a find that finds something is answered', async () => {
		const known = `U${'a1'.repeat(16)}`;
		let loneAnswered = false;
		const lone = wire.read('candidate', find(`U${'b2'.repeat(16)}`)).then((answer) => {
			loneAnswered = true;
			return answer;
		});
		const found = await wire.read('candidate', find(known));
		expect(Number(found.doc?.Candidate['@Total'])).toBe(3);
		expect(loneAnswered).toBe(false);
		expect(Number((await lone).doc?.Candidate['@Total'])).toBe(0);
	});

	it('is off by default', async () => {
		const plain = new PortersSandbox();
		expect(plain.switches.emptyReadRendezvous).toBe(0);
	});
});
