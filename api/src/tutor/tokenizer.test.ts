/**
 * Token counting on the tokenizer's thread: the same numbers as js-tiktoken on the calling thread, and a thread
 * that never keeps a process alive and ends when the app closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../../test/harness.js';
import { countChatTokens, countEach, countEachChatTurn, countTokens, tokenizerThreads, type ChatTurn } from './provider.js';

const root = path.resolve(import.meta.dirname, '../../..');

const texts = [
  '',
  'hello world',
  '   \n\t  ',
  'Explain recursion with an example in Python, please — e.g. factorial(5).',
  'Ünïcödé, 中文, 日本語のテキスト, emoji 🎉👩‍💻 and Ω≈ç√∫',
  'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\nprint([fib(i) for i in range(10)])',
  '<|endoftext|> and <|im_start|>user<|im_end|> are plain text here',
  'A question long enough to be cached by its digest rather than by its text, asked twice in a row. '.repeat(3),
  'word '.repeat(20_000),
];

describe('token counting on the tokenizer thread', () => {
  it('gives the numbers js-tiktoken gives on the calling thread', async () => {
    const direct = new Tiktoken(o200kBase);
    const expected = texts.map((t) => direct.encode(t, [], []).length);
    expect(await countEach(texts)).toEqual(expected);
    expect(tokenizerThreads()).toBe(1);
    // Again (the counts the thread keeps), one at a time and all at once.
    expect(await Promise.all(texts.map(countTokens))).toEqual(expected);

    const chat: ChatTurn[] = [
      { role: 'system', content: texts[3]! },
      { role: 'user', content: texts[4]! },
      { role: 'assistant', content: texts[5]! },
      { role: 'user', content: '' },
    ];
    const turns = chat.map((m) => 3 + direct.encode(m.role, [], []).length + direct.encode(m.content, [], []).length);
    expect(await countEachChatTurn(chat)).toEqual(turns);
    expect(await countChatTokens(chat)).toBe(3 + turns.reduce((a, b) => a + b, 0));
  });

  it('closing the app ends the thread', async () => {
    const app = await startApp();
    try {
      expect(await countTokens('hello world')).toBe(2);
      expect(tokenizerThreads()).toBe(1);
    } finally {
      await app.close();
    }
    expect(tokenizerThreads()).toBe(0);
    // A later count starts a thread again.
    expect(await countTokens('hello world')).toBe(2);
    expect(tokenizerThreads()).toBe(1);
  });

  const children = new Set<ChildProcess>();
  // A child that did not end by itself (the test timed out) must not outlive the test.
  afterEach(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    children.clear();
  });

  /** Runs api/test/tokenizer-child.ts under tsx and waits until it ends by itself. */
  function child(arg: string): Promise<{ code: number | null; lines: { n: number; threads: number }[]; err: string }> {
    return new Promise((resolve, reject) => {
      const p = spawn(process.execPath, ['--import', 'tsx', 'api/test/tokenizer-child.ts', arg], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(p);
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('error', reject);
      p.on('exit', (code) =>
        resolve({
          code,
          err,
          lines: out
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { n: number; threads: number }),
        }),
      );
    });
  }

  it('an idle thread does not keep a process alive', async () => {
    const r = await child('idle');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([{ n: 2, threads: 1 }]);
  });

  it('closing answers the counts in flight, then ends the thread, and the process ends by itself', async () => {
    const r = await child('close');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      { n: 2, threads: 1 },
      { n: new Tiktoken(o200kBase).encode('lorem ipsum dolor sit amet '.repeat(2000), [], []).length, threads: 0 },
    ]);
  });
});
