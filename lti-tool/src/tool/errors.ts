/** An LTI protocol error: a stable code, the HTTP status to answer with, and a sentence for people. */
export class LtiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'LtiError';
  }
}
