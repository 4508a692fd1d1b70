/**
 * The launch step of boot (main.ts): when the server handed this page an LTI launch, finish it
 * before the router shows anything. Resolves to where to go, or the failure to show.
 */
import { clearToken, markLaunched, setToken } from '../session';
import { completeLaunch, findLaunchHandoff, INVALID_HANDOFF, type LaunchOutcome } from './launch';
import { platformWindow, windowTransport } from './platform-storage';

/** Null when this page load is not a launch. */
export async function finishLaunchIfAny(win: Window = window): Promise<LaunchOutcome | null> {
  const found = findLaunchHandoff(win.document);
  if (!found) return null;
  // The code is single-use: nothing later (a re-mount, a script) should see it again.
  found.element.remove();

  let outcome: LaunchOutcome;
  if (!found.handoff) {
    outcome = { ok: false, ...INVALID_HANDOFF };
  } else {
    try {
      outcome = await completeLaunch(found.handoff, {
        fetch: (input, init) => win.fetch(input, init),
        sessionStorage: () => win.sessionStorage,
        frameName: { get: () => win.name, set: (name) => void (win.name = name) },
        platform: (handoff) => {
          const target = handoff.storage ? platformWindow(win, handoff.storage.target) : null;
          return target ? windowTransport(target, win) : null;
        },
        setToken,
        log: (message) => console.info(`[launch] ${message}`),
      });
    } catch (error) {
      console.error('[launch] could not finish the launch', error);
      outcome = { ok: false, code: 'LAUNCH_FAILED', message: 'Something went wrong while opening Course Companion.' };
    }
  }
  // A launch that failed must not leave an earlier session of this tab looking signed in.
  if (!outcome.ok) clearToken();
  else markLaunched();
  return outcome;
}
