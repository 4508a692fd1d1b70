/**
 * The AI tutor's provider layer: the one interface the tutor worker streams replies through, an implementation
 * over any OpenAI-compatible chat-completions endpoint (OpenAI, xAI, Ollama, vLLM) and a deterministic offline
 * tutor for when none is configured. Retrying is the queue's job: the provider never retries by itself, it says
 * through ProviderError.retryable whether another attempt may succeed.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { TokenizerPool } from './tokenizer.js';

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface StreamRequest {
  model: string;
  messages: ChatTurn[];
  maxTokens: number;
  signal: AbortSignal;
  /** called with each text delta as it arrives */
  onDelta: (text: string) => void;
}

export interface StreamResult {
  text: string;
  finishReason: string | null;
  /** as the provider reported them (null when it reported none) */
  usage: { promptTokens: number; completionTokens: number } | null;
}

export interface TutorProvider {
  readonly name: string;
  /** 'openai' | 'offline' */
  readonly kind: 'openai' | 'offline';
  stream(req: StreamRequest): Promise<StreamResult>;
}

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  /** How long the provider asked us to wait before trying again (retry-after), when it said. */
  readonly retryAfterMs: number | null;

  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status: number | null,
    readonly partial: { text: string; usage: StreamResult['usage'] },
    options: { retryAfterMs?: number | null; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Token counting, on a worker thread (tokenizer.ts): the event loop that serves the sockets never builds the
// tokenizer nor encodes a text.

/** One thread: counting is a small share of a reply's work, and the machines we run on have two cores or more. */
const tokenizer = new TokenizerPool(1);

/**
 * Starts the tokenizer's thread and builds the tokenizer there (about 0.8 s of CPU): for a worker's start-up, so
 * that the first question does not wait for it. Resolves once it is built.
 */
export function warmTokenizer(): Promise<void> {
  return tokenizer.warm();
}

/** Ends the tokenizer's thread once the counts in flight are answered (a later count starts a new one). */
export function closeTokenizer(): Promise<void> {
  return tokenizer.close();
}

/** Live tokenizer threads (for tests). */
export function tokenizerThreads(): number {
  return tokenizer.threadCount;
}

/** Tokens of each text (o200k_base), in one round trip. Special-token markers count as plain text, never throw. */
export function countEach(texts: string[]): Promise<number[]> {
  return tokenizer.count(texts);
}

/** Tokens of a text (o200k_base). */
export async function countTokens(text: string): Promise<number> {
  const [n] = await tokenizer.count([text]);
  return n!;
}

/**
 * Prompt tokens of a chat, as OpenAI's cookbook counts them for its chat models: 3 per message, plus the tokens
 * of each message's role and content, plus 3 priming the reply. An estimate for other providers' models.
 */
export async function countChatTokens(messages: ChatTurn[]): Promise<number> {
  return 3 + (await countEachChatTurn(messages)).reduce((a, b) => a + b, 0);
}

/** What each message adds to countChatTokens (3, its role and its content), in one round trip. */
export async function countEachChatTurn(messages: ChatTurn[]): Promise<number[]> {
  const counts = await tokenizer.count(messages.flatMap((m) => [m.role, m.content]));
  return messages.map((_, i) => 3 + counts[2 * i]! + counts[2 * i + 1]!);
}

// ---------------------------------------------------------------------------------------------------------------
// OpenAI-compatible provider

export interface OpenAiProviderOptions {
  /** Base URL including the API version path (…/v1); unset: the SDK's default (OpenAI). */
  baseUrl?: string | undefined;
  /** Unset: a placeholder is sent (local servers such as Ollama or vLLM ignore it). */
  apiKey?: string | undefined;
  /**
   * Longest wait for the response headers, and then (the SDK's own timeout stops at the headers) for each
   * further piece of the stream: a stream that stalls this long is abandoned as a retryable timeout.
   */
  timeoutMs: number;
}

const RETRYABLE_STATUS = new Set([408, 409, 429]);

function retryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status) || status >= 500;
}

/** retry-after-ms, or retry-after in seconds or as an HTTP date; null when absent or unreadable. */
function retryAfterOf(headers: Headers | undefined): number | null {
  if (!headers) return null;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const raw = headers.get('retry-after');
  if (!raw) return null;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds) && seconds >= 0 && /^\s*[\d.]+\s*$/.test(raw)) return Math.round(seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

export function createOpenAiProvider(opts: OpenAiProviderOptions): TutorProvider {
  const client = new OpenAI({
    baseURL: opts.baseUrl,
    apiKey: opts.apiKey ?? 'no-key',
    maxRetries: 0,
    timeout: opts.timeoutMs,
  });
  let host = '';
  try {
    host = opts.baseUrl ? new URL(opts.baseUrl).host : '';
  } catch {
    /* the SDK reports a bad URL at the first request */
  }

  return {
    name: host ? `openai:${host}` : 'openai',
    kind: 'openai',
    async stream(req) {
      let text = '';
      let usage: StreamResult['usage'] = null;
      let finishReason: string | null = null;
      const partial = () => ({ text, usage });

      // The SDK's timeout covers only the wait for the headers; this one covers each gap in the stream after them.
      const stall = new AbortController();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => stall.abort(), opts.timeoutMs);
      };
      const signal = AbortSignal.any([req.signal, stall.signal]);
      const cancelled = (cause?: unknown) => new ProviderError('cancelled', false, null, partial(), { cause });
      const stalled = () => new ProviderError(`the provider sent nothing for ${opts.timeoutMs} ms`, true, null, partial());

      // An exception of the caller's onDelta is its own: passed on as it is, not as a provider failure.
      let callbackFailure: { error: unknown } | null = null;

      try {
        const stream = await client.chat.completions.create(
          {
            model: req.model,
            messages: req.messages,
            max_tokens: req.maxTokens,
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal },
        );
        arm();
        for await (const chunk of stream) {
          // After an abort the SDK may still hand over what it had buffered: the reply ends where we stopped.
          if (signal.aborted) break;
          arm();
          if (chunk.usage) {
            usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
          }
          const choice = chunk.choices.find((c) => c.index === 0) ?? chunk.choices[0];
          if (!choice) continue;
          const delta = (choice.delta?.content ?? '') + (choice.delta?.refusal ?? '');
          if (delta) {
            text += delta;
            try {
              req.onDelta(delta);
            } catch (error) {
              callbackFailure = { error };
              break; // leaving the loop aborts the request
            }
          }
          if (choice.finish_reason) finishReason = choice.finish_reason;
        }
      } catch (err) {
        if (req.signal.aborted) throw cancelled(err);
        if (stall.signal.aborted) throw stalled();
        throw toProviderError(err, partial());
      } finally {
        clearTimeout(timer);
      }

      if (callbackFailure) throw callbackFailure.error;
      // The SDK ends the iteration quietly, without an error, when the request is aborted mid-stream.
      if (req.signal.aborted) throw cancelled();
      if (stall.signal.aborted) throw stalled();
      if (finishReason === null) {
        throw new ProviderError('the stream ended without a finish reason (connection dropped?)', true, null, partial());
      }
      return { text, finishReason, usage };
    },
  };
}

function toProviderError(err: unknown, partial: ProviderError['partial']): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof APIUserAbortError) return new ProviderError('cancelled', false, null, partial, { cause: err });
  if (err instanceof APIConnectionTimeoutError) {
    return new ProviderError('the provider did not answer in time', true, null, partial, { cause: err });
  }
  if (err instanceof APIConnectionError) {
    return new ProviderError(`could not reach the provider: ${describe(err)}`, true, null, partial, { cause: err });
  }
  if (err instanceof APIError) {
    const status = typeof err.status === 'number' ? err.status : null;
    // No status: an error event inside a stream that had started well; most likely the provider's own trouble.
    const retryable = status === null || retryableStatus(status);
    return new ProviderError(`provider error: ${err.message}`, retryable, status, partial, {
      cause: err,
      retryAfterMs: retryAfterOf(err.headers),
    });
  }
  // Anything else broke the stream itself: undici's "terminated" when the connection drops, a garbled event.
  return new ProviderError(`the stream failed: ${describe(err)}`, true, null, partial, { cause: err });
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Offline tutor

export const OFFLINE_LABEL = '(Offline tutor — no AI provider is configured.)';

export interface OfflineProviderOptions {
  /** Pause between streamed words (ms); default none. */
  chunkDelayMs?: number;
}

const STOPWORDS = new Set(
  (
    'about above after again against also because been before being below between both cannot could does doing down ' +
    'during each explain from further have having here hers herself himself into itself just know more most mean ' +
    'means myself need only other ourselves over own please same should some such than that their theirs them ' +
    'themselves then there these they this those through understand under until very want what when where which ' +
    'while whom why will with would your yours yourself yourselves help does how write make work find give tell show ' +
    'using'
  ).split(' '),
);

function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

function keywords(question: string, max: number): string[] {
  const out: string[] = [];
  for (const m of question.matchAll(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)) {
    const w = m[0].toLowerCase();
    if (w.length < 4 || STOPWORDS.has(w) || out.includes(w)) continue;
    out.push(w);
    if (out.length === max) break;
  }
  return out;
}

function courseBrief(system: string): string | null {
  const lines = system.split(/\r?\n/);
  const at = lines.findIndex((l) => /^\s*Course brief:/i.test(l));
  if (at < 0) return null;
  let brief = (lines[at] ?? '').replace(/^\s*Course brief:\s*/i, '');
  if (!brief.trim()) brief = lines.slice(at + 1).find((l) => l.trim()) ?? '';
  return brief.trim() ? oneLine(brief, 240) : null;
}

/** The offline tutor's reply to a conversation: a pure function of its system prompt and last user message. */
export function offlineReply(messages: ChatTurn[]): string {
  const system = messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n');
  const question =
    [...messages]
      .reverse()
      .find((m) => m.role === 'user')
      ?.content.trim() ?? '';
  const socratic = /socratic/i.test(system);
  const brief = courseBrief(system);
  const lines = [OFFLINE_LABEL, ''];

  if (!question) {
    lines.push("I don't see a question yet. What would you like to work on?");
    return lines.join('\n');
  }

  lines.push(`You asked: "${oneLine(question, 200)}"`, '');
  const terms = keywords(question, 3);
  const topic = terms.length ? terms.map((t) => `"${t}"`).join(', ') : 'this topic';

  if (socratic) {
    lines.push(
      "Rather than give you the answer, let's reason it out together:",
      `1. What do you already know about ${topic}, and how does it connect to what the question asks?`,
      '2. What would be your first step towards an answer, and how could you check whether it is right?',
    );
  } else {
    lines.push(
      "I can't write a full answer while offline, but here is a way in:",
      terms.length
        ? `1. Look up the key terms in your course materials: ${topic}.`
        : '1. Look up the key terms of the question in your course materials.',
      '2. Write down what you already know, and pin down the exact step where you get stuck.',
      '3. Try a small example by hand and check each step against your notes.',
    );
  }
  if (brief) lines.push('', `The course brief may help: "${brief}"`);
  lines.push('', 'Once an AI provider is configured, I can answer in full.');
  return lines.join('\n');
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export function createOfflineProvider(opts: OfflineProviderOptions = {}): TutorProvider {
  const delay = Math.max(0, opts.chunkDelayMs ?? 0);
  return {
    name: 'offline',
    kind: 'offline',
    async stream(req) {
      const reply = offlineReply(req.messages);
      // Word-sized pieces (each with the whitespace after it) that add up to the reply exactly.
      const pieces = reply.match(/\S+\s*|\s+/g) ?? [];
      // The prompt and every piece counted at once, on the tokenizer's thread. The limit is kept by adding up
      // the pieces' counts (a piece is counted once, not the whole text again at each piece); the usage reported
      // counts the text as sent.
      const [promptTokens, pieceTokens] = await Promise.all([countChatTokens(req.messages), countEach(pieces)]);
      let text = '';
      const usageNow = async () => ({ promptTokens, completionTokens: await countTokens(text) });
      const cancelled = async () => new ProviderError('cancelled', false, null, { text, usage: await usageNow() });

      let finishReason = 'stop';
      let used = 0;
      for (const [i, piece] of pieces.entries()) {
        if (req.signal.aborted) throw await cancelled();
        if (req.maxTokens > 0 && used + pieceTokens[i]! > req.maxTokens) {
          finishReason = 'length';
          break;
        }
        used += pieceTokens[i]!;
        text += piece;
        req.onDelta(piece);
        // Without a delay, still give way to the event loop so that a cancel can land mid-reply.
        if (delay > 0) await pause(delay, req.signal);
        else await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (req.signal.aborted) throw await cancelled();
      return { text, finishReason, usage: await usageNow() };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------

export function createProvider(config: {
  aiBaseUrl?: string | undefined;
  aiApiKey?: string | undefined;
  aiModel: string;
  aiTimeoutMs: number;
}): TutorProvider {
  if (config.aiBaseUrl || config.aiApiKey) {
    return createOpenAiProvider({ baseUrl: config.aiBaseUrl, apiKey: config.aiApiKey, timeoutMs: config.aiTimeoutMs });
  }
  return createOfflineProvider();
}
