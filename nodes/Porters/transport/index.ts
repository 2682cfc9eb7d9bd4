/**
 * The only place that talks to PORTERS: the client with its request loop (client.ts), the
 * errors a request ends with (errors.ts) and master data read through it (masters.ts).
 */
export {
	PORTERS_CREDENTIAL,
	PortersClient,
	type PortersClientOptions,
	type PortersClientStats,
	type PortersContext,
	type PortersResponse,
} from './client';
export { PortersResultError, PortersTooLargeError, PortersUnknownOutcomeError } from './errors';
export { checkPortersPartition, listFields, listUsers, readOptionNames, type PortersFieldInfo } from './masters';
