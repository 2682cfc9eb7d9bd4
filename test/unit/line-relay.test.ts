import { parseRelayTargets, readRelayReport, relayStatusIsRetryable, sharedSecretMatches, signRelayReport } from '../../core/line/relay';
import { computeLineSignature } from '../../core/line/signature';

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

describe('relay failure report', () => {
	const secret = 'channel-secret-0123456789abcdef';
	const now = 1_790_000_000_000;
	const report = (extra: Record<string, unknown> = {}) =>
		Buffer.from(
			JSON.stringify({
				kind: 'lineRelayFailureReport',
				reportedAt: now,
				webhookEventIds: ['01HZA'],
				failures: [{ target: 'https://tool.example.com/hook', status: 0, attempts: 4, error: 'ECONNREFUSED' }],
				...extra,
			}),
			'utf8',
		);

	it('reads a fresh report signed with the channel secret', () => {
		const body = report();
		expect(readRelayReport(secret, body, signRelayReport(secret, body), now + 5000)).toMatchObject({
			webhookEventIds: ['01HZA'],
			failures: [{ target: 'https://tool.example.com/hook', status: 0, attempts: 4 }],
		});
	});

	it('refuses another secret, changed bytes, a LINE signature of the same bytes and a missing signature', () => {
		const body = report();
		expect(readRelayReport(secret, body, signRelayReport('another-secret', body), now)).toBeUndefined();
		const changed = Buffer.from(body.toString('utf8').replace('"attempts":4', '"attempts":5'), 'utf8');
		expect(readRelayReport(secret, changed, signRelayReport(secret, body), now)).toBeUndefined();
		expect(readRelayReport(secret, body, computeLineSignature(secret, body), now)).toBeUndefined();
		expect(readRelayReport(secret, body, undefined, now)).toBeUndefined();
		expect(readRelayReport('', body, signRelayReport('', body), now)).toBeUndefined();
	});

	it('refuses a report replayed after ten minutes or dated in the future', () => {
		const body = report();
		const signature = signRelayReport(secret, body);
		expect(readRelayReport(secret, body, signature, now + 10 * 60 * 1000)).toBeDefined();
		expect(readRelayReport(secret, body, signature, now + 10 * 60 * 1000 + 1)).toBeUndefined();
		expect(readRelayReport(secret, body, signature, now - 2 * 60 * 1000)).toBeUndefined();
	});

	it('refuses a signed body that is not a report', () => {
		const line = Buffer.from('{"destination":"U1","events":[]}', 'utf8');
		expect(readRelayReport(secret, line, signRelayReport(secret, line), now)).toBeUndefined();
		const noFailures = report({ failures: undefined });
		expect(readRelayReport(secret, noFailures, signRelayReport(secret, noFailures), now)).toBeUndefined();
	});
});
