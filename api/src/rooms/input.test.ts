/** What chat accepts as a reaction: any one emoji the picker offers, nothing else. */
import { describe, expect, it } from 'vitest';
import { cleanEmoji } from './input.js';

describe('cleanEmoji', () => {
  it('accepts one emoji: skin tones, ZWJ sequences, keycaps, country and subdivision flags', () => {
    for (const e of ['👍', '👍🏽', '❤️', '🧑🏽‍💻', '👩‍❤️‍💋‍👨', '#️⃣', '🇫🇷', '🏴󠁧󠁢󠁥󠁮󠁧󠁿', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '🏴󠁧󠁢󠁷󠁬󠁳󠁿']) expect(cleanEmoji(e)).toBe(e);
  });
  it('writes one emoji one way: no variation selector where it draws as emoji anyway', () => {
    expect(cleanEmoji('👍\uFE0F')).toBe('👍');
    expect(cleanEmoji('🧑\uFE0F\u200D💻')).toBe('🧑\u200D💻');
    // A heart is text unless asked: its selector stays.
    expect(cleanEmoji('❤\uFE0F')).toBe('❤\uFE0F');
  });
  it('refuses text, two emoji, or tags without their flag', () => {
    for (const e of ['a', '👍👍', '🏴󠁧󠁢', '\u{E0067}\u{E0062}\u{E007F}', ''])
      expect(() => cleanEmoji(e), e).toThrow('A reaction is one emoji.');
  });
});
