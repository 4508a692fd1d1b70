/**
 * Checks and cleans a live class's fields as a host gives them (planning, editing): every refusal has a stable code
 * (BAD_USER_INPUT with `field`; NO_LINE_ITEM for a graded activity without a gradebook column).
 */
import { AppError } from '../errors.js';
import { isUuid } from '../auth/access.js';
import { cleanLine, cleanMultiline } from '../text.js';
import type { LiveClassRow } from './access.js';

export interface LiveClassInput {
  title: string;
  description?: string | null;
  startsAt: Date;
  endsAt: Date;
  maxParticipants?: number | null;
  provider?: 'link' | 'bbb' | null;
  meetingUrl?: string | null;
  policy?: 'threshold' | 'proportional' | null;
  thresholdPercent?: number | null;
  anonymousQuestions?: boolean | null;
  confusionWindowSeconds?: number | null;
  confusionAlertPercent?: number | null;
  gradeLinkId?: string | null;
  sessionId?: string | null;
}

/** What the checks need to know beyond the input: the course, whether BigBlueButton is configured, its links. */
interface InputContext {
  tenantId: string;
  courseId: string;
  bbbEnabled: boolean;
  /** A resource link by id (null when there is none). */
  resourceLink: (id: string) => Promise<{ id: string; courseId: string; tenantId: string; lineItemUrl: string | null } | null>;
}

const MAX_TITLE = 200;
const MAX_DESCRIPTION = 4000;
const MAX_URL = 2000;
const MAX_PARTICIPANTS = 5000;
const MAX_CLASS_MS = 24 * 3600_000;

/**
 * Checks and cleans a class's fields (BAD_USER_INPUT with `field`; NO_LINE_ITEM for a grade link without one). A field
 * left out keeps the value of `current` (an edit; none when planning).
 */
export async function checkClassInput(input: LiveClassInput, current: LiveClassRow | null, ctx: InputContext) {
  const { tenantId, courseId } = ctx;
  const title = cleanLine(input.title ?? '', 'title', 'caller');
  if (!title) throw new AppError('BAD_USER_INPUT', 'A class needs a title.', { field: 'title' });
  if (title.length > MAX_TITLE) throw new AppError('BAD_USER_INPUT', `A title is at most ${MAX_TITLE} characters.`, { field: 'title' });
  // A field left out keeps its value (an edit); null clears it.
  const description = cleanMultiline(
    input.description === undefined ? (current?.description ?? '') : (input.description ?? ''),
    'description',
    'caller',
  ).trim();
  if (description.length > MAX_DESCRIPTION)
    throw new AppError('BAD_USER_INPUT', `A description is at most ${MAX_DESCRIPTION} characters.`, { field: 'description' });
  const startsAt = input.startsAt;
  const endsAt = input.endsAt;
  if (!(startsAt instanceof Date) || Number.isNaN(startsAt.getTime()))
    throw new AppError('BAD_USER_INPUT', 'startsAt is not a time.', { field: 'startsAt' });
  if (!(endsAt instanceof Date) || Number.isNaN(endsAt.getTime()))
    throw new AppError('BAD_USER_INPUT', 'endsAt is not a time.', { field: 'endsAt' });
  if (!(endsAt > startsAt)) throw new AppError('BAD_USER_INPUT', 'A class ends after it starts.', { field: 'endsAt' });
  if (endsAt.getTime() - startsAt.getTime() > MAX_CLASS_MS)
    throw new AppError('BAD_USER_INPUT', 'A class lasts at most 24 hours.', { field: 'endsAt' });
  const maxParticipants = input.maxParticipants === undefined ? (current?.maxParticipants ?? null) : input.maxParticipants;
  if (maxParticipants !== null && (!Number.isInteger(maxParticipants) || maxParticipants < 1 || maxParticipants > MAX_PARTICIPANTS))
    throw new AppError('BAD_USER_INPUT', `Max participants is a whole number from 1 to ${MAX_PARTICIPANTS} (or none).`, {
      field: 'maxParticipants',
    });
  const provider = input.provider ?? current?.provider ?? 'link';
  if (provider !== 'link' && provider !== 'bbb') throw new AppError('BAD_USER_INPUT', 'Unknown meeting tool.', { field: 'provider' });
  if (provider === 'bbb' && !ctx.bbbEnabled)
    throw new AppError('BAD_USER_INPUT', 'No BigBlueButton server is configured here: give a meeting link instead.', {
      field: 'provider',
    });
  const meetingUrl =
    provider === 'link' ? checkUrl(input.meetingUrl === undefined ? (current?.meetingUrl ?? null) : input.meetingUrl, 'meetingUrl') : null;
  const policy = input.policy ?? current?.policy ?? 'threshold';
  if (policy !== 'threshold' && policy !== 'proportional')
    throw new AppError('BAD_USER_INPUT', 'Unknown attendance policy.', { field: 'policy' });
  const thresholdPercent = intIn(input.thresholdPercent, current?.thresholdPercent ?? 80, 1, 100, 'thresholdPercent');
  const confusionWindowSeconds = intIn(
    input.confusionWindowSeconds,
    current?.confusionWindowSeconds ?? 180,
    30,
    3600,
    'confusionWindowSeconds',
  );
  const confusionAlertPercent = intIn(input.confusionAlertPercent, current?.confusionAlertPercent ?? 25, 1, 100, 'confusionAlertPercent');
  const anonymousQuestions = input.anonymousQuestions ?? current?.anonymousQuestions ?? true;
  let resourceLinkId: string | null = current?.resourceLinkId ?? null;
  if (input.gradeLinkId !== undefined) {
    resourceLinkId = null;
    if (input.gradeLinkId !== null && input.gradeLinkId !== '') {
      const id = input.gradeLinkId;
      const l = isUuid(id) ? await ctx.resourceLink(id) : null;
      if (!l || l.courseId !== courseId || l.tenantId !== tenantId)
        throw new AppError('BAD_USER_INPUT', 'The graded activity is not one of this course’s.', { field: 'gradeLinkId' });
      if (!l.lineItemUrl)
        throw new AppError(
          'NO_LINE_ITEM',
          'This activity has no gradebook column (line item): deep-link the class as a graded activity first.',
          {
            field: 'gradeLinkId',
          },
        );
      resourceLinkId = l.id;
    }
  }
  if (input.sessionId != null && !isUuid(input.sessionId))
    throw new AppError('BAD_USER_INPUT', 'The schedule session is not one of this course’s.', { field: 'sessionId' });
  return {
    title,
    description,
    startsAt,
    endsAt,
    maxParticipants,
    provider: provider as 'link' | 'bbb',
    meetingUrl,
    policy: policy as 'threshold' | 'proportional',
    thresholdPercent,
    anonymousQuestions,
    confusionWindowSeconds,
    confusionAlertPercent,
    resourceLinkId,
    sessionId: current?.sessionId ?? null,
  };
}

/** An http(s) link (null for none or blank), at most MAX_URL characters; BAD_USER_INPUT with `field` otherwise. */
export function checkUrl(raw: string | null, field: string): string | null {
  if (raw === null) return null;
  const url = raw.trim();
  if (url === '') return null;
  let ok = false;
  try {
    const u = new URL(url);
    ok = u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    ok = false;
  }
  if (!ok || url.length > MAX_URL) throw new AppError('BAD_USER_INPUT', 'The link must be an http(s) address.', { field });
  return url;
}

function intIn(v: number | null | undefined, fallback: number, min: number, max: number, field: string): number {
  if (v === null || v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min || v > max)
    throw new AppError('BAD_USER_INPUT', `${field} is a whole number from ${min} to ${max}.`, { field });
  return v;
}
