/**
 * Rate limits for every mutation, in one place: a Yoga (envelop) plugin that counts each mutation's root fields
 * against the caller (a user, or an API key) before anything executes, over HTTP and over the WebSocket alike
 * (both execute through Yoga's envelop). A mutation is limited by default: a new one is in the `write` class
 * unless this table says otherwise. Refusal: RATE_LIMITED with `retryAfterMs`, nothing executed.
 *
 * Classes (limits in config.rateLimits, README "Configuration", docs/api.md "Limits"):
 * - write: anything that stores or emits (edit, delete, reactions, rooms, members, tutor settings, keys…);
 * - signal: ephemeral signals (typing, presence), which the web app sends as heartbeats;
 * - readMark: read markers, which the web app moves while the reader scrolls;
 * - costly: what calls out, starts work elsewhere or notifies a whole course (roster sync, a tutor retry, deep links,
 *   platforms, announcements).
 * `sendMessage` keeps its own rule in the rooms service (CHAT_RATE_LIMIT): a resend there gives its use back; one sent
 * as the announcement also takes a use of `costly` there (`costlyKey`), as `pinAnnouncement` does here.
 *
 * And every subscription a caller starts (RATE_LIMIT_SUBSCRIBE, class `subscribe`): a subscribe/complete loop on one
 * socket, or SSE streams opened and closed in a loop, would otherwise cost a start each time (a `presence` with a
 * `tabId` writes to Redis and signals the whole course). Counted here for SSE (`onSubscribe`, requests over HTTP);
 * the WebSocket counts in its own onSubscribe (ws.ts: a feed subscription there does not go through Yoga's
 * `subscribe`), with `takeSubscriptionStart`. Refusal: RATE_LIMITED with `retryAfterMs`, for that subscription only.
 */
import { getOperationAST, Kind, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { RateClass, RateRule } from '../config.js';
import { httpRequestOf, type Context } from './context.js';
import { mutationKey, type RateLimiter } from '../ratelimit.js';
import type { Logger } from '../logger.js';
import type { Viewer } from '../auth/viewer.js';
import { AppError } from '../errors.js';

/** Mutations outside the default `write` class; `own`: limited by its service. */
export const MUTATION_RATE_CLASS: Readonly<Record<string, RateClass | 'own'>> = {
  sendMessage: 'own',
  setTyping: 'signal',
  setPresence: 'signal',
  markRoomRead: 'readMark',
  markNotificationRead: 'readMark',
  markNotificationsRead: 'readMark',
  markAllNotificationsRead: 'readMark',
  syncRoster: 'costly',
  retryTutorReply: 'costly',
  submitDeepLink: 'costly',
  registerPlatform: 'costly',
  pinAnnouncement: 'costly',
  // Live classes: create/update/delete/start/end, join and leave are `write`; presence heartbeats are signals.
  liveHeartbeat: 'signal',
  retryLivePassback: 'costly',
  // In class (live/interaction-schema.ts): what students press many times in a class is a signal; asking a question,
  // moderating, clearing hands, opening and closing polls are `write`.
  raiseHand: 'signal',
  lowerHand: 'signal',
  voteLiveQuestion: 'signal',
  signalConfusion: 'signal',
  answerLivePoll: 'signal',
  // Collab documents (collab/documents.ts): edits and cursor moves have their own per-document budgets (COLLAB_UPDATES_PER_MINUTE).
  applyCollabUpdate: 'own',
  sendCollabAwareness: 'own',
};

export const rateClassOf = (mutation: string): RateClass | 'own' => MUTATION_RATE_CLASS[mutation] ?? 'write';

const WHAT: Record<RateClass, string> = {
  write: 'Too many changes',
  signal: 'Too many typing or presence signals',
  readMark: 'Too many read markers',
  costly: 'Too many requests of this kind',
  subscribe: 'Too many subscriptions started',
};

/**
 * Counts one subscription start for the caller; the RATE_LIMITED error when over RATE_LIMIT_SUBSCRIBE, else null.
 * An anonymous caller is not counted (every subscription refuses it by itself); Redis down: allowed.
 */
export async function takeSubscriptionStart(
  limiter: RateLimiter,
  rule: RateRule,
  viewer: Viewer | null | undefined,
  log: Logger,
): Promise<AppError | null> {
  if (!viewer) return null;
  const who = viewer.kind === 'session' ? `u:${viewer.userId}` : `k:${viewer.keyId}`;
  try {
    await limiter.take(`s:subscribe:${who}`, rule.limit, rule.windowMs, WHAT.subscribe);
    return null;
  } catch (err) {
    if (err instanceof AppError && err.code === 'RATE_LIMITED') return err;
    log.warn({ err: (err as Error)?.message }, 'ratelimit: subscription start not checked, Redis unavailable');
    return null;
  }
}

/** Root field names of an operation's selection set, fragments included (a field counts each time it appears). */
function rootFields(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  into: string[],
  seen = new Set<string>(),
): string[] {
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) into.push(sel.name.value);
    else if (sel.kind === Kind.INLINE_FRAGMENT) rootFields(sel.selectionSet, fragments, into, seen);
    else {
      const f = fragments.get(sel.name.value);
      if (f && !seen.has(f.name.value)) {
        seen.add(f.name.value);
        rootFields(f.selectionSet, fragments, into, seen);
      }
    }
  }
  return into;
}

export function rateLimitPlugin(limiter: RateLimiter, rules: Record<RateClass, RateRule>, log: Logger): Plugin<Context> {
  return {
    async onSubscribe({ args, setResultAndStopExecution }) {
      if (!httpRequestOf(args.contextValue)) return; // the WebSocket counts its subscriptions itself (ws.ts)
      const refused = await takeSubscriptionStart(limiter, rules.subscribe, (args.contextValue as Context).viewer, log);
      if (refused) setResultAndStopExecution({ data: null, errors: [refused] });
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const op = getOperationAST(args.document, args.operationName);
      if (!op || op.operation !== 'mutation') return;
      const viewer = (args.contextValue as Context).viewer;
      if (!viewer) return; // every mutation refuses an anonymous caller by itself
      const who = viewer.kind === 'session' ? `u:${viewer.userId}` : `k:${viewer.keyId}`;
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const d of args.document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
      const uses = new Map<RateClass, number>();
      for (const name of rootFields(op.selectionSet, fragments, [])) {
        if (name === '__typename') continue;
        const c = rateClassOf(name);
        if (c !== 'own') uses.set(c, (uses.get(c) ?? 0) + 1);
      }
      const taken = await Promise.allSettled(
        [...uses].map(([c, n]) => limiter.take(mutationKey(c, who), rules[c].limit, rules[c].windowMs, WHAT[c], n)),
      );
      for (const t of taken) {
        if (t.status === 'fulfilled') continue;
        const err = t.reason as unknown;
        if (err instanceof AppError && err.code === 'RATE_LIMITED') {
          setResultAndStopExecution({ data: null, errors: [err] });
          return;
        }
        // Redis did not answer: the limits protect the service, they do not stop it (the mutation goes on).
        log.warn({ err: (err as Error)?.message }, 'ratelimit: not checked, Redis unavailable');
      }
    },
  };
}
