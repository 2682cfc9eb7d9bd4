import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

/**
 * The deployment settings the harness gives the shipped settings workflow (`00-settings.json`, its
 * "Tenant Settings" node, see `applySettings` in workflows.ts; every flow reads it), as a recruiter
 * would fill them in after importing: PORTERS field aliases of the sandbox's fixture, the capture
 * server standing in for the recruiters' chat tool and the marketing tool, the LINE account's
 * friend-add link, the e-mail addresses and the reply page's URL.
 */

interface SeedField {
	alias: string;
	name: string;
	options?: string;
}

interface SeedOption {
	alias: string;
	name: string;
	children?: SeedOption[];
}

interface PortersSeed {
	fields?: Record<string, SeedField[]>;
	options?: SeedOption[];
}

/** Names of the fields and options in `sandbox/porters/seed.json` the workflows are set up with. */
const SEED_NAMES = {
	lineUserIdField: { resource: 'candidate', name: 'LINE ユーザーID' },
	lineStatusField: { resource: 'candidate', name: 'LINE 友だち状態' },
	friendAddedAtField: { resource: 'candidate', name: 'LINE 友だち追加日時' },
	statusFollowing: '友だち',
	statusBlocked: 'ブロック中',
	interviewStatusField: { resource: 'resume', name: '面談状況' },
	unreadField: { resource: 'candidate', name: 'LINE 未読日時' },
	phaseField: { resource: 'resume', name: '面談状況' },
	phaseDateField: { resource: 'resume', name: '選考ステップ日時' },
	interviewDateField: { resource: 'resume', name: '面談日時' },
};

/** The path of the reply page's Webhook nodes in workflow 08 (GET opens it, POST submits it). */
export const REPLY_PAGE_PATH = 'line-reply';

/** Addresses of the recruiters' e-mail in the sandbox: sender and the fallback recipient. */
export const SANDBOX_MAIL = {
	from: 'line-notice@sandbox.example.jp',
	fallback: 'recruiting-team@sandbox.example.jp',
};

/** PORTERS settings for the sandbox fixture, looked up by field and option names. */
export function portersFixtureSettings(repoRoot: string): Record<string, string> {
	const seedFile = join(repoRoot, 'sandbox', 'porters', 'seed.json');
	if (!existsSync(seedFile)) return {};
	const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as PortersSeed;
	const field = (resource: string, name: string): SeedField => {
		const found = seed.fields?.[resource]?.find((candidate) => candidate.name === name);
		if (!found) throw new Error(`The PORTERS fixture has no ${resource} field named "${name}"`);
		return found;
	};
	const statusField = field(SEED_NAMES.lineStatusField.resource, SEED_NAMES.lineStatusField.name);
	const statusOptions =
		seed.options?.find((option) => option.alias === statusField.options)?.children ?? [];
	const option = (name: string): string => {
		const found = statusOptions.find((candidate) => candidate.name === name);
		if (!found)
			throw new Error(`The PORTERS fixture option ${statusField.options} has no "${name}"`);
		return found.alias;
	};
	return {
		lineUserIdField: field(SEED_NAMES.lineUserIdField.resource, SEED_NAMES.lineUserIdField.name)
			.alias,
		lineStatusField: statusField.alias,
		friendAddedAtField: field(SEED_NAMES.friendAddedAtField.resource, SEED_NAMES.friendAddedAtField.name).alias,
		statusFollowing: option(SEED_NAMES.statusFollowing),
		statusBlocked: option(SEED_NAMES.statusBlocked),
		interviewStatusField: field(
			SEED_NAMES.interviewStatusField.resource,
			SEED_NAMES.interviewStatusField.name,
		).alias,
		unreadField: field(SEED_NAMES.unreadField.resource, SEED_NAMES.unreadField.name).alias,
		phaseField: field(SEED_NAMES.phaseField.resource, SEED_NAMES.phaseField.name).alias,
		phaseDateField: field(SEED_NAMES.phaseDateField.resource, SEED_NAMES.phaseDateField.name).alias,
		interviewDateField: field(SEED_NAMES.interviewDateField.resource, SEED_NAMES.interviewDateField.name)
			.alias,
	};
}

export const CAPTURE_CHANNELS = {
	recruiterNotify: 'recruiter-notify',
	marketingTool: 'marketing-tool',
};

export interface DeploymentInputs {
	porters: Record<string, string>;
	captureUrl?: string;
	lineBasicId?: string;
	/** Whether the SMTP sandbox runs (the e-mail addresses are then filled in). */
	smtp?: boolean;
	/** Production URL of a webhook path. */
	webhookUrl: (path: string) => string;
}

/**
 * The one set of settings every workflow reads. There is nothing per workflow: the settings live in
 * one workflow, so a value (e.g. a webhook URL) cannot differ between the flows that read it.
 */
export function commonSettings(inputs: DeploymentInputs): Record<string, unknown> {
	return {
		...inputs.porters,
		...(inputs.captureUrl
			? {
					notifyUrl: `${inputs.captureUrl}/${CAPTURE_CHANNELS.recruiterNotify}`,
					marketingUrl: `${inputs.captureUrl}/${CAPTURE_CHANNELS.marketingTool}`,
				}
			: {}),
		...(inputs.lineBasicId ? { friendAddUrl: `https://line.me/R/ti/p/${inputs.lineBasicId}` } : {}),
		...(inputs.smtp ? { fromEmail: SANDBOX_MAIL.from, fallbackEmail: SANDBOX_MAIL.fallback } : {}),
		replyPageUrl: inputs.webhookUrl(REPLY_PAGE_PATH),
	};
}

