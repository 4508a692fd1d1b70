/**
 * GraphQL Yoga over the schema: HTTP, GraphiQL, SSE. Depth, cost, token and alias limits reject abusive
 * documents during validation with stable codes. Unexpected errors are masked in production.
 */
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import type { GraphQLError, ValidationContext } from 'graphql';
import { schema } from './schema.js';
import type { Context } from './context.js';
import type { Services } from '../services.js';
import type { Viewer } from '../auth/viewer.js';
import { AppError, type ErrorCode } from '../errors.js';

export interface ServerContext {
  /** Set by the WebSocket transport, which authenticates at connection_init. */
  viewer?: Viewer | null;
  signal?: AbortSignal;
}

export type Yoga = YogaServerInstance<ServerContext, Context>;

const reject = (code: ErrorCode) => (ctx: ValidationContext | null, err: GraphQLError) => {
  ctx?.reportError(new AppError(code, err.message.replace(/^Syntax Error: /, '')));
};

export function buildYoga(services: Services): Yoga {
  const { config } = services;
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'Course Companion API', subscriptionsProtocol: 'WS' },
    logging: false,
    // The HTTP handler (app.ts) reads the body with config.maxRequestBytes before Yoga sees it (413, REQUEST_TOO_LARGE);
    // Yoga's own limit would pipe every body through a TransformStream again.
    maxRequestBodySize: false,
    maskedErrors: config.env === 'production' ? true : { isDev: true },
    plugins: [
      maxTokensPlugin({
        n: config.graphqlMaxTokens,
        onReject: [
          (_ctx, err) => {
            throw new AppError('QUERY_TOO_COMPLEX', err.message.replace(/^Syntax Error: /, ''));
          },
        ],
      }),
      maxDepthPlugin({ n: config.graphqlMaxDepth, flattenFragments: true, propagateOnRejection: false, onReject: [reject('QUERY_TOO_DEEP')] }),
      costLimitPlugin({ maxCost: config.graphqlMaxCost, propagateOnRejection: false, onReject: [reject('QUERY_TOO_COMPLEX')] }),
      maxAliasesPlugin({ n: config.graphqlMaxAliases, propagateOnRejection: false, onReject: [reject('QUERY_TOO_COMPLEX')] }),
    ],
    context: async (init): Promise<Context> => {
      if (init.viewer !== undefined) return { viewer: init.viewer, services, signal: init.signal };
      const request = (init as unknown as { request: Request }).request;
      const viewer = await services.auth.authenticate(request.headers.get('authorization'));
      return { viewer, services, signal: request.signal };
    },
  });
}
