import { PortersSandbox } from '../../sandbox/porters/server';
import { PortersWire, itemsOf } from './portersWire';

// U11: the reference's "32 KB → HTTP 400" was withdrawn; a second-hand source says about 15,000
// characters. Whatever the figure, a request over it is refused whole (nothing written).

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

beforeEach(() => {
	sandbox.reset();
	wire.forget();
	sandbox.setSwitches({
		maxWriteBodySize: 0,
		writeSizeUnit: 'characters',
		oversizeHttpStatus: 400,
		oversizeResultCode: null,
		maxRequestBytes: 0,
		errorRoot: 'resource',
	});
});

const OPEN = '<Candidate>';
const CLOSE = '</Candidate>';
const itemWith = (memo: string) =>
	`<Item><Person.P_Id>-1</Person.P_Id><Person.P_Owner>5</Person.P_Owner><Person.P_Memo>${memo}</Person.P_Memo></Item>`;
const ITEM_OVERHEAD = itemWith('').length;
const MEMO_MAX = 9000; // Person.P_Memo holds 10,000 characters in the seed

/** A valid Create Candidate body of exactly `length` characters, memos made of `char`. */
function bodyOfLength(length: number, char: string): string {
	for (let count = 1; ; count++) {
		const memoTotal = length - OPEN.length - CLOSE.length - count * ITEM_OVERHEAD;
		if (memoTotal < 0) throw new Error('too short');
		if (memoTotal > count * MEMO_MAX) continue;
		const items: string[] = [];
		let left = memoTotal;
		for (let i = 0; i < count; i++) {
			const size = Math.ceil(left / (count - i));
			items.push(itemWith(char.repeat(size)));
			left -= size;
		}
		const body = OPEN + items.join('') + CLOSE;
		expect(Array.from(body)).toHaveLength(length);
		return body;
	}
}

describe.each([15_000, 32_768])('a write limit of %i characters', (limit) => {
	it('accepts a body of exactly the limit and writes every item', async () => {
		sandbox.setSwitches({ maxWriteBodySize: limit });
		const body = bodyOfLength(limit, 'あ');
		const answer = await wire.write('candidate', body);
		expect(answer.status).toBe(200);
		const items = itemsOf(answer.doc!.Candidate);
		expect(items.length).toBeGreaterThan(0);
		expect(items.every((item) => item.Code === '0')).toBe(true);
		expect(sandbox.store.records.candidate.size).toBe(3 + items.length);
		expect(sandbox.counters.oversize).toBe(0);
	});

	it('refuses one character more whole: HTTP 400, nothing written, billed once', async () => {
		sandbox.setSwitches({ maxWriteBodySize: limit });
		await wire.accessToken();
		const billedBefore = sandbox.counters.billed;
		const answer = await wire.write('candidate', bodyOfLength(limit + 1, 'あ'));
		expect([answer.status, answer.text]).toEqual([400, 'Request too long']);
		expect(sandbox.store.records.candidate.size).toBe(3);
		expect(sandbox.counters).toMatchObject({ billed: billedBefore + 1, oversize: 1, itemsWritten: 0 });
		expect(sandbox.counters.byEndpoint['POST /v1/candidate']).toBe(1);
	});
});

describe('size limit switches', () => {
	it('counts UTF-8 bytes instead of characters when asked', async () => {
		sandbox.setSwitches({ maxWriteBodySize: 15_000, writeSizeUnit: 'bytes' });
		// 6,000 characters, about 16,000 bytes in UTF-8: fine by characters, too long in bytes.
		const body = bodyOfLength(6_000, 'あ');
		expect(Buffer.byteLength(body)).toBeGreaterThan(15_000);
		expect((await wire.write('candidate', body)).status).toBe(400);
		sandbox.setSwitches({ writeSizeUnit: 'characters' });
		expect((await wire.write('candidate', body)).status).toBe(200);
	});

	it('answers with the configured status and an error document when a result code is set', async () => {
		sandbox.setSwitches({ maxWriteBodySize: 15_000, oversizeHttpStatus: 413, oversizeResultCode: 102 });
		const refused = await wire.write('candidate', bodyOfLength(15_001, 'a'));
		expect(refused.status).toBe(413);
		expect(refused.doc).toEqual({ '?xml': expect.anything(), Candidate: { Code: '102' } });
		sandbox.setSwitches({ errorRoot: 'system' });
		const system = await wire.write('candidate', bodyOfLength(15_001, 'a'));
		expect(system.doc!.System).toEqual({ Code: '102' });
		expect(sandbox.store.records.candidate.size).toBe(3);
	});

	it('leaves reads alone (the limit is about write bodies)', async () => {
		sandbox.setSwitches({ maxWriteBodySize: 10 });
		expect((await wire.read('candidate', 'partition=999999&count=200')).status).toBe(200);
	});
});
