import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

import {
	escapeXmlAttribute,
	escapeXmlText,
	parseXml,
	serializeXml,
	XmlSyntaxError,
	XmlWriteError,
	type XmlElement,
	type XmlNode,
} from '../../core/porters/xml';

// ---------------------------------------------------------------------------------------------
// Oracle: fast-xml-parser in ordered mode, converted to our tree shape.

const oracle = new XMLParser({
	preserveOrder: true,
	ignoreAttributes: false,
	attributeNamePrefix: '',
	parseTagValue: false,
	parseAttributeValue: false,
	trimValues: false,
	processEntities: true,
	htmlEntities: true,
	ignoreDeclaration: true,
	ignorePiTags: true,
	commentPropName: false,
});

type OrderedNode = Record<string, unknown>;

function fromOracle(nodes: OrderedNode[]): XmlNode[] {
	const out: XmlNode[] = [];
	for (const node of nodes) {
		if ('#text' in node) {
			const text = String(node['#text']);
			const last = out[out.length - 1];
			if (typeof last === 'string') out[out.length - 1] = last + text;
			else if (text !== '') out.push(text);
			continue;
		}
		const name = Object.keys(node).find((k) => k !== ':@');
		if (!name) continue;
		out.push({
			name,
			attributes: { ...((node[':@'] as Record<string, string>) ?? {}) },
			children: fromOracle(node[name] as OrderedNode[]),
		});
	}
	return out;
}

function oracleParse(xml: string): XmlElement {
	const roots = fromOracle(oracle.parse(xml) as OrderedNode[]).filter(
		(n): n is XmlElement => typeof n !== 'string',
	);
	expect(roots).toHaveLength(1);
	return roots[0];
}

/** Merges adjacent text and drops empty text, the canonical form both parsers agree on. */
function canonical(el: XmlElement): XmlElement {
	const children: XmlNode[] = [];
	for (const child of el.children) {
		if (typeof child === 'string') {
			if (child === '') continue;
			const last = children[children.length - 1];
			if (typeof last === 'string') children[children.length - 1] = last + child;
			else children.push(child);
		} else {
			children.push(canonical(child));
		}
	}
	return { name: el.name, attributes: { ...el.attributes }, children };
}

// ---------------------------------------------------------------------------------------------
// Generators

// Characters XML can carry, weighted towards what PORTERS data contains: Japanese, full-width
// forms, emoji (surrogate pairs), markup characters, whitespace.
const interestingChars = fc.constantFrom(
	'&', '<', '>', '"', "'", ';', '#', ']', '\n', '\t', '\r', ' ', '鈴', '木', 'ア', 'ｱ', 'Ａ', '１',
	'　', '😀', '👍🏽', '𠮷', 'é', '\u00a0', '=', '/', '?', '!', '-',
);
const xmlChar = fc.oneof(
	{ weight: 3, arbitrary: interestingChars },
	{ weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
	{ weight: 2, arbitrary: fc.constantFrom('a', 'b', 'Z', '0', '9', '_', '.') },
);
const xmlText = fc
	.array(xmlChar, { minLength: 1, maxLength: 24 })
	.map((chars) => chars.join(''))
	// eslint-disable-next-line no-control-regex -- control characters are what is filtered out
	.filter((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(s));

const elementName = fc.oneof(
	fc.constantFrom('Candidate', 'Item', 'Person.P_Id', 'Person.P_Name', 'Resume.P_Candidate', 'User', 'Option.P_Male', 'Code'),
	fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,12}$/),
	fc.constantFrom('名前', 'データ', 'Ｘ項目', 'ns:tag'),
);

// The writer writes CR as a reference, so it survives parsing; literal CR normalisation is a
// reader concern tested separately.
const attributes = fc.dictionary(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,8}$/), xmlText, {
	maxKeys: 3,
});

const tree: fc.Arbitrary<XmlElement> = fc.letrec<{ el: XmlElement; node: XmlNode }>((tie) => ({
	el: fc.record({
		name: elementName,
		attributes,
		children: fc.array(tie('node'), { maxLength: 4 }),
	}),
	node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, xmlText, tie('el')),
})).el.map(canonical);

// ---------------------------------------------------------------------------------------------

describe('PORTERS XML reader', () => {
	it('reads a read envelope with declaration, attributes, nesting and empty elements', () => {
		const xml =
			'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
			'<Resume Total="1" Count="1" Start="0"><Code>0</Code><Item>' +
			'<Resume.P_Id>20001</Resume.P_Id><Resume.P_Name>鈴木 一郎(20001)</Resume.P_Name>' +
			'<Resume.P_Candidate><Candidate><Person.P_Id>10008</Person.P_Id><Person.P_Mail/></Candidate></Resume.P_Candidate>' +
			'</Item></Resume>';
		const root = parseXml(xml);
		expect(root.name).toBe('Resume');
		expect(root.attributes).toEqual({ Total: '1', Count: '1', Start: '0' });
		expect(canonical(root)).toEqual(canonical(oracleParse(xml)));
		const item = root.children[1] as XmlElement;
		expect((item.children[1] as XmlElement).children).toEqual(['鈴木 一郎(20001)']);
	});

	it('decodes the five entities, decimal and hex references, and CDATA', () => {
		const root = parseXml(
			'<a x="&quot;&apos;&#9;">&lt;&gt;&amp;&quot;&apos; &#x1F600;&#12354;<![CDATA[<b>&amp;</b>]]></a>',
		);
		expect(root.attributes.x).toBe('"\'\t');
		expect(root.children).toEqual(["<>&\"' 😀あ<b>&amp;</b>"]);
	});

	it('normalises line ends and literal whitespace in attributes as XML requires', () => {
		const root = parseXml('<a v="1\r\n2\t3">x\r\ny\rz</a>');
		expect(root.attributes.v).toBe('1 2 3');
		expect(root.children).toEqual(['x\ny\nz']);
	});

	it('skips comments and processing instructions, and accepts a byte-order mark and bytes', () => {
		const xml = '\uFEFF<?xml version="1.0"?><!-- c --><?pi x?><a><!-- in -->t<?pi?></a><!-- after -->';
		expect(parseXml(xml).children).toEqual(['t']);
		expect(parseXml(Buffer.from('<a>日本語</a>', 'utf8')).children).toEqual(['日本語']);
	});

	it.each([
		['', 'no root element'],
		['<a>', 'Unclosed element'],
		['<a></b>', 'does not match'],
		['<a>&foo;</a>', 'Unknown entity'],
		['<a>&amp</a>', 'Unterminated entity'],
		['<a>&#0;</a>', 'Invalid character reference'],
		['<a>&#xD800;</a>', 'Invalid character reference'],
		['<a b="1" b="2"/>', 'Duplicate attribute'],
		['<a b=1/>', 'quoted attribute'],
		['<a b="<"/>', 'not allowed in an attribute'],
		['<a/><b/>', 'after the root'],
		['text<a/>', 'before the root'],
		['<a><!-- x </a>', 'Unterminated comment'],
		['<a><![CDATA[x</a>', 'Unterminated CDATA'],
		['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 'Document type'],
		['<?xml version="1.0" encoding="Shift_JIS"?><a/>', 'Unsupported encoding'],
		['<a><?xml version="1.0"?></a>', 'declaration not at the start'],
		['<1a/>', 'element name'],
		['<a', 'Unterminated start tag'],
	])('rejects %j cleanly (%s)', (xml, message) => {
		expect(() => parseXml(xml)).toThrow(XmlSyntaxError);
		expect(() => parseXml(xml)).toThrow(message);
	});

	it('reports line and column of a syntax error', () => {
		try {
			parseXml('<a>\n  <b></c>\n</a>');
			throw new Error('expected a failure');
		} catch (error) {
			expect(error).toBeInstanceOf(XmlSyntaxError);
			expect((error as XmlSyntaxError).line).toBe(2);
			expect((error as XmlSyntaxError).column).toBe(6);
		}
	});

	it('refuses absurd nesting without overflowing the stack', () => {
		const deep = '<a>'.repeat(200_000) + '</a>'.repeat(200_000);
		expect(() => parseXml(deep)).toThrow('Nesting deeper than 64');
		expect(parseXml('<a>'.repeat(60) + '</a>'.repeat(60), { maxDepth: 60 }).name).toBe('a');
	});

	it('never hangs or crashes on arbitrary input: it parses or throws XmlSyntaxError', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
				try {
					parseXml(input);
				} catch (error) {
					if (!(error instanceof XmlSyntaxError)) throw error;
				}
			}),
			{ numRuns: 3000 },
		);
	});

	it('handles truncated and mutated PORTERS documents: clean error, and agrees with the oracle validator on rejection', () => {
		const base =
			'<?xml version="1.0"?><Candidate Total="2" Count="2" Start="0"><Code>0</Code>' +
			'<Item><Person.P_Id>1</Person.P_Id><Person.P_Name>A&amp;B &lt;株&gt;</Person.P_Name><Person.P_Owner><User><User.P_Id>5</User.P_Id></User></Person.P_Owner></Item>' +
			'<Item><Person.P_Id>2</Person.P_Id><Person.P_Mail/><Person.U_1A><![CDATA[x<y]]></Person.U_1A></Item></Candidate>';
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: base.length }),
				fc.integer({ min: 0, max: 3 }),
				fc.constantFrom('', '<', '>', '&', '/', '"', 'x', ']]>', '<!--'),
				(at, remove, insert) => {
					const mutated = base.slice(0, at) + insert + base.slice(at + remove);
					let ours: XmlElement | undefined;
					try {
						ours = parseXml(mutated);
					} catch (error) {
						if (!(error instanceof XmlSyntaxError)) throw error;
					}
					if (ours !== undefined) {
						// Whatever we accept, the oracle accepts and reads the same way.
						expect(XMLValidator.validate(mutated)).toBe(true);
						expect(canonical(ours)).toEqual(canonical(oracleParse(mutated)));
					}
				},
			),
			{ numRuns: 4000 },
		);
	});
});

describe('PORTERS XML writer', () => {
	it('escapes everything it writes', () => {
		expect(escapeXmlText(`a&b<c>d"e'f\r`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f&#13;');
		expect(escapeXmlAttribute('x\ny\tz\r"')).toBe('x&#10;y&#9;z&#13;&quot;');
		const xml = serializeXml({ name: 'R', attributes: { a: '<&>' }, children: ['"\'&<>'] });
		expect(xml).toBe('<R a="&lt;&amp;&gt;">&quot;&apos;&amp;&lt;&gt;</R>');
	});

	it('writes the declaration PORTERS samples use, and empty elements self-closed', () => {
		const xml = serializeXml(
			{ name: 'Candidate', attributes: {}, children: [{ name: 'Item', attributes: {}, children: [] }] },
			{ declaration: true },
		);
		expect(xml).toBe('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Candidate><Item/></Candidate>');
	});

	it('indents element-only content when asked, without touching text', () => {
		const xml = serializeXml(
			{
				name: 'a',
				attributes: {},
				children: [
					{ name: 'b', attributes: {}, children: ['x'] },
					{ name: 'c', attributes: {}, children: [] },
				],
			},
			{ indent: '  ' },
		);
		expect(xml).toBe('<a>\n  <b>x</b>\n  <c/>\n</a>');
	});

	it.each([
		['\u0001', 'U+0001'],
		['\uFFFF', 'U+FFFF'],
		['a\uD800b', 'U+D800'],
		['\uDC00', 'U+DC00'],
	])('refuses a value XML cannot carry (%j)', (value, code) => {
		expect(() => escapeXmlText(value)).toThrow(XmlWriteError);
		expect(() => escapeXmlText(value)).toThrow(code);
	});

	it('refuses invalid element and attribute names instead of writing broken XML', () => {
		expect(() => serializeXml({ name: 'a b', attributes: {}, children: [] })).toThrow(XmlWriteError);
		expect(() => serializeXml({ name: 'a', attributes: { 'x"': '1' }, children: [] })).toThrow(
			XmlWriteError,
		);
		expect(() => serializeXml({ name: '<x>', attributes: {}, children: [] })).toThrow(XmlWriteError);
	});
});

describe('PORTERS XML round trips (property-based)', () => {
	it('write then read gives back the same tree', () => {
		fc.assert(
			fc.property(tree, fc.boolean(), (root, declaration) => {
				expect(parseXml(serializeXml(root, { declaration }))).toEqual(root);
			}),
			{ numRuns: 1500 },
		);
	});

	it('what we write, fast-xml-parser reads the same way', () => {
		fc.assert(
			fc.property(tree, (root) => {
				expect(canonical(oracleParse(serializeXml(root, { declaration: true })))).toEqual(root);
			}),
			{ numRuns: 1500 },
		);
	});

	it('agrees with fast-xml-parser on documents using CDATA, comments and character references', () => {
		// Renders text in one of several equivalent spellings and checks both readers decode it alike.
		const spelled = xmlText.chain((text) =>
			fc.constantFrom('escaped', 'cdata', 'refs').map((style) => {
				if (style === 'cdata' && !text.includes(']]>') && !text.includes('\r')) {
					return { text, xml: `<![CDATA[${text}]]>` };
				}
				if (style === 'refs') {
					const xml = Array.from(text)
						.map((ch) => `&#x${ch.codePointAt(0)!.toString(16)};`)
						.join('');
					return { text, xml };
				}
				return { text, xml: escapeXmlText(text) };
			}),
		);
		fc.assert(
			fc.property(fc.array(spelled, { minLength: 1, maxLength: 5 }), (parts) => {
				const body = parts.map((p, i) => `<F${i}>${p.xml}</F${i}><!-- ${i} -->`).join('');
				const xml = `<?xml version="1.0" encoding="UTF-8"?><Item>${body}</Item>`;
				const ours = parseXml(xml);
				expect(canonical(ours)).toEqual(canonical(oracleParse(xml)));
				parts.forEach((p, i) => {
					expect((ours.children[i] as XmlElement).children.join('')).toBe(p.text);
				});
			}),
			{ numRuns: 1000 },
		);
	});

	it('keeps Japanese, full-width characters, emoji and &<>"\' unchanged', () => {
		const samples = [
			'鈴木 一郎',
			'ｽｽﾞｷ　イチロウ（全角）',
			'Ｔｅｌ：０３－１２３４',
			'👩‍💻🎉😀 emoji',
			`&<>"' markup`,
			'𠮷野家',
			'multi\nline\ttext\r\nwith CRLF',
		];
		for (const value of samples) {
			const xml = serializeXml({ name: 'Person.P_Name', attributes: { a: value }, children: [value] });
			const back = parseXml(xml);
			expect(back.children).toEqual([value]);
			expect(back.attributes.a).toBe(value);
		}
	});
});
