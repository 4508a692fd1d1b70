/**
 * The session dialog's form as plain logic: a new session's defaults (a launch's activity preselected and an exercise
 * suggested), a session's form when editing it, the form as the API's create or update input (or the field to fix),
 * the API's errors under their field, and a fresh access code.
 */
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { userMessage } from '../apollo/errors';
import type { CreateCollabSessionInput, UpdateCollabSessionInput } from '../gql/graphql';
import type { CollabLanguage, CollabMode, CollabSessionSummary, CollabVisibility } from '../graphql/collab';

export interface SessionForm {
  title: string;
  description: string;
  language: CollabLanguage;
  startingCode: string;
  visibility: CollabVisibility;
  accessCode: string;
  /** Empty: no limit. */
  maxCollaborators: string | number;
  mode: CollabMode;
  activityId: string | null;
}

export type SessionField = 'title' | 'description' | 'accessCode' | 'maxCollaborators' | 'startingCode' | 'activityId';

const FIELDS: readonly string[] = ['title', 'description', 'accessCode', 'maxCollaborators', 'startingCode', 'activityId'];

export function newSessionForm(activityId: string | null = null): SessionForm {
  return {
    title: '',
    description: '',
    language: 'PYTHON',
    startingCode: '',
    visibility: 'COURSE',
    accessCode: '',
    maxCollaborators: '',
    // Handed out from an LMS activity: most likely an exercise, every student on their own copy.
    mode: activityId ? 'PER_STUDENT' : 'SHARED',
    activityId,
  };
}

export function sessionFormOf(s: CollabSessionSummary): SessionForm {
  return {
    title: s.title,
    description: s.description,
    language: s.language,
    startingCode: s.startingCode,
    visibility: s.visibility,
    accessCode: s.accessCode ?? '',
    maxCollaborators: s.maxCollaborators ?? '',
    mode: s.mode,
    activityId: s.activity?.id ?? null,
  };
}

/** No 0/O, 1/I/L: read aloud or copied from a projector without doubt. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function generateAccessCode(length = 6): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

/** The field to fix before saving, or null when the form can be saved. */
export function formProblem(f: SessionForm): { field: SessionField; message: string } | null {
  if (!f.title.trim()) return { field: 'title', message: 'Give the session a title.' };
  const code = f.accessCode.trim();
  // Left empty, the server makes one up.
  if (f.visibility === 'CODE' && code && !/^[A-Za-z0-9-]{4,32}$/.test(code))
    return { field: 'accessCode', message: 'An access code is 4 to 32 letters, digits or dashes.' };
  const max = maxOf(f);
  if (max !== null && !(Number.isInteger(max) && max >= 1))
    return { field: 'maxCollaborators', message: 'At least 1, or empty for no limit.' };
  return null;
}

function maxOf(f: SessionForm): number | null {
  const raw = String(f.maxCollaborators).trim();
  return raw === '' ? null : Number(raw);
}

const accessCodeOf = (f: SessionForm) => (f.visibility === 'CODE' ? f.accessCode.trim().toUpperCase() || null : null);

/** The create input of a form `formProblem` passed. `staff`: the exercise mode and the LMS activity are theirs to set. */
export function createInput(courseId: string, f: SessionForm, staff: boolean): CreateCollabSessionInput {
  return {
    courseId,
    title: f.title.trim(),
    description: f.description.trim(),
    language: f.language,
    startingCode: f.startingCode,
    visibility: f.visibility,
    accessCode: accessCodeOf(f),
    maxCollaborators: maxOf(f),
    ...(staff ? { mode: f.mode, activityId: f.activityId } : {}),
  };
}

/** The update input of a form `formProblem` passed: every field, a limit or an activity removed said so. */
export function updateInput(f: SessionForm, staff: boolean): UpdateCollabSessionInput {
  const code = accessCodeOf(f);
  const max = maxOf(f);
  return {
    title: f.title.trim(),
    description: f.description.trim(),
    language: f.language,
    startingCode: f.startingCode,
    visibility: f.visibility,
    ...(code ? { accessCode: code } : {}),
    ...(max === null ? { clearMaxCollaborators: true } : { maxCollaborators: max }),
    ...(staff ? (f.activityId ? { activityId: f.activityId } : { clearActivity: true }) : {}),
  };
}

/** The API's error on a save, under its field when it names one. */
export function sessionError(e: unknown): { field: SessionField | null; message: string } {
  const message = userMessage(e);
  if (!CombinedGraphQLErrors.is(e)) return { field: null, message };
  const ext = e.errors[0]?.extensions ?? {};
  const code = ext['code'];
  const named = ext['field'];
  if (typeof named === 'string' && FIELDS.includes(named)) return { field: named as SessionField, message };
  if (code === 'ACCESS_CODE_REQUIRED' || code === 'ACCESS_CODE_INVALID') return { field: 'accessCode', message };
  if (code === 'DOCUMENT_TOO_LARGE') return { field: 'startingCode', message };
  return { field: null, message };
}
