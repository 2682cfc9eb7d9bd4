import { join, resolve } from 'path';

import type { Browser, BrowserContext, Page } from 'playwright-core';

import { launchChromium, screenshotFolder } from '../../scripts/n8n/clients/chromium';
import { type N8nRestClient } from '../../scripts/n8n/clients/rest';
import { e2e, lineSandbox, portersSandbox, shippedWorkflow, shippedWorkflows, signedIn, webhookOf } from '../support/e2e';

/**
 * What the operator and the recruiters see, in Debian's Chromium: the n8n editor (every shipped
 * workflow opened, the node panel searched, every credential of the package tested) and the pages
 * of workflows 02 and 03. Screenshots go to the folder the run prints.
 */

const context = e2e();
const FLOW_02 = '02-candidate-link-url.json';

/** Operation names and Japanese words the node panel must answer with the node named on the right. */
const PANEL_SEARCHES: Array<[string, string]> = [
	...[
		'Create Candidate',
		'Find Candidate',
		'Update Candidate',
		'Upsert Candidate by LINE User ID',
		'Get Resume',
		'Create Activity',
		'候補者',
		'レジュメ',
		'アクティビティ',
	].map((term): [string, string] => [term, 'PORTERS']),
	...[
		'Send Message',
		'Reply',
		'Multicast',
		'Get Message Content',
		'Mark as Read',
		'Show Loading Animation',
		'Get Profile',
		'Get Follower IDs',
		'Get Bot Info',
		'Get Quota',
		'Check Setup',
		'メッセージ送信',
		'既読',
		'一斉送信',
		'友だち一覧',
	].map((term): [string, string] => [term, 'LINE']),
	...['Generate Link URL', 'Link Candidate', '連携URL', 'LINE連携'].map((term): [string, string] => [term, 'LINE Login']),
];

let browser: Browser;
let folder: string;

beforeAll(async () => {
	browser = await launchChromium();
	// Outside the run's temporary folder, which a passing run deletes; ignored by git.
	const repoRoot = resolve(__dirname, '..', '..', '..');
	folder = screenshotFolder(join(repoRoot, '.cache', 'e2e', `n8n-${context.n8n.version}-${context.n8n.mode}`));
});

afterAll(async () => {
	await browser?.close();
});

async function shot(page: Page, name: string): Promise<void> {
	await page.screenshot({ path: join(folder, `${name}.png`) });
}

describe('recruiter page (workflow 02) and candidate pages (workflow 03) in Chromium', () => {
	let recruiter: BrowserContext;
	let pageUrl: string;
	let candidateId: number;
	// Markup in the name proves the pages escape what comes from PORTERS.
	const name = `山田 <b>花</b> & "ブラウザ${Date.now() % 100000}"`;

	beforeAll(async () => {
		pageUrl = webhookOf(shippedWorkflow(FLOW_02), 'Recruiter Page');
		const login = context.recruiterPageLogin;
		recruiter = await browser.newContext({
			httpCredentials: { username: login.user, password: login.password },
			locale: 'ja-JP',
			permissions: ['clipboard-read', 'clipboard-write'],
		});
		const created = await portersSandbox<Record<string, unknown>>('POST', 'records/candidate', {
			'Person.P_Owner': 5,
			'Person.P_Name': name,
			'Person.P_Mail': `browser.${Date.now()}@example.jp`,
		});
		candidateId = Number(created['Person.P_Id']);
		expect(candidateId).toBeGreaterThan(0);
	});

	afterAll(async () => {
		await recruiter?.close();
	});

	it('refuses the recruiter page without the login', async () => {
		const response = await fetch(pageUrl);
		expect(response.status).toBe(401);
	});

	it('finds a candidate by name and shows the link URL with a Japanese mail text to copy', async () => {
		const page = await recruiter.newPage();
		const first = await page.goto(pageUrl);
		expect(first?.status()).toBe(200);
		await expect(page.locator('h1').textContent()).resolves.toBe('LINE連携URLの発行');
		await shot(page, 'recruiter-page-search');

		await page.fill('input[name=q]', name.slice(name.indexOf('ブラウザ')).replace('"', ''));
		await page.click('button[type=submit]');
		await page.waitForSelector('table');
		const row = page.locator('tr', { hasText: String(candidateId) });
		await expect(row.locator('td').nth(1).textContent()).resolves.toBe(name);
		await shot(page, 'recruiter-page-results');

		await row.locator('a', { hasText: 'URLを発行' }).click();
		await page.waitForSelector('#url');
		await expect(page.locator('h1').textContent()).resolves.toBe('LINE連携URLを発行しました');
		const url = await page.inputValue('#url');
		const link = new URL(url);
		expect(`${link.origin}${link.pathname}`).toBe(new URL('/oauth2/v2.1/authorize', context.line!.url).toString());
		expect(link.searchParams.get('state')).toMatch(/^[A-Za-z0-9]+$/);
		const mail = await page.inputValue('#mail');
		expect(mail).toContain(`${name} 様`);
		expect(mail).toContain(url);
		expect(mail).toMatch(/有効期限：\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}まで/);
		expect(mail).toContain('LINE 連携をお願いいたします');
		await page.click('button[data-copy=mail]');
		// The clipboard write is asynchronous: wait for the page to confirm it.
		await page.locator('#copied', { hasText: 'コピーしました' }).waitFor();
		expect(await page.evaluate('navigator.clipboard.readText()')).toBe(mail);
		await shot(page, 'recruiter-page-link');

		// The candidate opens the link: LINE login (sandbox consent), then the success page.
		const lineUser = { userId: `U${'b7c8'.repeat(8)}`, displayName: 'ブラウザ確認', language: 'ja', isFriend: false };
		await lineSandbox('POST', 'users', [lineUser]);
		await lineSandbox('POST', 'login/consent', { userId: lineUser.userId, decision: 'approve', addFriend: false });
		const candidatePage = await browser.newPage({ locale: 'ja-JP' });
		await candidatePage.goto(url);
		await expect(candidatePage.locator('h1').textContent()).resolves.toBe('LINE連携が完了しました');
		await expect(candidatePage.locator('a.button').textContent()).resolves.toBe('友だち追加する');
		await shot(candidatePage, 'candidate-page-success');

		// A link changed on the way (one character of its state): the failure page, in Japanese.
		const tampered = new URL(url);
		const state = tampered.searchParams.get('state') ?? '';
		const middle = Math.floor(state.length / 2);
		tampered.searchParams.set('state', state.slice(0, middle) + (state[middle] === 'A' ? 'B' : 'A') + state.slice(middle + 1));
		await lineSandbox('POST', 'login/consent', { userId: lineUser.userId, decision: 'approve', addFriend: false });
		const refused = await candidatePage.goto(tampered.toString());
		expect(refused?.status()).toBe(400);
		await expect(candidatePage.locator('h1').textContent()).resolves.toBe('LINE連携ができませんでした');
		await expect(candidatePage.locator('body').textContent()).resolves.toContain('このURLは正しくありません');
		await shot(candidatePage, 'candidate-page-failure');
		await candidatePage.close();
		await page.close();
	});

	it('says so when no candidate matches', async () => {
		const page = await recruiter.newPage();
		await page.goto(`${pageUrl}?q=${encodeURIComponent('該当者なし-9f3e')}`);
		await expect(page.locator('p.notice').textContent()).resolves.toContain('一致する候補者が PORTERS に見つかりませんでした');
		await expect(page.locator('input[name=q]').inputValue()).resolves.toBe('該当者なし-9f3e');
		await page.close();
	});
});

describe('the n8n editor in Chromium', () => {
	let editor: BrowserContext;
	let page: Page;
	let rest: N8nRestClient;

	beforeAll(async () => {
		rest = await signedIn();
		editor = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'en-US' });
		page = await editor.newPage();
		await page.goto(`${context.n8n.baseUrl}/signin`);
		await page.fill('input[name=emailOrLdapLoginId]', context.n8n.owner.email);
		await page.fill('input[name=password]', context.n8n.owner.password);
		await page.click('[data-test-id=form-submit-button]');
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
	});

	afterAll(async () => {
		await editor?.close();
	});

	/** Names of the canvas nodes that show an issue or the unknown-node marker. */
	async function nodesWithProblems(): Promise<string[]> {
		return await page.$$eval('[data-test-id="canvas-node"]', (elements) =>
			elements
				.filter((element) =>
					element.querySelector('[data-test-id="node-issues"], [data-test-id="node-not-installed"]'),
				)
				.map((element) => element.textContent?.trim() ?? '?'),
		);
	}

	it('sees the markers it looks for on a workflow that has both problems', async () => {
		const control = await rest.request<{ id: string }>('POST', 'workflows', {
			name: 'E2E editor control: a node without credential, an unknown node',
			nodes: [
				{
					id: 'c0a1b2c3-0000-4000-8000-000000000001',
					name: 'Credential Missing',
					type: 'n8n-nodes-line-porters.porters',
					typeVersion: 1,
					position: [0, 0],
					parameters: { resource: 'resume', operation: 'get' },
				},
				{
					id: 'c0a1b2c3-0000-4000-8000-000000000002',
					name: 'Unknown Type',
					type: 'n8n-nodes-line-porters.noSuchNode',
					typeVersion: 1,
					position: [300, 0],
					parameters: {},
				},
			],
			connections: {},
			settings: { executionOrder: 'v1' },
			// n8n 1.x stores `active` as a required column; 2.x derives it from publishing.
			...(context.n8n.version.startsWith('1.') ? { active: false } : {}),
		});
		try {
			await page.goto(`${context.n8n.baseUrl}/workflow/${control.id}`);
			await page.waitForFunction(`document.querySelectorAll('[data-test-id="canvas-node"]').length === 2`, undefined, {
				timeout: 30_000,
			});
			await page.waitForTimeout(500);
			const problems = await nodesWithProblems();
			expect(problems).toHaveLength(2);
			expect(problems).toEqual(
				expect.arrayContaining([expect.stringContaining('Credential Missing'), expect.stringContaining('Unknown Type')]),
			);
		} finally {
			await rest.request('POST', `workflows/${control.id}/archive`).catch(() => undefined);
			await rest.request('DELETE', `workflows/${control.id}`).catch(() => undefined);
		}
	});

	it('opens every shipped workflow with every node known and no node showing an issue', async () => {
		for (const workflow of shippedWorkflows()) {
			const stored = await rest.request<{ nodes: Array<{ name: string; type: string }> }>(
				'GET',
				`workflows/${workflow.id}`,
			);
			const nodes = stored.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote');
			await page.goto(`${context.n8n.baseUrl}/workflow/${workflow.id}`);
			await page.waitForFunction(
				`document.querySelectorAll('[data-test-id="canvas-node"]').length === ${nodes.length}`,
				undefined,
				{ timeout: 30_000 },
			);
			// Issues are computed once the node types are loaded; give the canvas a moment to show them.
			await page.waitForTimeout(500);
			await shot(page, `workflow-${workflow.file.replace(/\.json$/, '')}`);
			const problems = await nodesWithProblems();
			expect({ workflow: workflow.file, problems }).toEqual({ workflow: workflow.file, problems: [] });
			const sticky = await page.locator('[data-test-id="sticky"]').first().textContent();
			expect(sticky).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]{4}/);
		}
		// Thirteen workflows, each loaded into the canvas: more than the default 90 s on a busy machine.
	}, 240_000);

	it('shows operation names, not internal values, under the package nodes', async () => {
		await page.goto(`${context.n8n.baseUrl}/workflow/${shippedWorkflow('01-line-friend-added-to-porters.json').id}`);
		await page.waitForSelector('[data-test-id="canvas-node"]');
		const texts = await page.$$eval('[data-test-id="canvas-node"]', (elements) =>
			elements.map((element) => element.textContent ?? ''),
		);
		expect(texts.join('\n')).toContain('Upsert Candidate by LINE User ID');
		expect(texts.join('\n')).not.toMatch(/upsertByLineUserId|: candidate/);
	});

	it('offers the right node for every operation name and Japanese word in the node panel', async () => {
		await page.goto(`${context.n8n.baseUrl}/workflow/${shippedWorkflow('06-line-block-to-porters.json').id}`);
		await page.waitForSelector('[data-test-id="canvas-node"]');
		await page.click('[data-test-id="node-creator-plus-button"]');
		const search = page.locator('[data-test-id="node-creator-search-bar"]');
		await search.waitFor();
		const missing: string[] = [];
		const noResults = page.locator('[data-test-id="node-creator-no-results"]');
		for (const [term, node] of PANEL_SEARCHES) {
			// Empty the results first, so that what is read below answers this term, not the one before.
			await search.fill('zqxj-nothing-matches');
			await noResults.waitFor();
			await search.fill(term);
			const offered = page.locator('[data-test-id="node-creator-item-name"]', { hasText: new RegExp(`^${node}$`) });
			try {
				await offered.first().waitFor({ timeout: 5_000 });
			} catch {
				missing.push(`${term} → ${node}`);
				await shot(page, `node-panel-missing-${missing.length}`);
			}
		}
		await search.fill('候補者');
		await page.locator('[data-test-id="node-creator-item-name"]', { hasText: /^PORTERS$/ }).waitFor({ timeout: 5_000 }).catch(() => undefined);
		await shot(page, 'node-panel-search-ja');
		expect(missing).toEqual([]);
	});

	it('tests every credential of the package successfully against the sandboxes, with hints shown', async () => {
		const packageTypes = ['lineMessagingApi', 'lineLoginApi', 'portersApi'];
		const hints: Record<string, string> = {
			lineMessagingApi: 'チャネル基本設定',
			lineLoginApi: 'LINEログイン設定',
			portersApi: 'パーティション ID',
		};
		for (const credential of context.credentials.filter((c) => packageTypes.includes(c.type))) {
			await page.goto(`${context.n8n.baseUrl}/home/credentials/${credential.id}`);
			const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
			await dialog.waitFor();
			// The hint under a field, shown once the form has rendered.
			await dialog.getByText(hints[credential.type]).first().waitFor();
			// The editor retests a saved credential when its dialog opens.
			await dialog.getByText('Connection tested successfully').waitFor({ timeout: 30_000 });
			await shot(page, `credential-${credential.type}`);
			await page.keyboard.press('Escape');
		}
	});
});
