import { describe, expect, it } from 'vitest';
import { ambiguityWarning, insertMention, mentionQueryAt, mentionsInText, namedMentions, suggestMentions } from './mentions';

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

describe('names typed in full', () => {
  const room = [
    ...people,
    { id: '4', name: 'Alan Turing' },
    { id: '5', name: 'Ana' },
    { id: '6', name: 'Ana López' },
    { id: '7', name: 'Zoë Ærø' },
  ];
  it('finds members by their full name: spaces, any case, accents, the longest name first', () => {
    expect(namedMentions('Hi @ada lovelace!', room, 'me').ids).toEqual(['1']);
    expect(namedMentions('@ANA LÓPEZ and @ana', room, 'me').ids).toEqual(['6', '5']);
    expect(namedMentions('@Ana Lo\u0301pez', room, 'me').ids).toEqual(['6']);
    expect(namedMentions('@zoë ærø, hi', room, 'me').ids).toEqual(['7']);
  });
  it('not inside a word, an e-mail address or code; never me', () => {
    expect(namedMentions('@Anabel, x@Ana.org, `@Ana`, @Alice Me', room, 'me').ids).toEqual([]);
  });
  it('says when a name is ambiguous, unless one was picked', () => {
    const r = namedMentions('@alan TURING, look', room, 'me');
    expect(r).toEqual({ ids: [], ambiguous: [{ name: 'Alan Turing', count: 2 }] });
    expect(ambiguityWarning(r.ambiguous)).toBe('2 people are called Alan Turing — pick one');
    expect(namedMentions('@Alan Turing, look', room, 'me', ['4'])).toEqual({ ids: ['4'], ambiguous: [] });
  });
});
