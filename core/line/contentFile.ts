/**
 * The file a downloaded LINE message content becomes: its MIME type as LINE gave it and a file
 * name. LINE's data API sends no file name, so one is made from the message ID and an extension
 * for the content type; file messages keep the name the user's file had.
 */

/** Extensions for the content types LINE serves for images, videos, audio and common files. */
const EXTENSIONS: Record<string, string> = {
	'image/jpeg': 'jpg',
	'image/png': 'png',
	'image/gif': 'gif',
	'image/webp': 'webp',
	'image/heic': 'heic',
	'video/mp4': 'mp4',
	'video/quicktime': 'mov',
	'audio/x-m4a': 'm4a',
	'audio/m4a': 'm4a',
	'audio/mp4': 'm4a',
	'audio/aac': 'aac',
	'audio/mpeg': 'mp3',
	'audio/wav': 'wav',
	'application/pdf': 'pdf',
	'application/zip': 'zip',
	'application/msword': 'doc',
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
	'application/vnd.ms-excel': 'xls',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
	'application/vnd.ms-powerpoint': 'ppt',
	'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
	'text/plain': 'txt',
	'text/csv': 'csv',
};

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** `image/jpeg; charset=…` → `image/jpeg`; a missing type is treated as plain bytes. */
export function baseMimeType(contentType: string | undefined): string {
	const base = (contentType ?? '').split(';')[0].trim().toLowerCase();
	return base || DEFAULT_CONTENT_TYPE;
}

export function extensionFor(contentType: string | undefined): string {
	return EXTENSIONS[baseMimeType(contentType)] ?? 'bin';
}

/**
 * `<messageId>.<ext>`, or the given file name (a LINE file message's `fileName`) without any
 * folder part, since a name from a chat must not be able to point outside a target folder.
 */
export function contentFileName(messageId: string, contentType: string | undefined, fileName?: string): string {
	const given = (fileName ?? '').split(/[\\/]/).pop()?.trim();
	if (given && given !== '.' && given !== '..') return given;
	return `${messageId}.${extensionFor(contentType)}`;
}
