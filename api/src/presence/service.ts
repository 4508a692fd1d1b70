/**
 * Presence: online, away or offline per member of a course, across every tab and device of a user. Each tab
 * (one presence subscription) holds an entry in Redis with an expiry that the server renews while the
 * subscription lives; a user is online when one tab is, away when all their tabs are away, offline when the
 * last one leaves or expires. The state is computed and compared atomically in Redis, and changes go out as
 * ephemeral signals through the realtime module, carrying a version so that a client keeps the newest.
 */
import type { Redis } from 'ioredis';
import type { OutgoingSignal, Realtime } from '../realtime/realtime.js';
import type { Logger } from '../logger.js';
import type { Access } from '../auth/access.js';
import type { Viewer } from '../auth/viewer.js';
import { AppError } from '../errors.js';
import { presenceStream, type PresenceSignal } from './events.js';
import { onAbort } from '../abort.js';

export type PresenceState = 'online' | 'away' | 'offline';
export interface PresenceChange {
  userId: string;
  state: PresenceState;
  /** Grows with every change anywhere; a client ignores a change older than the one it has. */
  version: number;
}

/** A tab's entry lives this long without renewal (a crashed instance's tabs go offline after it). */
export const TAB_TTL_MS = 45_000;
export const RENEW_MS = 15_000;
const SWEEP_MS = 10_000;

const userKey = (courseId: string, userId: string) => `pres:u:${courseId}:${userId}`;
const courseKey = (courseId: string) => `pres:c:${courseId}`;
const COURSES = 'pres:courses';
const VERSION = 'pres:version';

/**
 * KEYS: user hash, course sorted set, course index set, version counter.
 * ARGV: userId, courseId, tabId ('' to only recompute), expiresAt ('' to remove the tab), state ('o'|'a'), now,
 * and optionally section (the part of the tool the tab shows; '' or absent: unchanged).
 * A tab's section is the field `_sec:<tabId>` of the same hash: it goes with its tab (removed, expired) and the hash.
 * Returns { state, version, sectionChanged } with version 0 when the state did not change.
 */
const TOUCH = `
local uk, ck, idx, vk = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local userId, courseId, tab, exp, st, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local sec = ARGV[7] or ''
local secChanged = 0
if tab ~= '' then
  if exp == '' then
    redis.call('HDEL', uk, tab, '_sec:' .. tab)
  else
    redis.call('HSET', uk, tab, exp .. ':' .. st)
    if sec ~= '' and redis.call('HGET', uk, '_sec:' .. tab) ~= sec then
      redis.call('HSET', uk, '_sec:' .. tab, sec)
      secChanged = 1
    end
  end
end
local all = redis.call('HGETALL', uk)
local online, away, maxExp = false, false, 0
for i = 1, #all, 2 do
  local f, v = all[i], all[i + 1]
  if string.sub(f, 1, 1) ~= '_' then
    local sep = string.find(v, ':')
    local e = tonumber(string.sub(v, 1, sep - 1))
    if e <= now then
      redis.call('HDEL', uk, f, '_sec:' .. f)
    else
      if string.sub(v, sep + 1) == 'o' then online = true else away = true end
      if e > maxExp then maxExp = e end
    end
  end
end
local state = online and 'online' or (away and 'away' or 'offline')
local old = redis.call('HGET', uk, '_s') or 'offline'
if state == 'offline' then
  redis.call('DEL', uk)
  redis.call('ZREM', ck, userId)
else
  redis.call('HSET', uk, '_s', state)
  redis.call('PEXPIRE', uk, maxExp - now + 1000)
  redis.call('ZADD', ck, maxExp, userId)
  redis.call('SADD', idx, courseId)
end
if old == state then return { state, 0, secChanged } end
return { state, redis.call('INCR', vk), secChanged }
`;

const TAB_ID = /^[A-Za-z0-9_-]{8,64}$/;
/** A part of the tool a tab shows: the course page's section (hub, chat, tutor, live, collab, schedule, dashboard…). */
const SECTION = /^[a-z][a-z0-9-]{0,31}$/;

/** A person present in a course now, and the sections their tabs show (sorted, without repeats; empty: none said). */
export interface PresentWhere {
  userId: string;
  state: 'online' | 'away';
  sections: string[];
}
/** Departing tabs removed per Redis round trip (a class ending at once), the event loop free between them. */
const LEAVE_CHUNK = 100;

interface Leaving {
  tenantId: string;
  courseId: string;
  userId: string;
  tabId: string;
}
type TouchResult = [PresenceState, number, number?];

export class PresenceService {
  private sweeper: NodeJS.Timeout | null = null;
  private leaving: Leaving[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly realtime: Realtime,
    private readonly access: Access,
    private readonly log: Logger,
  ) {
    redis.defineCommand('presenceTouch', { numberOfKeys: 4, lua: TOUCH });
  }

  static checkTabId(tabId: string): void {
    if (!TAB_ID.test(tabId)) throw new AppError('BAD_USER_INPUT', 'tabId must be 8 to 64 letters, digits, "-" or "_".');
  }

  static checkSection(section: string): void {
    if (SECTION.test(section)) return;
    const message = 'section is the lower-case name of a part of the tool (hub, chat, tutor, live…), at most 32 characters.';
    throw new AppError('BAD_USER_INPUT', message, { field: 'section' });
  }

  /**
   * Marks one of a person's tabs online (visible) or away (hidden) in a course they read, and with `section` what
   * part of the tool it shows now; their state across tabs.
   */
  async setTab(viewer: Viewer, courseId: string, tabId: string, state: PresenceState, section?: string | null): Promise<PresenceState> {
    if (viewer.kind !== 'session') throw new AppError('FORBIDDEN', 'Presence belongs to people.');
    PresenceService.checkTabId(tabId);
    if (section != null) PresenceService.checkSection(section);
    await this.access.requireCourseRead(viewer, courseId);
    if (state === 'offline') throw new AppError('BAD_USER_INPUT', 'A tab is ONLINE or AWAY; close the presence subscription to leave.');
    return this.touch(viewer.tenantId, courseId, viewer.userId, tabId, state, section ?? '');
  }

  /**
   * Records a tab as online or away (or gone), with the section it shows ('': unchanged), and publishes the user's
   * state when it changed (and a `presence.section` signal when the section did).
   */
  async touch(
    tenantId: string,
    courseId: string,
    userId: string,
    tabId: string,
    state: 'online' | 'away' | 'gone',
    section = '',
  ): Promise<PresenceState> {
    const now = Date.now();
    const exp = state === 'gone' ? '' : String(now + TAB_TTL_MS);
    return this.run(tenantId, courseId, userId, tabId, exp, state === 'away' ? 'a' : 'o', now, section);
  }

  private async run(
    tenantId: string,
    courseId: string,
    userId: string,
    tabId: string,
    exp: string,
    st: string,
    now: number,
    section = '',
  ): Promise<PresenceState> {
    const [state, version, sectionChanged] = (await (
      this.redis as Redis & { presenceTouch: (...a: string[]) => Promise<TouchResult> }
    ).presenceTouch(
      userKey(courseId, userId),
      courseKey(courseId),
      COURSES,
      VERSION,
      userId,
      courseId,
      tabId,
      exp,
      st,
      String(now),
      section,
    )) as TouchResult;
    if (version > 0) {
      const change: PresenceChange = { userId, state, version: Number(version) };
      await this.realtime.signal(presenceStream(courseId), { type: 'presence', payload: { ...change, tenantId } }, TAB_TTL_MS);
    }
    if (Number(sectionChanged) === 1)
      await this.realtime.signal(
        presenceStream(courseId),
        { type: 'presence.section', payload: { userId, section, tenantId } },
        TAB_TTL_MS,
      );
    return state;
  }

  /** The current state of one member. */
  async stateOf(courseId: string, userId: string): Promise<PresenceState> {
    const s = await this.redis.hget(userKey(courseId, userId), '_s');
    return s === 'online' || s === 'away' ? s : 'offline';
  }

  /** Everyone online or away in a course now (everyone else is offline). */
  async list(courseId: string): Promise<{ userId: string; state: PresenceState }[]> {
    const ids = await this.redis.zrangebyscore(courseKey(courseId), Date.now(), '+inf');
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hget(userKey(courseId, id), '_s');
    const res = (await pipe.exec()) ?? [];
    return ids.flatMap((userId, i) => {
      const s = res[i]?.[1];
      return s === 'online' || s === 'away' ? [{ userId, state: s as PresenceState }] : [];
    });
  }

  /**
   * Where everyone present in a course is now: per person online or away, the sections their live tabs show (a tab
   * that never said shows none). For the instructor's live dashboard.
   */
  async whereNow(courseId: string): Promise<PresentWhere[]> {
    const now = Date.now();
    const ids = await this.redis.zrangebyscore(courseKey(courseId), now, '+inf');
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hgetall(userKey(courseId, id));
    const res = (await pipe.exec()) ?? [];
    return ids.flatMap((userId, i): PresentWhere[] => {
      const h = (res[i]?.[1] ?? {}) as Record<string, string>;
      const state = h._s;
      if (state !== 'online' && state !== 'away') return [];
      const sections = new Set<string>();
      for (const [field, value] of Object.entries(h)) {
        if (field.startsWith('_')) continue;
        // A tab's entry is `<expiresAt>:<o|a>`; an expired one not yet swept shows nothing.
        if (Number(value.slice(0, value.indexOf(':'))) <= now) continue;
        const section = h[`_sec:${field}`];
        if (section) sections.add(section);
      }
      return [{ userId, state, sections: [...sections].sort() }];
    });
  }

  /**
   * Keeps a tab present for as long as `signal` is not aborted: renews its entry, and removes it at the end.
   * The tenant is carried in the signal for the subscribers' authorization. `section`: what the tab shows first.
   */
  hold(tenantId: string, courseId: string, userId: string, tabId: string, signal: AbortSignal, section = ''): void {
    if (signal.aborted) return; // its subscription ended before it started: the tab never comes online
    let state: 'online' | 'away' = 'online';
    const renew = () =>
      this.touch(tenantId, courseId, userId, tabId, state).catch((err: unknown) =>
        this.log.warn({ err: (err as Error).message }, 'presence: renew failed'),
      );
    void this.touch(tenantId, courseId, userId, tabId, state, section).catch((err: unknown) =>
      this.log.warn({ err: (err as Error).message }, 'presence: renew failed'),
    );
    const timer = setInterval(
      () =>
        void this.redis.hget(userKey(courseId, userId), tabId).then((v) => {
          // setPresence may have switched this tab to away meanwhile: renew with what is stored.
          if (v?.endsWith(':a')) state = 'away';
          else state = 'online';
          return renew();
        }),
      RENEW_MS,
    );
    onAbort(signal, () => {
      clearInterval(timer);
      this.leave({ tenantId, courseId, userId, tabId });
    });
  }

  /**
   * Removes a departed tab. Departures are batched: many tabs leaving at once (the end of a class) cost one Redis
   * round trip and one publish per LEAVE_CHUNK tabs, not one each, and the event loop is free between chunks.
   */
  private leave(tab: Leaving): void {
    this.leaving.push(tab);
    this.flushSoon();
  }

  private flushSoon(): void {
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.flushLeaves())
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'presence: leave failed'))
      .finally(() => {
        this.flushing = null;
        if (this.leaving.length > 0) this.flushSoon();
      });
  }

  /** Resolves when every departure so far is recorded (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushLeaves(): Promise<void> {
    while (this.leaving.length > 0) {
      const batch = this.leaving.splice(0, LEAVE_CHUNK);
      const now = String(Date.now());
      const pipe = this.redis.pipeline() as ReturnType<Redis['pipeline']> & { presenceTouch: (...a: string[]) => unknown };
      for (const t of batch)
        pipe.presenceTouch(
          userKey(t.courseId, t.userId),
          courseKey(t.courseId),
          COURSES,
          VERSION,
          t.userId,
          t.courseId,
          t.tabId,
          '',
          'o',
          now,
        );
      const results = (await pipe.exec()) ?? [];
      const changes: OutgoingSignal<PresenceSignal>[] = [];
      results.forEach(([err, res], i) => {
        const t = batch[i]!;
        if (err) return void this.log.warn({ err: err.message }, 'presence: leave failed');
        const [state, version] = res as TouchResult;
        if (Number(version) > 0)
          changes.push({
            stream: presenceStream(t.courseId),
            signal: { type: 'presence', payload: { userId: t.userId, state, version: Number(version), tenantId: t.tenantId } },
            ttlMs: TAB_TTL_MS,
          });
      });
      await this.realtime.signalMany(changes);
      if (this.leaving.length > 0) await new Promise((r) => setImmediate(r));
    }
  }

  /** Every instance sweeps expired tabs (a tab whose instance died); Redis decides atomically who publishes. */
  startSweeper(tenantOf: (courseId: string) => Promise<string | null>): void {
    const sweep = async () => {
      const now = Date.now();
      for (const courseId of await this.redis.smembers(COURSES)) {
        const expired = await this.redis.zrangebyscore(courseKey(courseId), 0, now);
        if (expired.length > 0) {
          const tenantId = await tenantOf(courseId);
          if (tenantId) for (const userId of expired) await this.run(tenantId, courseId, userId, '', '', 'o', now);
        }
        if ((await this.redis.zcard(courseKey(courseId))) === 0) await this.redis.srem(COURSES, courseId);
      }
    };
    this.sweeper = setInterval(
      () => void sweep().catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'presence: sweep failed')),
      SWEEP_MS,
    );
    this.sweeper.unref();
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }
}
