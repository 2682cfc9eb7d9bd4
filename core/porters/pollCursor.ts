/**
 * Where the PORTERS Trigger continues between polls: the newest update date it has emitted, in
 * PORTERS's own clock (UTC, yyyy/mm/dd HH:MM:SS), and the records it emitted at exactly that
 * second. PORTERS dates have whole seconds, and the next poll asks for `P_UpdateDate:ge=<cursor>`
 * so that a record saved later in the same second is not missed; the records already emitted at
 * that second come back and are skipped by their `ID@date` key. The state is plain data, kept by
 * n8n with the workflow, never in memory.
 */
import { formatPortersDateTime, parsePortersDateTime } from './fields';

export interface PollCursorState {
	/** Newest `P_UpdateDate` emitted so far. */
	cursor: string;
	/** `ID@date` of the records emitted with `P_UpdateDate` equal to the cursor. */
	seenAtCursor: string[];
}

/** The state of a trigger that has just been activated: changes from now on. */
export function startingCursor(now: number): PollCursorState {
	return { cursor: formatPortersDateTime(now), seenAtCursor: [] };
}

/** Follows one poll's records, oldest first, and says which ones are new. */
export class PollCursor {
	private readonly seen: ReadonlySet<string>;
	private newest: string;
	private newestTime: number;
	private atNewest: Set<string>;

	constructor(state: { cursor: string; seenAtCursor?: readonly string[] }) {
		this.seen = new Set(state.seenAtCursor ?? []);
		this.newest = state.cursor;
		this.newestTime = parsePortersDateTime(state.cursor).getTime();
		this.atNewest = new Set(this.seen);
	}

	/** Records the read returns again because they were emitted at the cursor's second. */
	get alreadySeen(): number {
		return this.seen.size;
	}

	/**
	 * Whether the record with this ID and update date is new. A new record with a later date
	 * moves the cursor; one whose date cannot be read is new but leaves the cursor alone.
	 */
	offer(id: string, updateDate: string): boolean {
		const key = `${id}@${updateDate}`;
		if (this.seen.has(key)) return false;
		let time: number;
		try {
			time = parsePortersDateTime(updateDate).getTime();
		} catch {
			return true;
		}
		if (time > this.newestTime) {
			this.newestTime = time;
			this.newest = updateDate;
			this.atNewest = new Set();
		}
		if (time === this.newestTime) this.atNewest.add(key);
		return true;
	}

	/** What to keep for the next poll. */
	state(): PollCursorState {
		return { cursor: this.newest, seenAtCursor: [...this.atNewest] };
	}
}
