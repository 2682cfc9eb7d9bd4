/* eslint-disable no-console */
/**
 * Benchmark: the package's PORTERS XML codec against fast-xml-parser, side by side in one run, on
 * PORTERS-shaped documents:
 *   - a Get Resume page (200 items, parent candidate nested, user and option values, Japanese
 *     text, entities), as the node reads 50 times for 10,000 resumes;
 *   - a Create Candidate request (200 items), as the node writes;
 *   - a small write answer (200 × Id/Code).
 * Reading is measured twice for the codec: the XML tree alone (like-for-like with the other
 * parser) and the full decode into PORTERS values that the node uses. Writing compares the codec's
 * serializer with fast-xml-parser's XMLBuilder. Each case is run for a fixed time after a warm-up;
 * the table shows operations per second and MB/s (higher is better).
 *
 *   npm run build:dev && node build/bench/porters-codec.js [--seconds 1]
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

import { decodeRecord, encodeWriteRequest, parseReadEnvelope, parseWriteResponse } from '../core/porters/codec';
import { parseXml, serializeXml, element, type XmlElement } from '../core/porters/xml';

const LINE_FIELD = 'Person.U_20A292C634376220CB97FC77478A5A';

function resumePage(count = 200): string {
	const items: XmlElement[] = [];
	for (let i = 0; i < count; i++) {
		items.push(
			element('Item', [
				element('Resume.P_Id', [String(200_000 + i)]),
				element('Resume.P_Name', [`候補者 ${i} 🎯(${200_000 + i})`]),
				element('Resume.P_UpdateDate', ['2026/01/02 03:04:05']),
				element('Resume.P_Memo', [`メモ <${i}> & "引用" 'test' — ＡＢＣ\n2行目`]),
				element('Resume.P_Owner', [
					element('User', [element('User.P_Id', ['5']), element('User.P_Name', ['山田 花子'])]),
				]),
				element('Resume.U_F094D5541B273A62498DD52E2D5F24', [
					element('Option.U_F094D5541B273A62498DD52E2D5F24', [
						element('Option.U_InterviewScheduled', [element('Option.P_Id', ['201'])]),
					]),
				]),
				element('Resume.P_Candidate', [
					element('Candidate', [
						element('Person.P_Id', [String(100_000 + i)]),
						element('Person.P_Name', [`候補者 ${i} 🎯`]),
						element(LINE_FIELD, [`U${i.toString(16).padStart(32, '0')}`]),
						element('Person.P_Mail', []),
					]),
				]),
			]),
		);
	}
	return serializeXml(
		element('Resume', [element('Code', ['0']), ...items], {
			Total: '10000',
			Count: String(count),
			Start: '0',
		}),
		{ declaration: true },
	);
}

function createRequest(count = 200): string {
	return encodeWriteRequest(
		'Candidate',
		Array.from({ length: count }, (_, i) => [
			['Person.P_Id', -1],
			['Person.P_Owner', 5],
			['Person.P_Name', `LINE 表示名 ${i} 😀 & <${i}>`],
			[LINE_FIELD, `U${i.toString(16).padStart(32, '0')}`],
			['Person.U_3943E30B5FAC0675FBA4FD084D516F', { options: ['Option.U_LineFollowing'] }],
			['Person.P_Memo', `友だち追加 "follow" 'event' ＃${i}`],
		]),
	);
}

function writeAnswer(count = 200): string {
	return serializeXml(
		element(
			'Candidate',
			Array.from({ length: count }, (_, i) =>
				element('Item', [element('Id', [String(10_000 + i)]), element('Code', ['0'])]),
			),
		),
		{ declaration: true },
	);
}

interface Case {
	name: string;
	bytes: number;
	run: () => unknown;
}

function measure(run: () => unknown, seconds: number): number {
	const warmUntil = performance.now() + 200;
	while (performance.now() < warmUntil) run();
	let ops = 0;
	const started = performance.now();
	const until = started + seconds * 1000;
	let now = started;
	while (now < until) {
		run();
		ops++;
		if ((ops & 3) === 0) now = performance.now();
	}
	now = performance.now();
	return ops / ((now - started) / 1000);
}

export function main(argv = process.argv.slice(2)): Array<Record<string, string | number>> {
	const at = argv.indexOf('--seconds');
	const seconds = at >= 0 ? Number(argv[at + 1]) : 1;
	const page = resumePage();
	const request = createRequest();
	const answer = writeAnswer();
	const fxp = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });
	const fxpBuilder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', suppressEmptyNode: true });
	const pageObject = fxp.parse(page) as unknown;
	const pageTree = parseXml(page);

	// Both readers must agree before anything is timed.
	const ours = parseReadEnvelope(page).items.map(decodeRecord);
	const theirs = (fxp.parse(page) as { Resume: { Item: Array<Record<string, unknown>> } }).Resume.Item;
	if (ours.length !== theirs.length || ours[199]['Resume.P_Memo'].type !== 'text') throw new Error('readers disagree');
	if ((ours[199]['Resume.P_Memo'] as { value: string }).value !== theirs[199]['Resume.P_Memo']) {
		throw new Error('readers disagree on text');
	}
	if (parseWriteResponse(answer).items.length !== 200) throw new Error('write answer not read');

	const groups: Array<{ doc: string; cases: Case[] }> = [
		{
			doc: 'Get Resume page (200 items)',
			cases: [
				{ name: 'codec: XML tree', bytes: Buffer.byteLength(page), run: () => parseXml(page) },
				{
					name: 'codec: tree + PORTERS decode',
					bytes: Buffer.byteLength(page),
					run: () => parseReadEnvelope(page).items.map(decodeRecord),
				},
				{ name: 'fast-xml-parser: parse', bytes: Buffer.byteLength(page), run: () => fxp.parse(page) },
			],
		},
		{
			doc: 'Create Candidate request (200 items)',
			cases: [
				{ name: 'codec: XML tree', bytes: Buffer.byteLength(request), run: () => parseXml(request) },
				{ name: 'fast-xml-parser: parse', bytes: Buffer.byteLength(request), run: () => fxp.parse(request) },
			],
		},
		{
			doc: 'Write answer (200 × Id/Code)',
			cases: [
				{ name: 'codec: read results', bytes: Buffer.byteLength(answer), run: () => parseWriteResponse(answer) },
				{ name: 'fast-xml-parser: parse', bytes: Buffer.byteLength(answer), run: () => fxp.parse(answer) },
			],
		},
		{
			doc: 'Writing a Get Resume page',
			cases: [
				{ name: 'codec: serialize', bytes: Buffer.byteLength(page), run: () => serializeXml(pageTree) },
				{ name: 'fast-xml-parser: XMLBuilder', bytes: Buffer.byteLength(page), run: () => fxpBuilder.build(pageObject) },
			],
		},
	];

	const rows: Array<Record<string, string | number>> = [];
	for (const group of groups) {
		const results = group.cases.map((c) => ({ c, opsPerSec: measure(c.run, seconds) }));
		const oracle = results[results.length - 1].opsPerSec;
		for (const { c, opsPerSec } of results) {
			rows.push({
				document: group.doc,
				case: c.name,
				'KB': (c.bytes / 1024).toFixed(1),
				'ops/s': Math.round(opsPerSec),
				'MB/s': ((opsPerSec * c.bytes) / 1048576).toFixed(1),
				'vs fast-xml-parser': `${(opsPerSec / oracle).toFixed(2)}×`,
			});
		}
	}
	console.log('\nPORTERS XML codec vs fast-xml-parser (same run, same documents)');
	console.table(rows);
	return rows;
}

if (require.main === module) main();
