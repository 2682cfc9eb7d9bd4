/**
 * Raw HTTP calls to the PORTERS sandbox for its own tests: answers are read with fast-xml-parser,
 * independently of the package's codec, so a codec bug cannot hide a sandbox bug.
 */
import { XMLParser } from 'fast-xml-parser';
import type { PortersSandbox } from '../../sandbox/porters/server';

export const PARTITION = 999999;

const parser = new XMLParser({
	ignoreAttributes: false,
	attributeNamePrefix: '@',
	parseTagValue: false,
	trimValues: true,
	isArray: (name) => name === 'Item',
});

export type Doc = Record<string, Record<string, unknown>>;

export interface WireAnswer {
	status: number;
	text: string;
	contentType: string;
	doc?: Doc;
}

export function parseXmlText(text: string): Doc {
	return parser.parse(text) as Doc;
}

export class PortersWire {
	private token?: string;

	constructor(private readonly sandbox: PortersSandbox) {}

	async call(method: string, pathAndQuery: string, headers: Record<string, string> = {}, body?: string): Promise<WireAnswer> {
		const response = await fetch(this.sandbox.url + pathAndQuery, { method, headers, body });
		const text = await response.text();
		return {
			status: response.status,
			text,
			contentType: response.headers.get('content-type') ?? '',
			doc: text.startsWith('<') ? parseXmlText(text) : undefined,
		};
	}

	/** A fresh access token through code_direct and the token exchange (two billed calls). */
	async accessToken(): Promise<string> {
		if (this.token) return this.token;
		const app = this.sandbox.app;
		const oauth = await this.call('GET', `/v1/oauth?app_id=${app.appId}&response_type=code_direct`);
		const code = String(oauth.doc!.Authentication.Code);
		const form = new URLSearchParams({ app_id: app.appId, secret: app.secret, grant_type: 'oauth_code', code });
		const issued = await this.call(
			'POST',
			'/v1/token',
			{ 'content-type': 'application/x-www-form-urlencoded' },
			form.toString(),
		);
		this.token = String(issued.doc!.Authentication.AccessToken);
		return this.token;
	}

	forget(): void {
		this.token = undefined;
	}

	async read(resource: string, query: string): Promise<WireAnswer> {
		const token = await this.accessToken();
		return await this.call('GET', `/v1/${resource}?${query}`, { 'X-porters-hrbc-oauth-token': token });
	}

	async write(resource: string, body: string): Promise<WireAnswer> {
		const token = await this.accessToken();
		return await this.call(
			'POST',
			`/v1/${resource}?partition=${PARTITION}`,
			{ 'X-porters-hrbc-oauth-token': token, 'content-type': 'application/xml; charset=UTF-8' },
			body,
		);
	}
}

/** `<Item>` children of a parsed node as an array (fast-xml-parser gives '' for an empty element). */
export function itemsOf(node: unknown): Array<Record<string, unknown>> {
	if (!node || typeof node !== 'object') return [];
	const items = (node as Record<string, unknown>).Item;
	return Array.isArray(items) ? (items as Array<Record<string, unknown>>) : [];
}
