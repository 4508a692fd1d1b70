import { describe, expect, it } from 'vitest';
import { charsLeft, initials, messageTime, snippetParts } from './format';

describe('chat format', () => {
  it('initials of one, two or more words', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('  plato ')).toBe('P');
    expect(initials('Jean Paul Sartre')).toBe('JP');
    expect(initials('Élodie Ünal')).toBe('ÉÜ');
  });
  it('splits snippets on the match markers, never producing markup', () => {
    expect(snippetParts('a \uE000recursion\uE001 b <b>x</b>')).toEqual([
      { text: 'a ', match: false },
      { text: 'recursion', match: true },
      { text: ' b <b>x</b>', match: false },
    ]);
    expect(snippetParts('no match')).toEqual([{ text: 'no match', match: false }]);
    expect(snippetParts('broken \uE000tail')).toEqual([{ text: 'broken tail', match: false }]);
  });
  it('shows the time alone today and a day or date otherwise', () => {
    const now = Date.parse('2026-11-23T15:00:00');
    expect(messageTime('2026-11-23T14:05:00', now)).not.toMatch(/Nov/);
    expect(messageTime('2026-10-01T14:05:00', now)).toMatch(/Oct|10/);
  });
  it('counts characters by code point', () => {
    expect(charsLeft('😀😀', 10)).toBe(8);
  });
});
