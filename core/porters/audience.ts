/**
 * The LINE audience of a PORTERS search: the candidates (or resumes) a search found, turned into
 * LINE recipients. Each LINE user is a recipient once, whatever the number of records that hold
 * its ID; records without a usable LINE user ID and users marked blocked are left out and
 * counted, so a dry run can say why. A user blocked on any record holding its ID is left out on
 * every record: nothing is pushed to blocked users.
 */
import { isLineUserId } from '../line/ids';

/** One record of the search, reduced to what the audience needs. */
export interface AudienceRecord {
	/** Person.P_Id of the candidate the record belongs to. */
	candidateId: number;
	/** The LINE user ID field's value ('' or undefined when empty). */
	lineUserId?: string;
	/** Whether the candidate is marked as blocking the LINE account. */
	blocked: boolean;
}

export interface AudienceRecipient {
	lineUserId: string;
	/** The candidate the recipient stands for: the lowest ID among the records holding the ID. */
	candidateId: number;
}

export type LeftOutReason = 'noLineUserId' | 'invalidLineUserId' | 'blocked' | 'duplicate';

export interface AudienceSummary {
	/** Records the search returned. */
	matched: number;
	/** Distinct LINE users who will get the message. */
	recipients: number;
	/** Records that give no recipient, by reason (a record counts under one reason only). */
	leftOut: Record<LeftOutReason, number>;
}

/** Collects records page by page; memory grows with recipients, not with pages. */
export class AudienceBuilder {
	private matched = 0;
	private readonly byUser = new Map<string, { candidateId: number; blocked: boolean; records: number }>();
	private readonly leftOut: Record<LeftOutReason, number> = {
		noLineUserId: 0,
		invalidLineUserId: 0,
		blocked: 0,
		duplicate: 0,
	};

	add(record: AudienceRecord): void {
		this.matched++;
		const lineUserId = (record.lineUserId ?? '').trim();
		if (lineUserId === '') {
			this.leftOut.noLineUserId++;
			return;
		}
		if (!isLineUserId(lineUserId)) {
			this.leftOut.invalidLineUserId++;
			return;
		}
		const known = this.byUser.get(lineUserId);
		if (!known) {
			this.byUser.set(lineUserId, { candidateId: record.candidateId, blocked: record.blocked, records: 1 });
			return;
		}
		known.records++;
		known.blocked ||= record.blocked;
		if (record.candidateId < known.candidateId) known.candidateId = record.candidateId;
	}

	/** Recipients in the order their LINE user ID was first seen, and the counts. */
	result(): { recipients: AudienceRecipient[]; summary: AudienceSummary } {
		const recipients: AudienceRecipient[] = [];
		const leftOut = { ...this.leftOut };
		for (const [lineUserId, user] of this.byUser) {
			if (user.blocked) {
				leftOut.blocked += user.records;
				continue;
			}
			recipients.push({ lineUserId, candidateId: user.candidateId });
			leftOut.duplicate += user.records - 1;
		}
		return { recipients, summary: { matched: this.matched, recipients: recipients.length, leftOut } };
	}
}

/** Whether an option field's selected aliases include one of the aliases that mean blocked. */
export function isMarkedBlocked(selected: readonly string[], blockedAliases: readonly string[]): boolean {
	return selected.some((alias) => blockedAliases.includes(alias));
}

/** Blocked-option aliases from a comma- or space-separated setting. */
export function parseAliasList(value: string): string[] {
	return value
		.split(/[\s,]+/)
		.map((alias) => alias.trim())
		.filter((alias) => alias !== '');
}
