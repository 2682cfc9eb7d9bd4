/**
 * Follows a URL the way a browser does (redirects one by one, cookies kept per host), recording
 * every hop, so that e2e tests can walk the LINE Login flow: the candidate's link URL → the LINE
 * sandbox's authorize page (which consents and redirects) → the n8n callback webhook → the page
 * the candidate finally sees.
 */

export interface BrowserHop {
	url: string;
	status: number;
	location?: string;
}

export interface BrowserResult {
	hops: BrowserHop[];
	finalUrl: string;
	status: number;
	contentType: string;
	body: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export class Browser {
	private readonly cookies = new Map<string, Map<string, string>>();

	async open(
		url: string,
		options: { maxHops?: number; userAgent?: string } = {},
	): Promise<BrowserResult> {
		const hops: BrowserHop[] = [];
		let current = url;
		for (let hop = 0; hop <= (options.maxHops ?? 10); hop += 1) {
			const target = new URL(current);
			const jar = this.cookies.get(target.host);
			const response = await fetch(current, {
				redirect: 'manual',
				headers: {
					accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
					'user-agent': options.userAgent ?? 'Mozilla/5.0 (line-porters e2e)',
					...(jar && jar.size > 0
						? { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') }
						: {}),
				},
			});
			this.storeCookies(target.host, response.headers);
			const location = response.headers.get('location') ?? undefined;
			hops.push({ url: current, status: response.status, location });
			if (REDIRECT_STATUSES.has(response.status) && location) {
				await response.arrayBuffer();
				current = new URL(location, current).toString();
				continue;
			}
			return {
				hops,
				finalUrl: current,
				status: response.status,
				contentType: response.headers.get('content-type') ?? '',
				body: await response.text(),
			};
		}
		throw new Error(
			`More than ${options.maxHops ?? 10} redirects from ${url}: ${JSON.stringify(hops)}`,
		);
	}

	private storeCookies(host: string, headers: Headers): void {
		for (const header of headers.getSetCookie()) {
			const [pair] = header.split(';');
			const separator = pair.indexOf('=');
			if (separator <= 0) continue;
			const jar = this.cookies.get(host) ?? new Map<string, string>();
			jar.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
			this.cookies.set(host, jar);
		}
	}
}
