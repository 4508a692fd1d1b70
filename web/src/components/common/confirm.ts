/**
 * Asks for a confirmation with the app's dialog (ConfirmDialog.vue) and resolves with the answer: the one way the
 * app confirms, never window.confirm(). The dialog is mounted for the question and removed after it.
 */
import { h, render } from 'vue';
import ConfirmDialog from './ConfirmDialog.vue';

export interface ConfirmOptions {
  title: string;
  message?: string;
  confirmLabel?: string;
  cancelLabel?: string;
  /** The action destroys something: its button is red. */
  danger?: boolean;
}

export function confirmAction(opts: ConfirmOptions): Promise<boolean> {
  const back = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const host = document.createElement('div');
  document.body.appendChild(host);
  return new Promise((resolve) => {
    const onAnswer = (ok: boolean) => {
      render(null, host);
      host.remove();
      back?.focus();
      resolve(ok);
    };
    render(h(ConfirmDialog, { ...opts, onAnswer }), host);
  });
}
