/** Generate Link URL: a signed, per-candidate LINE Login URL to send to the candidate. */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import {
	DAY_MS,
	MAX_LINK_VALIDITY_MS,
	buildLinkUrl,
	type BotPrompt,
} from '../../../../core/login/authorize';
import { candidateIdProblem } from '../../../../core/login/state';
import { forOperation } from '../../../shared/displayOptions';
import type { LoginSettings } from '../../transport';
import type { LoginOperation } from '../operation';

const description = forOperation('generateLinkUrl', [
	{
		displayName: 'Candidate ID',
		name: 'candidateId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '10021',
		description: 'ID of the PORTERS candidate (Person) that the LINE account will be linked to',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Add-Friend Prompt',
				name: 'botPrompt',
				type: 'options',
				default: 'aggressive',
				description:
					'Whether LINE offers to add the official account as a friend during the login (needs the official account linked to the LINE Login channel)',
				options: [
					{
						name: 'Separate Screen After Consent',
						value: 'aggressive',
						description: 'LINE Login bot_prompt=aggressive',
					},
					{
						name: 'Checkbox on the Consent Screen',
						value: 'normal',
						description: 'LINE Login bot_prompt=normal',
					},
					{ name: 'Off', value: 'none', description: 'Do not offer to add the official account' },
				],
			},
			{
				displayName: 'Disable Auto Login',
				name: 'disableAutoLogin',
				type: 'boolean',
				default: false,
				description:
					'Whether to skip LINE auto login. Use it for a second link when the first failed with an auto-login error.',
			},
			{
				displayName: 'Link Validity (Days)',
				name: 'validityDays',
				type: 'number',
				default: 7,
				// No numberPrecision: it would show 7 as 7.00. Fractions of a day are still accepted.
				typeOptions: { minValue: 0.01, maxValue: 90 },
				description: 'How long the candidate can use the link',
			},
			{
				displayName: 'Request Email Address',
				name: 'includeEmail',
				type: 'boolean',
				default: false,
				description:
					'Whether to ask for the email address registered in LINE (email scope). The LINE Login channel needs email permission approved in the LINE Developers console.',
			},
		],
	},
]);

interface GenerateOptions {
	botPrompt?: BotPrompt;
	disableAutoLogin?: boolean;
	validityDays?: number;
	includeEmail?: boolean;
}

async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	settings: LoginSettings,
): Promise<IDataObject> {
	const rawId = this.getNodeParameter('candidateId', itemIndex) as unknown;
	const candidateId = String(rawId ?? '').trim();
	const problem = candidateIdProblem(candidateId);
	if (problem) {
		throw new NodeOperationError(this.getNode(), `${problem}, so no link was made`, {
			itemIndex,
			description: 'Use the PORTERS candidate (Person) ID, for example from a PORTERS node.',
		});
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as GenerateOptions;
	const validityDays = options.validityDays ?? 7;
	const validityMs = validityDays * DAY_MS;
	if (!Number.isFinite(validityMs) || validityMs < 60_000 || validityMs > MAX_LINK_VALIDITY_MS) {
		throw new NodeOperationError(this.getNode(), 'Link validity must be between 0.01 and 90 days', {
			itemIndex,
		});
	}
	const botPrompt = options.botPrompt ?? 'aggressive';
	if (!['aggressive', 'normal', 'none'].includes(botPrompt)) {
		throw new NodeOperationError(this.getNode(), `Unknown add-friend prompt "${String(botPrompt)}"`, {
			itemIndex,
		});
	}
	const link = buildLinkUrl({
		keys: settings.keys,
		callbackUrl: settings.callbackUrl,
		authorizeBaseUrl: settings.authorizeBaseUrl,
		candidateId,
		expiresAt: Date.now() + validityMs,
		botPrompt,
		includeEmail: options.includeEmail === true,
		disableAutoLogin: options.disableAutoLogin === true,
	});
	return {
		candidateId: link.candidateId,
		url: link.url,
		expiresAt: new Date(link.expiresAt).toISOString(),
		state: link.state,
		stateId: link.stateId,
	};
}

export const generateLinkUrl: LoginOperation = { description, execute };
