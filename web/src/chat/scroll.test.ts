import { describe, expect, it } from 'vitest';
import { isNearBottom, newMessagesAction } from './scroll';

describe('isNearBottom', () => {
  const box = (scrollTop: number) => ({ scrollTop, scrollHeight: 1000, clientHeight: 400 });

  it('is true at the bottom and within the threshold', () => {
    expect(isNearBottom(box(600))).toBe(true);
    expect(isNearBottom(box(520))).toBe(true);
  });

  it('is false further up', () => {
    expect(isNearBottom(box(519))).toBe(false);
    expect(isNearBottom(box(0))).toBe(false);
  });

  it('takes a custom threshold', () => {
    expect(isNearBottom(box(590), 0)).toBe(false);
    expect(isNearBottom(box(400), 200)).toBe(true);
  });

  it('is true when the content does not fill the box', () => {
    expect(isNearBottom({ scrollTop: 0, scrollHeight: 300, clientHeight: 400 })).toBe(true);
  });

  it('tolerates fractional scroll positions (zoomed pages)', () => {
    expect(isNearBottom({ scrollTop: 599.5, scrollHeight: 1000, clientHeight: 400 }, 0)).toBe(false);
    expect(isNearBottom({ scrollTop: 599.5, scrollHeight: 1000, clientHeight: 400 }, 1)).toBe(true);
  });
});

describe('newMessagesAction', () => {
  it('follows when near the bottom or when I sent the message', () => {
    expect(newMessagesAction({ nearBottom: true, fromMe: false })).toBe('scroll');
    expect(newMessagesAction({ nearBottom: false, fromMe: true })).toBe('scroll');
    expect(newMessagesAction({ nearBottom: true, fromMe: true })).toBe('scroll');
  });

  it('shows the jump button when reading older messages', () => {
    expect(newMessagesAction({ nearBottom: false, fromMe: false })).toBe('show-jump-button');
  });
});
