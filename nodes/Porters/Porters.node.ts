import {
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as createActivity from './actions/activity/create';
import * as createCandidate from './actions/candidate/create';
import * as findCandidate from './actions/candidate/find';
import * as updateCandidate from './actions/candidate/update';
import * as upsertCandidate from './actions/candidate/upsert';
import { backoffParameter } from './actions/common';
import * as getResume from './actions/resume/get';
import { searchUsers } from './methods/listSearch';
import {
	getActivityFields,
	getCandidateFields,
	getCandidateTextFields,
	getResumeFields,
} from './methods/loadOptions';

type Operation = {
	execute: (this: IExecuteFunctions, items: INodeExecutionData[]) => Promise<INodeExecutionData[]>;
};

const OPERATIONS: Record<string, Record<string, Operation>> = {
	candidate: {
		create: createCandidate,
		update: updateCandidate,
		upsertByLineUserId: upsertCandidate,
		find: findCandidate,
	},
	resume: { get: getResume },
	activity: { create: createActivity },
};

export class Porters implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'PORTERS',
		name: 'porters',
		icon: { light: 'file:porters.svg', dark: 'file:porters.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Create and update candidates, read resumes and record activities in PORTERS (HRBC)',
		defaults: { name: 'PORTERS' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'portersApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Activity', value: 'activity' },
					{ name: 'Candidate', value: 'candidate' },
					{ name: 'Resume', value: 'resume' },
				],
				default: 'candidate',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['candidate'] } },
				options: [
					{
						name: 'Create Candidate',
						value: 'create',
						description: 'Create a candidate (個人連絡先) for each item, e.g. with a LINE user ID',
						action: 'Create candidate',
					},
					{
						name: 'Find Candidate',
						value: 'find',
						description: 'Find candidates by LINE user ID, e-mail, ID or a condition',
						action: 'Find candidate',
					},
					{
						name: 'Update Candidate',
						value: 'update',
						description: 'Change fields of an existing candidate, e.g. mark as blocked on LINE',
						action: 'Update candidate',
					},
					{
						name: 'Upsert Candidate by LINE User ID',
						value: 'upsertByLineUserId',
						description:
							'Update the candidate with this LINE user ID, or create one if there is none (safe for repeated follow events)',
						action: 'Upsert candidate by LINE user ID',
					},
				],
				default: 'upsertByLineUserId',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['resume'] } },
				options: [
					{
						name: 'Get Resume',
						value: 'get',
						description: 'Read resumes with fields of their candidate (LINE user ID, owner, name, …)',
						action: 'Get resume',
					},
				],
				default: 'get',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['activity'] } },
				options: [
					{
						name: 'Create Activity',
						value: 'create',
						description: 'Record an activity against a candidate or resume, e.g. an incoming LINE message',
						action: 'Create activity',
					},
				],
				default: 'create',
			},
			...createCandidate.description,
			...updateCandidate.description,
			...upsertCandidate.description,
			...findCandidate.description,
			...getResume.description,
			...createActivity.description,
			backoffParameter,
		],
	};

	methods = {
		listSearch: { searchUsers },
		loadOptions: { getCandidateFields, getCandidateTextFields, getResumeFields, getActivityFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const resource = this.getNodeParameter('resource', 0) as string;
		const operation = this.getNodeParameter('operation', 0) as string;
		const handler = OPERATIONS[resource]?.[operation];
		if (!handler) {
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for ${resource}`);
		}
		return [await handler.execute.call(this, items)];
	}
}
