/** A button's action: busy while it runs, the error a person can read when it fails. */
import { ref } from 'vue';
import { userMessage } from '../apollo/errors';

export function useAction() {
  const busy = ref(false);
  const error = ref<string | null>(null);
  async function run<T>(f: () => Promise<T>): Promise<T | undefined> {
    busy.value = true;
    error.value = null;
    try {
      return await f();
    } catch (e) {
      error.value = userMessage(e);
      return undefined;
    } finally {
      busy.value = false;
    }
  }
  return { busy, error, run };
}
