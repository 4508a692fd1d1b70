import { describe, expect, it } from 'vitest';
import { budgetMeter, dailyShare, minuteSeries, pollBars, sectionSeries } from './dashboard-charts';

const minute = (m: number) => new Date(Date.UTC(2026, 2, 2, 10, m)).toISOString();
const hhmm = (iso: string) => iso.slice(11, 16);

describe('dashboard charts', () => {
  it('a per-minute series is ordered by time and summarised (total, peak, latest)', () => {
    const s = minuteSeries(
      [
        { at: minute(2), count: 1 },
        { at: minute(0), count: 4 },
        { at: minute(1), count: 7 },
      ],
      'messages',
      hhmm,
    );
    expect(s.labels).toEqual(['10:00', '10:01', '10:02']);
    expect(s.values).toEqual([4, 7, 1]);
    expect(s.summary).toBe('12 messages in the last 3 minutes; most (7) at 10:01; 1 in the latest minute.');
    expect(minuteSeries([{ at: minute(0), count: 0 }], 'messages', hhmm).summary).toBe('No messages in the last 1 minutes.');
    expect(minuteSeries([], 'confusion signals').summary).toBe('No confusion signals yet.');
  });

  it('students by section, most first, each named', () => {
    const s = sectionSeries(
      [
        { section: 'live', count: 2 },
        { section: '', count: 1 },
        { section: 'chat', count: 2 },
      ],
      (x) => x.toUpperCase(),
    );
    expect(s.labels).toEqual(['CHAT', 'LIVE', 'Elsewhere']);
    expect(s.values).toEqual([2, 2, 1]);
    expect(s.summary).toBe('CHAT: 2, LIVE: 2, Elsewhere: 1.');
    expect(sectionSeries([]).summary).toBe('No student is active now.');
  });

  it('poll bars: shares of the answers; hidden counts stay hidden', () => {
    const poll = {
      id: 'p',
      classId: 'c',
      question: '?',
      status: 'OPEN' as const,
      total: 3,
      createdAt: minute(0),
      closedAt: null,
      options: [
        { label: 'Yes', count: 2 },
        { label: 'No', count: 1 },
        { label: 'Maybe', count: null },
      ],
    };
    expect(pollBars(poll)).toEqual([
      { label: 'Yes', count: 2, percent: 67 },
      { label: 'No', count: 1, percent: 33 },
      { label: 'Maybe', count: null, percent: 0 },
    ]);
    expect(pollBars({ ...poll, total: 0 }).map((b) => b.percent)).toEqual([0, 0, 0]);
  });

  it('budget meter: share used, high from 80 %, capped at 100; no budget means no share', () => {
    expect(budgetMeter(500, 1000)).toEqual({ used: 500, budget: 1000, percent: 50, level: 'ok' });
    expect(budgetMeter(800, 1000).level).toBe('high');
    expect(budgetMeter(1500, 1000)).toEqual({ used: 1500, budget: 1000, percent: 100, level: 'over' });
    expect(budgetMeter(0, 0)).toEqual({ used: 0, budget: 0, percent: null, level: 'ok' });
    expect(budgetMeter(5, 0).level).toBe('over');
  });

  it("today's share of a monthly budget follows the month's length (UTC)", () => {
    expect(dailyShare(3_000_000, new Date('2026-04-15T12:00:00Z'))).toBe(100_000);
    expect(dailyShare(3_100_000, new Date('2026-03-31T23:59:00Z'))).toBe(100_000);
    expect(dailyShare(2_800_000, new Date('2026-02-01T00:00:00Z'))).toBe(100_000);
    expect(dailyShare(0, new Date())).toBe(0);
  });
});
