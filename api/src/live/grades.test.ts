/** The attendance score of a class's policy (pure). */
import { describe, expect, it } from 'vitest';
import { score } from './grades.js';

describe('attendance score', () => {
  it('threshold: full credit at or above the share of the scheduled time, none below', () => {
    expect(score('threshold', 80, 40, 50)).toBe(100); // exactly 80 %
    expect(score('threshold', 80, 39, 50)).toBe(0);
    expect(score('threshold', 80, 50, 50)).toBe(100);
    expect(score('threshold', 80, 0, 50)).toBe(0);
    expect(score('threshold', 100, 49, 50)).toBe(0);
    expect(score('threshold', 0, 0, 50)).toBe(100);
    // No rounding error at the edge (70 % of 30 minutes is 21).
    expect(score('threshold', 70, 21, 30)).toBe(100);
    expect(score('threshold', 70, 20, 30)).toBe(0);
  });

  it('proportional: the share present, two decimals, at most 100', () => {
    expect(score('proportional', 80, 47, 50)).toBe(94);
    expect(score('proportional', 80, 20, 30)).toBe(66.67);
    expect(score('proportional', 80, 1, 3)).toBe(33.33);
    expect(score('proportional', 80, 0, 50)).toBe(0);
    expect(score('proportional', 80, 50, 50)).toBe(100);
    expect(score('proportional', 80, 60, 50)).toBe(100);
    expect(score('proportional', 80, -5, 50)).toBe(0);
  });

  it('a class of no scheduled minutes: credit to whoever came', () => {
    expect(score('proportional', 80, 0, 0)).toBe(0);
    expect(score('proportional', 80, 1, 0)).toBe(100);
    expect(score('threshold', 80, 1, 0)).toBe(100);
  });
});
