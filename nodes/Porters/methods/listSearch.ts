import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { listUsers, PortersClient } from '../transport';

/** Users for the owner chooser (User Read, request_type=1), filtered by name, e-mail or ID. */
export async function searchUsers(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const client = await PortersClient.create(this, { maxRetries: 1 });
	const users = await listUsers(client);
	const needle = (filter ?? '').trim().toLowerCase();
	return {
		results: users
			.filter(
				(u) =>
					needle === '' ||
					u.name.toLowerCase().includes(needle) ||
					u.mail.toLowerCase().includes(needle) ||
					String(u.id) === needle,
			)
			.map((u) => ({ name: u.mail ? `${u.name} (${u.mail})` : u.name, value: String(u.id) })),
	};
}
