/**
 * Values from a workflow turned into what a PORTERS write expects. Parameters arrive as text
 * (or whatever an expression produced); option fields take option aliases, which users type as
 * `Option.U_LineBlocked` or several separated by commas.
 */
import type { WriteValue } from './codec';

const OPTION_LIST = /^\s*Option\.[A-Za-z0-9_]+(\s*,\s*Option\.[A-Za-z0-9_]+)*\s*$/;

/** Turns a parameter value into a write value: option aliases become option elements. */
export function toWriteValue(value: unknown): WriteValue {
	if (value === null || value === undefined) return null;
	if (typeof value === 'number') return value;
	if (typeof value === 'boolean') return value ? '1' : '0';
	if (Array.isArray(value) && value.every((v) => typeof v === 'string' && v.startsWith('Option.'))) {
		return { options: value as string[] };
	}
	const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
	if (OPTION_LIST.test(text)) return { options: text.split(',').map((s) => s.trim()) };
	return text;
}
