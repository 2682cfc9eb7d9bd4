import { LINE_STATUS_FIELD } from './portersNode';

/**
 * The fields a typical LINE follow writes for one candidate (display name, reading, contact
 * details, the LINE status option and a memo): about 650 characters once serialised, with the
 * owner and the LINE user ID the Create Candidate operation adds.
 */
export function typicalCandidateFields(i: number): { field: Array<{ alias: string; value: unknown }> } {
	const minute = String(i % 60).padStart(2, '0');
	return {
		field: [
			{ alias: 'Person.P_Name', value: `LINE 表示名 ${i} 😀 & <${i}>` },
			{ alias: 'Person.P_Reading', value: `らいん ひょうじめい ${i}` },
			{ alias: 'Person.P_Mail', value: `candidate-${i}@example.jp` },
			{ alias: 'Person.P_Mobile', value: `090-${String(1000 + (i % 9000))}-${String(i % 10_000).padStart(4, '0')}` },
			{ alias: LINE_STATUS_FIELD, value: 'Option.U_LineFollowing' },
			{
				alias: 'Person.P_Memo',
				value: `LINE 友だち追加 (follow) 2026-12-01 10:${minute} — 流入経路: 求人サイト「介護・看護」特集ページ QR #${i}。希望勤務地: 東京都内、希望職種: 正看護師、連絡は LINE 希望。`,
			},
		],
	};
}
