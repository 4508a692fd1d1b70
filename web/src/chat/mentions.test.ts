import { describe, expect, it } from 'vitest';
import { insertMention, mentionQueryAt, mentionsInText, suggestMentions } from './mentions';

const people = [
  { id: '1', name: 'Ada Lovelace' },
  { id: '2', name: 'Alan Turing' },
  { id: '3', name: 'Grace Hopper' },
  { id: 'me', name: 'Alice Me' },
];

describe('mentions', () => {
  it('finds the @query at the caret, not inside an e-mail', () => {
    expect(mentionQueryAt('hi @al', 6)).toEqual({ start: 3, query: 'al' });
    expect(mentionQueryAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQueryAt('mail a@b', 8)).toBeNull();
    expect(mentionQueryAt('hi @al there', 12)).toBeNull();
  });
  it('suggests by name or word prefix, without me', () => {
    expect(suggestMentions(people, 'al', 'me').map((c) => c.id)).toEqual(['2']);
    expect(suggestMentions(people, 'ho', 'me').map((c) => c.id)).toEqual(['3']);
    expect(suggestMentions(people, '', 'me').map((c) => c.id)).toEqual(['1', '2', '3']);
    expect(suggestMentions(people, 'zz', 'me')).toEqual([]);
  });
  it('inserts the name and keeps only mentions still in the text', () => {
    const at = mentionQueryAt('see @gr soon', 7)!;
    const r = insertMention('see @gr soon', at, 'Grace Hopper');
    expect(r).toEqual({ text: 'see @Grace Hopper  soon', caret: 18 });
    expect(mentionsInText(r.text, [people[2]!, people[0]!])).toEqual(['3']);
  });
});
