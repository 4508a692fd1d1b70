/**
 * The fanout bench's sender, a process of its own (forked by bench/fanout.ts, commands over IPC). It sends a
 * round's messages at a set rate on a steady schedule: message i goes at start + i / rate, whether or not the
 * earlier ones were answered (a slow server does not slow the offered load down). Each body is stamped with
 * its send time (wall clock, ms) and padded to the requested size.
 *
 * Ours gets the GraphQL mutation (POST /graphql, sendMessage); the baselines get POST /send with the same
 * input as JSON. Both with the sender's session token as a Bearer header; both answer with the stored message.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SEND_MESSAGE, sleep, stampBody, summarize, wallNow, type SendCmd, type SenderEv } from './common.js';

const send = (ev: SenderEv) => process.send?.(ev);
const REQUEST_TIMEOUT_MS = 60_000;

/** One message: true when the server answered with the stored message. */
async function post(cmd: SendCmd, index: number, runId: string): Promise<void> {
  const clientId = `${runId}-${cmd.tag}-${index}`;
  const body = stampBody(cmd.tag, index, cmd.size);
  const input = { roomId: cmd.roomId, clientId, body };
  const ours = cmd.kind === 'ours';
  const res = await fetch(cmd.url + (ours ? '/graphql' : '/send'), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${cmd.token}`,
    },
    body: JSON.stringify(ours ? { query: SEND_MESSAGE, variables: { input } } : input),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let json: { data?: { sendMessage?: { id?: string } }; errors?: unknown; id?: string; error?: unknown };
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
  const id = ours ? json.data?.sendMessage?.id : json.id;
  if (!res.ok || !id) throw new Error(`HTTP ${res.status}: ${JSON.stringify(json.errors ?? json.error ?? json).slice(0, 300)}`);
}

async function run(cmd: SendCmd): Promise<void> {
  const runId = randomBytes(4).toString('hex');
  const ok: boolean[] = new Array(cmd.messages).fill(false);
  const http: number[] = [];
  const firstFailures: string[] = [];
  let failures = 0;
  let maxLag = 0;
  const inflight: Promise<void>[] = [];
  const interval = 1000 / cmd.rate;
  const t0 = performance.now();
  const firstSendAt = wallNow();
  let lastSendAt = firstSendAt;
  let lastProgress = t0;
  for (let i = 0; i < cmd.messages; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait - 0.5);
    // setTimeout granularity is ~1 ms: spin the rest for a steady schedule.
    while (performance.now() < due);
    maxLag = Math.max(maxLag, performance.now() - due);
    lastSendAt = wallNow();
    const started = performance.now();
    inflight.push(
      post(cmd, i, runId).then(
        () => {
          ok[i] = true;
          http.push(performance.now() - started);
        },
        (err: unknown) => {
          failures++;
          if (firstFailures.length < 5) firstFailures.push(`message ${i}: ${err instanceof Error ? err.message : String(err)}`);
        },
      ),
    );
    if (cmd.progressEvery > 0 && performance.now() - lastProgress >= cmd.progressEvery) {
      lastProgress = performance.now();
      send({ ev: 'progress', sent: i + 1, ok: http.length, failures });
    }
  }
  await Promise.all(inflight);
  send({
    ev: 'sent',
    tag: cmd.tag,
    okIndices: ok.flatMap((v, i) => (v ? [i] : [])),
    failures,
    firstFailures,
    firstSendAt,
    lastSendAt,
    httpMs: summarize(http),
    maxScheduleLagMs: Math.round(maxLag * 10) / 10,
  });
}

process.on('message', (cmd: SendCmd) => {
  run(cmd).catch((err: unknown) => send({ ev: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
process.on('disconnect', () => process.exit(0));
