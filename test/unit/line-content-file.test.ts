import { baseMimeType, contentFileName, extensionFor } from '../../core/line/contentFile';

describe('the file a LINE message content becomes', () => {
	it('takes the extension from the content type LINE sends, parameters and case ignored', () => {
		expect(extensionFor('image/jpeg')).toBe('jpg');
		expect(extensionFor('IMAGE/PNG; charset=binary')).toBe('png');
		expect(extensionFor('video/mp4')).toBe('mp4');
		expect(extensionFor('audio/x-m4a')).toBe('m4a');
		expect(extensionFor('application/pdf')).toBe('pdf');
		expect(extensionFor('application/x-unknown')).toBe('bin');
		expect(extensionFor(undefined)).toBe('bin');
	});

	it('reduces the type to its base and treats a missing one as plain bytes', () => {
		expect(baseMimeType('image/jpeg; foo=bar')).toBe('image/jpeg');
		expect(baseMimeType('')).toBe('application/octet-stream');
	});

	it('names content by message ID, and keeps a file message name without any folder part', () => {
		expect(contentFileName('468789577898262530', 'image/jpeg')).toBe('468789577898262530.jpg');
		expect(contentFileName('1', 'application/pdf', '履歴書.pdf')).toBe('履歴書.pdf');
		expect(contentFileName('1', 'application/pdf', '../../etc/passwd')).toBe('passwd');
		expect(contentFileName('1', 'application/pdf', 'a\\b\\cv.docx')).toBe('cv.docx');
		expect(contentFileName('1', 'application/pdf', '..')).toBe('1.pdf');
		expect(contentFileName('1', 'application/pdf', '  ')).toBe('1.pdf');
	});
});
