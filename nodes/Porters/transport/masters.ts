/**
 * PORTERS master data, read through the client: users (the owner chooser), the fields of a
 * resource (field lists, alias checks), option names (readable option values) and the
 * credential's partition (Check Setup of the LINE node).
 */
import { NodeOperationError } from 'n8n-workflow';

import type { PortersRecord } from '../../../core/porters/codec';
import type { OptionNames } from '../../../core/porters/recordJson';
import { childElements, firstChild, textOf, type XmlElement } from '../../../core/porters/xml';
import { PortersClient, type PortersContext } from './client';

export interface PortersFieldInfo {
	alias: string;
	name: string;
	/** Numeric PORTERS field type (1 = single-line text, 7 = dropdown, 17 = user, …). */
	type: number;
	optionRoot?: string;
}

function text(value: PortersRecord[string] | undefined): string {
	return value && value.type === 'text' ? value.value : '';
}

/** Active and inactive users (User Read, request_type=1). */
export async function listUsers(client: PortersClient): Promise<Array<{ id: number; name: string; mail: string }>> {
	const records = await client.readRecords('user', { request_type: 1, user_type: -1 });
	return records.map((r) => ({
		id: Number(text(r['User.P_Id'])),
		name: text(r['User.P_Name']),
		mail: text(r['User.P_Mail']),
	}));
}

/** The fields of a resource (Field Read), by PORTERS's resource number. */
export async function listFields(client: PortersClient, resourceId: number): Promise<PortersFieldInfo[]> {
	const records = await client.readRecords('field', { resource: resourceId });
	return records.map((r) => {
		const referTo = r['Field.P_ReferTo'];
		return {
			alias: text(r['Field.P_Alias']),
			name: text(r['Field.P_Name']),
			type: Number(text(r['Field.P_Type'])),
			optionRoot:
				referTo && referTo.type === 'option' && referTo.options.length > 0 ? referTo.options[0].alias : undefined,
		};
	});
}

/**
 * Option aliases and IDs mapped to names, from Option Read (children nest under `<Items>`).
 * `level` is left out: the official Option Read page documents -1 (all levels) as its default and
 * 0 as "the siblings of the item named by `alias`", so `level=0` without an alias asks for nothing.
 */
export async function readOptionNames(client: PortersClient): Promise<OptionNames> {
	const { root } = await client.request('read', 'GET', 'option', { enabled: -1 });
	const byAlias = new Map<string, string>();
	const byId = new Map<number, string>();
	const walk = (parent: XmlElement) => {
		for (const item of childElements(parent).filter((e) => e.name === 'Item')) {
			const name = textOf(firstChild(item, 'Option.P_Name') ?? item);
			const alias = firstChild(item, 'Option.P_Alias');
			const id = firstChild(item, 'Option.P_Id');
			if (alias) byAlias.set(textOf(alias).trim(), name);
			if (id) byId.set(Number(textOf(id).trim()), name);
			const nested = firstChild(item, 'Items');
			if (nested) walk(nested);
		}
	};
	walk(root);
	return { byAlias, byId };
}

/**
 * Reads the credential's partition, for the credential check of other nodes ("Check Setup").
 * Resolves with the partition's name, or rejects with an error that says what is wrong.
 */
export async function checkPortersPartition(
	ctx: PortersContext,
): Promise<{ partitionId: number; name: string; companyId: string }> {
	const client = await PortersClient.create(ctx, { maxRetries: 1 });
	const records = await client.readRecords('partition', { request_type: 1 });
	const mine = records.find((r) => Number(text(r['Partition.P_Id'])) === client.partitionId);
	if (!mine) {
		throw new NodeOperationError(ctx.getNode(), `The PORTERS app cannot reach partition ${client.partitionId}`, {
			description: `Partitions this app can reach: ${
				records.map((r) => `${text(r['Partition.P_Id'])} (${text(r['Partition.P_Name'])})`).join(', ') || 'none'
			}. Fix the Partition ID in the PORTERS credential.`,
		});
	}
	return {
		partitionId: client.partitionId,
		name: text(mine['Partition.P_Name']),
		companyId: text(mine['Partition.P_CompanyId']),
	};
}
