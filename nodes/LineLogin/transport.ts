/**
 * The only place that talks to the LINE Login API: the token exchange and the friendship status.
 * Errors are rebuilt from LINE's answer alone, never from the request, because the request body
 * carries the channel secret and the PKCE verifier.
 */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type JsonObject,
} from 'n8n-workflow';

import { checkCallbackUrl, normaliseBaseUrl } from '../../core/login/authorize';
import { deriveLinkKeys, type LinkKeys } from '../../core/login/keys';

export const LINE_LOGIN_CREDENTIAL = 'lineLoginApi';
const DEFAULT_API_BASE_URL = 'https://api.line.me';
const DEFAULT_AUTHORIZE_BASE_URL = 'https://access.line.me';

export interface LoginSettings {
	channelId: string;
	channelSecret: string;
	callbackUrl: string;
	authorizeBaseUrl: string;
	apiBaseUrl: string;
	keys: LinkKeys;
}

/** Reads and checks the LINE Login credential once per execution. */
export async function loadLoginSettings(this: IExecuteFunctions): Promise<LoginSettings> {
	const credentials = await this.getCredentials(LINE_LOGIN_CREDENTIAL);
	const channelId = String(credentials.channelId ?? '').trim();
	const channelSecret = String(credentials.channelSecret ?? '');
	const problem = (message: string, description?: string) =>
		new NodeOperationError(this.getNode(), message, { description });
	if (!/^\d+$/.test(channelId)) {
		throw problem(
			'The LINE Login credential has no valid channel ID',
			'Copy the channel ID (digits only) from the LINE Login channel → Basic settings.',
		);
	}
	if (channelSecret === '') throw problem('The LINE Login credential has no channel secret');
	let callbackUrl: string;
	let authorizeBaseUrl: string;
	let apiBaseUrl: string;
	try {
		callbackUrl = checkCallbackUrl(String(credentials.callbackUrl ?? ''));
		authorizeBaseUrl = normaliseBaseUrl(
			String(credentials.authorizeBaseUrl || DEFAULT_AUTHORIZE_BASE_URL),
			'The authorize base URL',
		);
		apiBaseUrl = normaliseBaseUrl(
			String(credentials.apiBaseUrl || DEFAULT_API_BASE_URL),
			'The API base URL',
		);
	} catch (error) {
		throw problem(
			`The LINE Login credential is incomplete: ${(error as Error).message}`,
			'The callback URL must be the production URL of the Webhook node that receives the LINE Login callback.',
		);
	}
	const keys = deriveLinkKeys({
		channelId,
		channelSecret,
		linkSigningSecret: String(credentials.linkSigningSecret ?? ''),
	});
	return { channelId, channelSecret, callbackUrl, authorizeBaseUrl, apiBaseUrl, keys };
}

interface FullResponse {
	statusCode: number;
	body: unknown;
	headers: Record<string, string | string[] | undefined>;
}

function asObject(body: unknown): IDataObject {
	return body && typeof body === 'object' && !Array.isArray(body) ? (body as IDataObject) : {};
}

function requestIdOf(headers: FullResponse['headers'] | undefined): string | undefined {
	const value = headers?.['x-line-request-id'];
	return Array.isArray(value) ? value[0] : value;
}

/** Printable ASCII, short: LINE's error strings are shown to people and stored in executions. */
function clean(value: unknown): string | undefined {
	if (typeof value !== 'string' || value === '') return undefined;
	return value.replace(/[^\x20-\x7e]/g, '').slice(0, 200);
}

function connectionError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError {
	const raw = error as { code?: unknown; cause?: { code?: unknown } };
	const code = [raw.cause?.code, raw.code].find(
		(c) => typeof c === 'string' && /^[A-Z_]+$/.test(c),
	);
	// The code goes into the description only: as a property, n8n would swap in its generic text.
	const summary: JsonObject = { message: 'No answer from the LINE Login API' };
	return new NodeApiError(ctx.getNode(), summary, {
		message: 'Could not reach the LINE Login API',
		description: `Check the API base URL of the LINE Login credential and the network${code ? ` (${String(code)})` : ''}.`,
		itemIndex,
	});
}

async function send(
	ctx: IExecuteFunctions,
	request: {
		method: 'GET' | 'POST';
		baseURL: string;
		url: string;
		headers: IDataObject;
		body?: IDataObject;
	},
	itemIndex: number,
): Promise<FullResponse> {
	try {
		return (await ctx.helpers.httpRequestWithAuthentication.call(ctx, LINE_LOGIN_CREDENTIAL, {
			...request,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as FullResponse;
	} catch (error) {
		// Only a dropped connection gets here (HTTP statuses are answers). Never pass the original
		// error on: it would carry the request, and with it the secret.
		throw connectionError(ctx, error, itemIndex);
	}
}

export type TokenExchange =
	| { ok: true; idToken?: string; accessToken?: string; scope?: string }
	| { ok: false; error: string; description?: string };

/**
 * `POST /oauth2/v2.1/token` with the PKCE verifier. `invalid_grant` (a used, expired or foreign
 * code) is returned as an answer; a rejected channel or a LINE failure is thrown.
 */
export async function exchangeAuthorizationCode(
	this: IExecuteFunctions,
	settings: LoginSettings,
	input: { code: string; codeVerifier: string },
	itemIndex: number,
): Promise<TokenExchange> {
	const response = await send(
		this,
		{
			method: 'POST',
			baseURL: settings.apiBaseUrl,
			url: '/oauth2/v2.1/token',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: {
				grant_type: 'authorization_code',
				code: input.code,
				redirect_uri: settings.callbackUrl,
				code_verifier: input.codeVerifier,
			},
		},
		itemIndex,
	);
	const body = asObject(response.body);
	const error = clean(body.error);
	const description = clean(body.error_description);
	if (response.statusCode === 200 && typeof body.access_token === 'string') {
		return {
			ok: true,
			accessToken: body.access_token,
			idToken: typeof body.id_token === 'string' ? body.id_token : undefined,
			scope: typeof body.scope === 'string' ? body.scope : undefined,
		};
	}
	if (response.statusCode >= 400 && response.statusCode < 500 && error === 'invalid_grant') {
		return { ok: false, error, description };
	}
	const requestId = requestIdOf(response.headers);
	const details = {
		error: error ?? null,
		error_description: description ?? null,
		...(requestId ? { requestId } : {}),
	};
	if (error === 'invalid_client') {
		throw new NodeApiError(this.getNode(), details as JsonObject, {
			message: 'LINE did not accept the channel ID or channel secret of the LINE Login credential',
			description:
				'Copy both again from the LINE Login channel → Basic settings in the LINE Developers console.',
			httpCode: String(response.statusCode),
			itemIndex,
		});
	}
	const meaning =
		response.statusCode === 429
			? 'LINE is limiting requests from this channel right now; try again later'
			: response.statusCode >= 500
				? 'LINE had an internal error during the login'
				: 'LINE refused the token request';
	throw new NodeApiError(this.getNode(), details as JsonObject, {
		message: `${meaning}${error ? ` (${error}${description ? `: ${description}` : ''})` : ''}`,
		description: requestId ? `LINE request ID: ${requestId}` : undefined,
		httpCode: String(response.statusCode),
		itemIndex,
	});
}

/**
 * `GET /friendship/v1/status` with the user's access token. null when LINE does not say (no
 * linked official account, missing profile scope, or a failure): the link itself stays valid.
 */
export async function readFriendshipStatus(
	this: IExecuteFunctions,
	settings: LoginSettings,
	accessToken: string,
	itemIndex: number,
): Promise<boolean | null> {
	let response: FullResponse;
	try {
		response = await send(
			this,
			{
				method: 'GET',
				baseURL: settings.apiBaseUrl,
				url: '/friendship/v1/status',
				headers: { Authorization: `Bearer ${accessToken}` },
			},
			itemIndex,
		);
	} catch {
		// The code is spent by now; losing the whole link over this optional detail would be worse.
		return null;
	}
	const flag = asObject(response.body).friendFlag;
	return response.statusCode === 200 && typeof flag === 'boolean' ? flag : null;
}
