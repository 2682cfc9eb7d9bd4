/**
 * What the LINE sandbox knows about the world: one provider with a Messaging API channel and a
 * LINE Login channel, and test users whose user IDs are the same on both channels (same provider).
 */

export interface SandboxUser {
	userId: string;
	displayName: string;
	pictureUrl?: string;
	statusMessage?: string;
	language?: string;
	email?: string;
	/** Whether the user has the official account as a friend (and has not blocked it). */
	isFriend: boolean;
}

export interface MessagingChannelConfig {
	channelId: string;
	channelSecret: string;
	/** Tokens accepted as `Authorization: Bearer …` on the Messaging API. */
	accessTokens: string[];
	botUserId: string;
	basicId: string;
	displayName: string;
	chatMode: 'chat' | 'bot';
	markAsReadMode: 'auto' | 'manual';
}

export interface LoginChannelConfig {
	channelId: string;
	channelSecret: string;
	/** Callback URLs registered in the console; authorize refuses any other `redirect_uri`. */
	callbackUrls: string[];
	/** Whether the login channel is published; an unpublished channel only lets its developers log in. */
	published: boolean;
}

/** A settable clock, so tests can age reply tokens, login codes and retry keys without waiting. */
export interface SandboxClock {
	now(): number;
}

export class ManualClock implements SandboxClock {
	private offsetMs = 0;

	now(): number {
		return Date.now() + this.offsetMs;
	}

	advance(ms: number): void {
		this.offsetMs += ms;
	}
}

export const DEFAULT_MESSAGING_CHANNEL: MessagingChannelConfig = {
	channelId: '2000000001',
	channelSecret: '8c570fa6dd201bb328f1c1eac23a96d8',
	accessTokens: ['sandbox-channel-access-token'],
	botUserId: 'U8e742f61d673b39c7fff3cecb7536ef0',
	basicId: '@sandbox',
	displayName: 'Sandbox Recruiting',
	chatMode: 'chat',
	markAsReadMode: 'manual',
};

export const DEFAULT_LOGIN_CHANNEL: LoginChannelConfig = {
	channelId: '2000000002',
	channelSecret: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
	callbackUrls: [],
	published: true,
};

export const DEFAULT_USERS: SandboxUser[] = [
	{
		userId: 'U4af4980629b8f2f9d1b34f6b0e1a7c01',
		displayName: '山田 太郎',
		pictureUrl: 'https://profile.line-scdn.net/sandbox/taro',
		statusMessage: '転職活動中',
		language: 'ja',
		email: 'taro@example.jp',
		isFriend: false,
	},
	{
		userId: 'U9c3e5a7b1d2f4e6a8b0c2d4e6f8a0b1c',
		displayName: 'Hanako 😊',
		language: 'ja',
		isFriend: false,
	},
];
