import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from './backoff';

describe('backoffCeiling', () => {
  it('keeps the first four retries short (under a second each), then doubles', () => {
    expect([0, 1, 2, 3].map((n) => backoffCeiling(n))).toEqual([1_000, 1_000, 1_000, 1_000]);
    expect(backoffCeiling(4)).toBe(2_000);
    expect(backoffCeiling(5)).toBe(4_000);
    expect(backoffCeiling(6)).toBe(8_000);
  });

  it('is capped at 10 s: after the server is back, a page waits at most that long on its own', () => {
    expect(backoffCeiling(7)).toBe(10_000); // 16 000 > cap
    expect(backoffCeiling(50)).toBe(10_000);
    expect(backoffCeiling(5_000)).toBe(10_000); // 2 ** 5000 === Infinity
    expect(backoffCeiling(Number.POSITIVE_INFINITY)).toBe(10_000);
  });

  it('never decreases as attempts grow, and never exceeds the cap', () => {
    let previous = 0;
    for (let attempt = 0; attempt < 100; attempt++) {
      const ceiling = backoffCeiling(attempt);
      expect(ceiling).toBeGreaterThanOrEqual(previous);
      expect(ceiling).toBeLessThanOrEqual(DEFAULT_BACKOFF.capMs);
      previous = ceiling;
    }
    expect(previous).toBe(DEFAULT_BACKOFF.capMs);
  });

  it('grows strictly after the fast retries until it reaches the cap', () => {
    for (let attempt = 4; backoffCeiling(attempt) < DEFAULT_BACKOFF.capMs; attempt++) {
      expect(backoffCeiling(attempt)).toBeGreaterThan(backoffCeiling(attempt - 1));
    }
  });

  it('treats negative, fractional and NaN attempts sanely', () => {
    expect(backoffCeiling(-3)).toBe(1_000);
    expect(backoffCeiling(Number.NaN)).toBe(1_000);
    expect(backoffCeiling(4.9)).toBe(2_000);
  });

  it('honours custom options', () => {
    expect(backoffCeiling(0, { baseMs: 100, capMs: 250 })).toBe(100);
    expect(backoffCeiling(1, { baseMs: 100, capMs: 250 })).toBe(200);
    expect(backoffCeiling(2, { baseMs: 100, capMs: 250 })).toBe(250);
    expect([0, 1, 2, 3].map((n) => backoffCeiling(n, { baseMs: 100, capMs: 1_000, fastAttempts: 2 }))).toEqual([100, 100, 200, 400]);
  });
});

describe('backoffDelay (full jitter)', () => {
  it('is 0 when the random source returns 0', () => {
    expect(backoffDelay(0, () => 0)).toBe(0);
    expect(backoffDelay(10, () => 0)).toBe(0);
  });

  it('scales the ceiling by the random value', () => {
    expect(backoffDelay(0, () => 0.5)).toBe(500);
    expect(backoffDelay(6, () => 0.25)).toBe(2_000);
    expect(backoffDelay(20, () => 0.5)).toBe(5_000);
  });

  it('stays strictly below the ceiling, even for a source returning 1', () => {
    expect(backoffDelay(0, () => 0.999_999)).toBe(999);
    expect(backoffDelay(0, () => 1)).toBe(999);
    expect(backoffDelay(30, () => 1)).toBe(9_999);
  });

  it('clamps out-of-range random values', () => {
    expect(backoffDelay(4, () => -1)).toBe(0);
    expect(backoffDelay(4, () => 7)).toBe(1_999);
  });

  it('is a whole number of milliseconds within [0, ceiling) for many random draws', () => {
    let seed = 42;
    const random = () => {
      // Small deterministic LCG so the test is reproducible.
      seed = (seed * 1_664_525 + 1_013_904_223) % 2 ** 32;
      return seed / 2 ** 32;
    };
    for (let attempt = 0; attempt < 40; attempt++) {
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(attempt, random);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(backoffCeiling(attempt));
      }
    }
  });

  it('actually jitters: different random values give different delays', () => {
    const delays = new Set([0.1, 0.3, 0.6, 0.9].map((r) => backoffDelay(6, () => r)));
    expect(delays.size).toBe(4);
  });

  it('uses Math.random by default and stays within bounds', () => {
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(6);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(10_000);
    }
  });
});
