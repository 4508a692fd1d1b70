import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../../test/fake-openai.js';
import {
  OFFLINE_LABEL,
  ProviderError,
  countChatTokens,
  countTokens,
  createOfflineProvider,
  createOpenAiProvider,
  createProvider,
  type ChatTurn,
  type StreamRequest,
  type StreamResult,
  type TutorProvider,
} from './provider.js';

const messages: ChatTurn[] = [
  { role: 'system', content: 'You are a helpful tutor.' },
  { role: 'user', content: 'What is a closure?' },
];

function request(over: Partial<StreamRequest> = {}): StreamRequest & { deltas: string[] } {
  const deltas: string[] = [];
  return {
    model: 'gpt-test',
    messages,
    maxTokens: 256,
    signal: new AbortController().signal,
    onDelta: (t) => deltas.push(t),
    deltas,
    ...over,
  };
}

/** The ProviderError a stream rejects with (fails the test if it resolves or throws anything else). */
async function failure(p: Promise<StreamResult>): Promise<ProviderError> {
  const err = await p.then(
    (r) => {
      throw new Error(`expected a ProviderError, got ${JSON.stringify(r)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('OpenAI provider against a fake OpenAI-compatible server', () => {
  let fake: FakeOpenAi;
  let provider: TutorProvider;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    provider = createOpenAiProvider({ baseUrl: fake.url, apiKey: 'sk-test-123', timeoutMs: 2_000 });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('streams the deltas in order and returns the text, finish reason and usage', async () => {
    fake.script({
      kind: 'stream',
      chunks: ['A closure', ' is a function', ' with its scope', '.'],
      usage: { prompt_tokens: 21, completion_tokens: 9 },
    });
    const req = request();
    const r = await provider.stream(req);
    expect(req.deltas).toEqual(['A closure', ' is a function', ' with its scope', '.']);
    expect(r).toEqual({
      text: 'A closure is a function with its scope.',
      finishReason: 'stop',
      usage: { promptTokens: 21, completionTokens: 9 },
    });
    expect(provider.kind).toBe('openai');
  });

  it('sends the model, max_tokens, stream_options.include_usage, the messages and the API key', async () => {
    fake.script({ kind: 'stream', chunks: ['ok'], usage: { prompt_tokens: 1, completion_tokens: 1 } });
    await provider.stream(request({ model: 'gpt-4o-mini', maxTokens: 123 }));
    expect(fake.requests).toHaveLength(1);
    const { body, headers } = fake.requests[0]!;
    expect(body).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 123, stream: true, stream_options: { include_usage: true }, messages });
    expect(headers.authorization).toBe('Bearer sk-test-123');
    expect(headers['content-type']).toMatch(/application\/json/);
  });

  it('gives usage null when the stream reports none, and passes on the finish reason', async () => {
    fake.script({ kind: 'stream', chunks: ['cut', ' off'], usage: null, finishReason: 'length' });
    const r = await provider.stream(request());
    expect(r).toEqual({ text: 'cut off', finishReason: 'length', usage: null });
  });

  it('waits for a slow first token (within the timeout)', async () => {
    fake.script({
      kind: 'stream',
      chunks: ['slow', ' start'],
      firstTokenDelayMs: 600,
      chunkDelayMs: 50,
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    });
    const t0 = Date.now();
    const r = await provider.stream(request());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    expect(r.text).toBe('slow start');
    expect(r.usage).toEqual({ promptTokens: 3, completionTokens: 2 });
  });

  it('429 is retryable, carries the status and retry-after, and the SDK did not retry by itself', async () => {
    fake.script({ kind: 'status', status: 429, headers: { 'retry-after': '7' } });
    const err = await failure(provider.stream(request()));
    expect(err).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7_000, partial: { text: '', usage: null } });
    expect(fake.requests).toHaveLength(1);
  });

  it('408 and 409 are retryable', async () => {
    fake.script([
      { kind: 'status', status: 408 },
      { kind: 'status', status: 409 },
    ]);
    expect(await failure(provider.stream(request()))).toMatchObject({ retryable: true, status: 408 });
    expect(await failure(provider.stream(request()))).toMatchObject({ retryable: true, status: 409 });
    expect(fake.requests).toHaveLength(2);
  });

  it('500 and 503 are retryable, once each', async () => {
    fake.script([
      { kind: 'status', status: 500 },
      { kind: 'status', status: 503 },
    ]);
    expect(await failure(provider.stream(request()))).toMatchObject({ retryable: true, status: 500 });
    expect(await failure(provider.stream(request()))).toMatchObject({ retryable: true, status: 503 });
    expect(fake.requests).toHaveLength(2);
  });

  it('400, 401 and 404 are not retryable', async () => {
    fake.script([
      { kind: 'status', status: 400, body: { error: { message: 'max_tokens is too large', type: 'invalid_request_error' } } },
      { kind: 'status', status: 401 },
      { kind: 'status', status: 404 },
    ]);
    const bad = await failure(provider.stream(request()));
    expect(bad).toMatchObject({ retryable: false, status: 400 });
    expect(bad.message).toContain('max_tokens is too large');
    expect(await failure(provider.stream(request()))).toMatchObject({ retryable: false, status: 401 });
    expect(await failure(provider.stream(request()))).toMatchObject({ retryable: false, status: 404 });
  });

  it('a connection dropped mid-stream is retryable and keeps the partial text', async () => {
    fake.script({ kind: 'drop', afterChunks: 2, chunks: ['one', ' two', ' three', ' four'] });
    const req = request();
    const err = await failure(provider.stream(req));
    expect(err).toMatchObject({ retryable: true, status: null, partial: { text: 'one two', usage: null } });
    expect(req.deltas).toEqual(['one', ' two']);
    expect(fake.requests).toHaveLength(1);
  });

  it('an abort mid-stream is not retryable and keeps what had arrived', async () => {
    fake.script({
      kind: 'stream',
      chunks: ['a', 'b', 'c', 'd', 'e', 'f'],
      chunkDelayMs: 100,
      usage: { prompt_tokens: 1, completion_tokens: 6 },
    });
    const ac = new AbortController();
    const req = request({ signal: ac.signal });
    req.onDelta = (t) => {
      req.deltas.push(t);
      if (req.deltas.length === 2) ac.abort();
    };
    const err = await failure(provider.stream(req));
    expect(err).toMatchObject({ retryable: false, status: null, message: 'cancelled', partial: { text: 'ab' } });
    expect(req.deltas).toEqual(['a', 'b']);
  });

  it('an abort while waiting for the headers is not retryable', async () => {
    fake.script({ kind: 'hang' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = await failure(provider.stream(request({ signal: ac.signal })));
    expect(err).toMatchObject({ retryable: false, message: 'cancelled', partial: { text: '' } });
  });

  it('a server that never answers times out, retryably', async () => {
    const quick = createOpenAiProvider({ baseUrl: fake.url, apiKey: 'k', timeoutMs: 300 });
    fake.script({ kind: 'hang' });
    const err = await failure(quick.stream(request()));
    expect(err).toMatchObject({ retryable: true, status: null });
    expect(fake.requests).toHaveLength(1);
  });

  it('a stream that stalls after its headers times out, retryably', async () => {
    const quick = createOpenAiProvider({ baseUrl: fake.url, apiKey: 'k', timeoutMs: 300 });
    fake.script({ kind: 'stream', chunks: ['late'], firstTokenDelayMs: 1_500 });
    const t0 = Date.now();
    const err = await failure(quick.stream(request()));
    expect(Date.now() - t0).toBeLessThan(1_200);
    expect(err).toMatchObject({ retryable: true, status: null, partial: { text: '' } });
  });

  it('a stream that ends cleanly but without a finish reason is retryable, with the partial text', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm' };
      res.write(
        `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'half' }, finish_reason: null }] })}\n\n`,
      );
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const p = createOpenAiProvider({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: 'k', timeoutMs: 2_000 });
      const err = await failure(p.stream(request()));
      expect(err).toMatchObject({ retryable: true, status: null, partial: { text: 'half', usage: null } });
      expect(err.message).toMatch(/without a finish reason/);
    } finally {
      server.close();
    }
  });

  it('a refused connection is retryable', async () => {
    const other = await startFakeOpenAi();
    const url = other.url;
    await other.close();
    const dead = createOpenAiProvider({ baseUrl: url, apiKey: 'k', timeoutMs: 2_000 });
    expect(await failure(dead.stream(request()))).toMatchObject({ retryable: true, status: null });
  });

  it('an exception of onDelta is passed on as it is and stops the stream', async () => {
    fake.script({ kind: 'stream', chunks: ['x', 'y', 'z'], chunkDelayMs: 20 });
    const boom = new Error('boom');
    const req = request({
      onDelta: () => {
        throw boom;
      },
    });
    await expect(provider.stream(req)).rejects.toBe(boom);
  });
});

describe('offline provider', () => {
  const offline = createOfflineProvider();

  it('answers deterministically, labelled, restating the question', async () => {
    const a = request();
    const b = request();
    const ra = await offline.stream(a);
    const rb = await offline.stream(b);
    expect(ra).toEqual(rb);
    expect(a.deltas).toEqual(b.deltas);
    expect(ra.text.split('\n')[0]).toBe(OFFLINE_LABEL);
    expect(ra.text).toContain('What is a closure?');
    expect(ra.finishReason).toBe('stop');
    expect(a.deltas.join('')).toBe(ra.text);
    expect(a.deltas.length).toBeGreaterThan(10); // word-sized pieces
    expect(offline.kind).toBe('offline');
  });

  it('points to the course brief when the system prompt has one', async () => {
    const r = await offline.stream(
      request({
        messages: [
          { role: 'system', content: 'You are the tutor of Intro to Programming.\nCourse brief: Python basics, loops and functions.' },
          { role: 'user', content: 'How do I write a loop?' },
        ],
      }),
    );
    expect(r.text).toContain('Python basics, loops and functions.');
  });

  it('in Socratic mode asks two guiding questions instead of answering', async () => {
    const plain = await offline.stream(request());
    const socratic = await offline.stream(
      request({ messages: [{ role: 'system', content: 'Use the Socratic method: never give the answer.' }, messages[1]!] }),
    );
    expect(socratic.text).not.toBe(plain.text);
    const questions = socratic.text.split('\n').filter((l) => /^\d\. .*\?$/.test(l));
    expect(questions).toHaveLength(2);
    expect(socratic.text).toContain('closure');
  });

  it('uses the last user message of the conversation', async () => {
    const r = await offline.stream(
      request({
        messages: [
          ...messages,
          { role: 'assistant', content: 'A function with its scope.' },
          { role: 'user', content: 'And what is recursion?' },
        ],
      }),
    );
    expect(r.text).toContain('And what is recursion?');
    expect(r.text).not.toContain('What is a closure?');
  });

  it('counts its usage with the tokenizer', async () => {
    const r = await offline.stream(request());
    expect(r.usage).toEqual({ promptTokens: await countChatTokens(messages), completionTokens: await countTokens(r.text) });
  });

  it('stops at maxTokens with finish reason length', async () => {
    const r = await offline.stream(request({ maxTokens: 12 }));
    expect(r.finishReason).toBe('length');
    expect(r.usage!.completionTokens).toBeLessThanOrEqual(12);
    expect(r.text.startsWith('(Offline tutor')).toBe(true);
  });

  it('can be cancelled mid-reply, keeping the partial text', async () => {
    const slow = createOfflineProvider({ chunkDelayMs: 5 });
    const ac = new AbortController();
    const req = request({ signal: ac.signal });
    req.onDelta = (t) => {
      req.deltas.push(t);
      if (req.deltas.length === 3) ac.abort();
    };
    const err = await failure(slow.stream(req));
    expect(err).toMatchObject({ retryable: false, status: null, message: 'cancelled' });
    expect(err.partial.text).toBe(req.deltas.join(''));
    expect(err.partial.usage).toEqual({
      promptTokens: await countChatTokens(messages),
      completionTokens: await countTokens(err.partial.text),
    });
  });

  it('without a delay, a cancel still lands mid-reply', async () => {
    const full = (await offline.stream(request())).text;
    const ac = new AbortController();
    const req = request({ signal: ac.signal });
    // Aborted right after the first piece (the counts come first, from the tokenizer's thread).
    req.onDelta = (t) => {
      if (req.deltas.push(t) === 1) setImmediate(() => ac.abort());
    };
    const err = await failure(offline.stream(req));
    expect(err.partial.text.length).toBeGreaterThan(0);
    expect(err.partial.text.length).toBeLessThan(full.length);
    expect(full.startsWith(err.partial.text)).toBe(true);
  });

  it('an already aborted signal yields nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    const req = request({ signal: ac.signal });
    const err = await failure(offline.stream(req));
    expect(err.partial.text).toBe('');
    expect(req.deltas).toEqual([]);
  });
});

describe('token counting', () => {
  it('matches the o200k_base encoder', async () => {
    expect(await countTokens('hello world')).toBe(2);
    expect(await countTokens('')).toBe(0);
    const enc = new Tiktoken(o200kBase);
    const text = 'Explain recursion with an example in Python, please — e.g. factorial(5).';
    expect(await countTokens(text)).toBe(enc.encode(text).length);
  });

  it('counts special-token markers as plain text instead of throwing', async () => {
    expect(await countTokens('<|endoftext|>')).toBeGreaterThan(1);
  });

  it('counts a chat as OpenAI documents: 3 per message plus role and content, plus 3 for the reply', async () => {
    let expected = 3;
    for (const m of messages) expected += 3 + (await countTokens(m.role)) + (await countTokens(m.content));
    expect(await countChatTokens(messages)).toBe(expected);
    expect(await countChatTokens([])).toBe(3);
  });
});

describe('createProvider', () => {
  it('is offline without a base URL or key, OpenAI-compatible with either', () => {
    expect(createProvider({ aiModel: 'offline-tutor', aiTimeoutMs: 1000 }).kind).toBe('offline');
    expect(createProvider({ aiBaseUrl: 'http://127.0.0.1:1/v1', aiModel: 'm', aiTimeoutMs: 1000 }).kind).toBe('openai');
    expect(createProvider({ aiApiKey: 'sk-x', aiModel: 'm', aiTimeoutMs: 1000 }).kind).toBe('openai');
  });
});
