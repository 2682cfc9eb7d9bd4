import { resolve } from 'path';
import type { LineSandbox } from '../../sandbox/line/server';

export const TOKEN = 'sandbox-channel-access-token';
export const TARO = 'U4af4980629b8f2f9d1b34f6b0e1a7c01';
export const HANAKO = 'U9c3e5a7b1d2f4e6a8b0c2d4e6f8a0b1c';
export const BOT = 'U8e742f61d673b39c7fff3cecb7536ef0';

/** Fixture folder, from the compiled test location (build/test/sandbox) or the source tree. */
export const FIXTURES = resolve(__dirname, '../../..', 'test/fixtures/line');

export interface ApiResponse {
	status: number;
	headers: Headers;
	json: Record<string, unknown>;
}

/** Calls the sandbox like a Messaging API client would (Bearer token and JSON by default). */
export async function api(
	sandbox: LineSandbox,
	method: string,
	path: string,
	body?: unknown,
	headers: Record<string, string> = {},
): Promise<ApiResponse> {
	const response = await fetch(sandbox.url + path, {
		method,
		headers: {
			authorization: `Bearer ${TOKEN}`,
			...(body === undefined ? {} : { 'content-type': 'application/json' }),
			...headers,
		},
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
	});
	const text = await response.text();
	return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : {} };
}

export function text(value: string): { type: 'text'; text: string } {
	return { type: 'text', text: value };
}
