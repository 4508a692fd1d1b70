import { describe, expect, it } from 'vitest';
import { lightShade, userColor } from './colors';
import { peopleHere } from './people';

describe('people in a collab document', () => {
  it('lists each person once, the viewer first, then by name; states without a user are left out', () => {
    const states = new Map<number, Record<string, unknown>>([
      [11, { user: { name: 'Zoe', color: '#db2777', userId: 'u-zoe' } }],
      [12, { user: { name: 'Zoe', color: '#db2777', userId: 'u-zoe' }, cursor: null }], // her second tab
      [13, { user: { name: 'Alan', color: '#059669', userId: 'u-alan' } }],
      [14, {}],
      [7, { user: { name: 'Me', color: '#2563eb' } }], // this tab, before the server named it
    ]);
    const people = peopleHere(states, 7, 'u-me');
    expect(people.map((p) => [p.name, p.me, p.userId])).toEqual([
      ['Me', true, 'u-me'],
      ['Alan', false, 'u-alan'],
      ['Zoe', false, 'u-zoe'],
    ]);
    expect(people[2]!.color).toBe('#db2777');
  });

  it('gives a name a stable colour and a light shade for selections', () => {
    expect(userColor('Ada')).toEqual(userColor('Ada'));
    expect(userColor('Ada').light).toBe(`${userColor('Ada').color}33`);
    expect(lightShade('hsl(1 2% 3%)')).toMatch(/^rgb/);
  });
});
