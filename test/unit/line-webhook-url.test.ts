import { compareWebhookUrls, isTestWebhookUrl } from '../../core/line/webhookUrl';

describe('compareWebhookUrls', () => {
	const url = 'https://n8n.example.com/webhook/0e5c/webhook';
	it.each([
		[url, url, undefined],
		[`${url}\n`, url, /spaces or line breaks/],
		[`${url}/`, url, /trailing slash/],
		[url.replace('/webhook/', '/webhook-test/'), url, /test URL/],
		[url.replace('https:', 'http:'), url, /http versus https/],
		['https://other.example.com/hook', url, undefined],
	])('%j vs %j', (registered, expected, hint) => {
		const result = compareWebhookUrls(registered, expected);
		if (hint === undefined) expect(result).toBeUndefined();
		else expect(result).toMatch(hint);
	});

	it('finds the same difference whichever side has it', () => {
		expect(compareWebhookUrls(url, `${url}/`)).toMatch(/trailing slash/);
		expect(compareWebhookUrls(url, url.replace('https:', 'http:'))).toMatch(/http versus https/);
		expect(compareWebhookUrls(url.replace('/0e5c/', '/0e 5c/'), url)).toMatch(/spaces/);
	});

	it('gives no hint when the test URL is the one expected', () => {
		const testUrl = url.replace('/webhook/', '/webhook-test/');
		expect(compareWebhookUrls(testUrl, testUrl)).toBeUndefined();
		expect(compareWebhookUrls(testUrl, url.replace('/0e5c/', '/ffff/'))).toMatch(/test URL/);
	});
});

describe('isTestWebhookUrl', () => {
	it("recognises n8n's test URLs only", () => {
		expect(isTestWebhookUrl('https://n8n.example.com/webhook-test/0e5c/webhook')).toBe(true);
		expect(isTestWebhookUrl('https://n8n.example.com/webhook/0e5c/webhook')).toBe(false);
	});
});
