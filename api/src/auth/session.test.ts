import { describe, expect, it } from 'vitest';
import { SessionTokens } from './session.js';
import { AppError } from '../errors.js';

const claims = { tenantId: 't1', userId: 'u1', courseId: 'c1', roles: ['learner' as const] };

describe('session tokens', () => {
  it('verifies a token again and again to the same viewer, and a caller changing its copy changes nothing', async () => {
    const tokens = new SessionTokens('a-secret-of-thirty-two-characters!', 3600);
    const token = await tokens.issue(claims);
    const first = await tokens.verify(token);
    expect(first).toMatchObject({ kind: 'session', tenantId: 't1', userId: 'u1', courseId: 'c1', roles: ['learner'] });
    first.roles.push('instructor');
    (first as { userId: string }).userId = 'someone-else';
    const again = await tokens.verify(token);
    expect(again).toMatchObject({ userId: 'u1', roles: ['learner'] });
  });

  it('a token verified while valid is refused once it expires', async () => {
    const tokens = new SessionTokens('a-secret-of-thirty-two-characters!', 3600);
    const token = await tokens.issue(claims, 1);
    expect((await tokens.verify(token)).userId).toBe('u1');
    await new Promise((r) => setTimeout(r, 2100));
    await expect(tokens.verify(token)).rejects.toBeInstanceOf(AppError);
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/expired/) });
  });

  it('refuses a token signed with another secret, or altered, even after the real one was verified', async () => {
    const tokens = new SessionTokens('a-secret-of-thirty-two-characters!', 3600);
    const other = new SessionTokens('another-secret-of-thirty-two-chars', 3600);
    const token = await tokens.issue(claims);
    await tokens.verify(token);
    await expect(tokens.verify(await other.issue(claims))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const [h, p, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'admin' })).toString(
      'base64url',
    );
    await expect(tokens.verify(`${h}.${forged}.${sig}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('a token verified without remembering it is not kept', async () => {
    const tokens = new SessionTokens('a-secret-of-thirty-two-characters!', 3600);
    const token = await tokens.issue(claims);
    expect((await tokens.verify(token, false)).userId).toBe('u1');
    expect((tokens as unknown as { verified: Map<string, unknown> }).verified.size).toBe(0);
    await tokens.verify(token);
    expect((tokens as unknown as { verified: Map<string, unknown> }).verified.size).toBe(1);
  });

  it('keeps at most CACHE_SIZE verified tokens', async () => {
    const tokens = new SessionTokens('a-secret-of-thirty-two-characters!', 3600);
    const n = SessionTokens.CACHE_SIZE + 50;
    const issued = await Promise.all(Array.from({ length: n }, (_, i) => tokens.issue({ ...claims, userId: `u${i}` })));
    for (const t of issued) await tokens.verify(t);
    expect((tokens as unknown as { verified: Map<string, unknown> }).verified.size).toBe(SessionTokens.CACHE_SIZE);
    // The oldest went first; it still verifies (again, by its signature).
    expect((await tokens.verify(issued[0]!)).userId).toBe('u0');
  });
});
