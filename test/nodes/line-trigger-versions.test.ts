import { readdirSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { LineMessagingApi } from '../../credentials/LineMessagingApi.credentials';
import { computeLineSignature } from '../../core/line/signature';
import { LineTrigger } from '../../nodes/Line/LineTrigger.node';
import { createWebhookContext, type ContextOptions } from '../support/n8nContext';

/**
 * Version 2 of the LINE Trigger exists only so that n8n stops evaluating an expression for every
 * request to it (n8n's parseRequestBody reads the "binaryData" option of version-1 webhook nodes).
 * What the node does must not depend on the version, and version-1 workflows must keep working.
 * n8n also stops parsing the body of a version-2 node for content types it does not know; the
 * node then reads the raw bytes itself.
 */

const SECRET = '8c570fa6dd201bb328f1c1eac23a96d8';
const BOT = 'U8e742f61d673b39c7fff3cecb7536ef0';
const KNOWN = 'U4af4980629b8f2f9d1b34f6b0e1a7c01';
const UNKNOWN = 'U0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c';
const description = new LineTrigger().description;

function event(type: string, timestamp: number, userId: string, extra: Record<string, unknown> = {}) {
	return {
		type,
		timestamp,
		mode: 'active',
		webhookEventId: `01HZ${String(timestamp).padStart(22, '0')}`,
		deliveryContext: { isRedelivery: false },
		source: { type: 'user', userId },
		...extra,
	};
}

function contextOptions(typeVersion: number, parameters: ContextOptions['parameters'] = {}): ContextOptions {
	return {
		node: { type: 'n8n-nodes-line-porters.lineTrigger', typeVersion },
		parameters: { events: ['*'], options: {}, ...parameters },
		credentials: {
			lineMessagingApi: { channelId: '1', channelSecret: SECRET, accessToken: 'token', apiBaseUrl: 'http://127.0.0.1:9' },
		},
		credentialTypes: { lineMessagingApi: new LineMessagingApi() },
	};
}

/** How n8n hands a request to the node: each version, and for version 2 with and without parsing. */
const arrivals = [
	{ label: 'version 1', typeVersion: 1, contentType: 'application/json; charset=utf-8', bodyReadByN8n: true },
	{ label: 'version 2, JSON', typeVersion: 2, contentType: 'application/json; charset=utf-8', bodyReadByN8n: true },
	{ label: 'version 2, body left unread', typeVersion: 2, contentType: 'application/octet-stream', bodyReadByN8n: false },
];

async function deliver(
	arrival: (typeof arrivals)[number],
	raw: string,
	signature: string | null,
	parameters: ContextOptions['parameters'] = {},
) {
	const rawBody = Buffer.from(raw, 'utf8');
	const headers: Record<string, string> = { 'content-type': arrival.contentType };
	if (signature !== null) headers['x-line-signature'] = signature;
	const ctx = createWebhookContext(contextOptions(arrival.typeVersion, parameters), {
		rawBody,
		headers,
		bodyReadByN8n: arrival.bodyReadByN8n,
	});
	const result = await new LineTrigger().webhook.call(ctx);
	return {
		items: result.workflowData?.[0]?.map((item) => item.json),
		noWebhookResponse: result.noWebhookResponse,
		webhookResponse: result.webhookResponse,
		status: ctx.response.statusCode,
		body: ctx.response.body,
	};
}

const signed = (raw: string) => computeLineSignature(SECRET, Buffer.from(raw, 'utf8'));

describe('LINE Trigger versions', () => {
	it('offers versions 1 and 2 and adds new nodes at version 2', () => {
		expect(description.version).toEqual([1, 2]);
		expect(description.defaultVersion).toBe(2);
	});

	it('ships every LINE Trigger in the workflows at the default version', () => {
		const folder = resolve(__dirname, '../../../workflows');
		const triggers = readdirSync(folder)
			.filter((file) => file.endsWith('.json'))
			.flatMap((file) => {
				const workflow = JSON.parse(readFileSync(resolve(folder, file), 'utf8')) as {
					nodes: Array<{ name: string; type: string; typeVersion: number }>;
				};
				return workflow.nodes
					.filter((node) => node.type === 'n8n-nodes-line-porters.lineTrigger')
					.map((node) => ({ file, node: node.name, typeVersion: node.typeVersion }));
			});
		expect(triggers.length).toBeGreaterThan(0);
		for (const trigger of triggers) expect(trigger).toEqual({ ...trigger, typeVersion: 2 });
	});

	const mixed = JSON.stringify({
		destination: BOT,
		events: [
			event('message', 3000, KNOWN, { message: { type: 'text', id: '1', text: '面接の日程 😊' }, replyToken: 'r1' }),
			event('follow', 1000, UNKNOWN, { follow: { isUnblocked: false }, replyToken: 'r2' }),
			event('message', 2000, UNKNOWN, { mode: 'standby', message: { type: 'sticker', id: '2' } }),
			event('futureThing', 4000, KNOWN),
			event('unfollow', 5000, KNOWN),
		],
	});
	const cases: Array<[string, string, string | null, ContextOptions['parameters']]> = [
		['several mixed events from known and unknown senders', mixed, signed(mixed), {}],
		['only the chosen event types', mixed, signed(mixed), { events: ['message', 'unfollow'] }],
		['standby events kept on request', mixed, signed(mixed), { options: { skipStandby: false } }],
		['a forged signature', mixed, computeLineSignature('another-secret', Buffer.from(mixed)), {}],
		['no signature', mixed, null, {}],
		['Verify (no events)', `{"destination":"${BOT}","events":[]}`, signed(`{"destination":"${BOT}","events":[]}`), {}],
		['a signed body that is not JSON', 'not json', signed('not json'), {}],
	];

	it.each(cases)('answers %s the same way at every version', async (_, raw, signature, parameters) => {
		const [first, ...others] = await Promise.all(
			arrivals.map((arrival) => deliver(arrival, raw, signature, parameters)),
		);
		for (const other of others) expect(other).toEqual(first);
	});

	it('emits the events of a delivery at version 2 even when n8n left the body unread', async () => {
		const outcome = await deliver(arrivals[2], mixed, signed(mixed));
		expect(outcome.items?.map((item) => [item.type, (item.source as { userId: string }).userId])).toEqual([
			['follow', UNKNOWN],
			['message', KNOWN],
			['futureThing', KNOWN],
			['unfollow', KNOWN],
		]);
		const forged = await deliver(arrivals[2], mixed, signed(`${mixed} `));
		expect(forged.items).toBeUndefined();
		expect(forged.status).toBe(401);
	});
});
