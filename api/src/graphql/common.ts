/** Shapes shared by every feature's schema: relay connections and page info. */
import type { ObjectRef } from '@pothos/core';
import { builder } from './builder.js';
import type { FollowedPage, Page } from '../db/pagination.js';

export const PageInfoRef = builder.objectRef<Page<unknown>['pageInfo']>('PageInfo').implement({
  description: 'Relay page info',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage'),
    startCursor: t.exposeString('startCursor', { nullable: true }),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

function edgeOf<T>(name: string, node: ObjectRef<Types, T>) {
  return builder.objectRef<{ cursor: string; node: T }>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor'), // Pothos cannot narrow its resolver result type for a generic T; the edge holds exactly a T.
      node: t.field({ type: node, resolve: (e) => e.node as never }),
    }),
  });
}

/** Defines `<Name>Connection` and `<Name>Edge` for a node type. */
export function connectionOf<T>(name: string, node: ObjectRef<Types, T>) {
  const Edge = edgeOf(name, node);
  return builder.objectRef<Page<T>>(`${name}Connection`).implement({
    fields: (t) => ({
      edges: t.field({ type: [Edge], resolve: (p) => p.edges }),
      pageInfo: t.field({ type: PageInfoRef, resolve: (p) => p.pageInfo }),
    }),
  });
}

/**
 * A connection of a list that is followed live by `subscription`: besides its edges, the `cursor` of the stream
 * position the page reflects (the feature contract: load, then follow from there, with no window between).
 */
export function followedConnectionOf<T>(name: string, node: ObjectRef<Types, T>, subscription: string) {
  const Edge = edgeOf(name, node);
  return builder.objectRef<FollowedPage<T>>(`${name}Connection`).implement({
    fields: (t) => ({
      edges: t.field({ type: [Edge], resolve: (p) => p.edges }),
      pageInfo: t.field({ type: PageInfoRef, resolve: (p) => p.pageInfo }),
      cursor: t.exposeString('cursor', {
        description: `The stream position this page reflects: pass as \`after\` to ${subscription} to follow the list from here, with nothing missed in between.`,
      }),
    }),
  });
}
