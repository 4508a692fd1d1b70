/**
 * A live class page's pure rules: the loaded class split into what its events change (participants, the hand queue,
 * questions, polls, confusion, attendance), how each event changes it (applyLiveEvent: keyed and idempotent, the
 * newer wins: a replay may bring what the load already had), what a mutation answered merged the same way, and what
 * the page shows from it (the Q&A order, the hand queue, confusion aged on the client, the countdown).
 */
import type {
  LiveAttendanceFieldsFragment,
  LiveClassEventsSubscription,
  LiveClassPageFieldsFragment,
  LiveConfusionFieldsFragment,
  LivePollFieldsFragment,
  LiveQuestionFieldsFragment,
} from '../gql/graphql';

export type LiveClassEventItem = LiveClassEventsSubscription['liveClassEvents'];
export type LiveQuestionItem = LiveQuestionFieldsFragment;
export type LivePollItem = LivePollFieldsFragment;
export type LiveConfusionItem = LiveConfusionFieldsFragment;
export type LiveAttendanceItem = LiveAttendanceFieldsFragment;
export type LiveHandItem = LiveClassPageFieldsFragment['hands'][number];
export type LiveParticipantItem = LiveClassPageFieldsFragment['participants'][number];

export interface LiveClassView {
  /** The class as loaded, its state and times kept up to date by CLASS_UPDATED. */
  cls: LiveClassPageFieldsFragment;
  participants: ReadonlyMap<string, LiveParticipantItem>;
  /** Raised hands by person (the queue is their arrival order: `handQueue`). */
  hands: ReadonlyMap<string, LiveHandItem>;
  questions: ReadonlyMap<string, LiveQuestionItem>;
  polls: ReadonlyMap<string, LivePollItem>;
  /** Hosts only. */
  confusion: LiveConfusionItem | null;
  /** Hosts: everyone's; others: their own row. */
  attendance: ReadonlyMap<string, LiveAttendanceItem>;
  myVotes: ReadonlySet<string>;
  /** Poll id → the option the viewer chose. */
  myPollAnswers: ReadonlyMap<string, number>;
}

const byKey = <T>(list: readonly T[], key: (x: T) => string) => new Map(list.map((x) => [key(x), x]));

export function loadedClass(cls: LiveClassPageFieldsFragment): LiveClassView {
  return {
    cls,
    participants: byKey(cls.participants, (p) => p.userId),
    hands: byKey(cls.hands, (h) => h.userId),
    questions: byKey(cls.questions, (q) => q.id),
    polls: byKey(cls.polls, (p) => p.id),
    confusion: cls.confusion,
    attendance: byKey(cls.attendance, (a) => a.userId),
    myVotes: new Set(cls.myVotes),
    myPollAnswers: new Map(cls.myPollAnswers.map((a) => [a.pollId, a.option])),
  };
}

const STATE_RANK = { SCHEDULED: 0, LIVE: 1, ENDED: 2 } as const;

const withEntry = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V) => new Map(map).set(key, value);
function without<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  if (!map.has(key)) return map;
  const next = new Map(map);
  next.delete(key);
  return next;
}

/** A question as told (an event, a mutation's answer) over the one held: votes never go down, so fewer is older. */
export function mergeQuestion(view: LiveClassView, q: LiveQuestionItem): LiveClassView {
  const held = view.questions.get(q.id);
  if (held && held.votes > q.votes) return view;
  return { ...view, questions: withEntry(view.questions, q.id, q) };
}

/** A poll as told over the one held: a closed poll stays closed, and answers never go down. */
export function mergePoll(view: LiveClassView, p: LivePollItem): LiveClassView {
  const held = view.polls.get(p.id);
  if (held && ((held.status === 'CLOSED' && p.status === 'OPEN') || held.total > p.total)) return view;
  return { ...view, polls: withEntry(view.polls, p.id, p) };
}

/** A raised hand: kept once per person, the first raise (its arrival) wins. */
export function mergeHand(view: LiveClassView, h: LiveHandItem): LiveClassView {
  if (view.hands.has(h.userId)) return view;
  return { ...view, hands: withEntry(view.hands, h.userId, h) };
}

export function mergeAttendance(view: LiveClassView, a: LiveAttendanceItem): LiveClassView {
  return { ...view, attendance: withEntry(view.attendance, a.userId, a) };
}

/** The class's own fields as a mutation answered them (start, end, join): its state never goes back. */
export function mergeClass(view: LiveClassView, cls: LiveClassPageFieldsFragment): LiveClassView {
  if (STATE_RANK[cls.state] < STATE_RANK[view.cls.state]) return view;
  return loadedClass(cls);
}

/** One event of the class's stream into the view. */
export function applyLiveEvent(view: LiveClassView, ev: LiveClassEventItem): LiveClassView {
  switch (ev.type) {
    case 'CLASS_UPDATED': {
      if (!ev.state || STATE_RANK[ev.state] < STATE_RANK[view.cls.state]) return view;
      const cls = view.cls;
      const next = {
        ...cls,
        state: ev.state,
        startedAt: ev.startedAt ?? cls.startedAt,
        endedAt: ev.endedAt ?? cls.endedAt,
        recordingUrl: ev.recordingUrl,
      };
      if (
        next.state === cls.state &&
        next.startedAt === cls.startedAt &&
        next.endedAt === cls.endedAt &&
        next.recordingUrl === cls.recordingUrl
      )
        return view;
      return { ...view, cls: next };
    }
    case 'PARTICIPANT_JOINED':
    case 'PARTICIPANT_LEFT': {
      const p = ev.participant;
      if (!p) return view;
      const held = view.participants.get(p.userId);
      if (held && held.present === p.present && held.userName === p.userName && held.role === p.role) return view;
      return { ...view, participants: withEntry(view.participants, p.userId, p) };
    }
    case 'HAND_RAISED':
      return ev.hand ? mergeHand(view, ev.hand) : view;
    case 'HAND_LOWERED':
      return ev.userId ? { ...view, hands: without(view.hands, ev.userId) } : view;
    case 'HANDS_CLEARED': {
      // The hands raised up to then: one raised after the clearing (a replay of a later raise) stays.
      const kept = [...view.hands.values()].filter((h) => Date.parse(h.raisedAt) > Date.parse(ev.at));
      return kept.length === view.hands.size ? view : { ...view, hands: byKey(kept, (h) => h.userId) };
    }
    case 'QUESTION_POSTED':
    case 'QUESTION_UPDATED':
      return ev.question ? mergeQuestion(view, ev.question) : view;
    case 'CONFUSION_SIGNALLED': {
      const c = ev.confusion;
      if (!c || (view.confusion && Date.parse(view.confusion.at) > Date.parse(c.at))) return view;
      return { ...view, confusion: c };
    }
    case 'POLL_OPENED':
    case 'POLL_ANSWERED':
    case 'POLL_CLOSED':
      return ev.poll ? mergePoll(view, ev.poll) : view;
    case 'ATTENDANCE_UPDATED':
      return ev.attendance ? mergeAttendance(view, ev.attendance) : view;
    default:
      return view;
  }
}

/**
 * Whether a CLASS_UPDATED event tells of a change the view does not hold. The event carries the class's run only
 * (state, times, recording): one that changes none of them and is newer than what the class was read with (its
 * cursor: a load, or a host's own start or end) is a host's edit of what it does not carry (title, description, time,
 * meeting link, settings), so the class is read again.
 */
export function tellsAnEdit(view: LiveClassView, ev: LiveClassEventItem): boolean {
  if (ev.type !== 'CLASS_UPDATED' || !ev.state || Number(ev.cursor) <= Number(view.cls.cursor)) return false;
  const c = view.cls;
  return (
    ev.state === c.state &&
    (ev.startedAt ?? c.startedAt) === c.startedAt &&
    (ev.endedAt ?? c.endedAt) === c.endedAt &&
    ev.recordingUrl === c.recordingUrl
  );
}

/** The hand queue, first raised first. */
export function handQueue(view: LiveClassView): LiveHandItem[] {
  return [...view.hands.values()].sort((a, b) => a.raisedAt.localeCompare(b.raisedAt) || a.userId.localeCompare(b.userId));
}

const STATUS_ORDER = { OPEN: 0, ANSWERED: 1, DISMISSED: 2 } as const;

/** The Q&A: open questions first, then answered, then dismissed; within each, most votes first, ties by time asked. */
export function questionOrder(view: LiveClassView, withDismissed: boolean): LiveQuestionItem[] {
  return [...view.questions.values()]
    .filter((q) => withDismissed || q.status !== 'DISMISSED')
    .sort(
      (a, b) =>
        STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
        b.votes - a.votes ||
        a.createdAt.localeCompare(b.createdAt) ||
        a.id.localeCompare(b.id),
    );
}

/** The polls, newest first. */
export function pollOrder(view: LiveClassView): LivePollItem[] {
  return [...view.polls.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

export function presentPeople(view: LiveClassView): LiveParticipantItem[] {
  return [...view.participants.values()].sort(
    (a, b) =>
      Number(b.present) - Number(a.present) || (a.role === b.role ? 0 : a.role === 'HOST' ? -1 : 1) || a.userName.localeCompare(b.userName),
  );
}

export interface ConfusionNow {
  count: number;
  present: number;
  alert: boolean;
  topics: { topic: string; count: number }[];
}

/**
 * Confusion at `now`: the signals older than the window have aged out (no event says so: the server tells only when
 * someone signals). People are not in the signals, so the count is the server's distinct count, capped by the
 * signals still in the window; topics are grouped again from those (case- and space-insensitive). `presentNow`: the
 * participants in the class now, as the page knows them (the server's count is as of the last signal).
 */
export function confusionAt(c: LiveConfusionItem | null, now: number, presentNow?: number): ConfusionNow | null {
  if (!c) return null;
  const present = presentNow ?? c.present;
  const from = now - c.windowSeconds * 1000;
  const live = c.signals.filter((s) => Date.parse(s.at) > from);
  const count = Math.min(c.count, live.length);
  const groups = new Map<string, { topic: string; count: number }>();
  for (const s of live) {
    const label = s.topic?.trim().replace(/\s+/g, ' ');
    if (!label) continue;
    const key = label.toLowerCase();
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { topic: label, count: 1 });
  }
  const topics = [...groups.values()].sort((a, b) => b.count - a.count || a.topic.localeCompare(b.topic)).slice(0, 5);
  const alert = count > 0 && present > 0 && count * 100 >= c.alertPercent * present;
  return { count, present, alert, topics };
}

/** "in 4 min 30 s", "in 2 h 5 min", "in 3 days"; "now" once the time has come (the host has not started yet). */
export function countdown(startsAt: string, now: number): string {
  const s = Math.round((Date.parse(startsAt) - now) / 1000);
  if (s <= 0) return 'now';
  const d = Math.floor(s / 86_400);
  if (d >= 2) return `in ${d} days`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `in ${h} h${m ? ` ${m} min` : ''}`;
  const sec = s % 60;
  return m > 0 ? `in ${m} min${sec ? ` ${sec} s` : ''}` : `in ${sec} s`;
}

/** "You were present 47 of 50 minutes." */
export function attendanceSentence(a: Pick<LiveAttendanceItem, 'minutesPresent' | 'scheduledMinutes'>): string {
  const min = (n: number) => `${n} minute${n === 1 ? '' : 's'}`;
  return `You were present ${a.minutesPresent} of ${min(a.scheduledMinutes)}.`;
}

/** A poll's result as shares of its answers (whole percents), in option order; null where counts are hidden. */
export function pollShares(p: LivePollItem): (number | null)[] {
  return p.options.map((o) => (o.count === null ? null : p.total > 0 ? Math.round((o.count * 100) / p.total) : 0));
}

/** The options a host typed, one a line: trimmed, empty lines dropped. */
export function pollOptionsOf(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}
