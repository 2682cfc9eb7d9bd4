import { readFileSync } from 'fs';
import { resolve } from 'path';
import type { ICredentialType, INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';

import { LineLoginApi } from '../../credentials/LineLoginApi.credentials';
import { LineMessagingApi } from '../../credentials/LineMessagingApi.credentials';
import { PortersApi } from '../../credentials/PortersApi.credentials';
import { Line } from '../../nodes/Line/Line.node';
import { LineTrigger } from '../../nodes/Line/LineTrigger.node';
import { LineLogin } from '../../nodes/LineLogin/LineLogin.node';
import { Porters } from '../../nodes/Porters/Porters.node';
import { PortersTrigger } from '../../nodes/Porters/PortersTrigger.node';

/**
 * What the operator meets in the editor before running anything: the subtitle under a node, the
 * node panel's search (display name and codex aliases), and the hints under credential fields.
 */

const root = resolve(__dirname, '../../..');

interface Operation {
	resource?: string;
	value: string;
	name: string;
}

function operationsOf(description: INodeTypeDescription): Operation[] {
	return description.properties
		.filter((p) => p.name === 'operation')
		.flatMap((p) =>
			(p.options as INodePropertyOptions[]).map((option) => ({
				resource: (p.displayOptions?.show?.resource as string[] | undefined)?.[0],
				value: String(option.value),
				name: option.name,
			})),
		);
}

/** The subtitle the way n8n's expression evaluates it for a node with these parameters. */
function subtitleFor(description: INodeTypeDescription, parameters: Record<string, string>): unknown {
	const expression = String(description.subtitle);
	const body = /^=\{\{([\s\S]*)\}\}$/.exec(expression)?.[1];
	expect(body).toBeDefined();
	return new Function('$parameter', `return (${body});`)(parameters);
}

function codexAliases(file: string): string[] {
	return (JSON.parse(readFileSync(resolve(root, 'nodes', file), 'utf8')) as { alias: string[] }).alias;
}

const actionNodes: Array<[string, INodeTypeDescription, string, string[]]> = [
	[
		'PORTERS',
		new Porters().description,
		'Porters/Porters.node.json',
		['候補者', '候補者作成', '候補者検索', '候補者更新', 'レジュメ', 'レジュメ取得', 'アクティビティ'],
	],
	[
		'LINE',
		new Line().description,
		'Line/Line.node.json',
		['メッセージ送信', '返信', '一斉送信', '既読', 'プロフィール', '友だち一覧', '送信上限', '設定チェック'],
	],
	['LINE Login', new LineLogin().description, 'LineLogin/LineLogin.node.json', ['連携URL', 'LINE連携']],
];

describe.each(actionNodes)('%s node in the editor', (_name, description, codexFile, japanese) => {
	const operations = operationsOf(description);

	it('shows the chosen operation by its display name under the node', () => {
		expect(operations.length).toBeGreaterThan(0);
		for (const operation of operations) {
			const parameters: Record<string, string> = { operation: operation.value };
			if (operation.resource) parameters.resource = operation.resource;
			expect(subtitleFor(description, parameters)).toBe(operation.name);
		}
	});

	it('is found in the node panel by every operation name and by Japanese words', () => {
		const aliases = codexAliases(codexFile);
		for (const operation of operations) expect(aliases).toContain(operation.name);
		for (const word of japanese) expect(aliases).toContain(word);
		expect(new Set(aliases).size).toBe(aliases.length);
	});

	it('reads every action as an English phrase the panel can list', () => {
		const actions = description.properties
			.filter((p) => p.name === 'operation')
			.flatMap((p) => (p.options as INodePropertyOptions[]).map((option) => option.action ?? ''));
		for (const action of actions) expect(action).toMatch(/^[A-Z][a-z]+( [A-Za-z]+)+$/);
		if (description.name === 'line') expect(actions).toContain('Mark as read');
	});
});

describe('trigger nodes in the editor', () => {
	it('are found by Japanese words too', () => {
		expect(codexAliases('Line/LineTrigger.node.json')).toEqual(
			expect.arrayContaining(['友だち追加', 'ブロック', 'メッセージ受信']),
		);
		expect(codexAliases('Porters/PortersTrigger.node.json')).toEqual(
			expect.arrayContaining(['候補者', 'レジュメ']),
		);
	});

	it('the PORTERS Trigger points at the schedule n8n shows above its own fields', () => {
		const notice = new PortersTrigger().description.properties.find((p) => p.type === 'notice');
		expect(notice?.displayName).toContain('schedule above');
	});

	it('the LINE Trigger says that LINE needs a public HTTPS URL', () => {
		const notice = new LineTrigger().description.properties.find((p) => p.type === 'notice');
		expect(notice?.displayName).toMatch(/public HTTPS/);
		expect(notice?.displayName).toContain('N8N_WEBHOOK_URL');
	});
});

describe('LINE Login Generate Link URL options', () => {
	it('show the validity as a plain number of days (no 7.00)', () => {
		const options = new LineLogin().description.properties.find((p) => p.name === 'options');
		const validity = (options?.options as INodeProperties[]).find((p) => p.name === 'validityDays');
		expect(validity?.default).toBe(7);
		expect(validity?.typeOptions?.numberPrecision).toBeUndefined();
		expect(validity?.typeOptions?.minValue).toBeLessThan(1);
	});
});

describe.each<[string, ICredentialType]>([
	['LINE Messaging API', new LineMessagingApi()],
	['LINE Login API', new LineLoginApi()],
	['PORTERS API', new PortersApi()],
])('%s credential form', (_name, credential) => {
	it('says under every value to look up where to find it', () => {
		const looked = credential.properties.filter(
			(p) => p.type !== 'hidden' && p.type !== 'notice' && !/Base URL$/.test(p.displayName) && p.name !== 'protocol' && p.name !== 'linkSigningSecret',
		);
		expect(looked.length).toBeGreaterThan(1);
		for (const property of looked) expect({ field: property.name, hint: property.hint }).toEqual({ field: property.name, hint: expect.stringMatching(/\S{3,}/) });
	});
});

describe('credential hints match the setup guide', () => {
	const guide = readFileSync(resolve(root, 'docs/setup-ja.md'), 'utf8');

	it('use the console labels the guide uses', () => {
		const hints = [new LineMessagingApi(), new LineLoginApi(), new PortersApi()]
			.flatMap((c) => c.properties.map((p) => p.hint ?? ''))
			.join('\n');
		for (const label of ['チャネル基本設定', 'Messaging API設定', 'チャネルアクセストークン（長期）', '発行', 'LINEログイン設定', 'パーティション']) {
			expect(hints).toContain(label);
			expect(guide).toContain(label);
		}
	});

	it('give the callback placeholder the path workflow 03 ships', () => {
		const callback = new LineLoginApi().properties.find((p) => p.name === 'callbackUrl');
		const flow = JSON.parse(readFileSync(resolve(root, 'workflows/03-line-login-callback.json'), 'utf8')) as {
			nodes: Array<{ type: string; parameters: { path?: string } }>;
		};
		const path = flow.nodes.find((n) => n.type === 'n8n-nodes-base.webhook')?.parameters.path;
		expect(callback?.placeholder).toBe(`https://n8n.example.com/webhook/${path}`);
	});
});
