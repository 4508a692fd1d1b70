import { describe, expect, it } from 'vitest';
import { blockedMessage, composerReason, msUntil, questionsLine, questionsPerBudget, relativeTo, when, type Budget } from './budget';

const now = new Date('2026-12-06T21:00:00Z');
const berlin = { now, locale: 'en-GB', timeZone: 'Europe/Berlin' };
const budget = (b: Partial<Budget>): Budget => ({
  questionsLeft: 3,
  percentLeftToday: 60,
  blockedBy: null,
  resetsAt: '2026-12-07T00:00:00.000Z',
  blockedUntil: null,
  ...b,
});

describe('the tutor budget as people read it', () => {
  it('says the reset in the reader’s time zone, with how long until then', () => {
    // Midnight UTC is 01:00 in Berlin, three hours from 22:00 there.
    expect(when('2026-12-07T00:00:00.000Z', berlin)).toBe('at 01:00 (in 3 hours)');
    expect(when('2026-12-07T00:00:00.000Z', { ...berlin, timeZone: 'America/New_York' })).toBe('at 19:00 (in 3 hours)');
    expect(relativeTo('2026-12-06T21:25:00.000Z', berlin)).toBe('in 25 minutes');
    expect(relativeTo('2026-12-06T22:59:00.000Z', berlin)).toBe('in 119 minutes');
    expect(relativeTo('2026-12-06T21:00:30.000Z', berlin)).toBe('in less than a minute');
    // A month's reset is a date.
    expect(when('2027-01-01T00:00:00.000Z', berlin)).toBe('on 1 January at 01:00');
  });

  it('counts questions, and says why the tutor stops and when it answers again', () => {
    expect(questionsLine(budget({ questionsLeft: 1 }))).toBe('1 question left today');
    expect(questionsLine(budget({ questionsLeft: 12 }))).toBe('12 questions left today');
    expect(questionsLine(budget({ questionsLeft: 0, blockedBy: 'DAY' }))).toBe('No questions left today');
    expect(blockedMessage(budget({}), berlin)).toBeNull();
    expect(composerReason(budget({}), berlin)).toBeNull();
    const day = budget({ questionsLeft: 0, blockedBy: 'DAY', blockedUntil: '2026-12-07T00:00:00.000Z' });
    expect(blockedMessage(day, berlin)).toBe(
      'You have used today’s AI tutor questions. You can ask again at 01:00 (in 3 hours), or sooner if your instructor raises your budget.',
    );
    expect(composerReason(day, berlin)).toBe('No tutor questions left until the reset: you can ask again at 01:00 (in 3 hours).');
    const month = budget({ questionsLeft: 0, blockedBy: 'MONTH', blockedUntil: '2027-01-01T00:00:00.000Z' });
    expect(questionsLine(month)).toBe('No questions left this month');
    expect(blockedMessage(month, berlin)).toBe(
      'This course has used its AI tutor budget for the month. The tutor answers again on 1 January at 01:00, or sooner if your instructor raises the budget.',
    );
  });

  it('times the re-enable and explains a budget in questions', () => {
    expect(msUntil('2026-12-07T00:00:00.000Z', now)).toBe(3 * 3_600_000);
    expect(msUntil('2026-12-01T00:00:00.000Z', now)).toBe(0);
    expect(msUntil('2027-12-01T00:00:00.000Z', now)).toBe(2 ** 31 - 1);
    expect(questionsPerBudget(50_000, 4100)).toBe(12);
    expect(questionsPerBudget(4099, 4100)).toBe(0);
  });
});
