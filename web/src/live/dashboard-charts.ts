/**
 * What the dashboard's charts draw, and the sentence that says the same for people who do not see them: plain
 * functions from the snapshot's series to labels, values and a summary.
 */
import type { DashboardClass, LiveDashboardData } from '../graphql/live-dashboard';

export interface Series {
  labels: string[];
  values: number[];
  /** The chart in one sentence (its text alternative). */
  summary: string;
}

type Point = { at: string; count: number };

/** "10:31" in the viewer's time zone. */
const clockTime = (iso: string): string => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** A per-minute series (messages, confusion signals), oldest first, with its total, peak and latest value. */
export function minuteSeries(points: readonly Point[], what: string, time: (iso: string) => string = clockTime): Series {
  const sorted = [...points].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const labels = sorted.map((p) => time(p.at));
  const values = sorted.map((p) => p.count);
  if (sorted.length === 0) return { labels, values, summary: `No ${what} yet.` };
  const total = values.reduce((a, b) => a + b, 0);
  if (total === 0) return { labels, values, summary: `No ${what} in the last ${sorted.length} minutes.` };
  const peak = values.indexOf(Math.max(...values));
  return {
    labels,
    values,
    summary:
      `${total} ${what} in the last ${sorted.length} minutes; most (${values[peak]}) at ${labels[peak]}; ` +
      `${values[values.length - 1]} in the latest minute.`,
  };
}

/** Students active now by the part of the tool they are in (chat, live…), most first, each named by `name`. */
export function sectionSeries(bySection: LiveDashboardData['bySection'], name: (section: string) => string = (s) => s): Series {
  const sorted = [...bySection].sort((a, b) => b.count - a.count || a.section.localeCompare(b.section));
  const labels = sorted.map((s) => (s.section ? name(s.section) : 'Elsewhere'));
  const values = sorted.map((s) => s.count);
  return {
    labels,
    values,
    summary: sorted.length === 0 ? 'No student is active now.' : labels.map((l, i) => `${l}: ${values[i]}`).join(', ') + '.',
  };
}

export interface PollBar {
  label: string;
  /** Null while the count is hidden. */
  count: number | null;
  /** Share of the answers, 0–100 (0 when hidden or none). */
  percent: number;
}

/** A poll's options as bars (the share of the answers each got). */
export function pollBars(poll: DashboardClass['polls'][number]): PollBar[] {
  return poll.options.map((o) => ({
    label: o.label,
    count: o.count,
    percent: o.count !== null && poll.total > 0 ? Math.round((100 * o.count) / poll.total) : 0,
  }));
}

export interface BudgetMeter {
  used: number;
  budget: number;
  /** Share of the budget used, 0–100 (capped); null without a budget. */
  percent: number | null;
  level: 'ok' | 'high' | 'over';
}

/** Tokens used against a budget (a budget of 0 means the tutor is off: no share). */
export function budgetMeter(used: number, budget: number): BudgetMeter {
  if (budget <= 0) return { used, budget, percent: null, level: used > 0 ? 'over' : 'ok' };
  const share = (100 * used) / budget;
  return { used, budget, percent: Math.min(100, Math.round(share)), level: share >= 100 ? 'over' : share >= 80 ? 'high' : 'ok' };
}

/** Today's even share of a monthly budget (the month of `now`, in UTC: the budget's month), in whole tokens. */
export function dailyShare(monthlyBudget: number, now: Date): number {
  const days = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).getUTCDate();
  return Math.floor(monthlyBudget / days);
}
