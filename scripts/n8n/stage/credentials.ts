import type { PackageCatalog } from '../install/packageCatalog';
import { stableId, type CredentialReference } from './workflows';

/**
 * Credentials the harness creates in n8n, pointing at the local sandboxes. They are written with
 * their data in plain JSON and imported with `n8n import:credentials`, which encrypts an object
 * `data` with the instance's key (n8n 2.40.7 `commands/import/credentials.ts`), and upserts by ID,
 * so importing again updates them.
 */

export interface CredentialSpec {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** Channel values the LINE sandbox was started with. */
export interface LineSandboxValues {
	url: string;
	/** The data API server (content downloads), on its own port as LINE has its own host. */
	dataUrl?: string;
	channelId: string;
	channelSecret: string;
	accessToken: string;
	loginChannelId: string;
	loginChannelSecret: string;
	/** The production URL of the login callback workflow, when there is one. */
	loginCallbackUrl?: string;
	/** The official account's basic ID, e.g. `@sandbox`. */
	basicId?: string;
}

/** Connection values of the PORTERS sandbox. */
export interface PortersSandboxValues {
	url: string;
	appId: string;
	secret: string;
	partitionId: string;
	ownerUserId?: string;
}

/** Where the SMTP sandbox listens: mail for n8n's Send Email node, and its mailbox page. */
export interface SmtpSandboxValues {
	host: string;
	port: number;
	mailboxUrl: string;
}

export interface SandboxValues {
	line?: LineSandboxValues;
	porters?: PortersSandboxValues;
	smtp?: SmtpSandboxValues;
}

/** The header key the harness puts on the shipped workflows' recruiter webhooks (Header Auth). */
export const RECRUITER_WEBHOOK_KEY = {
	header: 'X-Api-Key',
	value: 'sandbox-recruiter-key-7d41c9e2',
};

/** The Basic auth login the harness puts on the shipped recruiter pages (workflows 02 and 11). */
export const RECRUITER_PAGE_LOGIN = {
	user: 'recruiter',
	password: 'sandbox-recruiter-page-5c2e81',
};

/**
 * n8n's own credential types that shipped workflows may use, with the fields of n8n 2.40.7
 * (`n8n-nodes-base/dist/credentials`) and the values the harness gives them; `data` is undefined
 * when the sandbox it points at is not running.
 */
const BUILT_IN_CREDENTIALS: Record<
	string,
	{ displayName: string; data: (values: SandboxValues) => Record<string, unknown> | undefined }
> = {
	httpHeaderAuth: {
		displayName: 'Recruiter webhook key',
		data: () => ({ name: RECRUITER_WEBHOOK_KEY.header, value: RECRUITER_WEBHOOK_KEY.value }),
	},
	httpBasicAuth: {
		displayName: 'Recruiter page login',
		data: () => ({ user: RECRUITER_PAGE_LOGIN.user, password: RECRUITER_PAGE_LOGIN.password }),
	},
	// The SMTP sandbox has no TLS (sandbox/smtp/README.md): SSL/TLS off, STARTTLS not tried.
	smtp: {
		displayName: 'SMTP account',
		data: ({ smtp }) =>
			smtp
				? {
						user: '',
						password: '',
						host: smtp.host,
						port: smtp.port,
						secure: false,
						disableStartTls: true,
						hostName: '',
					}
				: undefined,
	},
};

export function isBuiltInCredentialType(type: string): boolean {
	return type in BUILT_IN_CREDENTIALS;
}

/** Credentials of n8n's own types for the given types (those the harness can fill). */
export function builtInCredentials(
	types: Iterable<string>,
	values: SandboxValues = {},
): CredentialSpec[] {
	return [...new Set(types)]
		.filter(isBuiltInCredentialType)
		.sort()
		.flatMap((type) => {
			const data = BUILT_IN_CREDENTIALS[type].data(values);
			return data ? [credentialFor(type, BUILT_IN_CREDENTIALS[type].displayName, data)] : [];
		});
}

export function credentialReference(type: string, displayName: string): CredentialReference {
	return { id: stableId(`credential:${type}`), name: `${displayName} (sandbox)` };
}

export function builtInCredentialReference(type: string): CredentialReference | undefined {
	const known = BUILT_IN_CREDENTIALS[type];
	return known ? credentialReference(type, known.displayName) : undefined;
}

function credentialFor(
	type: string,
	displayName: string,
	data: Record<string, unknown>,
): CredentialSpec {
	return { ...credentialReference(type, displayName), type, data };
}

/**
 * Sandbox values for each credential type this package defines. A credential type this function
 * does not know yet is reported in `unknownTypes` (the e2e run fails on it when a workflow needs it).
 */
export function sandboxCredentials(
	catalog: PackageCatalog,
	values: SandboxValues,
): { credentials: CredentialSpec[]; unknownTypes: string[] } {
	const credentials: CredentialSpec[] = [];
	const unknownTypes: string[] = [];
	for (const credentialType of catalog.credentials) {
		const data = sandboxData(credentialType.name, values);
		if (data === undefined) {
			unknownTypes.push(credentialType.name);
			continue;
		}
		credentials.push(credentialFor(credentialType.name, credentialType.displayName, data));
	}
	for (const credential of credentials) assertMatchesCatalog(credential, catalog);
	return { credentials, unknownTypes };
}

function sandboxData(type: string, values: SandboxValues): Record<string, unknown> | undefined {
	const { line, porters } = values;
	switch (type) {
		case 'lineMessagingApi':
			return line
				? {
						channelId: line.channelId,
						channelSecret: line.channelSecret,
						accessToken: line.accessToken,
						apiBaseUrl: line.url,
						dataApiBaseUrl: line.dataUrl ?? line.url,
					}
				: undefined;
		case 'lineLoginApi':
			return line
				? {
						channelId: line.loginChannelId,
						channelSecret: line.loginChannelSecret,
						callbackUrl: line.loginCallbackUrl ?? '',
						linkSigningSecret: '',
						authorizeBaseUrl: line.url,
						apiBaseUrl: line.url,
					}
				: undefined;
		case 'portersApi': {
			if (!porters) return undefined;
			const url = new URL(porters.url);
			return {
				host: url.host,
				protocol: url.protocol.replace(':', ''),
				appId: porters.appId,
				appSecret: porters.secret,
				partitionId: Number(porters.partitionId),
				...(porters.ownerUserId !== undefined
					? { defaultOwnerUserId: Number(porters.ownerUserId) }
					: {}),
			};
		}
		default:
			return undefined;
	}
}

/** Catches a renamed credential field here rather than as a puzzling failure inside n8n. */
export function assertMatchesCatalog(credential: CredentialSpec, catalog: PackageCatalog): void {
	const type = catalog.credentials.find((candidate) => candidate.name === credential.type);
	if (!type) throw new Error(`The package has no credential type "${credential.type}"`);
	const known = new Set(type.properties.map((property) => property.name));
	const unknown = Object.keys(credential.data).filter((key) => !known.has(key));
	if (unknown.length > 0) {
		throw new Error(
			`Credential ${credential.type}: the harness sets ${unknown.join(', ')}, which the credential ` +
				`does not define (it has ${[...known].join(', ')})`,
		);
	}
	const missing = type.properties
		.filter((property) => property.required && !(property.name in credential.data))
		.map((property) => property.name);
	if (missing.length > 0) {
		throw new Error(
			`Credential ${credential.type}: required fields not set: ${missing.join(', ')}`,
		);
	}
}
