/**
 * How the LTI launch this page was opened with ended, when it failed. main.ts sets it at boot
 * (launch/launch.ts); the shell then shows the launch error instead of any page.
 */
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { LaunchFailure } from '../launch/launch';

export const useLaunchStore = defineStore('launch', () => {
  const failure = shallowRef<LaunchFailure | null>(null);

  function fail(reason: LaunchFailure): void {
    failure.value = reason;
  }

  return { failure, fail };
});
