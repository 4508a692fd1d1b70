/** The Pothos builder, its plugins and scalars. Nothing else lives here. */
import SchemaBuilder from '@pothos/core';
import { GraphQLError, Kind, type ValueNode } from 'graphql';
import type { Context } from './context.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
}>({ defaultFieldNullability: false });

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** A date and time with a four-digit year (no expanded years such as +275760), then a time and offset if any. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
/**
 * The instants accepted, in UTC: years 1 to 9999. JavaScript holds more, but writes them with an expanded year
 * (+010000-01-01) that PostgreSQL does not read, and nothing here means them.
 */
const MIN_INSTANT = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

builder.scalarType('DateTime', {
  description: 'An ISO-8601 instant with a four-digit year, e.g. 2026-11-22T14:00:00.000Z',
  serialize: (v) => (v instanceof Date ? v.toISOString() : String(v)),
  // Variables and literals both arrive here (a literal through graphql-js's default parseLiteral).
  parseValue: (v) => {
    const d = typeof v === 'string' && ISO_INSTANT.test(v.trim()) ? new Date(v.trim()) : null;
    if (!d || Number.isNaN(d.getTime()) || d.getTime() < MIN_INSTANT || d.getTime() > MAX_INSTANT) {
      throw new GraphQLError('DateTime must be an ISO-8601 instant between the years 1 and 9999, e.g. 2026-11-22T14:00:00.000Z.', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return d;
  },
});

function literal(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.LIST:
      return ast.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value)]));
    default:
      return null;
  }
}

builder.scalarType('JSON', {
  description: 'Arbitrary JSON',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: literal,
});
