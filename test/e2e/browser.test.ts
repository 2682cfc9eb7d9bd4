import { Browser } from '../../scripts/n8n/clients/browser';
import { nodeOutput, type N8nRestClient } from '../../scripts/n8n/clients/rest';
import { e2e, fixtureWorkflow, lineSandbox, signedIn, webhookOf } from '../support/e2e';

/**
 * The redirect walk the LINE Login flow needs, with n8n's own nodes: a browser opens the LINE
 * sandbox's authorize URL, the sandbox consents and redirects to an n8n webhook, and the page the
 * browser ends on is what that workflow answered.
 */

const workflow = fixtureWorkflow('browser-callback.json');
const describeIfPresent = workflow && e2e().line ? describe : describe.skip;

interface ChannelState {
	callbackUrls: string[];
}

describeIfPresent('a login redirect followed like a browser', () => {
	let rest: N8nRestClient;
	let callbackUrl: string;
	let registeredBefore: string[];

	beforeAll(async () => {
		rest = await signedIn();
		callbackUrl = webhookOf(workflow!, 'Callback');
		registeredBefore = (await lineSandbox<ChannelState>('POST', 'login/channel', {})).callbackUrls;
		await lineSandbox('POST', 'login/channel', {
			callbackUrls: [...registeredBefore, callbackUrl],
		});
	});

	afterAll(async () => {
		await lineSandbox('POST', 'login/channel', { callbackUrls: registeredBefore });
	});

	it('reaches the n8n callback through the authorize redirect and shows its answer', async () => {
		const line = e2e().line!;
		const users = (await lineSandbox<{ users: Array<{ userId: string }> }>('GET', 'state')).users;
		await lineSandbox('POST', 'login/consent', {
			userId: users[0].userId,
			decision: 'approve',
			addFriend: true,
		});
		const authorize = new URL('/oauth2/v2.1/authorize', line.url);
		authorize.search = new URLSearchParams({
			response_type: 'code',
			client_id: line.loginChannelId,
			redirect_uri: callbackUrl,
			state: 'e2eState12345',
			scope: 'openid profile',
			nonce: 'e2eNonce',
			bot_prompt: 'aggressive',
		}).toString();

		const before = await rest.executionIds(workflow!.id);
		const page = await new Browser().open(authorize.toString());

		expect(page.hops.map((hop) => hop.status)).toEqual([302, 200]);
		expect(page.finalUrl.startsWith(`${callbackUrl}?`)).toBe(true);
		const callbackQuery = new URL(page.finalUrl).searchParams;
		const answer = JSON.parse(page.body) as {
			code: string;
			state: string;
			friendshipStatusChanged: string | null;
		};
		expect(answer).toEqual({
			code: callbackQuery.get('code'),
			state: 'e2eState12345',
			friendshipStatusChanged: callbackQuery.get('friendship_status_changed'),
		});
		expect(answer.code).toMatch(/^\S{8,}$/);

		const [execution] = await rest.waitForExecutions(workflow!.id, { exclude: before });
		expect(nodeOutput(execution, 'Read Query')).toEqual([answer]);
	});

	it('stops at LINE when the callback URL is not registered (no redirect, no execution)', async () => {
		const line = e2e().line!;
		const authorize = new URL('/oauth2/v2.1/authorize', line.url);
		authorize.search = new URLSearchParams({
			response_type: 'code',
			client_id: line.loginChannelId,
			redirect_uri: `${callbackUrl}-not-registered`,
			state: 'e2eState12345',
			scope: 'openid profile',
		}).toString();
		const before = await rest.executionIds(workflow!.id);
		const page = await new Browser().open(authorize.toString());
		expect(page.hops).toHaveLength(1);
		expect(page.status).toBeGreaterThanOrEqual(400);
		expect(await rest.executionIds(workflow!.id)).toEqual(before);
	});
});
