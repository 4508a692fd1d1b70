/**
 * A process that counts tokens and then ends by itself (no process.exit), for tokenizer.test.ts. With `close` it
 * closes the tokenizer while a count is in flight. Prints one JSON line after the first count and one at the end.
 */
import { closeTokenizer, countTokens, tokenizerThreads } from '../src/tutor/provider.js';

console.log(JSON.stringify({ n: await countTokens('hello world'), threads: tokenizerThreads() }));
if (process.argv[2] === 'close') {
  const inFlight = countTokens('lorem ipsum dolor sit amet '.repeat(2000));
  await closeTokenizer();
  console.log(JSON.stringify({ n: await inFlight, threads: tokenizerThreads() }));
}
