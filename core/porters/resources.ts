/**
 * The PORTERS resources this package reads and writes, written once. For each: the XML root of a
 * write request, the prefix of its field aliases, PORTERS's resource number (`resourceId`, what
 * Field Read's `resource=` and Activity.P_Resource take) and a plural for messages
 * (../shared/docs/porters-api.md §5, Resource model).
 */
export type PortersResource = 'candidate' | 'resume' | 'activity';

export interface PortersResourceInfo {
	/** Root element of a write request, e.g. `<Candidate><Item>…`. */
	root: string;
	/** Field alias prefix, e.g. `Person` in `Person.P_Name`. */
	prefix: string;
	/** PORTERS's number for the resource. */
	resourceId: number;
	/** Plural for messages. */
	label: string;
}

export const PORTERS_RESOURCES: Readonly<Record<PortersResource, PortersResourceInfo>> = {
	candidate: { root: 'Candidate', prefix: 'Person', resourceId: 1, label: 'candidates' },
	resume: { root: 'Resume', prefix: 'Resume', resourceId: 17, label: 'resumes' },
	activity: { root: 'Activity', prefix: 'Activity', resourceId: 19, label: 'activities' },
};

/** The alias of a resource's record ID field, e.g. `Person.P_Id`. */
export function idAliasOf(resource: PortersResource): string {
	return `${PORTERS_RESOURCES[resource].prefix}.P_Id`;
}
