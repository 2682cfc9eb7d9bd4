import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as activity from './actions/activity';
import * as candidate from './actions/candidate';
import { retryDelayParameter } from './actions/descriptions';
import * as resume from './actions/resume';
import { router } from './actions/router';
import { operationSubtitle } from '../shared/operationSubtitle';
import * as user from './actions/user';
import { searchUsers } from './methods/listSearch';
import {
	getActivityFields,
	getCandidateFields,
	getCandidateTextFields,
	getResumeFields,
} from './methods/loadOptions';

const operationSelectors = [
	candidate.operationSelector,
	resume.operationSelector,
	activity.operationSelector,
	user.operationSelector,
];

const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Activity', value: 'activity' },
			{ name: 'Candidate', value: 'candidate' },
			{ name: 'Resume', value: 'resume' },
			{ name: 'User', value: 'user' },
		],
		default: 'candidate',
	},
	...operationSelectors,
	...candidate.parameters,
	...resume.parameters,
	...activity.parameters,
	...user.parameters,
	retryDelayParameter,
];

export class Porters implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'PORTERS',
		name: 'porters',
		icon: { light: 'file:porters.svg', dark: 'file:porters.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: operationSubtitle(operationSelectors),
		description: 'Create and update candidates, read resumes, record and read activities, look up users in PORTERS (HRBC)',
		defaults: { name: 'PORTERS' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'portersApi', required: true }],
		properties,
	};

	methods = {
		listSearch: { searchUsers },
		loadOptions: { getCandidateFields, getCandidateTextFields, getResumeFields, getActivityFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
