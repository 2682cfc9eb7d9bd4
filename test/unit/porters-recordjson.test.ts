import { decodeRecord, type PortersRecord } from '../../core/porters/codec';
import {
	fillOptionNames,
	recordNeedsOptionNames,
	recordOutput,
	type OptionNames,
} from '../../core/porters/recordJson';
import { parseXml } from '../../core/porters/xml';

const names: OptionNames = {
	byAlias: new Map([
		['Option.P_Male', '男性'],
		['Option.U_LineBlocked', 'ブロック中'],
	]),
	byId: new Map([
		[11, '男性 (ID)'],
		[42, '面接済み'],
	]),
};

function record(xml: string): PortersRecord {
	return decodeRecord(parseXml(xml));
}

describe('option names', () => {
	it('sees a missing name also in parent records and nested objects', () => {
		expect(recordNeedsOptionNames(record('<Item><Person.P_Name>鈴木</Person.P_Name></Item>'))).toBe(false);
		expect(
			recordNeedsOptionNames(
				record('<Item><Person.P_Gender><Option.P_Male><Option.P_Name>男性</Option.P_Name></Option.P_Male></Person.P_Gender></Item>'),
			),
		).toBe(false);
		expect(recordNeedsOptionNames(record('<Item><Person.P_Gender><Option.P_Male/></Person.P_Gender></Item>'))).toBe(true);
		const parent = record(
			'<Item><Resume.P_Candidate><Candidate><Person.P_Id>1</Person.P_Id><Person.P_Gender><Option.P_Male/></Person.P_Gender></Candidate></Resume.P_Candidate></Item>',
		);
		expect(recordNeedsOptionNames(parent)).toBe(true);
	});

	it('fills names by ID first, then by alias, and keeps names PORTERS sent', () => {
		const r = record(
			'<Item>' +
				'<Person.P_Gender><Option.P_Male><Option.P_Id>11</Option.P_Id></Option.P_Male></Person.P_Gender>' +
				'<Person.U_Status><Option.U_LineBlocked/></Person.U_Status>' +
				'<Person.U_Area><Option.U_Tokyo><Option.P_Name>東京</Option.P_Name></Option.U_Tokyo></Person.U_Area>' +
				'<Person.U_Unknown><Option.U_Nobody/></Person.U_Unknown>' +
				'</Item>',
		);
		fillOptionNames(r, names);
		const optionNames = (alias: string) => {
			const value = r[alias];
			return value.type === 'option' ? value.options.map((o) => o.name) : undefined;
		};
		expect(optionNames('Person.P_Gender')).toEqual(['男性 (ID)']);
		expect(optionNames('Person.U_Status')).toEqual(['ブロック中']);
		expect(optionNames('Person.U_Area')).toEqual(['東京']);
		expect(optionNames('Person.U_Unknown')).toEqual([undefined]);
		expect(recordNeedsOptionNames(r)).toBe(true);
	});

	it('fills names inside parent records and leaves the record alone without a name list', () => {
		const xml =
			'<Item><Resume.P_Candidate><Candidate><Person.P_Id>1</Person.P_Id><Person.P_Gender><Option.P_Male/></Person.P_Gender></Candidate></Resume.P_Candidate></Item>';
		const untouched = record(xml);
		fillOptionNames(untouched, undefined);
		expect(recordNeedsOptionNames(untouched)).toBe(true);
		const filled = record(xml);
		fillOptionNames(filled, names);
		expect(recordNeedsOptionNames(filled)).toBe(false);
	});
});

describe('record output', () => {
	const xml =
		'<Item><Resume.P_Id>20001</Resume.P_Id><Resume.U_Interview><Option.U_Done><Option.P_Id>42</Option.P_Id></Option.U_Done></Resume.U_Interview></Item>';

	it('flattens with option names filled in', () => {
		expect(recordOutput(record(xml), { simplify: true, optionNames: names })).toEqual({
			'Resume.P_Id': 20001,
			'Resume.U_Interview': '面接済み',
			'Resume.U_Interview.options': [{ alias: 'Option.U_Done', id: 42, name: '面接済み' }],
		});
	});

	it('keeps the PORTERS structure when not simplifying', () => {
		expect(recordOutput(record(xml), { simplify: false })).toEqual({
			'Resume.P_Id': '20001',
			'Resume.U_Interview': { options: [{ alias: 'Option.U_Done', id: 42 }] },
		});
	});

	it('turns flat text of a requested reference into an ID', () => {
		const flat = record('<Item><Resume.U_Ref>10008</Resume.U_Ref></Item>');
		expect(recordOutput(flat, { simplify: true })['Resume.U_Ref']).toBe('10008');
		expect(recordOutput(flat, { simplify: true, referenceAliases: new Set(['Resume.U_Ref']) })['Resume.U_Ref']).toBe(10008);
	});
});
