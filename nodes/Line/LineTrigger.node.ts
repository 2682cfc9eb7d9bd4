import {
	NodeOperationError,
	type IDataObject,
	type IHookFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { LINE_EVENT_TYPES, parseLineWebhook, selectEvents } from '../../core/line/webhook';
import { LINE_CREDENTIAL, lineApiRequest } from './transport';
import {
	authenticateRequest,
	relayOptionProperties,
	relaySettings,
	relayTimingProperties,
} from './trigger/arrangement';
import { relayWebhook } from './trigger/relay';
import { RELAY_FAILURES_OUTPUT, TRIGGER_OUTPUTS, readRelayReportRequest } from './trigger/relayReport';

interface TriggerOptions {
	skipStandby?: boolean;
	checkDestination?: boolean;
	registerWebhook?: boolean;
	relayTo?: string;
	forwardedSecret?: { values?: { secret?: string; secretIn?: 'header' | 'query'; fieldName?: string } };
}

function triggerOptions(ctx: IHookFunctions | IWebhookFunctions): TriggerOptions {
	return ctx.getNodeParameter('options', {}) as TriggerOptions;
}

/** Answers the webhook call directly and starts no execution. */
function reject(ctx: IWebhookFunctions, status: number, message: string): IWebhookResponseData {
	ctx.getResponseObject().status(status).json({ message });
	return { noWebhookResponse: true };
}

/** LINE only delivers to public HTTPS URLs; registering anything else would silently fail. */
function assertPublicHttpsUrl(ctx: IHookFunctions, url: string): void {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new NodeOperationError(ctx.getNode(), `The webhook URL "${url}" is not a valid URL`);
	}
	const local = /^(localhost|127\.|0\.0\.0\.0|\[::1\])/.test(parsed.hostname);
	if (parsed.protocol !== 'https:' || local) {
		throw new NodeOperationError(
			ctx.getNode(),
			'LINE only delivers webhooks to a public HTTPS address, and this n8n reports ' + url,
			{
				description:
					'Set the public HTTPS address of this n8n (environment variable WEBHOOK_URL or N8N_WEBHOOK_URL), or turn off "Register Webhook URL at LINE" and enter the URL in LINE Developers console → Messaging API → Webhook URL yourself.',
			},
		);
	}
}

async function botUserIdOf(ctx: IHookFunctions | IWebhookFunctions): Promise<string | undefined> {
	const info = await lineApiRequest.call(ctx, { method: 'GET', path: '/v2/bot/info' });
	return (info.body as IDataObject).userId as string | undefined;
}

async function registeredEndpoint(ctx: IHookFunctions): Promise<{ endpoint?: string; active?: boolean }> {
	const response = await lineApiRequest.call(ctx, {
		method: 'GET',
		path: '/v2/bot/channel/webhook/endpoint',
		acceptStatus: [404],
	});
	return response.statusCode === 404 ? {} : (response.body as { endpoint?: string; active?: boolean });
}

export class LineTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'LINE Trigger',
		name: 'lineTrigger',
		icon: { light: 'file:line.svg', dark: 'file:line.dark.svg' },
		group: ['trigger'],
		// Both versions behave the same here. n8n itself evaluates an expression for every request to
		// a version-1 webhook node (its "binaryData" option), which takes an expression isolate per
		// LINE delivery under load; version 2 skips that. Version 1 stays for existing workflows.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{"Events: " + ($parameter["events"] || []).join(", ")}}',
		description:
			'Starts the workflow when LINE sends a webhook event (friend added, message, block, …), after checking its signature',
		defaults: { name: 'LINE Trigger' },
		inputs: [],
		outputs: TRIGGER_OUTPUTS,
		credentials: [{ name: LINE_CREDENTIAL, required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				responseData: 'noData',
				path: 'line',
			},
		],
		properties: [
			{
				displayName:
					'Copy the Production URL above into LINE Developers console → Messaging API → Webhook URL, turn on "Use webhook", then activate this workflow. LINE accepts only a public HTTPS address: if the URL above starts with http:// or shows localhost / 127.0.0.1, set N8N_WEBHOOK_URL (n8n 1.x: WEBHOOK_URL) to the public HTTPS address of this n8n and restart it.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: ['*'],
				description: 'Which LINE webhook events start the workflow',
				options: [
					{
						name: 'All',
						value: '*',
						description: 'Every event, including event types LINE adds in the future',
					},
					...LINE_EVENT_TYPES.map(({ name, value, description }) => ({ name, value, description })),
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					relayOptionProperties[1],
					{
						displayName: 'Reject Other Destinations',
						name: 'checkDestination',
						type: 'boolean',
						default: false,
						description:
							"Whether to refuse webhooks whose destination is not this channel's bot user ID (costs one Get Bot Info call on activation)",
					},
					{
						displayName: 'Register Webhook URL at LINE',
						name: 'registerWebhook',
						type: 'boolean',
						default: false,
						description:
							"Whether to set this trigger's production URL as the channel's webhook URL when the workflow is activated. Needs a public HTTPS address for n8n.",
					},
					relayOptionProperties[0],
					{
						displayName: 'Skip Standby Events',
						name: 'skipStandby',
						type: 'boolean',
						default: true,
						description:
							'Whether to ignore events in standby mode (another module channel is handling the chat, and the bot must not reply)',
					},
				],
			},
			...relayTimingProperties,
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const options = triggerOptions(this);
				const staticData = this.getWorkflowStaticData('node');
				if (options.checkDestination) {
					staticData.botUserId = await botUserIdOf(this);
				}
				if (!options.registerWebhook) return true;
				const current = await registeredEndpoint(this);
				return current.endpoint === this.getNodeWebhookUrl('default');
			},

			async create(this: IHookFunctions): Promise<boolean> {
				if (!triggerOptions(this).registerWebhook) return true;
				const url = this.getNodeWebhookUrl('default') as string;
				assertPublicHttpsUrl(this, url);
				await lineApiRequest.call(this, {
					method: 'PUT',
					path: '/v2/bot/channel/webhook/endpoint',
					body: { endpoint: url },
				});
				this.getWorkflowStaticData('node').registeredEndpoint = url;
				return true;
			},

			/**
			 * LINE has no API to remove a webhook URL. Deactivating checks whether the channel still
			 * points here and forgets the registration; the URL stays set at LINE (which then gets 404s
			 * from n8n) until it is changed in the console or by another activation.
			 */
			async delete(this: IHookFunctions): Promise<boolean> {
				const staticData = this.getWorkflowStaticData('node');
				delete staticData.botUserId;
				if (!triggerOptions(this).registerWebhook || staticData.registeredEndpoint === undefined) {
					return true;
				}
				const current = await registeredEndpoint(this);
				delete staticData.registeredEndpoint;
				return current.endpoint !== undefined;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject();
		if (!Buffer.isBuffer(request.rawBody)) await request.readRawBody();
		const rawBody = Buffer.isBuffer(request.rawBody) ? request.rawBody : Buffer.alloc(0);
		const credentials = await this.getCredentials(LINE_CREDENTIAL);
		const options = triggerOptions(this);
		const channelSecret = String(credentials.channelSecret ?? '');

		const report = readRelayReportRequest(this, channelSecret, rawBody);
		if (report.kind === 'refused') return reject(this, 401, 'Invalid or outdated relay failure report');
		if (report.kind === 'report') {
			const outputs: INodeExecutionData[][] = [[], []];
			outputs[RELAY_FAILURES_OUTPUT] = report.items;
			return { workflowData: outputs };
		}

		const auth = authenticateRequest(this, channelSecret, rawBody, options);
		if (!auth.accepted) {
			const secret = auth.secretChecked ? ' and no valid shared secret' : '';
			return reject(this, 401, `Invalid LINE signature (${auth.signature})${secret}`);
		}

		const parsed = parseLineWebhook(rawBody);
		// Relay what LINE signed — Verify and unselected events too — before anything else can
		// refuse it here, and without waiting: LINE's answer must not depend on the tool.
		const relay = auth.by === 'lineSignature' ? relaySettings(this, options, channelSecret) : undefined;
		if (relay) {
			const webhookEventIds = parsed.ok ? parsed.body.events.map((e) => String(e.webhookEventId ?? '')) : [];
			const signature = String(request.headers['x-line-signature']);
			const contentType = String(request.headers['content-type'] ?? 'application/json; charset=utf-8');
			void relayWebhook(this, { rawBody, signature, contentType, webhookEventIds }, relay);
		}
		if (!parsed.ok) {
			return reject(
				this,
				400,
				parsed.reason === 'not_json' ? 'Body is not JSON' : 'Body is not a LINE webhook',
			);
		}

		if (options.checkDestination) {
			// Read at activation (checkExists); asked again only if activation did not store it.
			const botUserId =
				this.getWorkflowStaticData('node').botUserId ?? (await botUserIdOf(this));
			if (parsed.body.destination !== botUserId) {
				return reject(this, 403, 'Webhook destination is not this channel');
			}
		}

		const events = selectEvents(parsed.body, {
			types: this.getNodeParameter('events', ['*']) as string[],
			skipStandby: options.skipStandby ?? true,
		});
		// LINE's Verify button sends no events; answering 200 without an execution is all it needs.
		if (events.length === 0) return { webhookResponse: { status: 'ok' } };

		return { workflowData: [this.helpers.returnJsonArray(events as unknown as IDataObject[])] };
	}
}
