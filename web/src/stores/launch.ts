/**
 * How the LTI launch this page was opened with ended, when it failed. main.ts sets it at boot
 * (launch/launch.ts); the shell then shows the launch error instead of any page. `launched`: this tab's
 * session came from a launch (the LMS frames the tool), so the shell shows no navigation of its own.
 */
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { LaunchFailure } from '../launch/launch';
import { wasLaunched } from '../session';

export const useLaunchStore = defineStore('launch', () => {
  const failure = shallowRef<LaunchFailure | null>(null);
  // Read once: boot finishes the launch (and marks it) before the app is created.
  const launched = wasLaunched();

  function fail(reason: LaunchFailure): void {
    failure.value = reason;
  }

  return { failure, fail, launched };
});
