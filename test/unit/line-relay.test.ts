import { parseRelayTargets, relayStatusIsRetryable, sharedSecretMatches } from '../../core/line/relay';

describe('relay targets', () => {
	it('splits on commas, spaces and new lines, keeps order and drops repeats', () => {
		const parsed = parseRelayTargets(' https://a.example/hook,https://b.example/x\nhttps://a.example/hook  http://c.local/w ');
		expect(parsed).toEqual({
			targets: ['https://a.example/hook', 'https://b.example/x', 'http://c.local/w'],
			invalid: [],
		});
	});

	it('reports what is not an http(s) URL instead of dropping it', () => {
		expect(parseRelayTargets('ftp://x.example/a, not-a-url, https://ok.example')).toEqual({
			targets: ['https://ok.example'],
			invalid: ['ftp://x.example/a', 'not-a-url'],
		});
		expect(parseRelayTargets('   ')).toEqual({ targets: [], invalid: [] });
	});
});

describe('relay retries', () => {
	it.each([
		[0, true],
		[408, true],
		[429, true],
		[500, true],
		[503, true],
		[400, false],
		[401, false],
		[404, false],
	])('status %i is retryable: %s', (status, expected) => {
		expect(relayStatusIsRetryable(status)).toBe(expected);
	});
});

describe('shared secret of a forwarding tool', () => {
	it('matches only the exact secret', () => {
		expect(sharedSecretMatches('s3cret-Ω', 's3cret-Ω')).toBe(true);
		expect(sharedSecretMatches('s3cret-Ω', 's3cret-O')).toBe(false);
		expect(sharedSecretMatches('s3cret', 's3cret ')).toBe(false);
		expect(sharedSecretMatches('s3cret', 's3cre')).toBe(false);
	});

	it('never matches when nothing is configured or nothing was sent', () => {
		expect(sharedSecretMatches('', '')).toBe(false);
		expect(sharedSecretMatches('', 'anything')).toBe(false);
		expect(sharedSecretMatches('s', undefined)).toBe(false);
		expect(sharedSecretMatches('s', '')).toBe(false);
		expect(sharedSecretMatches('s', ['s', 's'])).toBe(false);
	});
});
