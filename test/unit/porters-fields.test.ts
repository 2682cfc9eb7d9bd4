import fc from 'fast-check';

import {
	assertFieldAlias,
	formatConditions,
	formatFieldList,
	formatPortersDate,
	formatPortersDateTime,
	isCustomFieldAlias,
	isFieldAlias,
	isPortersDateTime,
	mergeFieldLists,
	parseConditions,
	parseFieldList,
	parsePortersDateTime,
	PortersSyntaxError,
	type FieldSpec,
} from '../../core/porters/fields';

describe('PORTERS field aliases', () => {
	it.each(['Person.P_Id', 'Person.U_3D5FF80A5778B97D9A1691856E9BB6', 'Resume.A_App1', 'Job.P_Client'])(
		'accepts %s',
		(alias) => expect(isFieldAlias(alias)).toBe(true),
	);

	it.each(['Person', 'person.P_Id', 'Person.X_Id', 'Person.P_', 'Person.P_Id,x', ' Person.P_Id', 'Person.P_Id(1)'])(
		'rejects %j',
		(alias) => expect(isFieldAlias(alias)).toBe(false),
	);

	it('knows custom fields of a prefix and gives a clear error for garbage', () => {
		expect(isCustomFieldAlias('Person.U_ABC', 'Person')).toBe(true);
		expect(isCustomFieldAlias('Resume.U_ABC', 'Person')).toBe(false);
		expect(isCustomFieldAlias('Person.P_Name')).toBe(false);
		expect(() => assertFieldAlias('LINE ID')).toThrow(
			'"LINE ID" is not a valid PORTERS field alias; expected something like Person.P_Name',
		);
		expect(assertFieldAlias('  Person.P_Name ')).toBe('Person.P_Name');
	});
});

describe('field= with parent-resource fields', () => {
	it('parses the Get Resume field list with candidate fields in parentheses', () => {
		const parsed = parseFieldList(
			'Resume.P_Id, Resume.P_Name ,Resume.P_Candidate( Person.P_Id,Person.P_Name , Person.U_AB12 ), Job.P_Client()',
		);
		expect(parsed).toEqual([
			{ alias: 'Resume.P_Id' },
			{ alias: 'Resume.P_Name' },
			{
				alias: 'Resume.P_Candidate',
				sub: [{ alias: 'Person.P_Id' }, { alias: 'Person.P_Name' }, { alias: 'Person.U_AB12' }],
			},
			{ alias: 'Job.P_Client', sub: [] },
		]);
		expect(formatFieldList(parsed)).toBe(
			'Resume.P_Id,Resume.P_Name,Resume.P_Candidate(Person.P_Id,Person.P_Name,Person.U_AB12),Job.P_Client()',
		);
	});

	it.each([
		['Resume.P_Candidate(Person.P_Id', 'Missing ")"'],
		['Resume.P_Id,,Resume.P_Name', 'Expected a field alias at position 13'],
		['Resume.P_Id)', 'Unexpected ")"'],
		['Resume.P_Id Resume.P_Name', 'Unexpected "R"'],
		['Resume.P_Id,LINE', 'not a valid PORTERS field alias'],
	])('rejects %j', (input, message) => {
		expect(() => parseFieldList(input)).toThrow(PortersSyntaxError);
		expect(() => parseFieldList(input)).toThrow(message);
	});

	it('formats and parses back any field list (property)', () => {
		const alias = fc
			.tuple(fc.constantFrom('Person', 'Resume', 'Job'), fc.constantFrom('P', 'U', 'A'), fc.stringMatching(/^[A-Za-z0-9_]{1,10}$/))
			.map(([p, k, n]) => `${p}.${k}_${n}`);
		const spec: fc.Arbitrary<FieldSpec> = fc.letrec<{ spec: FieldSpec }>((tie) => ({
			spec: fc
				.record({
					alias,
					sub: fc.oneof(
						{ depthSize: 'small' },
						fc.constant(undefined),
						fc.array(tie('spec'), { maxLength: 3 }),
					),
				})
				.map(({ alias, sub }) => (sub === undefined ? { alias } : { alias, sub })),
		})).spec;
		fc.assert(
			fc.property(fc.array(spec, { minLength: 1, maxLength: 5 }), (list) => {
				const depth = (l: FieldSpec[]): number => Math.max(0, ...l.map((s) => (s.sub ? 1 + depth(s.sub) : 0)));
				fc.pre(depth(list) <= 3);
				expect(parseFieldList(formatFieldList(list))).toEqual(list);
			}),
		);
	});

	it('merges lists without duplicates and joins sub-fields', () => {
		const merged = mergeFieldLists(
			parseFieldList('Resume.P_Id,Resume.P_Candidate(Person.P_Id)'),
			parseFieldList('Resume.P_UpdateDate,Resume.P_Id,Resume.P_Candidate(Person.P_Name,Person.P_Id)'),
		);
		expect(formatFieldList(merged)).toBe(
			'Resume.P_Id,Resume.P_Candidate(Person.P_Id,Person.P_Name),Resume.P_UpdateDate',
		);
	});
});

describe('condition=', () => {
	it('formats and parses the documented example, values with colons included', () => {
		const text = 'Job.P_Id:ge=100,Job.P_UpdateDate:ge=2012/03/18 00:00:00,Job.P_Position:part=Programmer';
		const parsed = parseConditions(text);
		expect(parsed).toEqual([
			{ alias: 'Job.P_Id', operator: 'ge', value: '100' },
			{ alias: 'Job.P_UpdateDate', operator: 'ge', value: '2012/03/18 00:00:00' },
			{ alias: 'Job.P_Position', operator: 'part', value: 'Programmer' },
		]);
		expect(formatConditions(parsed)).toBe(text);
		expect(parseConditions('Person.P_Id=5')).toEqual([{ alias: 'Person.P_Id', value: '5' }]);
	});

	it('refuses what PORTERS cannot express instead of changing the meaning', () => {
		expect(() =>
			formatConditions([{ alias: 'Person.P_Mail', operator: 'full', value: 'a,b@example.com' }]),
		).toThrow('contains a comma');
		expect(() => parseConditions('Person.P_Id:between=1')).toThrow('Unknown condition operator');
		expect(() => parseConditions('Person.P_Id')).toThrow('has no "="');
	});
});

describe('PORTERS dates (UTC, yyyy/mm/dd HH:MM:SS)', () => {
	it('formats in UTC, never local time', () => {
		expect(formatPortersDateTime(new Date('2026-01-02T03:04:05+09:00'))).toBe('2026/01/01 18:04:05');
		expect(formatPortersDate(Date.UTC(2026, 11, 31, 23, 59, 59))).toBe('2026/12/31');
	});

	it('parses both forms and rejects impossible dates', () => {
		expect(parsePortersDateTime('2026/02/28 23:59:59').toISOString()).toBe('2026-02-28T23:59:59.000Z');
		expect(parsePortersDateTime('2024/02/29').toISOString()).toBe('2024-02-29T00:00:00.000Z');
		expect(() => parsePortersDateTime('2026/02/29 00:00:00')).toThrow('not a valid date');
		expect(() => parsePortersDateTime('2026-01-01T00:00:00Z')).toThrow('is not a PORTERS date');
		expect(isPortersDateTime('2026/01/01 00:00:60')).toBe(false);
		expect(isPortersDateTime('2026/01/01')).toBe(false);
	});

	it('round-trips every second-resolution instant (property)', () => {
		fc.assert(
			fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) }), (ms) => {
				const seconds = Math.floor(ms / 1000) * 1000;
				expect(parsePortersDateTime(formatPortersDateTime(seconds)).getTime()).toBe(seconds);
			}),
		);
	});
});
