/**
 * One LINE user, one candidate. PORTERS has no unique key and no delete, so two executions for
 * the same new LINE user can both create a candidate. They converge afterwards: every execution
 * that sees several candidates holding the same LINE user ID picks the same survivor by a rule
 * that depends only on the candidates, never on which execution ran first, and the candidates
 * that lost are retired (LINE user ID cleared, marked with the survivor's ID).
 */

/** A candidate that holds a LINE user ID, as far as the survivor rule needs to know it. */
export interface LineIdHolder {
	id: number;
	/** Linked on purpose (LINE Login link), not only created by a friend-add. */
	linked?: boolean;
}

export interface SurvivorChoice {
	survivorId: number;
	/** Every other holder, lowest ID first. */
	others: number[];
}

function validIds(ids: number[]): number[] {
	return [...new Set(ids.filter((id) => Number.isInteger(id) && id > 0))].sort((a, b) => a - b);
}

/**
 * The survivor: a holder linked through LINE Login first, else the lowest candidate ID (PORTERS
 * numbers records in creation order, so the lowest is the one created first). The same set in any
 * order, seen by any execution, gives the same survivor.
 */
export function chooseSurvivor(holders: LineIdHolder[]): SurvivorChoice | undefined {
	const linked = new Set(holders.filter((h) => h.linked).map((h) => h.id));
	const ids = validIds(holders.map((h) => h.id));
	if (ids.length === 0) return undefined;
	const survivorId = ids.find((id) => linked.has(id)) ?? ids[0];
	return { survivorId, others: ids.filter((id) => id !== survivorId) };
}

export interface Convergence extends SurvivorChoice {
	/** Candidates this execution created that lost: this execution retires them. */
	retire: number[];
}

/**
 * What one execution does after it created `created` and then found `holders`: it retires only
 * the candidates it created itself that are not the survivor; candidates created by other
 * executions are retired by those executions (each one knows what it created).
 */
export function convergeAfterCreate(holders: LineIdHolder[], created: number[]): Convergence | undefined {
	const all = [...holders, ...created.map((id) => ({ id }))];
	const choice = chooseSurvivor(all);
	if (!choice) return undefined;
	const own = new Set(validIds(created));
	return { ...choice, retire: choice.others.filter((id) => own.has(id)) };
}

/** The text written on a retired duplicate (Japanese: recruiters read it in PORTERS). */
export function duplicateMarkText(survivorId: number): string {
	return `LINE重複: 候補者 ${survivorId} に統合`;
}

/** The text written on a friend-add placeholder retired because the LINE user linked `linkedId`. */
export function mergedMarkText(linkedId: number): string {
	return `LINE連携: 候補者 ${linkedId} に統合`;
}

/** The flag on a holder with recruiter data whose LINE user ID went to `linkedId`. */
export function reviewFlagText(linkedId: number): string {
	return `【要確認】LINE連携: このLINEユーザーは候補者 ${linkedId} に連携されました`;
}

/**
 * A field's new text with `mark` as its first line; what the field held stays below it, so a
 * recruiter's memo is never lost. Already marked: unchanged (a repeated link writes nothing new).
 */
export function withMark(current: string, mark: string): string {
	if (current.split(/\r?\n/).includes(mark)) return current;
	return current.trim() === '' ? mark : `${mark}\n${current}`;
}

/** What linking a LINE user to candidate `linkedId` does to the other holders of its ID. */
export interface LinkPlan {
	/** Friend-add placeholders: LINE user ID cleared, marked "merged into" the linked candidate. */
	retire: number[];
	/** Holders with recruiter data: LINE user ID cleared, data kept, flagged for review. */
	review: number[];
}

/** A holder of the LINE user ID and the values of the fields only a recruiter fills in. */
export interface HolderData {
	id: number;
	values: Record<string, unknown>;
	/** Resumes (選考) attached to the holder; any resume is recruiter data. */
	resumes?: number;
}

function isEmptyValue(value: unknown): boolean {
	if (value === undefined || value === null) return true;
	if (typeof value === 'string') return value.trim() === '';
	if (Array.isArray(value)) return value.every(isEmptyValue);
	if (typeof value === 'object') return Object.values(value as object).every(isEmptyValue);
	return false;
}

/**
 * A friend-add placeholder is a candidate on which none of `recruiterFields` has a value: the
 * friend-add flow writes only the name, owner, LINE user ID and LINE status, so any value in a
 * field outside those (e-mail, phone, memo, ...) was entered by a recruiter or another import.
 */
export function isFriendAddPlaceholder(values: Record<string, unknown>, recruiterFields: string[]): boolean {
	return recruiterFields.every((alias) => isEmptyValue(values[alias]));
}

/**
 * Linking makes `linkedId` the only holder: every other holder loses the LINE user ID; a
 * placeholder (no value in `recruiterFields`, no resume) is retired as merged, a candidate with
 * recruiter data keeps its data and is flagged for review.
 */
export function planLink(linkedId: number, holders: HolderData[], recruiterFields: string[]): LinkPlan {
	const plan: LinkPlan = { retire: [], review: [] };
	const seen = new Set<number>();
	for (const holder of [...holders].sort((a, b) => a.id - b.id)) {
		if (holder.id === linkedId || seen.has(holder.id)) continue;
		seen.add(holder.id);
		if (!holder.resumes && isFriendAddPlaceholder(holder.values, recruiterFields)) plan.retire.push(holder.id);
		else plan.review.push(holder.id);
	}
	return plan;
}
