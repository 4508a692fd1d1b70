/**
 * How the tutor's budget reads to people: questions left (the server counts them by the rule it refuses with),
 * the reset in the reader's own time zone, and why the tutor stopped answering. Plain functions: no Vue.
 */

/** What these functions read of `TutorUsage`. */
export interface Budget {
  questionsLeft: number;
  percentLeftToday: number;
  blockedBy: 'DAY' | 'MONTH' | null;
  resetsAt: string;
  blockedUntil: string | null;
}

/** Where and how to format: the reader's locale and time zone unless a test says otherwise. */
export interface Where {
  now: Date;
  locale?: string | undefined;
  timeZone?: string | undefined;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** "in 3 hours", "in 25 minutes", "in less than a minute". */
export function relativeTo(iso: string, { now, locale }: Where): string {
  const ms = Date.parse(iso) - now.getTime();
  if (ms < MINUTE) return 'in less than a minute';
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
  // Whole hours from two on ("in 3 hours"); below that, minutes, so that "in 1 hour" never hides 119 minutes.
  return ms >= 2 * HOUR ? rtf.format(Math.floor(ms / HOUR), 'hour') : rtf.format(Math.ceil(ms / MINUTE), 'minute');
}

/** "at 01:00 (in 3 hours)" when it is within a day; "on 1 January at 01:00" further away: in the reader's time zone. */
export function when(iso: string, where: Where): string {
  const at = new Date(iso);
  const time = new Intl.DateTimeFormat(where.locale, { hour: '2-digit', minute: '2-digit', timeZone: where.timeZone }).format(at);
  if (at.getTime() - where.now.getTime() <= 24 * HOUR) return `at ${time} (${relativeTo(iso, where)})`;
  const date = new Intl.DateTimeFormat(where.locale, { day: 'numeric', month: 'long', timeZone: where.timeZone }).format(at);
  return `on ${date} at ${time}`;
}

/** "3 questions left today", "1 question left today", "No questions left today". */
export function questionsLine(b: Budget): string {
  if (b.questionsLeft === 0) return b.blockedBy === 'MONTH' ? 'No questions left this month' : 'No questions left today';
  return `${b.questionsLeft} ${b.questionsLeft === 1 ? 'question' : 'questions'} left today`;
}

/** The banner when the tutor would refuse the next question: why, and when it answers again. Null when it would answer. */
export function blockedMessage(b: Budget, where: Where): string | null {
  if (!b.blockedBy) return null;
  const until = b.blockedUntil ?? b.resetsAt;
  if (b.blockedBy === 'MONTH')
    return `This course has used its AI tutor budget for the month. The tutor answers again ${when(until, where)}, or sooner if your instructor raises the budget.`;
  return `You have used today’s AI tutor questions. You can ask again ${when(until, where)}, or sooner if your instructor raises your budget.`;
}

/** What the composer says instead of taking a question. */
export function composerReason(b: Budget, where: Where): string | null {
  if (!b.blockedBy) return null;
  return `No tutor questions left until ${b.blockedBy === 'MONTH' ? 'next month' : 'the reset'}: you can ask again ${when(b.blockedUntil ?? b.resetsAt, where)}.`;
}

/** How long until `iso`, for a timer (setTimeout takes at most 2^31 - 1 ms). */
export function msUntil(iso: string, now: Date): number {
  return Math.min(2 ** 31 - 1, Math.max(0, Date.parse(iso) - now.getTime()));
}

/** "At least N questions a day" for a budget, as the settings explain it. */
export function questionsPerBudget(tokens: number, tokensPerQuestion: number): number {
  return tokensPerQuestion > 0 ? Math.floor(tokens / tokensPerQuestion) : 0;
}
