/**
 * What a reader gets of a message: a self-contained snapshot (author, reply preview, mentions, reactions)
 * that travels in the room's events as it is, so that delivering an event needs no database read.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { messageReactions, messages } from './tables.js';
import { users } from '../users/tables.js';
import type { Tx } from '../db/client.js';
import { isToolSubject } from '../users/service.js';
import { clip } from '../text.js';

export type MessageRow = typeof messages.$inferSelect;
export type MessageKind = 'text' | 'code' | 'system';

/** A person as chat shows them: no e-mail, nothing else. */
export interface Participant {
  id: string;
  name: string;
  picture: string | null;
  /** The tool's own user (the AI tutor), not a person. */
  bot?: boolean;
}

export interface MessageRefView {
  id: string;
  authorName: string | null;
  excerpt: string;
  deleted: boolean;
}

export interface ReactionView {
  emoji: string;
  count: number;
  userIds: string[];
}

export interface MessageView {
  id: string;
  roomId: string;
  /** Null only inside a `message.added` event's payload: the event's own seq is the message's. */
  seq: number | null;
  kind: MessageKind;
  author: Participant | null;
  body: string;
  language: string | null;
  replyTo: MessageRefView | null;
  mentions: Participant[];
  reactions: ReactionView[];
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  deletedBy: 'author' | 'moderator' | null;
  clientId: string | null;
  /** Only in the answer to the sender (send, edit): "@Names" that more than one member of the room bears. */
  ambiguousMentions?: string[];
}

/** The message pinned at the top of a course room, notified to every member. */
export interface AnnouncementView {
  message: MessageView;
  /** Who pinned it (posted it as the announcement, or pinned it later); null once they are gone. */
  pinnedBy: Participant | null;
  pinnedAt: string;
}

const EXCERPT = 140;
/** The start of a body as one line of plain text (never cut inside a surrogate pair: that half could not be stored). */
export function excerptOf(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > EXCERPT ? clip(line, EXCERPT - 1) + '…' : line;
}

/** Builds views of message rows with a fixed number of queries, whatever the number of rows. */
/** `fresh`: the rows were never stored yet, so they have no reactions to read. */
export async function messageViews(db: Tx, rows: MessageRow[], opts: { fresh?: boolean } = {}): Promise<MessageView[]> {
  if (rows.length === 0) return [];
  const replyIds = [...new Set(rows.map((r) => r.replyToId).filter((x): x is string => !!x))];
  const replies = replyIds.length ? await db.select().from(messages).where(inArray(messages.id, replyIds)) : [];
  const people = new Set<string>();
  for (const r of [...rows, ...replies]) if (r.authorId) people.add(r.authorId);
  for (const r of rows) for (const m of r.mentions) people.add(m);
  const persons = people.size
    ? await db
        .select({ id: users.id, name: users.name, picture: users.picture, subject: users.subject })
        .from(users)
        .where(inArray(users.id, [...people]))
    : [];
  const byId = new Map<string, Participant>(
    persons.map((p) => [p.id, { id: p.id, name: p.name, picture: p.picture, bot: isToolSubject(p.subject) }]),
  );
  const reactions = opts.fresh
    ? []
    : await db
        .select({ messageId: messageReactions.messageId, emoji: messageReactions.emoji, userId: messageReactions.userId })
        .from(messageReactions)
        .where(
          inArray(
            messageReactions.messageId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(asc(messageReactions.createdAt));
  const reactionsOf = new Map<string, ReactionView[]>();
  for (const r of reactions) {
    const list = reactionsOf.get(r.messageId) ?? [];
    let entry = list.find((e) => e.emoji === r.emoji);
    if (!entry) list.push((entry = { emoji: r.emoji, count: 0, userIds: [] }));
    entry.count++;
    entry.userIds.push(r.userId);
    reactionsOf.set(r.messageId, list);
  }
  const replyById = new Map(replies.map((r) => [r.id, r]));
  return rows.map((r) => {
    const reply = r.replyToId ? replyById.get(r.replyToId) : undefined;
    return {
      id: r.id,
      roomId: r.roomId,
      seq: r.seq,
      kind: r.kind as MessageKind,
      author: r.authorId ? (byId.get(r.authorId) ?? null) : null,
      body: r.deletedAt ? '' : r.body,
      language: r.deletedAt ? null : r.language,
      replyTo: reply
        ? {
            id: reply.id,
            authorName: reply.authorId ? (byId.get(reply.authorId)?.name ?? null) : null,
            excerpt: reply.deletedAt ? '' : excerptOf(reply.body),
            deleted: reply.deletedAt !== null,
          }
        : null,
      mentions: r.deletedAt ? [] : r.mentions.map((id) => byId.get(id)).filter((p): p is Participant => !!p),
      reactions: r.deletedAt ? [] : (reactionsOf.get(r.id) ?? []),
      createdAt: r.createdAt.toISOString(),
      editedAt: r.editedAt?.toISOString() ?? null,
      deleted: r.deletedAt !== null,
      deletedBy: (r.deletedBy as MessageView['deletedBy']) ?? null,
      clientId: r.clientId,
    };
  });
}

export async function messageView(db: Tx, row: MessageRow, opts: { fresh?: boolean } = {}): Promise<MessageView> {
  return (await messageViews(db, [row], opts))[0]!;
}

/** One message of a room, or undefined. */
export async function findMessage(db: Tx, roomId: string, id: string): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.roomId, roomId), eq(messages.id, id)));
  return row;
}
