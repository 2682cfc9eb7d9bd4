import { answerCode, answerText, classifyAnswer, outcomeUnknown } from '../../core/porters/answer';
import { parseXml } from '../../core/porters/xml';

const doc = (code: number | string, root = 'Candidate') => `<?xml version="1.0"?><${root}><Code>${code}</Code></${root}>`;

describe('answer text', () => {
	it('reads strings, bytes, empty bodies and parsed JSON alike', () => {
		expect(answerText('<a/>')).toBe('<a/>');
		expect(answerText(new TextEncoder().encode('<名前/>'))).toBe('<名前/>');
		expect(answerText(Buffer.from('<b/>'))).toBe('<b/>');
		expect(answerText(undefined)).toBe('');
		expect(answerText(null)).toBe('');
		expect(answerText({ a: 1 })).toBe('{"a":1}');
		expect(answerText(42)).toBe('42');
	});
});

describe('answer code', () => {
	it('reads <Code> under any root and ignores what is not a number', () => {
		expect(answerCode(parseXml(doc(0)))).toBe(0);
		expect(answerCode(parseXml(doc(' 103 ', 'System')))).toBe(103);
		expect(answerCode(parseXml(doc('x')))).toBeUndefined();
		expect(answerCode(parseXml('<Candidate/>'))).toBeUndefined();
	});
});

describe('classifying PORTERS answers', () => {
	it('accepts a readable document with code 0 or none below HTTP 400', () => {
		const ok = classifyAnswer({ status: 200, text: doc(0) });
		expect(ok.kind).toBe('success');
		expect(ok.kind === 'success' && ok.root.name).toBe('Candidate');
		expect(classifyAnswer({ status: 200, text: '<Candidate Total="0"/>' }).kind).toBe('success');
	});

	it('asks for a new token on codes 401 and 402, and on HTTP 401 without a code', () => {
		expect(classifyAnswer({ status: 200, text: doc(401) })).toEqual({ kind: 'tokenRejected', renew: 'expired', code: 401 });
		expect(classifyAnswer({ status: 401, text: doc(402, 'System') })).toEqual({
			kind: 'tokenRejected',
			renew: 'invalid',
			code: 402,
		});
		expect(classifyAnswer({ status: 401, text: 'Unauthorized' })).toEqual({
			kind: 'tokenRejected',
			renew: 'expired',
			code: undefined,
		});
	});

	it('lets a result code decide over the HTTP status', () => {
		expect(classifyAnswer({ status: 200, text: doc(9) })).toEqual({
			kind: 'failure',
			failure: { kind: 'code', code: 9 },
			readable: true,
		});
		expect(classifyAnswer({ status: 500, text: doc(103) })).toEqual({
			kind: 'failure',
			failure: { kind: 'code', code: 103 },
			readable: true,
		});
		// A 401 status with a code that is not about the token is that code's failure.
		expect(classifyAnswer({ status: 401, text: doc(5) })).toMatchObject({ failure: { kind: 'code', code: 5 } });
	});

	it('falls back to the HTTP status without a code, and says whether the body was readable', () => {
		expect(classifyAnswer({ status: 429, text: 'Too Many Requests' })).toEqual({
			kind: 'failure',
			failure: { kind: 'http', status: 429 },
			readable: false,
		});
		expect(classifyAnswer({ status: 503, text: '<Candidate/>' })).toEqual({
			kind: 'failure',
			failure: { kind: 'http', status: 503 },
			readable: true,
		});
		expect(classifyAnswer({ status: 200, text: 'not xml' })).toEqual({
			kind: 'failure',
			failure: { kind: 'http', status: 200 },
			readable: false,
		});
	});

	it('treats no answer as a network failure', () => {
		expect(classifyAnswer(undefined)).toEqual({ kind: 'failure', failure: { kind: 'network' }, readable: false });
	});
});

describe('unknown outcomes', () => {
	it('are writes that create and got no answer or a server error', () => {
		expect(outcomeUnknown({ kind: 'network' }, 'write', false)).toBe(true);
		expect(outcomeUnknown({ kind: 'http', status: 502 }, 'write', false)).toBe(true);
		expect(outcomeUnknown({ kind: 'http', status: 429 }, 'write', false)).toBe(false);
		expect(outcomeUnknown({ kind: 'code', code: 9 }, 'write', false)).toBe(false);
	});

	it('never are reads or updates of existing records', () => {
		expect(outcomeUnknown({ kind: 'network' }, 'read', false)).toBe(false);
		expect(outcomeUnknown({ kind: 'http', status: 500 }, 'read', false)).toBe(false);
		expect(outcomeUnknown({ kind: 'network' }, 'write', true)).toBe(false);
		expect(outcomeUnknown({ kind: 'http', status: 500 }, 'write', true)).toBe(false);
	});
});
