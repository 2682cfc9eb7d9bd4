/** What a LINE Login operation is: its fields and the work for one item, run by the router. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { LoginSettings } from '../transport';

export interface LoginOperation {
	description: INodeProperties[];
	/** The output of one input item; the router pairs it with the item and handles errors. */
	execute: (this: IExecuteFunctions, itemIndex: number, settings: LoginSettings) => Promise<IDataObject>;
}
