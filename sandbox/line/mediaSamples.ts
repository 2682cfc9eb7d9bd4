/**
 * Small media files the sandbox hands out as the content of image, video, audio and file messages
 * a user "sent". They are built here byte by byte, so that each one starts with its real format's
 * signature and has the size a test asks for; they are placeholders, not pictures or recordings.
 */

/**
 * An 8×8 mid-grey baseline JPEG (JFIF): quantisation table of ones, one-symbol Huffman tables,
 * and a single block whose DC difference and AC run are both zero.
 */
export function sampleJpeg(): Buffer {
	const segment = (marker: number, body: number[]) => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
	const oneSymbolTable = (tableClass: number) => [tableClass, 1, ...new Array<number>(15).fill(0), 0];
	return Buffer.from([
		0xff, 0xd8, // SOI
		...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]), // APP0 "JFIF"
		...segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]), // DQT, table 0
		...segment(0xc0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]), // SOF0: 8 bit, 8×8, one component
		...segment(0xc4, oneSymbolTable(0x00)), // DHT: DC table 0, category 0 only
		...segment(0xc4, oneSymbolTable(0x10)), // DHT: AC table 0, EOB only
		...segment(0xda, [1, 1, 0x00, 0, 63, 0]), // SOS
		0x3f, // DC "0" + EOB "0", padded with ones
		0xff, 0xd9, // EOI
	]);
}

function box(type: string, body: Buffer): Buffer {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(body.length + 8, 0);
	head.write(type, 4, 'latin1');
	return Buffer.concat([head, body]);
}

/** An ISO base media file (`ftyp` + `mdat`) of exactly `size` bytes (at least 40). */
function isoMedia(majorBrand: string, compatible: string[], size: number): Buffer {
	const brands = Buffer.alloc(8 + compatible.length * 4);
	brands.write(majorBrand, 0, 'latin1');
	brands.writeUInt32BE(0x200, 4);
	compatible.forEach((brand, index) => brands.write(brand, 8 + index * 4, 'latin1'));
	const ftyp = box('ftyp', brands);
	const payload = Math.max(0, size - ftyp.length - 8);
	return Buffer.concat([ftyp, box('mdat', Buffer.alloc(payload))]);
}

/** An MP4 video container (`video/mp4`), as LINE delivers videos. */
export function sampleMp4(size = 2048): Buffer {
	return isoMedia('isom', ['isom', 'iso2', 'avc1', 'mp41'], size);
}

/** An M4A audio container (`audio/x-m4a`), as LINE delivers voice messages. */
export function sampleM4a(size = 1024): Buffer {
	return isoMedia('M4A ', ['M4A ', 'isom', 'mp42'], size);
}

/** A one-page PDF with a cross-reference table at the right offsets, padded to `size` bytes. */
export function samplePdf(size = 0): Buffer {
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
	];
	let text = '%PDF-1.4\n';
	const offsets: number[] = [];
	objects.forEach((body, index) => {
		offsets.push(Buffer.byteLength(text));
		text += `${index + 1} 0 obj\n${body}\nendobj\n`;
	});
	const comment = Math.max(0, size - Buffer.byteLength(text) - 200);
	if (comment > 0) text += `%${'0'.repeat(comment)}\n`;
	const xref = Buffer.byteLength(text);
	text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
	for (const offset of offsets) text += `${String(offset).padStart(10, '0')} 00000 n \n`;
	text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return Buffer.from(text, 'latin1');
}

const TYPES_BY_EXTENSION: Record<string, string> = {
	pdf: 'application/pdf',
	txt: 'text/plain',
	csv: 'text/csv',
	doc: 'application/msword',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	zip: 'application/zip',
	jpg: 'image/jpeg',
	png: 'image/png',
};

/** Content type for a file name (LINE does not document it; the extension decides here). */
export function contentTypeForFile(fileName: string): string {
	const extension = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
	return TYPES_BY_EXTENSION[extension] ?? 'application/octet-stream';
}
