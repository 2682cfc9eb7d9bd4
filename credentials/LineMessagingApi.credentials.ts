import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class LineMessagingApi implements ICredentialType {
	name = 'lineMessagingApi';

	displayName = 'LINE Messaging API';

	icon = 'file:line.svg' as const;

	documentationUrl = 'https://github.com/n8n-nodes-line-porters/n8n-nodes-line-porters#line-messaging-api-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Channel ID',
			name: 'channelId',
			type: 'string',
			default: '',
			description:
				'LINE Developers console → your provider → Messaging API channel → Basic settings → Channel ID',
			hint: 'LINE Developers console → provider → Messaging API channel → Basic settings (チャネル基本設定) → Channel ID',
		},
		{
			displayName: 'Channel Secret',
			name: 'channelSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Basic settings → Channel secret. Used to check that webhooks really come from LINE.',
			hint: 'Same channel → Basic settings (チャネル基本設定) → Channel secret',
		},
		{
			displayName: 'Channel Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Messaging API tab → Channel access token (long-lived) → Issue',
			hint: 'Same channel → Messaging API tab (Messaging API設定), at the bottom → Channel access token (long-lived) (チャネルアクセストークン（長期）) → Issue (発行)',
		},
		{
			displayName: 'API Base URL',
			name: 'apiBaseUrl',
			type: 'string',
			default: 'https://api.line.me',
			description: 'Change only to reach a test server instead of LINE',
		},
		{
			displayName: 'Data API Base URL',
			name: 'dataApiBaseUrl',
			type: 'string',
			default: 'https://api-data.line.me',
			description:
				"LINE's host for downloading what users send (the LINE node's Get Message Content: images, videos, audio, files). Keep https://api-data.line.me; change only to reach a test server.",
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.apiBaseUrl}}',
			url: '/v2/bot/info',
			method: 'GET',
		},
	};
}
