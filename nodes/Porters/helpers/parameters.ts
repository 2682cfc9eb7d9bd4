/**
 * Reading the PORTERS node's parameters into what PORTERS accepts, with errors that name the
 * item and say what to fix: the client for a run, field aliases and values, owners, record IDs
 * and LINE user IDs.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { isLineUserId } from '../../../core/line/ids';
import type { WriteValue } from '../../../core/porters/codec';
import { isFieldAlias } from '../../../core/porters/fields';
import { PORTERS_BACKOFF } from '../../../core/porters/pacing';
import { toWriteValue } from '../../../core/porters/values';
import { PortersClient } from '../transport';

/**
 * The client for one node run, paced by the run's Reads/Writes per Minute options. The hidden
 * Retry Delay (Ms) parameter is read here only; whoever repeats requests uses the client's policy.
 */
export async function createClient(ctx: IExecuteFunctions, options: IDataObject = {}): Promise<PortersClient> {
	return await PortersClient.create(ctx, {
		backoffBaseMs: Number(ctx.getNodeParameter('retryDelayMs', 0, PORTERS_BACKOFF.baseDelayMs)),
		readsPerMinute: options.readsPerMinute as number | undefined,
		writesPerMinute: options.writesPerMinute as number | undefined,
		maxRequestChars: options.maxRequestSize as number | undefined,
	});
}

/** A field alias of this resource (`prefix`), e.g. Person.P_Name or Person.U_…. */
export function checkAlias(ctx: IExecuteFunctions, alias: string, prefix: string, itemIndex: number): string {
	const trimmed = String(alias ?? '').trim();
	if (!isFieldAlias(trimmed)) {
		throw new NodeOperationError(ctx.getNode(), `"${trimmed}" is not a PORTERS field alias`, {
			itemIndex,
			description: `Field aliases look like ${prefix}.P_Name (standard) or ${prefix}.U_1A2B… (custom). Pick the field from the list, or copy its alias from PORTERS.`,
		});
	}
	if (!trimmed.startsWith(`${prefix}.`)) {
		throw new NodeOperationError(ctx.getNode(), `The field ${trimmed} does not belong here`, {
			itemIndex,
			description: `Only ${prefix}.… fields can be written by this operation.`,
		});
	}
	return trimmed;
}

/** The field/value list of a Fields parameter, as aliases and write values. */
export function readFieldValues(
	ctx: IExecuteFunctions,
	itemIndex: number,
	prefix: string,
	parameter = 'fieldValues',
): Array<[string, WriteValue]> {
	const collection = ctx.getNodeParameter(parameter, itemIndex, {}) as {
		field?: Array<{ alias: string; value: unknown }>;
	};
	return (collection.field ?? []).map(({ alias, value }) => [
		checkAlias(ctx, alias, prefix, itemIndex),
		toWriteValue(value),
	]);
}

/** The Owner parameter, else the credential's Default Owner User ID. */
export function readOwner(
	ctx: IExecuteFunctions,
	itemIndex: number,
	client: PortersClient,
	required: boolean,
): number | undefined {
	const raw = ctx.getNodeParameter('owner', itemIndex, '', { extractValue: true }) as string | number;
	const text = String(raw ?? '').trim();
	if (text !== '') {
		const id = Number(text);
		if (!Number.isInteger(id) || id <= 0) {
			throw new NodeOperationError(ctx.getNode(), `"${text}" is not a PORTERS user ID`, { itemIndex });
		}
		return id;
	}
	if (client.defaultOwnerUserId !== undefined) return client.defaultOwnerUserId;
	if (required) {
		throw new NodeOperationError(ctx.getNode(), 'PORTERS needs an owner for a new record', {
			itemIndex,
			description:
				'Choose an Owner in this node, or set a Default Owner User ID in the PORTERS credential.',
		});
	}
	return undefined;
}

export function readRecordId(ctx: IExecuteFunctions, itemIndex: number, parameter: string, what: string): number {
	const raw = ctx.getNodeParameter(parameter, itemIndex, '') as string | number;
	const id = Number(String(raw).trim());
	if (String(raw).trim() === '' || !Number.isInteger(id) || id <= 0) {
		throw new NodeOperationError(ctx.getNode(), `"${String(raw)}" is not a valid ${what} ID`, {
			itemIndex,
			description: `A PORTERS ${what} ID is a positive whole number.`,
		});
	}
	return id;
}

/** LINE user IDs are "U" and 32 lower-case hex characters; anything else is a wiring mistake. */
export function checkLineUserId(ctx: IExecuteFunctions, value: string, itemIndex: number): void {
	if (!isLineUserId(value)) {
		throw new NodeOperationError(ctx.getNode(), `"${value}" is not a LINE user ID`, {
			itemIndex,
			description:
				'A LINE user ID is "U" followed by 32 hexadecimal characters, e.g. from {{ $json.source.userId }} of the LINE Trigger. Display names and LINE IDs chosen by users cannot be used.',
		});
	}
}
