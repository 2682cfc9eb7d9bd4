import { readFileSync } from 'fs';

import type { PackageCatalog } from '../install/packageCatalog';
import type {
	LineSandboxValues,
	PortersSandboxValues,
	SmtpSandboxValues,
} from '../stage/credentials';
import type { QueueBackends } from '../stage/queueBackends';
import type { WebhookEndpoint } from '../stage/workflows';
import type { OwnerAccount } from './rest';

/**
 * What the e2e runner hands to the e2e test files (run by jest in a child process): where the one
 * shared n8n is, how to sign in, which workflows are live and where the sandboxes are. The
 * sandboxes run in the runner; tests reach them through their `/__sandbox/` admin endpoints.
 */

export const E2E_CONTEXT_ENV = 'LINE_PORTERS_E2E_CONTEXT';

export interface E2EWorkflow {
	id: string;
	name: string;
	/** `shipped` = from `workflows/`, `fixture` = from `test/e2e/fixtures/`. */
	origin: 'shipped' | 'fixture';
	/** File name, e.g. `smoke-webhook.json`. */
	file: string;
	webhooks: Array<WebhookEndpoint & { url: string }>;
	nodeTypes: string[];
	/** Settings-node keys the harness filled in, and those still empty. */
	settings: { applied: string[]; unfilled: string[] };
}

export interface E2EContext {
	n8n: {
		baseUrl: string;
		version: string;
		owner: OwnerAccount;
		/** The n8n host project (its node_modules has n8n's own dependencies, e.g. `flatted`). */
		projectDir: string;
		userFolder: string;
		logFile: string;
		/** `queue`: main, a webhook processor and a worker on Postgres and Redis. */
		mode: 'regular' | 'queue';
		/** Where production webhooks are served (the webhook processor's port in queue mode). */
		webhookBaseUrl: string;
		/** Every process's log, main's first. */
		logFiles: string[];
		/** Queue mode: the Postgres database n8n stores its data in. */
		postgres?: QueueBackends['postgres'];
	};
	package: {
		name: string;
		version: string;
		tarball: string;
		installedDir: string;
		catalog: PackageCatalog;
	};
	workflows: E2EWorkflow[];
	/** Fixture workflows left out because the package does not have their node types yet. */
	skippedFixtures: Array<{ file: string; missingNodeTypes: string[] }>;
	credentials: Array<{ id: string; name: string; type: string }>;
	line?: LineSandboxValues;
	porters?: PortersSandboxValues;
	/** The SMTP sandbox: `GET <mailboxUrl>/messages` lists the e-mail the workflows sent. */
	smtp?: SmtpSandboxValues;
	/** Stand-in for outside services: `GET <url>/__capture/<channel>` lists what was posted. */
	capture: { url: string; channels: { recruiterNotify: string; marketingTool: string } };
	/** Header Auth on the shipped workflows' recruiter webhooks. */
	recruiterWebhookKey: { header: string; value: string };
	/** Basic auth on the shipped recruiter page. */
	recruiterPageLogin: { user: string; password: string };
	/** Deployment settings filled into the shipped settings workflow, which every flow reads. */
	settings: Record<string, unknown>;
}

export function readE2EContext(): E2EContext {
	const file = process.env[E2E_CONTEXT_ENV];
	if (!file) {
		throw new Error(
			`The e2e tests need a running n8n: run them with "npm run test:e2e" (${E2E_CONTEXT_ENV} is not set)`,
		);
	}
	return JSON.parse(readFileSync(file, 'utf8')) as E2EContext;
}
