/** The time now (epoch ms), ticking every `everyMs` while the calling scope lives: countdowns, confusion ageing. */
import { onScopeDispose, ref, type Ref } from 'vue';

export function useNow(everyMs = 1000): Readonly<Ref<number>> {
  const now = ref(Date.now());
  const timer = setInterval(() => (now.value = Date.now()), everyMs);
  onScopeDispose(() => clearInterval(timer));
  return now;
}
