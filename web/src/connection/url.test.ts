import { describe, expect, it } from 'vitest';
import { graphqlWsUrl } from './url';

describe('graphqlWsUrl', () => {
  it('uses wss: on https pages', () => {
    expect(graphqlWsUrl({ protocol: 'https:', host: 'tool.example.edu' })).toBe('wss://tool.example.edu/graphql');
  });
  it('uses ws: on http pages and keeps the port', () => {
    expect(graphqlWsUrl({ protocol: 'http:', host: 'localhost:5173' })).toBe('ws://localhost:5173/graphql');
  });
  it('accepts another path', () => {
    expect(graphqlWsUrl({ protocol: 'https:', host: 'a.b' }, '/ws')).toBe('wss://a.b/ws');
  });
});
