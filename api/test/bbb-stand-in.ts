/**
 * A BigBlueButton server for tests (node:http, loopback only) speaking BBB's API: GET `/bigbluebutton/api/<call>?…`
 * with `checksum` = sha1 (or sha256) of call + query + shared secret, answered in BBB's XML. A wrong or missing
 * checksum is refused as BBB refuses it (returncode FAILED, messageKey checksumError). It keeps meetings (create,
 * isMeetingRunning, end, join), serves the recordings a test gives it (getRecordings), and records every call it
 * accepted or refused (joins with their fullName, role and userID).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BbbCall {
  call: string;
  params: Record<string, string>;
  /** Whether the checksum was right. */
  valid: boolean;
}

export interface StandInRecording {
  recordID: string;
  url: string;
  startTime: number;
  endTime: number;
  length: number;
}

export interface BbbStandIn {
  /** The API base to configure (BBB_URL), ending in /bigbluebutton/ */
  url: string;
  secret: string;
  calls: BbbCall[];
  /** Meeting ids created and not ended. */
  running: Set<string>;
  /** Recordings getRecordings lists per meeting id. */
  recordings: Map<string, StandInRecording[]>;
  close(): Promise<void>;
}

const xml = (inner: string) => `<response>${inner}</response>`;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const failed = (key: string, message: string) =>
  xml(`<returncode>FAILED</returncode><messageKey>${key}</messageKey><message>${esc(message)}</message>`);

export async function startBbbStandIn(opts: { secret?: string; algorithm?: 'sha1' | 'sha256' } = {}): Promise<BbbStandIn> {
  const secret = opts.secret ?? 'stand-in-shared-secret';
  const algorithm = opts.algorithm ?? 'sha1';
  const calls: BbbCall[] = [];
  const running = new Set<string>();
  const recordings = new Map<string, StandInRecording[]>();

  const answer = (res: ServerResponse, body: string, status = 200) => {
    res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8' });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const m = /^\/bigbluebutton\/api\/([A-Za-z]*)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) return answer(res, 'not found', 404);
    const call = m[1]!;
    if (call === '') return answer(res, xml('<returncode>SUCCESS</returncode><version>2.0</version>'));
    // BBB checks the checksum over the query string as sent, less its own `checksum` parameter (sent last).
    const raw = url.search.slice(1);
    const cut = raw.lastIndexOf('checksum=');
    const query = cut < 0 ? raw : raw.slice(0, Math.max(0, cut - 1));
    const given = cut < 0 ? '' : raw.slice(cut + 'checksum='.length);
    const expected = createHash(algorithm)
      .update(call + query + secret)
      .digest('hex');
    const params = Object.fromEntries(new URLSearchParams(query));
    const valid = given === expected;
    calls.push({ call, params, valid });
    if (!valid) return answer(res, failed('checksumError', 'You did not pass the checksum security check'));
    const meetingID = params.meetingID ?? '';
    switch (call) {
      case 'create':
        if (!meetingID || !params.name) return answer(res, failed('missingParam', 'meetingID and name are required'));
        running.add(meetingID);
        return answer(
          res,
          xml(
            `<returncode>SUCCESS</returncode><meetingID>${esc(meetingID)}</meetingID><attendeePW>${esc(params.attendeePW ?? '')}</attendeePW>` +
              `<moderatorPW>${esc(params.moderatorPW ?? '')}</moderatorPW><createTime>${Date.now()}</createTime><hasBeenForciblyEnded>false</hasBeenForciblyEnded>` +
              '<messageKey></messageKey><message></message>',
          ),
        );
      case 'join':
        if (!running.has(meetingID))
          return answer(res, failed('invalidMeetingIdentifier', 'The meeting ID that you supplied did not match any existing meetings'));
        if (params.redirect === 'true') {
          res.writeHead(302, { location: `http://stand-in.invalid/html5client/join?meeting=${encodeURIComponent(meetingID)}` });
          return res.end();
        }
        return answer(res, xml(`<returncode>SUCCESS</returncode><meeting_id>${esc(meetingID)}</meeting_id>`));
      case 'isMeetingRunning':
        return answer(res, xml(`<returncode>SUCCESS</returncode><running>${running.has(meetingID)}</running>`));
      case 'end':
        if (!running.delete(meetingID)) return answer(res, failed('notFound', 'We could not find a meeting with that meeting ID'));
        return answer(
          res,
          xml(
            '<returncode>SUCCESS</returncode><messageKey>sentEndMeetingRequest</messageKey><message>A request to end the meeting was sent.</message>',
          ),
        );
      case 'getRecordings': {
        const list = recordings.get(meetingID) ?? [];
        if (list.length === 0)
          return answer(
            res,
            xml(
              '<returncode>SUCCESS</returncode><recordings></recordings><messageKey>noRecordings</messageKey><message>There are no recordings for the meeting(s).</message>',
            ),
          );
        const recs = list
          .map(
            (r) =>
              `<recording><recordID>${esc(r.recordID)}</recordID><meetingID>${esc(meetingID)}</meetingID><published>true</published>` +
              `<startTime>${r.startTime}</startTime><endTime>${r.endTime}</endTime><playback><format><type>presentation</type>` +
              `<url>${esc(r.url)}</url><length>${r.length}</length></format></playback></recording>`,
          )
          .join('');
        return answer(res, xml(`<returncode>SUCCESS</returncode><recordings>${recs}</recordings>`));
      }
      default:
        return answer(res, failed('unsupportedRequest', 'This request is not supported.'));
    }
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/bigbluebutton/`,
    secret,
    calls,
    running,
    recordings,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
