import { describe, expect, it } from 'vitest';
import { LONG_PRESS_MS, touchActions } from './touch-actions';

/** A message's touch handlers with hand-run timers; `opened` records every open/close asked for. */
function setup(enabled = true) {
  let open = false;
  const opened: boolean[] = [];
  const pending = new Map<number, () => void>();
  let next = 0;
  const t = touchActions({
    enabled: () => enabled,
    isOpen: () => open,
    setOpen: (v) => {
      open = v;
      opened.push(v);
    },
    timers: {
      set: (fn, ms) => {
        expect(ms).toBe(LONG_PRESS_MS);
        pending.set(++next, fn);
        return next;
      },
      clear: (h) => void pending.delete(h as number),
    },
  });
  const elapse = () => {
    const fns = [...pending.values()];
    pending.clear();
    fns.forEach((fn) => fn());
  };
  const ev = (pointerType: string, x = 10, y = 10) => ({ pointerType, clientX: x, clientY: y, target: null }) as unknown as PointerEvent;
  const click = () => ({ target: null, preventDefault() {} }) as unknown as MouseEvent;
  return { t, opened, elapse, ev, click, pending, isOpen: () => open };
}

describe('touchActions', () => {
  it('a tap toggles the actions; a second tap closes them', () => {
    const s = setup();
    s.t.onPointerdown(s.ev('touch'));
    s.t.onPointerup();
    s.t.onClick(s.click());
    expect(s.opened).toEqual([true]);
    s.t.onPointerdown(s.ev('touch'));
    s.t.onPointerup();
    s.t.onClick(s.click());
    expect(s.opened).toEqual([true, false]);
  });

  it('a long press opens them while the finger is down, and the click after lifting it does not close them', () => {
    const s = setup();
    s.t.onPointerdown(s.ev('touch'));
    s.elapse();
    expect(s.isOpen()).toBe(true);
    s.t.onPointerup();
    s.t.onClick(s.click());
    expect(s.opened).toEqual([true]);
    // The next tap is a tap again.
    s.t.onPointerdown(s.ev('touch'));
    s.t.onClick(s.click());
    expect(s.opened).toEqual([true, false]);
  });

  it('a finger that moves is scrolling: no long press', () => {
    const s = setup();
    s.t.onPointerdown(s.ev('touch', 10, 10));
    s.t.onPointermove(s.ev('touch', 10, 40));
    expect(s.pending.size).toBe(0);
    s.t.onPointercancel();
    expect(s.opened).toEqual([]);
  });

  it('the browser menu of a long press gives way to the actions', () => {
    const s = setup();
    let prevented = false;
    s.t.onPointerdown(s.ev('touch'));
    s.t.onContextmenu({ target: null, preventDefault: () => (prevented = true) } as unknown as MouseEvent);
    expect(prevented).toBe(true);
    expect(s.opened).toEqual([true]);
    expect(s.pending.size).toBe(0);
  });

  it('leaves the mouse (hover shows the actions) and messages without actions alone', () => {
    const mouse = setup();
    mouse.t.onPointerdown(mouse.ev('mouse'));
    mouse.t.onClick(mouse.click());
    let prevented = false;
    mouse.t.onContextmenu({ target: null, preventDefault: () => (prevented = true) } as unknown as MouseEvent);
    expect(mouse.opened).toEqual([]);
    expect(mouse.pending.size).toBe(0);
    expect(prevented).toBe(false);

    const none = setup(false);
    none.t.onPointerdown(none.ev('touch'));
    none.t.onClick(none.click());
    expect(none.opened).toEqual([]);
    expect(none.pending.size).toBe(0);
  });
});
