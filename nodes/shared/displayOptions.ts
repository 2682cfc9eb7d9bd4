/**
 * How every node of this package shows a property only for its own operation: n8n's own
 * `updateDisplayOptions`, given the resource and operation (or only the operation, in a node that
 * has no Resource parameter, such as LINE Login).
 */
import { updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

export function forOperation(resource: string, operation: string, properties: INodeProperties[]): INodeProperties[];
export function forOperation(operation: string, properties: INodeProperties[]): INodeProperties[];
export function forOperation(
	...args: [string, string, INodeProperties[]] | [string, INodeProperties[]]
): INodeProperties[] {
	const show = args.length === 3 ? { resource: [args[0]], operation: [args[1]] } : { operation: [args[0]] };
	return updateDisplayOptions({ show }, args.length === 3 ? args[2] : args[1]);
}
