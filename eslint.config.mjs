// Lint for the package (n8n's community-node rule sets, as `n8n-node lint` and the community
// package scanner apply them) and plain TypeScript rules for the repository's own tooling.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

const packageCode = ['credentials/**/*.ts', 'nodes/**/*.ts', 'core/**/*.ts'];

export default tseslint.config(
	{ ignores: ['node_modules/**', 'dist/**', 'build/**', 'package/**', '**/*.js', '**/*.mjs'] },
	{ files: ['**/*.ts'], ...js.configs.recommended },
	...tseslint.configs.recommended.map((config) => ({ files: ['**/*.ts'], ...config })),
	{
		files: ['**/*.ts'],
		rules: {
			'no-console': 'error',
			'prefer-spread': 'off',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
		},
	},
	{
		files: [...packageCode, 'package.json', 'nodes/**/*.json', 'credentials/**/*.json'],
		...n8nCommunityNodesPlugin.configs.recommended,
	},
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{
		files: ['package.json'],
		languageOptions: { parser: tseslint.parser },
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		files: ['nodes/**/*.json', 'credentials/**/*.json'],
		languageOptions: { parser: tseslint.parser },
	},
	{
		// core/ is pure logic with its own unit tests: nodes and credentials depend on it, never
		// the other way round, and nothing in it needs n8n.
		files: ['core/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: ['n8n-workflow', 'n8n-workflow/*'],
							message: 'core/ stays free of n8n: pass plain values in from the node instead.',
						},
						{
							group: ['**/nodes', '**/nodes/**', '**/credentials', '**/credentials/**'],
							message:
								'core/ must not depend on nodes/ or credentials/: move the shared piece into core/.',
						},
					],
				},
			],
		},
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
);
