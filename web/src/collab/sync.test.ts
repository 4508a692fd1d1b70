import { describe, expect, it } from 'vitest';
import { connectionOf, feedFailure, isNewer, refusalMessage, sendFailure, seqOf, textChange, throttleWait } from './sync';

describe('collab sync rules', () => {
  it('reads what a failed send means from its error code', () => {
    expect(sendFailure('OUT_OF_SYNC')).toBe('resync');
    expect(sendFailure('DOCUMENT_TOO_LARGE')).toBe('refused');
    expect(sendFailure('UPDATE_TOO_LARGE')).toBe('refused');
    expect(sendFailure('MALFORMED_UPDATE')).toBe('refused');
    expect(sendFailure('DOCUMENT_LOCKED')).toBe('read-only');
    expect(sendFailure('FORBIDDEN')).toBe('read-only');
    expect(sendFailure('RATE_LIMITED')).toBe('retry');
    expect(sendFailure(null)).toBe('retry');
    expect(refusalMessage('DOCUMENT_TOO_LARGE')).toMatch(/size limit/);
  });

  it('reloads on an expired cursor, stops without access, retries anything else', () => {
    expect(feedFailure('CURSOR_EXPIRED')).toBe('reload');
    expect(feedFailure('BAD_CURSOR')).toBe('reload');
    expect(feedFailure('FORBIDDEN')).toBe('fatal');
    expect(feedFailure('NOT_FOUND')).toBe('fatal');
    expect(feedFailure(null)).toBe('retry');
    expect(feedFailure('INTERNAL_SERVER_ERROR')).toBe('retry');
  });

  it('compares cursors as numbers: a replayed event is not new', () => {
    expect(seqOf('12')).toBe(12);
    expect(seqOf(null)).toBe(-1);
    expect(seqOf('nope')).toBe(-1);
    expect(isNewer('10', '9')).toBe(true); // not as strings
    expect(isNewer('9', '10')).toBe(false);
    expect(isNewer('10', '10')).toBe(false);
    expect(isNewer('0', null)).toBe(true);
  });

  it('shows error, then offline, then synced or connecting', () => {
    const base = { fatal: false, following: false, socketDown: false, sendFailing: false };
    expect(connectionOf(base)).toBe('connecting');
    expect(connectionOf({ ...base, following: true })).toBe('synced');
    expect(connectionOf({ ...base, following: true, socketDown: true })).toBe('offline');
    expect(connectionOf({ ...base, following: true, sendFailing: true })).toBe('offline');
    expect(connectionOf({ ...base, following: true, socketDown: true, fatal: true })).toBe('error');
  });

  it('finds the one edit between two texts', () => {
    expect(textChange('abc', 'abc')).toBeNull();
    expect(textChange('hello world', 'hello')).toEqual({ index: 5, remove: 6, insert: '' });
    expect(textChange('ab', 'aXb')).toEqual({ index: 1, remove: 0, insert: 'X' });
    expect(textChange('aaa', 'aa')).toEqual({ index: 2, remove: 1, insert: '' });
    const from = 'def f(x):\n    return x\n';
    const to = 'def f(x, y):\n    return x + y\n';
    const c = textChange(from, to)!;
    expect(from.slice(0, c.index) + c.insert + from.slice(c.index + c.remove)).toBe(to);
  });

  it('throttles awareness sends to the rate given', () => {
    expect(throttleWait(null, 1000, 10)).toBe(0);
    expect(throttleWait(1000, 1030, 10)).toBe(70);
    expect(throttleWait(1000, 1200, 10)).toBe(0);
  });
});
