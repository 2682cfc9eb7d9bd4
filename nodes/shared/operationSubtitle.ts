/**
 * The subtitle n8n shows under a node on the canvas: the chosen operation's display name
 * ("Create Candidate"), not its internal value. Operation values repeat across resources
 * (`create` for candidates and activities), so the lookup key is `resource:operation`.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

export function operationSubtitle(operationSelectors: INodeProperties[]): string {
	const names: Record<string, string> = {};
	for (const selector of operationSelectors) {
		const resources = (selector.displayOptions?.show?.resource as string[] | undefined) ?? [''];
		for (const option of (selector.options ?? []) as INodePropertyOptions[]) {
			for (const resource of resources) names[`${resource}:${String(option.value)}`] = option.name;
		}
	}
	// An object literal inside an expression must be wrapped in parentheses.
	return `={{ (${JSON.stringify(names)})[($parameter["resource"] || "") + ":" + $parameter["operation"]] }}`;
}
