// Whether the message list should follow new messages or offer a "jump to latest" button.

export interface ScrollBox {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

/** True when the view is within `threshold` px of the bottom (reading the latest messages). */
export function isNearBottom(el: ScrollBox, threshold = 80): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight <= threshold;
}

export type NewMessagesAction = 'scroll' | 'show-jump-button';

/**
 * What to do when messages arrive: follow them if the reader is at the bottom or sent one
 * themselves; otherwise leave the reader where they are and show the jump button.
 */
export function newMessagesAction({ nearBottom, fromMe }: { nearBottom: boolean; fromMe: boolean }): NewMessagesAction {
  return nearBottom || fromMe ? 'scroll' : 'show-jump-button';
}
