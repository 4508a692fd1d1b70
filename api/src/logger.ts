import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs, one line per event. Never log secrets or message bodies at info level. */
export function createLogger(level: string, name = 'lt'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['req.headers.authorization', 'token', 'secret', '*.token', '*.secret'], censor: '[redacted]' },
  });
}
