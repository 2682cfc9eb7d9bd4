/** Reading an item's parameters, and reporting everything wrong with them as one error. */
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import type { MessageProblem } from '../../../core/line/messages';

/** A text parameter, trimmed; empty when it is missing. */
export function stringParameter(ctx: IExecuteFunctions, name: string, itemIndex: number): string {
	const value = ctx.getNodeParameter(name, itemIndex, '');
	return value === undefined || value === null ? '' : String(value).trim();
}

/** One error for everything wrong with an item's input, naming the item and each field. */
export function inputError(
	ctx: IExecuteFunctions,
	itemIndex: number,
	problems: MessageProblem[],
): NodeOperationError {
	const [first] = problems;
	const others = problems.length - 1;
	const more = others > 0 ? ` (and ${others} more problem${others > 1 ? 's' : ''})` : '';
	const message = `Item ${itemIndex}: ${first.property} ${first.message}${more}`;
	const listed = problems.slice(0, 20).map((p) => `• ${p.property} ${p.message}`);
	if (problems.length > listed.length) listed.push(`• … and ${problems.length - listed.length} more`);
	return new NodeOperationError(ctx.getNode(), message, { itemIndex, description: listed.join('\n') });
}
