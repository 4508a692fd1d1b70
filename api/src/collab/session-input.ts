/**
 * Checks and cleans a collab session's fields as its creator or a manager gives them (create, edit): every refusal is
 * BAD_USER_INPUT with the `field` it is about. Text is cleaned as everywhere else (text.ts): control characters and
 * bidi overrides go (in code too: an override can make a line read other than it runs), NUL and lone surrogates are
 * refused.
 */
import { randomInt } from 'node:crypto';
import { AppError } from '../errors.js';
import { isUuid } from '../auth/access.js';
import { cleanLine, cleanMultiline } from '../text.js';
import { COLLAB_LANGUAGES, type CollabLanguage } from './tables.js';
import type { CollabSessionRow } from './access.js';
import type { CollabMode } from './events.js';

export type CollabVisibility = 'course' | 'code';

/** The fields of createCollabSession and updateCollabSession (null and undefined alike: "not given"). */
export interface CollabSessionInput {
  title?: string | null;
  description?: string | null;
  language?: CollabLanguage | null;
  startingCode?: string | null;
  visibility?: CollabVisibility | null;
  accessCode?: string | null;
  maxCollaborators?: number | null;
  /** Update only: no limit any more. */
  clearMaxCollaborators?: boolean | null;
  activityId?: string | null;
  /** Update only: no activity any more. */
  clearActivity?: boolean | null;
  /** Create only. */
  mode?: CollabMode | null;
}

/** The session's fields once checked: what is stored. */
export interface CheckedSession {
  title: string;
  description: string;
  language: CollabLanguage;
  startingCode: string;
  visibility: CollabVisibility;
  accessCode: string | null;
  maxCollaborators: number | null;
  resourceLinkId: string | null;
  mode: CollabMode;
}

interface InputContext {
  tenantId: string;
  courseId: string;
  maxDocumentChars: number;
  /** A resource link by id (null when there is none). */
  resourceLink: (id: string) => Promise<{ id: string; courseId: string; tenantId: string } | null>;
}

const MAX_TITLE = 120;
const MAX_DESCRIPTION = 2000;
const MAX_COLLABORATORS = 500;
const ACCESS_CODE = /^[A-Z0-9-]{4,32}$/;
/** Letters and digits of generated codes: none that read alike (0/O, 1/I/L), so a code read aloud is typed right. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const GENERATED_CODE_LENGTH = 8;

const bad = (field: string, message: string) => new AppError('BAD_USER_INPUT', message, { field });

/**
 * Checks and cleans a session's fields. `current` is the session being edited (a field not given keeps its value), or
 * null when creating (defaults: COURSE visibility, SHARED mode, no limit, no activity).
 */
export async function checkSessionInput(
  input: CollabSessionInput,
  current: CollabSessionRow | null,
  ctx: InputContext,
): Promise<CheckedSession> {
  const title = input.title == null ? (current?.title ?? null) : cleanLine(input.title, 'title', 'caller');
  if (!title) throw bad('title', 'A session needs a title.');
  if (title.length > MAX_TITLE) throw bad('title', `A title is at most ${MAX_TITLE} characters.`);

  const description =
    input.description == null ? (current?.description ?? '') : cleanMultiline(input.description, 'description', 'caller').trim();
  if (description.length > MAX_DESCRIPTION) throw bad('description', `A description is at most ${MAX_DESCRIPTION} characters.`);

  const language = input.language ?? (current?.language as CollabLanguage | undefined);
  if (!language || !COLLAB_LANGUAGES.includes(language)) throw bad('language', 'Choose the language of the code.');

  const startingCode =
    input.startingCode == null ? (current?.startingCode ?? '') : cleanMultiline(input.startingCode, 'startingCode', 'caller');
  if (startingCode.length > ctx.maxDocumentChars)
    throw bad('startingCode', `The starting code is at most ${ctx.maxDocumentChars} characters.`);

  const visibility = input.visibility ?? (current?.visibility as CollabVisibility | undefined) ?? 'course';
  if (visibility !== 'course' && visibility !== 'code') throw bad('visibility', 'Unknown visibility.');
  let accessCode: string | null = null;
  if (visibility === 'code') {
    if (input.accessCode != null) accessCode = checkAccessCodeFormat(input.accessCode);
    else accessCode = current?.accessCode ?? generateAccessCode();
  } else if (input.accessCode != null && input.accessCode.trim() !== '') {
    // A code on a session open to the whole course would protect nothing: say so rather than drop it.
    throw bad('accessCode', 'An access code goes with a private session (visibility CODE).');
  }

  let maxCollaborators = current?.maxCollaborators ?? null;
  if (input.clearMaxCollaborators) maxCollaborators = null;
  else if (input.maxCollaborators != null) {
    const n = input.maxCollaborators;
    if (!Number.isInteger(n) || n < 1 || n > MAX_COLLABORATORS)
      throw bad('maxCollaborators', `Max collaborators is a whole number from 1 to ${MAX_COLLABORATORS} (or none).`);
    maxCollaborators = n;
  }

  let resourceLinkId = current?.resourceLinkId ?? null;
  if (input.clearActivity) resourceLinkId = null;
  else if (input.activityId != null) {
    const id = input.activityId;
    const link = isUuid(id) ? await ctx.resourceLink(id) : null;
    if (!link || link.courseId !== ctx.courseId || link.tenantId !== ctx.tenantId)
      throw bad('activityId', 'The activity is not one of this course’s.');
    resourceLinkId = link.id;
  }

  const mode = current ? (current.mode as CollabMode) : (input.mode ?? 'shared');
  if (mode !== 'shared' && mode !== 'per_student') throw bad('mode', 'Unknown mode.');

  return { title, description, language, startingCode, visibility, accessCode, maxCollaborators, resourceLinkId, mode };
}

/** A code as stored (upper case), or BAD_USER_INPUT: 4 to 32 letters, digits and dashes. */
function checkAccessCodeFormat(raw: string): string {
  const code = raw.trim().toUpperCase();
  if (!ACCESS_CODE.test(code)) throw bad('accessCode', 'An access code is 4 to 32 letters, digits or dashes.');
  return code;
}

/** A fresh code for a private session given none: 8 characters that cannot be misread. */
function generateAccessCode(): string {
  let s = '';
  for (let i = 0; i < GENERATED_CODE_LENGTH; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}
