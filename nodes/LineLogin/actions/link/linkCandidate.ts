/**
 * Link Candidate: handles the LINE Login callback, verifies the signed link and LINE's ID token,
 * and returns the LINE user ID for the candidate.
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import {
	checkCallback,
	describeLinkFailure,
	type CallbackQuery,
	type LinkFailureReason,
} from '../../../../core/login/callback';
import { verifyLineIdToken } from '../../../../core/login/idToken';
import { forOperation } from '../../../shared/displayOptions';
import { asNodeError } from '../../../shared/errors';
import { exchangeAuthorizationCode, readFriendshipStatus, type LoginSettings } from '../../transport';
import type { LoginOperation } from '../operation';

const showForFields = { show: { callbackSource: ['fields'] } };

const description = forOperation('linkCandidate', [
	{
		displayName: 'Callback Data',
		name: 'callbackSource',
		type: 'options',
		default: 'webhookItem',
		description: 'Where the query of the LINE Login callback comes from',
		options: [
			{
				name: 'Incoming Webhook Item',
				value: 'webhookItem',
				description: 'The query of the Webhook node that LINE redirected the candidate to',
			},
			{
				name: 'Define Below',
				value: 'fields',
				description: 'Map each callback parameter yourself',
			},
		],
	},
	{
		displayName: 'Code',
		name: 'code',
		type: 'string',
		default: '={{ $json.query.code }}',
		description: 'The code parameter of the callback',
		displayOptions: showForFields,
	},
	{
		displayName: 'State',
		name: 'state',
		type: 'string',
		default: '={{ $json.query.state }}',
		description: 'The state parameter of the callback (the signed link)',
		displayOptions: showForFields,
	},
	{
		displayName: 'Error',
		name: 'error',
		type: 'string',
		default: '={{ $json.query.error }}',
		description: 'The error parameter of the callback, present when the login failed',
		displayOptions: showForFields,
	},
	{
		displayName: 'Error Description',
		name: 'errorDescription',
		type: 'string',
		default: '={{ $json.query.error_description }}',
		displayOptions: showForFields,
	},
	{
		displayName: 'Friendship Status Changed',
		name: 'friendshipStatusChanged',
		type: 'string',
		default: '={{ $json.query.friendship_status_changed }}',
		description: 'The friendship_status_changed parameter of the callback',
		displayOptions: showForFields,
	},
]);

/** A link that did not happen, with the reason a workflow branches on. */
class LinkFailure extends Error {
	constructor(
		readonly reason: LinkFailureReason,
		readonly detail: string,
		readonly extra: {
			candidateId?: string;
			lineError?: string;
			lineErrorDescription?: string;
		} = {},
	) {
		super(describeLinkFailure(reason, extra.lineError));
	}
}

function queryFromItem(item: INodeExecutionData): CallbackQuery {
	const json = item.json ?? {};
	const query = json.query;
	if (query && typeof query === 'object' && !Array.isArray(query)) return query as CallbackQuery;
	// An item that already is the query (for example from a Set node).
	return json as CallbackQuery;
}

function queryFromFields(ctx: IExecuteFunctions, i: number): CallbackQuery {
	const read = (name: string) => ctx.getNodeParameter(name, i, '') as unknown;
	return {
		code: read('code'),
		state: read('state'),
		error: read('error'),
		error_description: read('errorDescription'),
		friendship_status_changed: read('friendshipStatusChanged'),
	};
}

async function linkOne(
	ctx: IExecuteFunctions,
	settings: LoginSettings,
	query: CallbackQuery,
	i: number,
): Promise<IDataObject> {
	const check = checkCallback(settings.keys, query, Date.now());
	if (!check.ok) {
		throw new LinkFailure(check.reason, check.detail, {
			candidateId: check.candidateId,
			lineError: check.lineError,
			lineErrorDescription: check.lineErrorDescription,
		});
	}
	const candidate = { candidateId: check.candidateId };

	const exchange = await exchangeAuthorizationCode.call(
		ctx,
		settings,
		{ code: check.code, codeVerifier: check.codeVerifier },
		i,
	);
	if (!exchange.ok) {
		throw new LinkFailure(
			'code_rejected',
			`LINE answered ${exchange.error}${exchange.description ? ` (${exchange.description})` : ''}`,
			candidate,
		);
	}
	if (!exchange.idToken) {
		throw new LinkFailure(
			'id_token_invalid',
			'LINE returned no ID token (the openid scope is missing)',
			candidate,
		);
	}
	const verified = verifyLineIdToken(exchange.idToken, {
		channelId: settings.channelId,
		channelSecret: settings.channelSecret,
		nonce: check.nonce,
		now: Date.now(),
	});
	if (!verified.ok) {
		throw new LinkFailure(
			'id_token_invalid',
			`${verified.detail} (${verified.problem})`,
			candidate,
		);
	}

	const friendFlag = exchange.accessToken
		? await readFriendshipStatus.call(ctx, settings, exchange.accessToken, i)
		: null;
	const { claims } = verified;
	const json: IDataObject = {
		linked: true,
		candidateId: check.candidateId,
		lineUserId: claims.sub,
		displayName: claims.name ?? null,
		pictureUrl: claims.picture ?? null,
		friendFlag,
		friendshipStatusChanged: check.friendshipStatusChanged,
		stateId: check.stateId,
		linkExpiresAt: new Date(check.expiresAt).toISOString(),
	};
	if (claims.email !== undefined) json.email = claims.email;
	return json;
}

/** A link that did not happen, as an output item: workflows branch on `linked` and `reason`. */
function notLinked(failure: LinkFailure): IDataObject {
	const json: IDataObject = {
		linked: false,
		reason: failure.reason,
		message: failure.message,
		detail: failure.detail,
		error: failure.message,
	};
	if (failure.extra.candidateId !== undefined) json.candidateId = failure.extra.candidateId;
	if (failure.extra.lineError !== undefined) json.lineError = failure.extra.lineError;
	if (failure.extra.lineErrorDescription !== undefined) {
		json.lineErrorDescription = failure.extra.lineErrorDescription;
	}
	return json;
}

async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	settings: LoginSettings,
): Promise<IDataObject> {
	const source = this.getNodeParameter('callbackSource', itemIndex, 'webhookItem') as string;
	const query =
		source === 'fields'
			? queryFromFields(this, itemIndex)
			: queryFromItem(this.getInputData()[itemIndex]);
	try {
		return await linkOne(this, settings, query, itemIndex);
	} catch (error) {
		if (!(error instanceof LinkFailure)) throw asNodeError(this.getNode(), error, itemIndex);
		if (this.continueOnFail()) return notLinked(error);
		throw new NodeOperationError(this.getNode(), error.message, {
			itemIndex,
			description: `Reason: ${error.reason}. ${error.detail}`,
		});
	}
}

export const linkCandidate: LoginOperation = { description, execute };
