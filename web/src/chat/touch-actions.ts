/**
 * A message's actions on a touch screen, where there is no hover: a tap on the message toggles them, a long press
 * (the finger held still) opens them while the finger is still down, as phones' chat apps do. Taps on what is
 * interactive inside the message (links, buttons, the actions themselves) are theirs; a finger that moves is
 * scrolling. Mouse and pen keep hover and focus.
 */
export const LONG_PRESS_MS = 450;
/** How far the finger may move (px) and still be pressing rather than scrolling. */
const SLOP_PX = 10;

const INTERACTIVE = 'a, button, input, textarea, select, summary, label, [role="toolbar"]';

function onInteractive(target: EventTarget | null): boolean {
  return typeof Element !== 'undefined' && target instanceof Element && target.closest(INTERACTIVE) !== null;
}

export interface TouchActions {
  onPointerdown(e: PointerEvent): void;
  onPointermove(e: PointerEvent): void;
  onPointerup(): void;
  onPointercancel(): void;
  onClick(e: MouseEvent): void;
  onContextmenu(e: MouseEvent): void;
  /** Drops a press in progress (unmount). */
  dispose(): void;
}

export function touchActions(opts: {
  /** Whether the message has any actions to show. */
  enabled: () => boolean;
  isOpen: () => boolean;
  setOpen: (open: boolean) => void;
  timers?: { set: (fn: () => void, ms: number) => unknown; clear: (handle: unknown) => void };
}): TouchActions {
  const timers = opts.timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
  let pointer: string | null = null;
  let press: { handle: unknown; x: number; y: number } | null = null;
  /** A long press opened the actions: the click that may follow the finger lifting must not close them again. */
  let pressed = false;

  const cancel = () => {
    if (press) timers.clear(press.handle);
    press = null;
  };
  const open = () => {
    cancel();
    pressed = true;
    opts.setOpen(true);
  };

  return {
    onPointerdown(e) {
      pointer = e.pointerType;
      pressed = false;
      cancel();
      if (e.pointerType !== 'touch' || !opts.enabled() || onInteractive(e.target)) return;
      press = { handle: timers.set(open, LONG_PRESS_MS), x: e.clientX, y: e.clientY };
    },
    onPointermove(e) {
      if (press && Math.hypot(e.clientX - press.x, e.clientY - press.y) > SLOP_PX) cancel();
    },
    onPointerup: cancel,
    onPointercancel: cancel,
    onClick(e) {
      if (pointer !== 'touch' || !opts.enabled() || onInteractive(e.target)) return;
      if (pressed) {
        pressed = false;
        return;
      }
      // Text being selected is not a tap on the message.
      if (typeof getSelection === 'function' && !(getSelection()?.isCollapsed ?? true)) return;
      opts.setOpen(!opts.isOpen());
    },
    onContextmenu(e) {
      // A long press on a touch screen: the message's actions rather than the browser's menu.
      if (pointer !== 'touch' || !opts.enabled() || onInteractive(e.target)) return;
      e.preventDefault();
      if (!opts.isOpen()) open();
      else cancel();
    },
    dispose: cancel,
  };
}
