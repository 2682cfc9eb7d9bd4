import { join } from 'path';

import type { N8nInstallation } from '../install/n8nInstallation';
import { hasPublishCommand } from '../install/versions';
import { cleanChildEnv } from '../processes/processGroups';

export interface N8nEnvironmentOptions {
	installation: N8nInstallation;
	/** n8n keeps its data in `<userFolder>/.n8n`. */
	userFolder: string;
	port: number;
	/** Port of the task runners' broker; must differ between n8n instances on one machine. */
	runnerBrokerPort: number;
	encryptionKey: string;
	/** Public base of production webhooks when another process serves them (queue mode). */
	webhookBaseUrl?: string;
	logLevel?: 'error' | 'warn' | 'info' | 'debug';
	extra?: Record<string, string>;
}

/** Variables of the calling shell that would change how the host n8n behaves. */
const INHERITED_VARIABLE_PATTERNS = [
	/^N8N_/,
	/^DB_/,
	/^EXECUTIONS_/,
	/^QUEUE_/,
	/^WEBHOOK_URL$/,
	/^NODE_OPTIONS$/,
];

function withLoopbackNoProxy(current: string | undefined): string {
	const entries = (current ?? '')
		.split(',')
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
	for (const host of ['127.0.0.1', 'localhost', '::1'])
		if (!entries.includes(host)) entries.push(host);
	return entries.join(',');
}

/**
 * The environment of every n8n process of a host (CLI commands and the server), after
 * ../shared/docs/n8n-platform.md §7.3: local-only listening, no telemetry or update checks, a fixed
 * encryption key so that imported credentials stay readable, webhook URLs on the local port, and the
 * settings of the README's production recipe.
 */
export function n8nEnvironment(options: N8nEnvironmentOptions): NodeJS.ProcessEnv {
	const base: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (INHERITED_VARIABLE_PATTERNS.some((pattern) => pattern.test(key))) continue;
		base[key] = value;
	}
	const baseUrl = `http://127.0.0.1:${options.port}/`;
	const webhookUrl = options.webhookBaseUrl ?? baseUrl;
	const noProxy = withLoopbackNoProxy(process.env.NO_PROXY ?? process.env.no_proxy);
	return cleanChildEnv(
		{
			PATH: [
				join(options.installation.nodeDir, 'bin'),
				join(options.installation.n8nProjectDir, 'node_modules', '.bin'),
				process.env.PATH ?? '',
			].join(':'),
			NO_PROXY: noProxy,
			no_proxy: noProxy,
			N8N_USER_FOLDER: options.userFolder,
			N8N_PORT: String(options.port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			N8N_EDITOR_BASE_URL: baseUrl,
			N8N_WEBHOOK_URL: webhookUrl,
			// n8n 1.x knows only the older name (2.x accepts it too, but warns that it is deprecated).
			...(hasPublishCommand(options.installation.n8nVersion) ? {} : { WEBHOOK_URL: webhookUrl }),
			N8N_ENCRYPTION_KEY: options.encryptionKey,
			N8N_RUNNERS_BROKER_PORT: String(options.runnerBrokerPort),
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_SECURE_COOKIE: 'false',
			N8N_LOG_LEVEL: options.logLevel ?? 'info',
			N8N_LOG_OUTPUT: 'console',
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
			EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
			// As the production recipe in the README recommends: n8n 2.x then prepares an expression
			// isolate only when an expression is evaluated, not for every webhook (1.x ignores it).
			N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true',
			...options.extra,
		},
		base,
	);
}
