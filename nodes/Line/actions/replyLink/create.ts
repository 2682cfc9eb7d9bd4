/** Create Reply Link: a signed, expiring link to the reply page for one candidate. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import {
	MAX_REPLY_LINK_VALIDITY_MS,
	createReplyToken,
	replyLinkUrl,
} from '../../../../core/line/replyLink';
import { candidateIdProblem } from '../../../../core/login/state';
import { forOperation } from '../../../shared/displayOptions';
import { inputError, stringParameter } from '../../helpers/parameters';
import { defineOperation } from '../operation';
import { replyLinkKey } from './signingKey';

const HOUR_MS = 60 * 60 * 1000;

export const description = forOperation('replyLink', 'create', [
	{
		displayName: 'Candidate ID',
		name: 'candidateId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '10001',
		description: 'ID of the PORTERS candidate (Person.P_Id) the page replies to',
	},
	{
		displayName: 'Reply Page URL',
		name: 'pageUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://n8n.example.com/webhook/line-reply',
		description: 'Production URL of the reply page workflow (its GET Webhook node)',
	},
	{
		displayName: 'Link Validity (Hours)',
		name: 'validityHours',
		type: 'number',
		default: 72,
		typeOptions: { minValue: 0.1, maxValue: 2160, numberPrecision: 1 },
		description: 'How long the link can be used',
	},
]);

interface Prepared {
	candidateId: string;
	pageUrl: string;
	validityMs: number;
}

function prepare(this: IExecuteFunctions, itemIndex: number): Prepared {
	const candidateId = stringParameter(this, 'candidateId', itemIndex);
	const problem = candidateIdProblem(candidateId);
	if (problem) throw inputError(this, itemIndex, [{ property: 'candidateId', message: `is not usable: ${problem}` }]);
	const pageUrl = stringParameter(this, 'pageUrl', itemIndex);
	if (!/^https?:\/\//i.test(pageUrl)) {
		throw inputError(this, itemIndex, [{ property: 'pageUrl', message: 'must be an http(s) URL' }]);
	}
	const validityMs = Number(this.getNodeParameter('validityHours', itemIndex, 72)) * HOUR_MS;
	if (!Number.isFinite(validityMs) || validityMs < 60_000 || validityMs > MAX_REPLY_LINK_VALIDITY_MS) {
		throw inputError(this, itemIndex, [{ property: 'validityHours', message: 'must be between 0.1 and 2160 hours' }]);
	}
	return { candidateId, pageUrl, validityMs };
}

async function execute(this: IExecuteFunctions, _itemIndex: number, input: Prepared): Promise<IDataObject[]> {
	const issued = createReplyToken(await replyLinkKey(this), input.candidateId, Date.now() + input.validityMs);
	return [
		{
			candidateId: issued.candidateId,
			url: replyLinkUrl(input.pageUrl, issued.state),
			token: issued.state,
			expiresAt: new Date(issued.expiresAt).toISOString(),
		},
	];
}

export const create = defineOperation({ description, prepare, execute });
