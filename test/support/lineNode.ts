/** Shared setup of the LINE node tests: a sandbox, a credential pointing at it, a context. */
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INodeExecutionData,
} from 'n8n-workflow';
import { LineMessagingApi } from '../../credentials/LineMessagingApi.credentials';
import { Line } from '../../nodes/Line/Line.node';
import { LineSandbox, type LineSandboxOptions } from '../../sandbox/line/server';
import { createExecuteContext, type ParameterValue, type RecordedHttpCall } from './n8nContext';

export const TOKEN = 'sandbox-channel-access-token';
export const TARO = 'U4af4980629b8f2f9d1b34f6b0e1a7c01';
export const HANAKO = 'U9c3e5a7b1d2f4e6a8b0c2d4e6f8a0b1c';

export async function startSandbox(options: LineSandboxOptions = {}): Promise<LineSandbox> {
	const sandbox = new LineSandbox(options);
	await sandbox.start(0);
	return sandbox;
}

export interface RunOptions {
	resource: string;
	operation: string;
	parameters?: Record<string, ParameterValue>;
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	nodeId?: string;
	accessToken?: string;
	apiBaseUrl?: string;
	onRequest?: (call: RecordedHttpCall) => void;
	/** Further credentials attached to the node (e.g. PORTERS for Check Setup). */
	otherCredentials?: Record<string, { data: ICredentialDataDecryptedObject; type: ICredentialType }>;
}

export function lineContext(sandbox: LineSandbox, options: RunOptions) {
	const others = options.otherCredentials ?? {};
	const ctx = createExecuteContext({
		parameters: {
			resource: options.resource,
			operation: options.operation,
			// Short retry delays keep the tests fast; the retry count stays the production one.
			retryBaseDelayMs: 2,
			retryMaxDelayMs: 10,
			...options.parameters,
		},
		items: options.items,
		continueOnFail: options.continueOnFail,
		onRequest: options.onRequest,
		node: {
			id: options.nodeId ?? 'line-node-1',
			name: 'LINE',
			type: 'n8n-nodes-line-porters.line',
			credentials: Object.fromEntries(
				['lineMessagingApi', ...Object.keys(others)].map((type) => [type, { id: `${type}-1`, name: type }]),
			),
		},
		credentials: {
			lineMessagingApi: {
				channelId: sandbox.messaging.channelId,
				channelSecret: sandbox.messaging.channelSecret,
				accessToken: options.accessToken ?? TOKEN,
				apiBaseUrl: options.apiBaseUrl ?? sandbox.url,
				dataApiBaseUrl: sandbox.dataUrl,
			},
			...Object.fromEntries(Object.entries(others).map(([type, other]) => [type, other.data])),
		},
		credentialTypes: {
			lineMessagingApi: new LineMessagingApi(),
			...Object.fromEntries(Object.entries(others).map(([type, other]) => [type, other.type])),
		},
	});
	Object.assign(ctx.helpers, { prepareBinaryData });
	return ctx;
}

/**
 * n8n's `prepareBinaryData` in its default (in-memory) mode: the bytes as base64 with the given
 * name and type, the extension taken from the name, the size in n8n's readable form.
 */
async function prepareBinaryData(bytes: Buffer, fileName?: string, mimeType?: string): Promise<IBinaryData> {
	const extension = fileName && fileName.includes('.') ? fileName.split('.').pop() : undefined;
	return {
		data: bytes.toString('base64'),
		mimeType: mimeType ?? 'application/octet-stream',
		fileName,
		fileExtension: extension,
		fileSize: `${bytes.length} B`,
	};
}

/** Runs the node once and returns its single output, plus the context for assertions. */
export async function runLine(sandbox: LineSandbox, options: RunOptions) {
	const ctx = lineContext(sandbox, options);
	const [output] = await new Line().execute.call(ctx);
	return { output, json: output.map((item) => item.json as IDataObject), ctx };
}

/** A text message in the node's field editor. */
export function textMessages(...texts: string[]) {
	return { message: texts.map((text) => ({ type: 'text', text })) };
}

/** The API requests the sandbox saw for one path (admin calls excluded). */
export function requestsTo(sandbox: LineSandbox, path: string) {
	return sandbox.requests.filter((request) => request.path === path);
}

/** Makes `count` users who are friends of the account, with valid distinct user IDs. */
export function friendUsers(count: number, offset = 0) {
	return Array.from({ length: count }, (_, index) => ({
		userId: `U${(index + offset).toString(16).padStart(32, '0')}`,
		displayName: `Friend ${index + offset}`,
		isFriend: true,
	}));
}
