import { describe, expect, it } from 'vitest';
import { expiryFor, keyState, reachLabel } from './keys';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('API key console helpers', () => {
  it('a key is revoked whatever its expiry, expired once its expiry is past, active otherwise', () => {
    expect(keyState({ revokedAt: '2026-02-01T00:00:00Z', expiresAt: '2027-01-01T00:00:00Z' }, NOW)).toBe('revoked');
    expect(keyState({ revokedAt: '2026-02-01T00:00:00Z', expiresAt: '2026-01-01T00:00:00Z' }, NOW)).toBe('revoked');
    expect(keyState({ revokedAt: null, expiresAt: '2026-03-01T12:00:00Z' }, NOW)).toBe('expired');
    expect(keyState({ revokedAt: null, expiresAt: '2026-03-01T12:00:01Z' }, NOW)).toBe('active');
    expect(keyState({ revokedAt: null, expiresAt: null }, NOW)).toBe('active');
  });

  it('an expiry choice is null for never, days from now, or the end of a picked day; a missing date is undefined', () => {
    expect(expiryFor('never', '', NOW)).toBeNull();
    expect(expiryFor('30', '', NOW)).toBe('2026-03-31T12:00:00.000Z');
    expect(expiryFor('365', '', NOW)).toBe('2027-03-01T12:00:00.000Z');
    const picked = new Date(expiryFor('date', '2026-06-15', NOW)!);
    expect([picked.getFullYear(), picked.getMonth(), picked.getDate(), picked.getHours(), picked.getMinutes()]).toEqual([
      2026, 5, 15, 23, 59,
    ]);
    expect(expiryFor('date', '', NOW)).toBeUndefined();
    expect(expiryFor('date', '15/06/2026', NOW)).toBeUndefined();
  });

  it('the reach reads as every course, the titles known, or a count of the others', () => {
    const titles = new Map([
      ['a', 'Algorithms'],
      ['b', 'Biology'],
    ]);
    expect(reachLabel({ tenantWide: true, courseIds: [] }, titles)).toBe('Every course (platform-wide)');
    expect(reachLabel({ tenantWide: false, courseIds: ['a', 'b'] }, titles)).toBe('Algorithms, Biology');
    expect(reachLabel({ tenantWide: false, courseIds: ['a', 'x', 'y'] }, titles)).toBe('Algorithms and 2 other courses');
    expect(reachLabel({ tenantWide: false, courseIds: ['x'] }, titles)).toBe('1 course');
  });
});
