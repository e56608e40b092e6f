import type { FieldSchema } from '@crmsync/core';

type Kind = 'text' | 'yes-no' | 'amount';

/**
 * The columns the seeds parsed `lead_results`' question/answer blob into, each with the
 * question wordings that fill it (matched on their start, case and punctuation ignored).
 */
const COLUMNS: Array<[column: string, kind: Kind, questions: string[]]> = [
  ['appointment_result', 'text', ['appointment result']],
  ['result_reason_demo_not_sold', 'text', ['result reason demo not sold']],
  ['result_reason_no_demo', 'text', ['result reason no demo']],
  ['both_homeowners_present', 'yes-no', ['both homeowners present']],
  ['sales_manager_present', 'yes-no', ['sales manager present']],
  ['job_size', 'amount', ['job size']],
  ['total_job_amount', 'amount', ['total job amount']],
  ['one_year_price', 'amount', ['one year price']],
  ['last_price_offered', 'amount', ['last price offered']],
  ['last_payment_offered', 'amount', ['last payment offered']],
  ['no_brainer_commitment', 'amount', ['no brainer commitment']],
  ['deposit_type', 'text', ['deposit type', 'deposit form of payment']],
  ['deposit_amount', 'amount', ['deposit amount']],
  ['balance_type', 'text', ['balance type', 'balance form of payment']],
  ['balance_amount', 'amount', ['balance amount']],
  ['preferred_payment', 'text', ['preferred payment']],
  ['financing_approved', 'yes-no', ['financing approved']],
  ['financing', 'text', ['financing']],
  ['loan_docs_signed', 'yes-no', ['loan docs signed', 'loan documents signed']],
  ['job_type', 'text', ['job type']],
  ['services', 'text', ['services']],
  ['requested_start_month', 'text', ['requested start month']],
  ['deadline', 'text', ['deadline']],
  ['timing', 'text', ['timing']],
  ['scheduling_notes', 'text', ['scheduling notes']],
  ['upload_estimate_sheet_company_cam', 'yes-no', ['did you upload estimate sheet to company cam']],
  ['st8_completed', 'yes-no', ['did you complete your st 8 form', 'st 8 completed']],
  ['did_use_company_cam', 'yes-no', ['did you use company cam']],
  ['client_most_likely_to_add_on', 'text', ['client most likely to add on']],
  ['warm_up_topic', 'text', ['warm up topic']],
  ['urgency_time_frame', 'text', ['urgency time frame', 'urgency']],
  ['additional_services_demoed_priced', 'text', ['additional services demoed']],
  ['describe_rapport_hot_button', 'text', ['describe rapport', 'rapport hot button']],
  ['company_story_pain_point', 'text', ['company story']],
  ['call_to_action', 'text', ['call to action']],
  ['price_conditioning_response', 'text', ['price conditioning']],
  [
    'customers_final_price_commitment',
    'amount',
    ['customers final price commitment', 'customer s final price commitment'],
  ],
  ['closing_notes', 'text', ['closing notes']],
  ['notes_for_install_team', 'text', ['notes for install team']],
  ['details_discussed_for_install', 'text', ['details discussed with homeowner']],
  ['notes', 'text', ['notes', 'project notes']],
  ['measurement_tool', 'text', ['measurement tool']],
  ['dumpster_preference', 'text', ['dumpster preference', 'dumpster']],
  ['color_selection', 'text', ['color selection', 'colour selection']],
  [
    'has_consider_solar',
    'text',
    ['has consider solar', 'have you considered solar', 'consider solar'],
  ],
  ['status_bucket', 'text', ['status bucket', 'status']],
];

/** Longest wordings first, so `financing approved` is not taken by `financing`. */
const MATCHERS = COLUMNS.flatMap(([column, kind, questions]) =>
  questions.map((q) => ({ column, kind, q })),
).sort((a, b) => b.q.length - a.q.length);

const normalise = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** The parsed columns' field types. */
export const leadResultFields: FieldSchema = Object.fromEntries([
  ...COLUMNS.map(([column, kind]) => [
    column,
    kind === 'yes-no'
      ? { type: 'boolean' }
      : kind === 'amount'
        ? { type: 'decimal' }
        : { type: 'text' },
  ]),
  ['other_answers', { type: 'json' }],
]);

function yesNo(answer: string): boolean | null {
  const a = normalise(answer);
  if (/^(yes|y|true|1)$/.test(a)) return true;
  if (/^(no|n|false|0)$/.test(a)) return false;
  return null;
}

function amount(answer: string): number | null {
  const cleaned = answer.replace(/[$,\s]/g, '');
  return /^-?\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : null;
}

/** The question/answer pairs of a blob: a JSON object, a JSON list of pairs, or `Q: A` lines. */
function pairs(blob: string): Array<[string, string]> {
  const text = blob.trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      const str = (v: unknown) =>
        v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
      if (Array.isArray(parsed))
        return parsed.flatMap((item): Array<[string, string]> => {
          if (!item || typeof item !== 'object') return [];
          const o = item as Record<string, unknown>;
          const q = o.question ?? o.Question ?? o.q ?? o.label ?? o.title;
          const a = o.answer ?? o.Answer ?? o.a ?? o.value;
          return typeof q === 'string' ? [[q, str(a)]] : [];
        });
      if (parsed && typeof parsed === 'object')
        return Object.entries(parsed as Record<string, unknown>).map(([q, a]) => [q, str(a)]);
    } catch {
      // not JSON after all: read it as lines
    }
  }
  return text
    .split(/\r?\n/)
    .map((line) => /^([^:]+):\s*(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1] ?? '', m[2] ?? '']);
}

/**
 * A `lead_results` blob as columns (the seeds' normalisation): each known question's answer
 * in its column — Yes/No as booleans, money as numbers — the first answer winning; questions
 * no column knows are kept in `other_answers`.
 */
export function parseLeadResults(blob: string | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column] of COLUMNS) out[column] = null;
  const other: Record<string, string> = {};
  if (!blob) return { ...out, other_answers: null };
  for (const [question, answer] of pairs(blob)) {
    const q = normalise(question);
    const match = MATCHERS.find((m) => q === m.q || q.startsWith(`${m.q} `));
    if (!match || out[match.column] !== null) {
      if (answer !== '') other[question] = answer;
      continue;
    }
    if (answer.trim() === '') continue;
    out[match.column] =
      match.kind === 'yes-no'
        ? yesNo(answer)
        : match.kind === 'amount'
          ? amount(answer)
          : answer.trim();
  }
  return { ...out, other_answers: Object.keys(other).length ? other : null };
}
