/**
 * Option Read (`GET /v1/option`) as PORTERS's Option-Read page documents it
 * (https://hrbcapi.porters.jp/hc/en-us/articles/115012160328, porters-evidence.md #5):
 *
 * - `level` (default -1): -1 = all levels; 0 = the siblings of the item named by `alias`;
 *   1 or more = "the children of the item specified by the alias".
 * - `alias`: the item to read; `enabled` (default -1): -1 all, 0 unused only, 1 in use only;
 *   `count`: the maximum number of items, all when omitted.
 * - Items carry Option.P_Id, P_Name, P_Alias, P_ParentId, P_Type, P_Order and nested `<Items>`;
 *   no Total/Count/Start. A root's P_ParentId is 0, as in the page's sample.
 *
 * Readings the page leaves open (each chosen as the most literal one, or a switch):
 * - level N ≥ 1 is read as a depth: the aliased item's children down to N levels (1 = only the
 *   children); without `alias`, the top N levels, the roots being level 1.
 * - level 0 without `alias`, an unknown alias, and whether "siblings" include the item itself
 *   are switches (`optionLevel0WithoutAlias`, `optionUnknownAlias`, `optionSiblingsIncludeSelf`).
 * - An item whose children are not output gets an empty `<Items/>`, as leaves do in the sample.
 * - `enabled` filters every level; an option left out takes its descendants with it.
 * - `count` limits the items at the top of the answer.
 */
import { element, type XmlElement, type XmlNode } from '../../core/porters/xml';
import { PortersCodeError, type FixtureOption } from './store';
import type { PortersSwitches } from './switches';

export interface OptionReadParams {
	level: string | null;
	alias: string | null;
	enabled: string | null;
	count: string | null;
}

type OptionSwitches = Pick<
	PortersSwitches,
	'optionLevel0WithoutAlias' | 'optionUnknownAlias' | 'optionSiblingsIncludeSelf'
>;

interface Located {
	option: FixtureOption;
	parent?: FixtureOption;
	/** The list the option sits in (its siblings, itself included). */
	siblings: FixtureOption[];
}

function locate(tree: FixtureOption[], alias: string, parent?: FixtureOption): Located | undefined {
	for (const option of tree) {
		if (option.alias === alias) return { option, parent, siblings: tree };
		const found = locate(option.children ?? [], alias, option);
		if (found) return found;
	}
	return undefined;
}

function integerParam(raw: string | null, fallback: number, allowed: (n: number) => boolean): number {
	if (raw === null || raw === '') return fallback;
	if (!/^-?\d+$/.test(raw.trim())) throw new PortersCodeError(103, `not an integer: ${raw}`);
	const value = Number(raw);
	if (!allowed(value)) throw new PortersCodeError(103, `value out of range: ${raw}`);
	return value;
}

/** The `<Item>`s of an Option Read answer; throws PortersCodeError for refused requests. */
export function optionReadItems(
	tree: FixtureOption[],
	params: OptionReadParams,
	switches: OptionSwitches,
): XmlElement[] {
	const level = integerParam(params.level, -1, (n) => n >= -1);
	const enabled = integerParam(params.enabled, -1, (n) => n === -1 || n === 0 || n === 1);
	const count = integerParam(params.count, Number.POSITIVE_INFINITY, (n) => n >= 1);
	const keep = (o: FixtureOption) => enabled === -1 || (o.enabled !== false) === (enabled === 1);

	/** One item, with its descendants down to `depth` more levels (Infinity = all). */
	const render = (o: FixtureOption, parentId: number, order: number, depth: number): XmlElement => {
		const kids = depth > 0 ? (o.children ?? []).filter(keep) : [];
		const children: XmlNode[] = [
			element('Option.P_Id', [String(o.id)]),
			element('Option.P_Name', [o.name]),
			element('Option.P_Alias', [o.alias]),
			element('Option.P_ParentId', [String(parentId)]),
			element('Option.P_Type', [String(o.type ?? 0)]),
			element('Option.P_Order', [String(order)]),
			element(
				'Items',
				kids.map((k) => render(k, o.id, (o.children ?? []).indexOf(k) + 1, depth - 1)),
			),
		];
		return element('Item', children);
	};
	/** A list of options at one level, each with `depth` more levels below it. */
	const renderList = (list: FixtureOption[], parent: FixtureOption | undefined, depth: number, skip?: FixtureOption) =>
		list
			.filter((o) => keep(o) && o !== skip)
			.slice(0, count)
			.map((o) => render(o, parent?.id ?? 0, list.indexOf(o) + 1, depth));

	if (params.alias === null || params.alias === '') {
		if (level === -1) return renderList(tree, undefined, Number.POSITIVE_INFINITY);
		if (level >= 1) return renderList(tree, undefined, level - 1);
		switch (switches.optionLevel0WithoutAlias) {
			case 'roots':
				return renderList(tree, undefined, 0);
			case 'code100':
				throw new PortersCodeError(100, 'level=0 needs an alias');
			case 'code101':
				throw new PortersCodeError(101, 'level=0 needs an alias');
			default:
				return [];
		}
	}

	const found = locate(tree, params.alias);
	if (!found) {
		if (switches.optionUnknownAlias === 'code100') throw new PortersCodeError(100, `unknown alias ${params.alias}`);
		return [];
	}
	if (level === -1) {
		if (!keep(found.option)) return [];
		return [render(found.option, found.parent?.id ?? 0, found.siblings.indexOf(found.option) + 1, Number.POSITIVE_INFINITY)];
	}
	if (level === 0) {
		const skip = switches.optionSiblingsIncludeSelf ? undefined : found.option;
		return renderList(found.siblings, found.parent, 0, skip);
	}
	return renderList((found.option.children ?? []), found.option, level - 1);
}
