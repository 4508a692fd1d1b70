/**
 * A BigBlueButton API client (docs.bigbluebutton.org, "API"): every call is a GET on `<base>api/<call>?<query>`
 * with `checksum` = hex(sha1(call + query + sharedSecret)) appended (sha256 where the server is set for it), and
 * answers XML `<response><returncode>SUCCESS|FAILED</returncode>…<messageKey/><message/></response>`.
 *
 * The meeting of a class is created when a host starts it (create is idempotent for a meetingID in BBB: a second
 * create of a running meeting answers it again), each person gets their own join URL (their name, our user id, the
 * role MODERATOR for hosts and VIEWER otherwise; the passwords, derived from the secret and the meeting, are sent
 * too for servers before 2.4), a host's end ends it, and recordings are listed after. Anything BBB refuses or a
 * server that does not answer becomes BBB_UNAVAILABLE with BBB's messageKey.
 */
import { createHash, createHmac } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { AppError } from '../errors.js';

export interface BbbOptions {
  /** The API base, e.g. https://bbb.example.edu/bigbluebutton/ (the `api/` part is added). */
  url: string;
  secret: string;
  /** The checksum's hash: sha1 (BBB's default) or sha256. */
  algorithm?: 'sha1' | 'sha256';
  /** Per request, milliseconds (default 5000). */
  timeoutMs?: number;
}

export interface BbbRecording {
  id: string;
  url: string;
  startedAt: Date | null;
  endedAt: Date | null;
  minutes: number | null;
}

export type BbbRole = 'MODERATOR' | 'VIEWER';

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

export class BbbClient {
  private readonly base: string;
  private readonly algorithm: 'sha1' | 'sha256';
  private readonly timeoutMs: number;

  constructor(private readonly opts: BbbOptions) {
    this.base = (opts.url.endsWith('/') ? opts.url : opts.url + '/') + 'api/';
    this.algorithm = opts.algorithm ?? 'sha1';
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  /** The URL of an API call with its checksum (the query's parameters in the order given). */
  callUrl(call: string, params: Record<string, string>): string {
    const query = new URLSearchParams(params).toString();
    const checksum = createHash(this.algorithm)
      .update(call + query + this.opts.secret)
      .digest('hex');
    return `${this.base}${call}?${query}${query ? '&' : ''}checksum=${checksum}`;
  }

  /** Creates the meeting (or answers the one running under this id). */
  async create(meeting: { meetingId: string; name: string; logoutUrl?: string; record?: boolean }): Promise<void> {
    const params: Record<string, string> = {
      name: meeting.name,
      meetingID: meeting.meetingId,
      attendeePW: this.password(meeting.meetingId, 'attendee'),
      moderatorPW: this.password(meeting.meetingId, 'moderator'),
      record: String(meeting.record ?? true),
      autoStartRecording: 'false',
      allowStartStopRecording: 'true',
    };
    if (meeting.logoutUrl) params.logoutURL = meeting.logoutUrl;
    await this.call('create', params);
  }

  /** A person's join URL: opened by their browser, so nothing is sent now. */
  joinUrl(p: { meetingId: string; fullName: string; userId: string; role: BbbRole }): string {
    return this.callUrl('join', {
      fullName: p.fullName,
      meetingID: p.meetingId,
      role: p.role,
      password: this.password(p.meetingId, p.role === 'MODERATOR' ? 'moderator' : 'attendee'),
      userID: p.userId,
      redirect: 'true',
    });
  }

  /** Ends the meeting for everyone. A meeting BBB no longer knows (notFound) is ended already. */
  async end(meetingId: string): Promise<void> {
    try {
      await this.call('end', { meetingID: meetingId, password: this.password(meetingId, 'moderator') });
    } catch (err) {
      if (err instanceof AppError && (err.extensions as { messageKey?: string }).messageKey === 'notFound') return;
      throw err;
    }
  }

  async isMeetingRunning(meetingId: string): Promise<boolean> {
    const r = await this.call('isMeetingRunning', { meetingID: meetingId });
    return String(r.running) === 'true';
  }

  /** The meeting's recordings (published or not), their first playback's URL and length, oldest first. */
  async getRecordings(meetingId: string): Promise<BbbRecording[]> {
    const r = await this.call('getRecordings', { meetingID: meetingId });
    const list = asArray((r.recordings as { recording?: unknown } | undefined)?.recording);
    const out: BbbRecording[] = [];
    for (const raw of list) {
      const rec = raw as Record<string, unknown>;
      const format = asArray((rec.playback as { format?: unknown } | undefined)?.format)[0] as Record<string, unknown> | undefined;
      const url = typeof format?.url === 'string' ? format.url : null;
      if (!url) continue;
      const len = Number(format?.length);
      out.push({
        id: String(rec.recordID ?? url),
        url,
        startedAt: time(rec.startTime),
        endedAt: time(rec.endTime),
        minutes: Number.isFinite(len) && String(format?.length ?? '') !== '' ? len : null,
      });
    }
    return out.sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0));
  }

  /** A meeting's password for a role: derived from the secret, so nothing needs storing and nobody can guess it. */
  private password(meetingId: string, role: 'moderator' | 'attendee'): string {
    return createHmac('sha256', this.opts.secret).update(`${role}:${meetingId}`).digest('base64url').slice(0, 24);
  }

  private async call(call: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    let text: string;
    try {
      const res = await fetch(this.callUrl(call, params), { signal: AbortSignal.timeout(this.timeoutMs) });
      text = await res.text();
      if (!res.ok && !text.includes('<response')) throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      throw unavailable('unreachable', `BigBlueButton did not answer (${(err as Error).message}).`);
    }
    let doc: { response?: Record<string, unknown> };
    try {
      doc = parser.parse(text) as { response?: Record<string, unknown> };
    } catch {
      throw unavailable('badResponse', 'BigBlueButton answered something that is not its API’s XML.');
    }
    const r = doc.response;
    if (!r || typeof r !== 'object') throw unavailable('badResponse', 'BigBlueButton answered something that is not its API’s XML.');
    if (String(r.returncode) !== 'SUCCESS') {
      const key = typeof r.messageKey === 'string' ? r.messageKey : 'failed';
      throw unavailable(key, `BigBlueButton refused: ${typeof r.message === 'string' ? r.message : key}.`);
    }
    return r;
  }
}

function unavailable(messageKey: string, message: string): AppError {
  return new AppError('BBB_UNAVAILABLE', message, { messageKey });
}

function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

function time(v: unknown): Date | null {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? new Date(n) : null;
}
