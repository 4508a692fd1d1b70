/**
 * The tokenizer's thread (node:worker_threads), started by tokenizer.ts: builds o200k_base once (about 0.8 s of
 * CPU) and counts batches of texts, so that neither the build nor the counting holds up the event loop that
 * serves the sockets. Says `ready` once built; answers each request with its counts, in order.
 */
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import type { FromTokenizer, ToTokenizer } from './tokenizer.js';

const port = parentPort!;
const encoder = new Tiktoken(o200kBase);

// A room's history is counted again for every question: the counts of recent texts are kept (by a digest of the
// long ones, so that the cache holds no text), at most COUNT_CACHE of them.
const COUNT_CACHE = 5000;
const counted = new Map<string, number>();

function count(text: string): number {
  if (!text) return 0;
  const key = text.length <= 64 ? text : createHash('sha1').update(text).digest('base64');
  const known = counted.get(key);
  if (known !== undefined) {
    counted.delete(key);
    counted.set(key, known);
    return known;
  }
  // Special-token markers in the text count as plain text, never throw.
  const n = encoder.encode(text, [], []).length;
  counted.set(key, n);
  if (counted.size > COUNT_CACHE) counted.delete(counted.keys().next().value!);
  return n;
}

port.on('message', (m: ToTokenizer) => {
  let reply: FromTokenizer;
  try {
    reply = { id: m.id, counts: m.texts.map(count) };
  } catch (err) {
    reply = { id: m.id, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies FromTokenizer);
