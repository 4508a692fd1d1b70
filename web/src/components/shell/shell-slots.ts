/**
 * What a page may ask of the shell around it (AppShell provides, pages inject):
 * - inside a launch, a page that names itself (the course page) puts its heading in the shell's header, in place of
 *   the product name, so that the LMS frame shows one slim header rather than two;
 * - a page that shows a conversation takes the whole height below the header, so that its own list scrolls and its
 *   composer stays in view (the shell's body then does not scroll).
 */
import { inject, onBeforeUnmount, provide, ref, shallowRef, watch, type InjectionKey, type Ref } from 'vue';

interface ShellSlots {
  /** Where a page's heading goes; null when pages keep their headings (the tool opened directly). */
  heading: Readonly<Ref<HTMLElement | null>>;
  /** How many mounted pages have put a heading there. */
  headings: Ref<number>;
  /** How many mounted pages want the whole height. */
  fills: Ref<number>;
}

const KEY: InjectionKey<ShellSlots> = Symbol('shell-slots');

export function provideShellSlots(heading: Readonly<Ref<HTMLElement | null>>): ShellSlots {
  const slots: ShellSlots = { heading, headings: ref(0), fills: ref(0) };
  provide(KEY, slots);
  return slots;
}

/** Counts this component in `count` while `on()` holds, and not after it unmounts. */
function claim(count: Ref<number>, on: () => boolean): void {
  let claimed = false;
  const set = (value: boolean) => {
    if (value === claimed) return;
    claimed = value;
    count.value += value ? 1 : -1;
  };
  watch(on, set, { immediate: true });
  onBeforeUnmount(() => set(false));
}

/**
 * The element to teleport the page's heading into while `shown()` (null: keep the heading in the page).
 * Outside an AppShell (a unit test), always null.
 */
export function useShellHeading(shown: () => boolean): Readonly<Ref<HTMLElement | null>> {
  const slots = inject(KEY, null);
  if (!slots) return shallowRef(null);
  claim(slots.headings, () => shown() && slots.heading.value !== null);
  return slots.heading;
}

/** Asks the shell for the whole height below its header while `on()`. */
export function useFillHeight(on: () => boolean): void {
  const slots = inject(KEY, null);
  if (slots) claim(slots.fills, on);
}
