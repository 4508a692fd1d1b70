/**
 * GraphQL Yoga over the schema: HTTP, GraphiQL, SSE. Depth, cost, token and alias limits reject abusive
 * documents during validation with stable codes. Unexpected errors are masked in production.
 */
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { getOperationAST, GraphQLError, type ExecutionArgs, type ExecutionResult, type ValidationContext } from 'graphql';
import { handleStreamOrSingleExecutionResult, maskError, type Plugin } from 'graphql-yoga';
import { schema } from './schema.js';
import type { Context } from './context.js';
import type { Services } from '../services.js';
import type { Viewer } from '../auth/viewer.js';
import { AppError, errorForLog, isAbort, isUnexpected, withCode, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { rateLimitPlugin } from './ratelimit.js';
import { sseConnectionsPlugin } from './sse-connections.js';
import { sseExpiryPlugin } from './sse-expiry.js';
import type { SocketCounter } from '../http/ws-sockets.js';
import { allowedOrigins } from '../http/origins.js';

export interface ServerContext {
  /** Set by the WebSocket transport, which authenticates at connection_init. */
  viewer?: Viewer | null;
  signal?: AbortSignal;
}

export type Yoga = YogaServerInstance<ServerContext, Context>;

const reject = (code: ErrorCode) => (ctx: ValidationContext | null, err: GraphQLError) => {
  ctx?.reportError(new AppError(code, err.message.replace(/^Syntax Error: /, '')));
};

/** The operation's name for the log (never its variables: they hold message bodies and secrets). */
const operationOf = (args: ExecutionArgs) =>
  args.operationName ?? getOperationAST(args.document, args.operationName)?.name?.value ?? '(anonymous)';

/**
 * Every error of a result gets a code (graphql-js reports an invalid variable, such as an Int past 2^31 - 1,
 * without one), and each unexpected error (the ones masked as INTERNAL_SERVER_ERROR) is logged once at error
 * level, with its stack and the operation's name. An abort (the client left) is logged at debug, without a stack.
 * It runs before Yoga masks the errors, over HTTP, SSE and WebSocket alike.
 */
export function errorReporting(log: Logger, logged: WeakSet<object>): Plugin {
  const report = ({ result, args }: { result: ExecutionResult; args: ExecutionArgs }) => {
    for (const error of result.errors ?? []) {
      withCode(error);
      const original = isUnexpected(error);
      if (!original || logged.has(original)) continue;
      logged.add(original);
      const operation = operationOf(args);
      if (isAbort(original)) log.debug({ operation, path: error.path?.join('.') }, 'graphql: operation aborted (the client left)');
      else log.error({ err: errorForLog(original), operation, path: error.path?.join('.') }, 'graphql: unexpected error');
    }
  };
  return {
    onExecute: () => ({ onExecuteDone: (payload) => handleStreamOrSingleExecutionResult(payload, report) }),
    onSubscribe: () => ({ onSubscribeResult: (payload) => handleStreamOrSingleExecutionResult(payload, report) }),
  };
}

/** `sockets`: the per-user connection count, shared with the WebSocket transport (SSE subscriptions count in it). */
export function buildYoga(services: Services, sockets: SocketCounter): Yoga {
  const { config, log } = services;
  /** Errors already logged (by their original error), so that each is logged once. */
  const logged = new WeakSet<object>();
  const origins = allowedOrigins(config);
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL loads its scripts from a CDN: off in production unless GRAPHIQL says otherwise (app.ts gives it a CSP).
    graphiql: config.graphiql ? { title: 'Course Companion API', subscriptionsProtocol: 'WS' } : false,
    // Only the app's own origin and configured integrators' get CORS headers; never credentials (bearer tokens only).
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (!origin || !origins.has(origin)) return false;
      return {
        origin: [origin],
        credentials: false,
        methods: ['GET', 'POST', 'OPTIONS'],
        allowedHeaders: ['authorization', 'content-type', 'accept'],
        maxAge: 600,
      };
    },
    logging: false,
    // The HTTP handler (app.ts) reads the body with config.maxRequestBytes before Yoga sees it (413, REQUEST_TOO_LARGE);
    // Yoga's own limit would pipe every body through a TransformStream again.
    maxRequestBodySize: false,
    maskedErrors: {
      isDev: config.env !== 'production',
      // Errors outside execution (a failing context factory) are masked here without having been reported above.
      maskError: (error, message, isDev) => {
        const masked = maskError(error, message, isDev);
        const original = masked !== error ? (isUnexpected(error) ?? (error as object)) : null;
        if (original && !logged.has(original)) {
          logged.add(original);
          if (isAbort(original)) log.debug('graphql: request aborted (the client left)');
          else log.error({ err: errorForLog(original) }, 'graphql: unexpected error');
        }
        return masked;
      },
    },
    plugins: [
      errorReporting(log, logged),
      maxTokensPlugin({
        n: config.graphqlMaxTokens,
        onReject: [
          (_ctx, err) => {
            throw new AppError('QUERY_TOO_COMPLEX', err.message.replace(/^Syntax Error: /, ''));
          },
        ],
      }),
      maxDepthPlugin({
        n: config.graphqlMaxDepth,
        flattenFragments: true,
        propagateOnRejection: false,
        onReject: [reject('QUERY_TOO_DEEP')],
      }),
      costLimitPlugin({ maxCost: config.graphqlMaxCost, propagateOnRejection: false, onReject: [reject('QUERY_TOO_COMPLEX')] }),
      maxAliasesPlugin({ n: config.graphqlMaxAliases, propagateOnRejection: false, onReject: [reject('QUERY_TOO_COMPLEX')] }),
      rateLimitPlugin(services.limiter, config.rateLimits, services.log),
      // After the rate limit: a subscription refused there takes no place.
      sseConnectionsPlugin(sockets, config.wsMaxSocketsPerUser),
      // Wraps what the connection count wrapped: an expired stream ends, and so gives its place back.
      sseExpiryPlugin(),
    ],
    context: async (init): Promise<Context> => {
      if (init.viewer !== undefined) return { viewer: init.viewer, services, signal: init.signal };
      const request = (init as unknown as { request: Request }).request;
      const viewer = await services.auth.authenticate(request.headers.get('authorization'));
      return { viewer, services, signal: request.signal };
    },
  });
}
