/**
 * What happens in a live class: raised hands, the Q&A and its votes, "I'm lost" confusion signals and quick polls.
 * Every rule of who may do what is in LiveAccess (access.ts); every change is one `realtime.write` transaction that
 * emits its event on the class's stream (`liveStream(classId)`) with the snapshot view (the hand, the question with
 * its votes, the poll with its tally, the confusion over the window), so subscribers render without a read.
 *
 * - Participant actions (raise a hand, ask, vote, signal, answer a poll) need the class live and the person admitted
 *   (CLASS_NOT_LIVE, NOT_JOINED). They read the class row `for share`, so a host ending the class (which locks it
 *   for update) waits for them, and none lands after the end.
 * - Hands: raising twice keeps the first time; the queue is in arrival order (raisedAt, then userId). A person
 *   lowers their own; hosts lower anyone's or all.
 * - Questions: anonymous only where the class allows it (the author is stored; access.ts cuts it for others). One
 *   vote per person and question: the vote's primary key with `insert … on conflict do nothing`, and the count
 *   raised only when the insert inserted, in one transaction (so concurrent votes of one person count once).
 *   Hosts answer and moderate; they may post but not vote. Ordered by votes, then time.
 * - Confusion: a person counts once within the class's window (their latest signal); a repeat within
 *   CONFUSION_REPEAT_MS is accepted but not stored. The alert compares distinct signallers with the participants
 *   present now. Hosts see confusion; they do not signal it.
 * - Polls: hosts open (while the class is live) and close them; each person answers once (primary key); the tally
 *   is computed from the answers in the transaction that emits it. Hosts do not answer.
 */
import { and, asc, desc, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Realtime } from '../realtime/realtime.js';
import type { Logger } from '../logger.js';
import type { Viewer } from '../auth/viewer.js';
import { isUuid } from '../auth/access.js';
import { AppError, notFound } from '../errors.js';
import { cleanLine, cleanMultiline } from '../text.js';
import { users } from '../users/tables.js';
import {
  liveAttendees,
  liveClasses,
  liveConfusion,
  liveHands,
  liveIntervals,
  livePollAnswers,
  livePolls,
  liveQuestions,
  liveQuestionVotes,
} from './tables.js';
import { liveStream, type LiveConfusionView, type LiveHandView, type LivePollView, type LiveQuestionView } from './events.js';
import type { LiveAccess, LiveClassRow } from './access.js';

export interface LiveInteractionDeps {
  db: Tx;
  realtime: Realtime;
  liveAccess: LiveAccess;
  log: Logger;
  /** The clock (tests move it): hand, question, signal and poll times, and the confusion window's end. */
  clock?: () => Date;
}

type Person = Extract<Viewer, { kind: 'session' }>;
/** What the confusion view is computed from: the class and its window and alert settings. */
type ConfusionSettings = Pick<LiveClassRow, 'id' | 'confusionWindowSeconds' | 'confusionAlertPercent'>;

const MAX_QUESTION = 1000;
const MAX_POLL_QUESTION = 300;
const MAX_OPTION = 100;
const MIN_OPTIONS = 2;
const MAX_OPTIONS = 10;
const MAX_TOPIC = 80;
const TOP_TOPICS = 5;
/** A person's confusion signal within this long of their last one is accepted and not stored. */
export const CONFUSION_REPEAT_MS = 30_000;

const badInput = (field: string, message: string) => new AppError('BAD_USER_INPUT', message, { field });
const notForHosts = (message: string) => new AppError('FORBIDDEN', message, { reason: 'HOST' });

export class LiveInteractionService {
  private readonly db: Tx;
  private readonly now: () => Date;
  /** The live-class rules, for the schema (what a viewer may see of a question or a poll). */
  readonly access: LiveAccess;

  constructor(private readonly d: LiveInteractionDeps) {
    this.db = d.db;
    this.access = d.liveAccess;
    this.now = d.clock ?? (() => new Date());
  }

  // ---- the class, as an action sees it ----
  //
  // Who may act is checked before the write (the course checks read through their own connection and caches, which
  // a transaction holding a pooled connection, or PGlite's single one, must not wait for); in the write, the class is
  // read again `for share`, so its state is current and a host ending it waits for the action.

  /** A participant action: the class readable and live, the person admitted (LiveAccess.requireInClass). */
  private async participant(viewer: Viewer, classId: string): Promise<{ row: LiveClassRow; person: Person }> {
    const row = await this.d.liveAccess.readableClass(viewer, classId);
    const person = await this.d.liveAccess.requireInClass(viewer, row);
    return { row, person };
  }

  /** A host action: the class readable, the viewer its host. */
  private async hosted(viewer: Viewer, classId: string): Promise<LiveClassRow> {
    const row = await this.d.liveAccess.readableClass(viewer, classId);
    await this.d.liveAccess.requireHost(viewer, row);
    return row;
  }

  /** In the write: the class read `for share`; CLASS_NOT_LIVE unless it is (still) live when `live`. */
  private async shared(tx: Tx, classId: string, live: boolean): Promise<LiveClassRow> {
    const [row] = await tx.select().from(liveClasses).where(eq(liveClasses.id, classId)).for('share');
    if (!row) throw notFound('The live class');
    if (live && row.state !== 'live')
      throw new AppError('CLASS_NOT_LIVE', row.state === 'ended' ? 'This class has ended.' : 'This class has not started yet.', {
        state: row.state,
      });
    return row;
  }

  private async userName(tx: Tx, userId: string): Promise<string> {
    const [u] = await tx.select({ name: users.name }).from(users).where(eq(users.id, userId));
    return u?.name ?? '';
  }

  // ---- hands ----

  /** Raises the viewer's hand (raising it again keeps the first time and emits nothing). */
  async raiseHand(viewer: Viewer, classId: string): Promise<LiveHandView> {
    const { row, person } = await this.participant(viewer, classId);
    return this.d.realtime.write(async (tx, emit) => {
      await this.shared(tx, classId, true);
      const [added] = await tx
        .insert(liveHands)
        .values({ classId, userId: person.userId, tenantId: row.tenantId, raisedAt: this.now() })
        .onConflictDoNothing()
        .returning();
      const [hand] = added
        ? [added]
        : await tx
            .select()
            .from(liveHands)
            .where(and(eq(liveHands.classId, classId), eq(liveHands.userId, person.userId)));
      const view: LiveHandView = {
        userId: person.userId,
        userName: await this.userName(tx, person.userId),
        raisedAt: hand!.raisedAt.toISOString(),
      };
      if (added) await emit(liveStream(classId), { tenantId: row.tenantId, type: 'hand.raised', payload: { hand: view } });
      return view;
    });
  }

  /**
   * Lowers the viewer's own hand (no `userId`, or their own) or, for a host, anyone's. True when a hand was lowered;
   * false when it was not raised.
   */
  async lowerHand(viewer: Viewer, classId: string, userId?: string | null): Promise<boolean> {
    const row = await this.d.liveAccess.readableClass(viewer, classId);
    let target: string;
    let byHost = false;
    if (userId == null || (viewer.kind === 'session' && userId === viewer.userId)) {
      target = (await this.d.liveAccess.requirePerson(viewer, row.courseId)).userId;
    } else {
      await this.d.liveAccess.requireHost(viewer, row);
      if (!isUuid(userId)) return false;
      target = userId;
      byHost = true;
    }
    return this.d.realtime.write(async (tx, emit) => {
      await this.shared(tx, classId, false);
      const gone = await tx
        .delete(liveHands)
        .where(and(eq(liveHands.classId, classId), eq(liveHands.userId, target)))
        .returning({ userId: liveHands.userId });
      if (gone.length === 0) return false;
      await emit(liveStream(classId), { tenantId: row.tenantId, type: 'hand.lowered', payload: { userId: target, byHost } });
      return true;
    });
  }

  /** Lowers every hand (hosts). Returns how many were raised. */
  async clearHands(viewer: Viewer, classId: string): Promise<number> {
    const row = await this.hosted(viewer, classId);
    return this.d.realtime.write(async (tx, emit) => {
      await this.shared(tx, classId, false);
      const gone = await tx.delete(liveHands).where(eq(liveHands.classId, classId)).returning({ userId: liveHands.userId });
      if (gone.length > 0)
        await emit(liveStream(classId), { tenantId: row.tenantId, type: 'hands.cleared', payload: { count: gone.length } });
      return gone.length;
    });
  }

  /** The raised hands in arrival order (raisedAt, then userId). The caller checked the class is readable. */
  async hands(classId: string, tx: Tx = this.db): Promise<LiveHandView[]> {
    const list = await tx
      .select({ userId: liveHands.userId, userName: users.name, raisedAt: liveHands.raisedAt })
      .from(liveHands)
      .innerJoin(users, eq(users.id, liveHands.userId))
      .where(eq(liveHands.classId, classId))
      .orderBy(asc(liveHands.raisedAt), asc(liveHands.userId));
    return list.map((h) => ({ userId: h.userId, userName: h.userName, raisedAt: h.raisedAt.toISOString() }));
  }

  // ---- questions ----

  /** Posts a question (anonymous to classmates only where the class allows it). */
  async ask(viewer: Viewer, classId: string, rawBody: string, anonymous = false): Promise<LiveQuestionView> {
    const body = cleanMultiline(rawBody, 'body', 'chat').trim();
    if (body.length === 0) throw badInput('body', 'Write a question first.');
    if (body.length > MAX_QUESTION) throw badInput('body', `A question is at most ${MAX_QUESTION} characters.`);
    const { person } = await this.participant(viewer, classId);
    return this.d.realtime.write(async (tx, emit) => {
      const row = await this.shared(tx, classId, true);
      if (anonymous && !row.anonymousQuestions) throw badInput('anonymous', 'This class does not take anonymous questions.');
      const [q] = await tx
        .insert(liveQuestions)
        .values({ tenantId: row.tenantId, classId, authorId: person.userId, body, anonymous, createdAt: this.now() })
        .returning();
      const view = this.questionView(q!, await this.userName(tx, person.userId));
      await emit(liveStream(classId), { tenantId: row.tenantId, type: 'question.posted', payload: { question: view } });
      return view;
    });
  }

  /**
   * One vote per person and question: ALREADY_VOTED for a second (however concurrent), OWN_QUESTION for one's own,
   * QUESTION_CLOSED once answered or dismissed; hosts do not vote (FORBIDDEN).
   */
  async vote(viewer: Viewer, questionId: string): Promise<LiveQuestionView> {
    const found = await this.questionOf(viewer, questionId);
    const { row, person } = await this.participant(viewer, found.classId);
    if (await this.d.liveAccess.isHost(viewer, row.courseId)) throw notForHosts('Hosts answer questions; they do not vote for them.');
    return this.d.realtime.write(async (tx, emit) => {
      await this.shared(tx, row.id, true);
      const q = await this.lockQuestion(tx, questionId);
      if (q.authorId === person.userId) throw new AppError('OWN_QUESTION', 'You cannot vote for your own question.');
      if (q.status !== 'open') throw new AppError('QUESTION_CLOSED', `This question was ${q.status}.`, { status: q.status });
      const [voted] = await tx
        .insert(liveQuestionVotes)
        .values({ questionId, userId: person.userId, createdAt: this.now() })
        .onConflictDoNothing()
        .returning({ userId: liveQuestionVotes.userId });
      if (!voted) throw new AppError('ALREADY_VOTED', 'You already voted for this question.');
      const [updated] = await tx
        .update(liveQuestions)
        .set({ votes: sql`${liveQuestions.votes} + 1` })
        .where(eq(liveQuestions.id, questionId))
        .returning();
      const view = this.questionView(updated!, await this.userName(tx, updated!.authorId));
      await emit(liveStream(row.id), { tenantId: row.tenantId, type: 'question.updated', payload: { question: view } });
      return view;
    });
  }

  /** Hosts mark a question answered (its time and who, the first time only), dismiss it, or open it again. */
  async setQuestionStatus(viewer: Viewer, questionId: string, status: LiveQuestionView['status']): Promise<LiveQuestionView> {
    const found = await this.questionOf(viewer, questionId);
    const row = await this.hosted(viewer, found.classId);
    return this.d.realtime.write(async (tx, emit) => {
      await this.shared(tx, row.id, false);
      const q = await this.lockQuestion(tx, questionId);
      if (q.status === status) return this.questionView(q, await this.userName(tx, q.authorId));
      const first = status === 'answered' && q.answeredAt === null && viewer.kind === 'session';
      const [updated] = await tx
        .update(liveQuestions)
        .set({ status, ...(first ? { answeredAt: this.now(), answeredBy: viewer.userId } : {}) })
        .where(eq(liveQuestions.id, questionId))
        .returning();
      const view = this.questionView(updated!, await this.userName(tx, updated!.authorId));
      await emit(liveStream(row.id), { tenantId: row.tenantId, type: 'question.updated', payload: { question: view } });
      return view;
    });
  }

  /** The class's questions: most votes first, then oldest, then id. The caller checked the class is readable. */
  async questions(classId: string, tx: Tx = this.db): Promise<LiveQuestionView[]> {
    const list = await tx
      .select({ q: liveQuestions, authorName: users.name })
      .from(liveQuestions)
      .innerJoin(users, eq(users.id, liveQuestions.authorId))
      .where(eq(liveQuestions.classId, classId))
      .orderBy(desc(liveQuestions.votes), asc(liveQuestions.createdAt), asc(liveQuestions.id));
    return list.map((r) => this.questionView(r.q, r.authorName));
  }

  /** The questions of the class the viewer voted for (none for an API key). */
  async myVotes(viewer: Viewer, classId: string): Promise<string[]> {
    if (viewer.kind !== 'session') return [];
    const list = await this.db
      .select({ id: liveQuestionVotes.questionId })
      .from(liveQuestionVotes)
      .innerJoin(liveQuestions, eq(liveQuestions.id, liveQuestionVotes.questionId))
      .where(and(eq(liveQuestions.classId, classId), eq(liveQuestionVotes.userId, viewer.userId)));
    return list.map((r) => r.id);
  }

  /** A question's class, if it is in the viewer's tenant (NOT_FOUND otherwise; the class check follows). */
  private async questionOf(viewer: Viewer, questionId: string): Promise<{ classId: string }> {
    if (!isUuid(questionId)) throw notFound('The question');
    const [q] = await this.db
      .select({ classId: liveQuestions.classId, tenantId: liveQuestions.tenantId })
      .from(liveQuestions)
      .where(eq(liveQuestions.id, questionId));
    if (!q || q.tenantId !== viewer.tenantId) throw notFound('The question');
    return q;
  }

  private async lockQuestion(tx: Tx, questionId: string) {
    const [q] = await tx.select().from(liveQuestions).where(eq(liveQuestions.id, questionId)).for('update');
    if (!q) throw notFound('The question');
    return q;
  }

  private questionView(q: typeof liveQuestions.$inferSelect, authorName: string): LiveQuestionView {
    return {
      id: q.id,
      classId: q.classId,
      body: q.body,
      authorId: q.authorId,
      authorName,
      anonymous: q.anonymous,
      status: q.status as LiveQuestionView['status'],
      votes: q.votes,
      createdAt: q.createdAt.toISOString(),
      answeredAt: q.answeredAt?.toISOString() ?? null,
    };
  }

  // ---- confusion ----

  /**
   * "I'm lost", with an optional topic. A repeat within CONFUSION_REPEAT_MS of the person's last signal is accepted
   * and not stored (true either way). Hosts do not signal (FORBIDDEN).
   */
  async signalConfusion(viewer: Viewer, classId: string, rawTopic?: string | null): Promise<boolean> {
    let topic: string | null = null;
    if (rawTopic != null) {
      topic = cleanLine(rawTopic, 'topic', 'chat');
      if (topic.length > MAX_TOPIC) throw badInput('topic', `A topic is at most ${MAX_TOPIC} characters.`);
      if (topic.length === 0) topic = null;
    }
    const { row: read, person } = await this.participant(viewer, classId);
    if (await this.d.liveAccess.isHost(viewer, read.courseId)) throw notForHosts('Hosts see confusion; they do not signal it.');
    return this.d.realtime.write(async (tx, emit) => {
      const row = await this.shared(tx, classId, true);
      const now = this.now();
      const [last] = await tx
        .select({ at: liveConfusion.at })
        .from(liveConfusion)
        .where(and(eq(liveConfusion.classId, classId), eq(liveConfusion.userId, person.userId)))
        .orderBy(desc(liveConfusion.at))
        .limit(1);
      if (last && now.getTime() - last.at.getTime() < CONFUSION_REPEAT_MS && now >= last.at) return true;
      await tx.insert(liveConfusion).values({ tenantId: row.tenantId, classId, userId: person.userId, topic, at: now });
      const confusion = await this.confusionAt(row, now, tx);
      await emit(liveStream(classId), { tenantId: row.tenantId, type: 'confusion.signalled', payload: { confusion } });
      return true;
    });
  }

  /** The class's confusion now, for hosts (null for anyone else). */
  async confusion(viewer: Viewer, row: ConfusionSettings & { courseId: string }): Promise<LiveConfusionView | null> {
    if (!(await this.d.liveAccess.isHost(viewer, row.courseId))) return null;
    return this.confusionAt(row, this.now());
  }

  /** When the viewer last signalled confusion in the class (null: never, or an API key). */
  async myConfusedAt(viewer: Viewer, classId: string): Promise<Date | null> {
    if (viewer.kind !== 'session') return null;
    const [last] = await this.db
      .select({ at: liveConfusion.at })
      .from(liveConfusion)
      .where(and(eq(liveConfusion.classId, classId), eq(liveConfusion.userId, viewer.userId)))
      .orderBy(desc(liveConfusion.at))
      .limit(1);
    return last?.at ?? null;
  }

  /**
   * Confusion over the window (now − window, now]: each person's latest signal in it, the participants present at
   * `now` (an interval open then), the alert, and the topics grouped case- and space-insensitively.
   */
  async confusionAt(row: ConfusionSettings, now: Date, tx: Tx = this.db): Promise<LiveConfusionView> {
    const from = new Date(now.getTime() - row.confusionWindowSeconds * 1000);
    const latest = await tx
      .selectDistinctOn([liveConfusion.userId], { userId: liveConfusion.userId, at: liveConfusion.at, topic: liveConfusion.topic })
      .from(liveConfusion)
      .where(and(eq(liveConfusion.classId, row.id), gt(liveConfusion.at, from), lte(liveConfusion.at, now)))
      .orderBy(asc(liveConfusion.userId), desc(liveConfusion.at));
    const [presentRow] = await tx
      .select({ n: sql<number>`count(distinct ${liveIntervals.userId})::int` })
      .from(liveIntervals)
      .innerJoin(liveAttendees, and(eq(liveAttendees.classId, liveIntervals.classId), eq(liveAttendees.userId, liveIntervals.userId)))
      .where(
        and(
          eq(liveIntervals.classId, row.id),
          eq(liveAttendees.role, 'participant'),
          lte(liveIntervals.joinedAt, now),
          or(isNull(liveIntervals.leftAt), gt(liveIntervals.leftAt, now)),
        ),
      );
    const present = Number(presentRow?.n ?? 0);
    const count = latest.length;
    const signals = latest.map((s) => ({ at: s.at, topic: s.topic })).sort((a, b) => a.at.getTime() - b.at.getTime());
    return {
      count,
      present,
      windowSeconds: row.confusionWindowSeconds,
      alertPercent: row.confusionAlertPercent,
      alert: present > 0 && count * 100 >= row.confusionAlertPercent * present,
      topics: groupTopics(signals.map((s) => s.topic)),
      signals: signals.map((s) => ({ at: s.at.toISOString(), topic: s.topic })),
      at: now.toISOString(),
    };
  }

  // ---- polls ----

  /** Hosts open a poll while the class is live: a question (1–300) and 2–10 distinct options (1–100 each). */
  async openPoll(viewer: Viewer, classId: string, rawQuestion: string, rawOptions: readonly string[]): Promise<LivePollView> {
    const question = cleanLine(rawQuestion, 'question', 'chat');
    if (question.length === 0) throw badInput('question', 'Write the poll’s question first.');
    if (question.length > MAX_POLL_QUESTION) throw badInput('question', `A poll’s question is at most ${MAX_POLL_QUESTION} characters.`);
    if (rawOptions.length < MIN_OPTIONS || rawOptions.length > MAX_OPTIONS)
      throw badInput('options', `A poll has ${MIN_OPTIONS} to ${MAX_OPTIONS} options.`);
    const options = rawOptions.map((o) => cleanLine(o, 'options', 'chat'));
    if (options.some((o) => o.length === 0)) throw badInput('options', 'An option is empty.');
    if (options.some((o) => o.length > MAX_OPTION)) throw badInput('options', `An option is at most ${MAX_OPTION} characters.`);
    if (new Set(options.map((o) => o.toLowerCase())).size !== options.length) throw badInput('options', 'Two options are the same.');
    await this.hosted(viewer, classId);
    return this.d.realtime.write(async (tx, emit) => {
      const row = await this.shared(tx, classId, true);
      const [p] = await tx
        .insert(livePolls)
        .values({
          tenantId: row.tenantId,
          classId,
          question,
          options,
          createdBy: viewer.kind === 'session' ? viewer.userId : null,
          createdAt: this.now(),
        })
        .returning();
      const view = pollView(
        p!,
        options.map(() => 0),
      );
      await emit(liveStream(classId), { tenantId: row.tenantId, type: 'poll.opened', payload: { poll: view } });
      return view;
    });
  }

  /**
   * One answer per person and poll (ALREADY_ANSWERED for a second, however concurrent); POLL_CLOSED once closed; the
   * option an index in range (BAD_USER_INPUT, field option). Hosts do not answer (FORBIDDEN).
   */
  async answerPoll(viewer: Viewer, pollId: string, option: number): Promise<LivePollView> {
    const found = await this.pollOf(viewer, pollId);
    const { row, person } = await this.participant(viewer, found.classId);
    if (await this.d.liveAccess.isHost(viewer, row.courseId)) throw notForHosts('Hosts run polls; they do not answer them.');
    return this.d.realtime.write(async (tx, emit) => {
      await this.shared(tx, row.id, true);
      const p = await this.lockPoll(tx, pollId);
      if (p.status !== 'open') throw new AppError('POLL_CLOSED', 'This poll is closed.');
      if (!Number.isInteger(option) || option < 0 || option >= p.options.length)
        throw badInput('option', `Choose an option from 0 to ${p.options.length - 1}.`);
      const [answered] = await tx
        .insert(livePollAnswers)
        .values({ pollId, userId: person.userId, option, createdAt: this.now() })
        .onConflictDoNothing()
        .returning({ userId: livePollAnswers.userId });
      if (!answered) throw new AppError('ALREADY_ANSWERED', 'You already answered this poll.');
      const view = pollView(p, (await this.tallies(tx, [p])).get(p.id)!);
      await emit(liveStream(row.id), { tenantId: row.tenantId, type: 'poll.answered', payload: { poll: view } });
      return view;
    });
  }

  /** Hosts close a poll: its results are shown to everyone. Closing a closed poll changes nothing. */
  async closePoll(viewer: Viewer, pollId: string): Promise<LivePollView> {
    const found = await this.pollOf(viewer, pollId);
    const row = await this.hosted(viewer, found.classId);
    return this.d.realtime.write(async (tx, emit) => {
      await this.shared(tx, row.id, false);
      const locked = await this.lockPoll(tx, pollId);
      if (locked.status === 'closed') return pollView(locked, (await this.tallies(tx, [locked])).get(locked.id)!);
      const [p] = await tx.update(livePolls).set({ status: 'closed', closedAt: this.now() }).where(eq(livePolls.id, pollId)).returning();
      const view = pollView(p!, (await this.tallies(tx, [p!])).get(p!.id)!);
      await emit(liveStream(row.id), { tenantId: row.tenantId, type: 'poll.closed', payload: { poll: view } });
      return view;
    });
  }

  /** The class's polls, oldest first, with their tallies (cut them for non-hosts). The caller checked the read. */
  async polls(classId: string, tx: Tx = this.db): Promise<LivePollView[]> {
    const list = await tx
      .select()
      .from(livePolls)
      .where(eq(livePolls.classId, classId))
      .orderBy(asc(livePolls.createdAt), asc(livePolls.id));
    const tallies = await this.tallies(tx, list);
    return list.map((p) => pollView(p, tallies.get(p.id)!));
  }

  /** The viewer's answers to the class's polls (none for an API key). */
  async myPollAnswers(viewer: Viewer, classId: string): Promise<{ pollId: string; option: number }[]> {
    if (viewer.kind !== 'session') return [];
    return this.db
      .select({ pollId: livePollAnswers.pollId, option: livePollAnswers.option })
      .from(livePollAnswers)
      .innerJoin(livePolls, eq(livePolls.id, livePollAnswers.pollId))
      .where(and(eq(livePolls.classId, classId), eq(livePollAnswers.userId, viewer.userId)));
  }

  private async pollOf(viewer: Viewer, pollId: string): Promise<{ classId: string }> {
    if (!isUuid(pollId)) throw notFound('The poll');
    const [p] = await this.db
      .select({ classId: livePolls.classId, tenantId: livePolls.tenantId })
      .from(livePolls)
      .where(eq(livePolls.id, pollId));
    if (!p || p.tenantId !== viewer.tenantId) throw notFound('The poll');
    return p;
  }

  private async lockPoll(tx: Tx, pollId: string) {
    const [p] = await tx.select().from(livePolls).where(eq(livePolls.id, pollId)).for('update');
    if (!p) throw notFound('The poll');
    return p;
  }

  /** Answers per option of each poll, in option order. */
  private async tallies(tx: Tx, polls: readonly (typeof livePolls.$inferSelect)[]): Promise<Map<string, number[]>> {
    const out = new Map(polls.map((p) => [p.id, p.options.map(() => 0)]));
    if (polls.length === 0) return out;
    const counts = await tx
      .select({ pollId: livePollAnswers.pollId, option: livePollAnswers.option, n: sql<number>`count(*)::int` })
      .from(livePollAnswers)
      .where(inArray(livePollAnswers.pollId, [...out.keys()]))
      .groupBy(livePollAnswers.pollId, livePollAnswers.option);
    for (const c of counts) {
      const t = out.get(c.pollId)!;
      if (c.option >= 0 && c.option < t.length) t[c.option] = Number(c.n);
    }
    return out;
  }
}

function pollView(p: typeof livePolls.$inferSelect, tally: number[]): LivePollView {
  return {
    id: p.id,
    classId: p.classId,
    question: p.question,
    options: p.options,
    status: p.status as LivePollView['status'],
    tally,
    total: tally.reduce((a, b) => a + b, 0),
    createdAt: p.createdAt.toISOString(),
    closedAt: p.closedAt?.toISOString() ?? null,
  };
}

/**
 * Topics grouped case- and space-insensitively, each shown in its most common spelling (ties: the first seen), most
 * signalled first (ties: alphabetical), the top TOP_TOPICS. `null` (no topic) is left out.
 */
export function groupTopics(topics: readonly (string | null)[]): { topic: string; count: number }[] {
  const groups = new Map<string, { count: number; spellings: Map<string, number> }>();
  for (const t of topics) {
    if (!t) continue;
    const key = t.toLowerCase().replace(/\s+/g, '');
    if (!key) continue;
    const g = groups.get(key) ?? { count: 0, spellings: new Map<string, number>() };
    g.count += 1;
    g.spellings.set(t, (g.spellings.get(t) ?? 0) + 1);
    groups.set(key, g);
  }
  const out = [...groups.values()].map((g) => {
    let best = '';
    let bestN = 0;
    for (const [s, n] of g.spellings)
      if (n > bestN) {
        best = s;
        bestN = n;
      }
    return { topic: best, count: g.count };
  });
  out.sort((a, b) => b.count - a.count || a.topic.localeCompare(b.topic));
  return out.slice(0, TOP_TOPICS);
}
