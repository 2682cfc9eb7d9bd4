import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { PORTERS_RESOURCES } from '../../../core/porters/resources';
import { listFields, PortersClient, type PortersFieldInfo } from '../transport';

/** Field types that cannot be written (IDs and system dates). */
const SYSTEM_SUFFIXES = ['P_Id', 'P_RegistrationDate', 'P_UpdateDate', 'P_RegisteredBy', 'P_UpdatedBy'];
const TEXT_TYPES = new Set([1]);

async function fields(ctx: ILoadOptionsFunctions, resourceId: number): Promise<PortersFieldInfo[]> {
	const client = await PortersClient.create(ctx, { maxRetries: 1 });
	return await listFields(client, resourceId);
}

function toOptions(list: PortersFieldInfo[]): INodePropertyOptions[] {
	return list
		.map((f) => ({ name: `${f.name} (${f.alias})`, value: f.alias }))
		.sort((a, b) => a.name.localeCompare(b.name, 'ja'));
}

export async function getCandidateFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return toOptions(await fields(this, PORTERS_RESOURCES.candidate.resourceId));
}

/** Custom single-line text fields of candidates: where a LINE user ID can be stored. */
export async function getCandidateTextFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const list = await fields(this, PORTERS_RESOURCES.candidate.resourceId);
	return toOptions(list.filter((f) => f.alias.startsWith('Person.U_') && TEXT_TYPES.has(f.type)));
}

export async function getResumeFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return toOptions(await fields(this, PORTERS_RESOURCES.resume.resourceId));
}

export async function getActivityFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const list = await fields(this, PORTERS_RESOURCES.activity.resourceId);
	return toOptions(list.filter((f) => !SYSTEM_SUFFIXES.some((s) => f.alias.endsWith(`.${s}`))));
}
