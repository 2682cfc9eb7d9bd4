/**
 * Comparing the webhook URL registered at LINE with the LINE Trigger's URL. Most mismatches come
 * from copying by hand, and each has a fix a user can act on.
 */

/** What went wrong between two URLs that should be equal, in terms a user can act on. */
export function compareWebhookUrls(registered: string, expected: string): string | undefined {
	if (registered === expected) return undefined;
	const withoutSpaces = (url: string) => url.replace(/\s+/g, '');
	if (withoutSpaces(registered) === withoutSpaces(expected)) {
		return 'They differ only in spaces or line breaks, which usually come with copying: copy the URL again without them.';
	}
	if (registered.replace(/\/+$/, '') === expected.replace(/\/+$/, '')) {
		return 'They differ only in a trailing slash.';
	}
	if (registered.includes('/webhook-test/') && !expected.includes('/webhook-test/')) {
		return 'LINE has the test URL of the trigger, which only answers while the editor is listening: register the Production URL.';
	}
	if (registered.replace(/^http:/, 'https:') === expected || expected.replace(/^http:/, 'https:') === registered) {
		return 'They differ in http versus https.';
	}
	return undefined;
}

/** n8n's test URL of a trigger: it answers only while the editor listens for a test event. */
export function isTestWebhookUrl(url: string): boolean {
	return url.includes('/webhook-test/');
}
