import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';

import {
	decodeRecord,
	encodeWriteRequest,
	parseAuthResponse,
	parseReadEnvelope,
	parseWriteResponse,
	PortersFormatError,
	rootCode,
} from '../../core/porters/codec';
import { recordToJson, simplifyRecord } from '../../core/porters/recordJson';
import { parseXml } from '../../core/porters/xml';

const RESUME_SAMPLE = `<?xml version="1.0"?>
<Resume Total="1" Count="1" Start="0">
  <Code>0</Code>
  <Item>
    <Resume.P_Id>20001</Resume.P_Id>
    <Resume.P_Name>鈴木 一郎(20001)</Resume.P_Name>
    <Resume.P_UpdateDate>2026/01/02 03:04:05</Resume.P_UpdateDate>
    <Resume.P_Candidate>
      <Candidate>
        <Person.P_Id>10008</Person.P_Id>
        <Person.P_Name>鈴木 一郎</Person.P_Name>
        <Person.U_XXXX>U4af4980629</Person.U_XXXX>
        <Person.P_Owner><User><User.P_Id>5</User.P_Id><User.P_Name>山田 花子</User.P_Name></User></Person.P_Owner>
      </Candidate>
    </Resume.P_Candidate>
  </Item>
</Resume>`;

describe('read envelopes', () => {
	it('reads Total/Count/Start, the code and the items of the documented Get Resume answer', () => {
		const env = parseReadEnvelope(RESUME_SAMPLE);
		expect(env).toMatchObject({ root: 'Resume', total: 1, count: 1, start: 0, code: 0 });
		expect(env.items).toHaveLength(1);
		const flat = simplifyRecord(decodeRecord(env.items[0]));
		expect(flat).toEqual({
			'Resume.P_Id': 20001,
			'Resume.P_Name': '鈴木 一郎(20001)',
			'Resume.P_UpdateDate': '2026/01/02 03:04:05',
			'Resume.P_Candidate': 10008,
			'Person.P_Id': 10008,
			'Person.P_Name': '鈴木 一郎',
			'Person.U_XXXX': 'U4af4980629',
			'Person.P_Owner': 5,
			'Person.P_Owner.name': '山田 花子',
		});
	});

	it('gives the same flat output when a reference comes as flat text (U7)', () => {
		const env = parseReadEnvelope(
			'<Resume Total="1" Count="1" Start="0"><Code>0</Code><Item><Resume.P_Id>1</Resume.P_Id><Resume.P_Candidate>10008</Resume.P_Candidate></Item></Resume>',
		);
		const nested = parseReadEnvelope(
			'<Resume Total="1" Count="1" Start="0"><Code>0</Code><Item><Resume.P_Id>1</Resume.P_Id><Resume.P_Candidate><Candidate><Person.P_Id>10008</Person.P_Id></Candidate></Resume.P_Candidate></Item></Resume>',
		);
		const flat = simplifyRecord(decodeRecord(env.items[0]));
		expect(flat['Resume.P_Candidate']).toBe(10008);
		expect(simplifyRecord(decodeRecord(nested.items[0]))['Resume.P_Candidate']).toBe(10008);
	});

	it('reads error documents under any root (U3): resource root, <System>, no attributes', () => {
		expect(parseReadEnvelope('<System><Code>401</Code></System>')).toMatchObject({ root: 'System', code: 401 });
		expect(parseReadEnvelope('<Candidate><Code>100</Code></Candidate>').code).toBe(100);
		expect(rootCode(parseXml('<Partition Total="0"/>'))).toBeUndefined();
		expect(() => parseReadEnvelope('<Resume Total="x"><Code>0</Code></Resume>')).toThrow(PortersFormatError);
		expect(() => parseReadEnvelope('<System><Code>oops</Code></System>')).toThrow('is not a number');
	});
});

describe('option values in all three renderings (U4)', () => {
	const variants = {
		'root wrapper, id only':
			'<Person.P_Area><Option.P_Area><Option.P_Tokyo><Option.P_Id>87</Option.P_Id></Option.P_Tokyo><Option.P_Osaka><Option.P_Id>88</Option.P_Id></Option.P_Osaka></Option.P_Area></Person.P_Area>',
		'no wrapper, name and id':
			'<Person.P_Area><Option.P_Tokyo><Option.P_Name>東京都</Option.P_Name><Option.P_Id>87</Option.P_Id></Option.P_Tokyo><Option.P_Osaka><Option.P_Name>大阪府</Option.P_Name><Option.P_Id>88</Option.P_Id></Option.P_Osaka></Person.P_Area>',
		'literal OptionRoot':
			'<Person.P_Area><OptionRoot><Option.P_Tokyo><Option.P_Name>東京都</Option.P_Name><Option.P_Id>87</Option.P_Id></Option.P_Tokyo><Option.P_Osaka><Option.P_Name>大阪府</Option.P_Name><Option.P_Id>88</Option.P_Id></Option.P_Osaka></OptionRoot></Person.P_Area>',
		'bare leaf aliases (write style)':
			'<Person.P_Area><Option.P_Tokyo/><Option.P_Osaka/></Person.P_Area>',
	};

	it.each(Object.entries(variants))('reads %s', (variant, fieldXml) => {
		const record = decodeRecord(parseXml(`<Item>${fieldXml}</Item>`));
		const value = record['Person.P_Area'];
		expect(value.type).toBe('option');
		if (value.type !== 'option') return;
		expect(value.options.map((o) => o.alias)).toEqual(['Option.P_Tokyo', 'Option.P_Osaka']);
		if (!variant.startsWith('bare')) expect(value.options.map((o) => o.id)).toEqual([87, 88]);
		const flat = simplifyRecord(record);
		if (variant.includes('name')) expect(flat['Person.P_Area']).toBe('東京都, 大阪府');
		if (variant.startsWith('literal')) expect(flat['Person.P_Area']).toBe('東京都, 大阪府');
		if (variant.startsWith('root wrapper')) expect(flat['Person.P_Area']).toBe('Option.P_Tokyo, Option.P_Osaka');
		expect(flat['Person.P_Area.options']).toHaveLength(2);
	});

	it('reads an empty option field as no selection', () => {
		const flat = simplifyRecord(decodeRecord(parseXml('<Item><Person.P_Gender/></Item>')));
		expect(flat['Person.P_Gender']).toBe('');
	});
});

describe('write requests', () => {
	const oracle = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false, htmlEntities: true });

	it('writes the documented create request', () => {
		const xml = encodeWriteRequest('Candidate', [
			[
				['Person.P_Id', -1],
				['Person.P_Owner', 5],
				['Person.P_Name', '鈴木 一郎'],
				['Person.U_ABC', 'U4af4980629'],
				['Person.P_Gender', { options: ['Option.P_Male'] }],
				['Person.P_Memo', null],
			],
		]);
		expect(xml).toBe(
			'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Candidate><Item>' +
				'<Person.P_Id>-1</Person.P_Id><Person.P_Owner>5</Person.P_Owner><Person.P_Name>鈴木 一郎</Person.P_Name>' +
				'<Person.U_ABC>U4af4980629</Person.U_ABC><Person.P_Gender><Option.P_Male/></Person.P_Gender><Person.P_Memo/>' +
				'</Item></Candidate>',
		);
	});

	it('any text value survives the trip through fast-xml-parser unchanged (property)', () => {
		const text = fc
			.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
			// eslint-disable-next-line no-control-regex -- control characters are what is filtered out
			.filter((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(s));
		fc.assert(
			fc.property(fc.array(text, { minLength: 1, maxLength: 5 }), (values) => {
				const xml = encodeWriteRequest(
					'Candidate',
					values.map((v) => [
						['Person.P_Id', -1],
						['Person.P_Name', v],
					]),
				);
				const parsed = oracle.parse(xml) as { Candidate: { Item: unknown } };
				const items = ([] as Array<Record<string, string>>).concat(
					parsed.Candidate.Item as Array<Record<string, string>>,
				);
				expect(items.map((i) => i['Person.P_Name'])).toEqual(values);
			}),
		);
	});

	it('refuses control characters and non-finite numbers with a clear message', () => {
		expect(() => encodeWriteRequest('Candidate', [{ 'Person.P_Name': 'a\u0007b' }])).toThrow(
			'U+0007, which XML (and so PORTERS) cannot carry',
		);
		expect(() => encodeWriteRequest('Candidate', [{ 'Person.P_Id': NaN }])).toThrow('not a finite number');
		expect(() => encodeWriteRequest('Candidate', [{ 'Person P_Name': 'x' }])).toThrow('not a valid XML element name');
	});
});

describe('write responses', () => {
	it('maps one result per item, in order, with IDs and codes', () => {
		const res = parseWriteResponse(
			'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Candidate><Item><Id>10001</Id><Code>0</Code></Item><Item><Id>-1</Id><Code>107</Code></Item><Item><Id/><Code>7</Code></Item></Candidate>',
		);
		expect(res).toEqual({
			root: 'Candidate',
			code: undefined,
			items: [
				{ id: 10001, code: 0 },
				{ id: -1, code: 107 },
				{ code: 7 },
			],
		});
	});

	it('reads a request-level failure (U8) and rejects items without a code', () => {
		expect(parseWriteResponse('<Candidate><Code>102</Code></Candidate>')).toMatchObject({ code: 102, items: [] });
		expect(() => parseWriteResponse('<Candidate><Item><Id>1</Id></Item></Candidate>')).toThrow(
			'has no numeric <Code>',
		);
	});
});

describe('authentication answers', () => {
	it('reads the token answer with lifetimes in milliseconds', () => {
		expect(
			parseAuthResponse(
				'<Authentication><AccessToken>at</AccessToken><AccessTokenExpiresIn>1800000</AccessTokenExpiresIn><RefreshToken>rt</RefreshToken><RefreshTokenExpiresIn>7200000</RefreshTokenExpiresIn><Error>0</Error><Message>Success</Message></Authentication>',
			),
		).toEqual({
			error: 0,
			message: 'Success',
			code: undefined,
			accessToken: 'at',
			accessTokenExpiresIn: 1800000,
			refreshToken: 'rt',
			refreshTokenExpiresIn: 7200000,
		});
		expect(parseAuthResponse('<Authentication><Code>c1</Code><Error>0</Error></Authentication>').code).toBe('c1');
	});

	it('reads errors and refuses documents that are not authentication answers', () => {
		expect(parseAuthResponse('<Authentication><Error>105</Error><Message>Wrong secret</Message></Authentication>')).toMatchObject({
			error: 105,
			message: 'Wrong secret',
		});
		expect(() => parseAuthResponse('<System><Code>9</Code></System>')).toThrow('Expected an <Authentication>');
		expect(() => parseAuthResponse('<Authentication/>')).toThrow('has no <Error>');
	});
});

describe('raw JSON form', () => {
	it('keeps structure for users who want it', () => {
		const record = decodeRecord(parseReadEnvelope(RESUME_SAMPLE).items[0]);
		const json = recordToJson(record);
		expect(json['Resume.P_Candidate']).toEqual({
			Candidate: {
				'Person.P_Id': '10008',
				'Person.P_Name': '鈴木 一郎',
				'Person.U_XXXX': 'U4af4980629',
				'Person.P_Owner': { User: { 'User.P_Id': '5', 'User.P_Name': '山田 花子' } },
			},
		});
	});
});
