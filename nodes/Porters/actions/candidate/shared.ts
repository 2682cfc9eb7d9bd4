import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

const LINE_USER_ID = /^U[0-9a-f]{32}$/;

/** LINE user IDs are "U" and 32 lower-case hex characters; anything else is a wiring mistake. */
export function checkLineUserId(ctx: IExecuteFunctions, value: string, itemIndex: number): void {
	if (!LINE_USER_ID.test(value)) {
		throw new NodeOperationError(ctx.getNode(), `"${value}" is not a LINE user ID`, {
			itemIndex,
			description:
				'A LINE user ID is "U" followed by 32 hexadecimal characters, e.g. from {{ $json.source.userId }} of the LINE Trigger. Display names and LINE IDs chosen by users cannot be used.',
		});
	}
}
