import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { answerText } from '../core/porters/answer';
import {
	API_VERSION,
	DEFAULT_PORTERS_HOST,
	obtainSession,
	parseSession,
	portersBaseUrl,
	serializeSession,
	TOKEN_HEADER,
	VERSION_HEADER,
	type AuthSend,
} from '../core/porters/auth';

/**
 * PORTERS (HRBC) Connect API with the server-to-server app token flow. The token is fetched by
 * the credential itself (`code_direct`, then the token exchange) and kept in the hidden
 * `session` field, which n8n saves, so executions reuse it until it expires.
 */
export class PortersApi implements ICredentialType {
	name = 'portersApi';

	displayName = 'PORTERS API';

	icon = 'file:porters.svg' as const;

	documentationUrl = 'https://github.com/n8n-nodes-line-porters/n8n-nodes-line-porters#porters-credential';

	properties: INodeProperties[] = [
		{
			displayName:
				'Before this works: (1) PORTERS must have registered the address of this n8n server for your app (requests from other servers are refused), and (2) a PORTERS administrator must have done the one-time grant in the browser with the app\'s Redirect URL. See PORTERS Connect API → Steps for Authentication.',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: DEFAULT_PORTERS_HOST,
			required: true,
			description:
				'API host name only. The shared server is api-hrbc-jp.porterscloud.com; customers with a dedicated server use its name.',
			hint: 'Keep api-hrbc-jp.porterscloud.com unless PORTERS gave you a dedicated server',
		},
		{
			displayName: 'Protocol',
			name: 'protocol',
			type: 'options',
			options: [
				{ name: 'HTTPS', value: 'https' },
				{ name: 'HTTP (Local Sandbox Only)', value: 'http' },
			],
			default: 'https',
			description: 'PORTERS only speaks HTTPS. HTTP is accepted for local test servers (localhost) only.',
		},
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			required: true,
			description: 'The App ID PORTERS issued when the API option was set up',
			hint: 'Sent by PORTERS when your API application is registered (App ID / Secret)',
		},
		{
			displayName: 'Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The app secret (it can be reissued by PORTERS; update it here when it is)',
			hint: 'Sent by PORTERS with the App ID; after a reissue, enter the new one here',
		},
		{
			displayName: 'Partition ID',
			name: 'partitionId',
			type: 'number',
			default: 0,
			required: true,
			description: 'Numeric ID of your company database (partition) in PORTERS',
			hint: 'A number PORTERS gives with the API access (パーティション ID). If you do not have it, ask PORTERS support. Test environments have their own.',
		},
		{
			displayName: 'Default Owner User ID',
			name: 'defaultOwnerUserId',
			type: 'number',
			default: 0,
			description:
				'PORTERS user who owns records this app creates, unless a node sets one. PORTERS requires an owner for every new candidate. 0 = none.',
			hint: 'A PORTERS user ID (0 = none). To look it up, open a PORTERS node → Owner → From List: it lists the users with their IDs.',
		},
		{
			displayName: 'Session',
			name: 'session',
			type: 'hidden',
			typeOptions: { expirable: true },
			default: '',
		},
		{
			displayName: 'Previous Session',
			name: 'staleSession',
			type: 'hidden',
			default: '',
		},
	];

	/**
	 * Runs when `session` is empty: n8n calls it, saves the result with the credential and then
	 * sends the request. The nodes empty `session` (keeping the old one in `staleSession`, so a
	 * refresh token can still be used) when the token has expired or PORTERS rejects it.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const baseUrl = portersBaseUrl(credentials.protocol, credentials.host);
		const send: AuthSend = async (request) => {
			const options: IHttpRequestOptions = {
				method: request.method,
				url: request.url,
				qs: request.qs,
				headers: { Accept: 'application/xml' },
				encoding: 'text',
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: 30_000,
			};
			if (request.form) {
				options.body = new URLSearchParams(request.form).toString();
				options.headers = {
					...options.headers,
					'Content-Type': 'application/x-www-form-urlencoded',
				};
			}
			const response = (await this.helpers.httpRequest(options)) as {
				statusCode: number;
				body: unknown;
			};
			return { status: response.statusCode, body: answerText(response.body) };
		};
		const previous = parseSession(credentials.staleSession) ?? parseSession(credentials.session);
		const session = await obtainSession(
			send,
			{
				baseUrl,
				appId: String(credentials.appId ?? '').trim(),
				secret: String(credentials.appSecret ?? ''),
			},
			previous,
			() => Date.now(),
		);
		return { session: serializeSession(session), staleSession: '' } as IDataObject;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const session = parseSession(credentials.session);
		const headers: IDataObject = { ...(requestOptions.headers ?? {}) };
		headers[VERSION_HEADER] = headers[VERSION_HEADER] ?? API_VERSION;
		if (session) headers[TOKEN_HEADER] = session.accessToken;
		return { ...requestOptions, headers };
	}

	/**
	 * Partition Read with only its documented parameters (`request_type`, `count`, `start`;
	 * Partition-Read, …/115012006227): it proves the app, secret and grant. Whether the partition
	 * ID is among the app's partitions cannot be expressed as a rule on an XML answer; the LINE
	 * node's Check Setup matches it, and any PORTERS call with a wrong ID ends with code 404.
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.protocol}}://{{$credentials.host}}',
			url: '/v1/partition',
			method: 'GET',
			qs: {
				request_type: 1,
				count: 200,
			},
		},
	};
}
