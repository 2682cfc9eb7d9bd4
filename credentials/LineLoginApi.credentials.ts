import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/**
 * LINE Login channel used to link candidates (Generate Link URL, Link Candidate). The channel ID
 * and secret authenticate the token request; the secret also verifies ID tokens and, unless a
 * separate link-signing secret is set, is the root of the keys that sign link states.
 */
export class LineLoginApi implements ICredentialType {
	name = 'lineLoginApi';

	displayName = 'LINE Login API';

	icon = 'file:lineLogin.svg' as const;

	documentationUrl =
		'https://github.com/n8n-nodes-line-porters/n8n-nodes-line-porters#line-login-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Channel ID',
			name: 'channelId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '1654668289',
			description:
				'LINE Developers console → your provider → LINE Login channel → Basic settings → Channel ID. Create it in the same provider as the Messaging API channel, so that user IDs match.',
			hint: 'LINE Developers console → provider (the Messaging API channel\'s) → LINE Login channel → Basic settings (チャネル基本設定) → Channel ID',
		},
		{
			displayName: 'Channel Secret',
			name: 'channelSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'LINE Login channel → Basic settings → Channel secret',
			hint: 'Same LINE Login channel → Basic settings (チャネル基本設定) → Channel secret',
		},
		{
			displayName: 'Callback URL',
			name: 'callbackUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://n8n.example.com/webhook/line-login-callback',
			description:
				'Production URL of the n8n Webhook node that receives the login callback. Register exactly this URL in LINE Login channel → LINE Login → Callback URL (no spaces).',
			hint: 'Workflow 03 → node LINE Login Callback → Production URL. Enter the same URL in the LINE Login channel → LINE Login tab (LINEログイン設定) → Callback URL (コールバックURL).',
		},
		{
			displayName: 'Link-Signing Secret',
			name: 'linkSigningSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Optional secret that signs candidate links. Leave empty to derive one from the channel secret. Changing it invalidates all links sent so far.',
		},
		{
			displayName: 'Authorize Base URL',
			name: 'authorizeBaseUrl',
			type: 'string',
			default: 'https://access.line.me',
			description: 'Change only to reach a test server instead of LINE',
		},
		{
			displayName: 'API Base URL',
			name: 'apiBaseUrl',
			type: 'string',
			default: 'https://api.line.me',
			description: 'Change only to reach a test server instead of LINE',
		},
	];

	/**
	 * LINE Login takes the client credentials in the form body of token requests only. Every other
	 * request (friendship status, profile) carries the user's own access token, so it is left alone.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const body = requestOptions.body;
		const isTokenRequest =
			body !== null &&
			typeof body === 'object' &&
			!Array.isArray(body) &&
			!Buffer.isBuffer(body) &&
			!(body instanceof URLSearchParams) &&
			typeof (body as IDataObject).grant_type === 'string';
		if (!isTokenRequest) return requestOptions;
		return {
			...requestOptions,
			body: {
				...(body as IDataObject),
				client_id: String(credentials.channelId ?? '').trim(),
				client_secret: String(credentials.channelSecret ?? ''),
			},
		};
	}

	/**
	 * A token request with a code that cannot exist: LINE answers `invalid_grant` when the channel
	 * ID and secret are right, and `invalid_client` when they are not. Both are 4xx, so 4xx answers
	 * are read as bodies; overload and server errors still fail the test.
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.apiBaseUrl}}',
			url: '/oauth2/v2.1/token',
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: {
				grant_type: 'authorization_code',
				code: 'n8nCredentialTestCode',
				redirect_uri: '={{$credentials.callbackUrl}}',
			},
			json: true,
			ignoreHttpStatusErrors: { ignore: true, except: [429, 500, 502, 503, 504] },
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'invalid_client',
					message:
						'LINE does not accept this channel ID and channel secret. Copy both again from the LINE Login channel (Basic settings) in the LINE Developers console.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'invalid_request',
					message:
						'LINE refused the test request. Check the channel ID (digits only) and the callback URL.',
				},
			},
			{
				// No OAuth error at all: the API base URL does not lead to LINE's token endpoint.
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: undefined,
					message:
						'The API base URL did not answer like the LINE Login API. Leave it at https://api.line.me unless you use a test server.',
				},
			},
		],
	};
}
