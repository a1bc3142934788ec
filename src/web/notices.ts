/**
 * Messages where the eye is: each one right after the control that caused it
 * (errors as alerts, the rest as polite status), and one live status line for
 * a run's progress.
 */

import type { ToWorker } from './protocol.ts';

/** Where an error from the worker shows: beside the setting at fault, else beside the request's control. */
export function anchorFor(request: ToWorker['type'] | undefined, key: string | undefined): HTMLElement {
  if (key && byId(`field-${key}`)) return byId(`field-${key}`);
  switch (request) {
    case 'sample':
      return byId('sample-buttons');
    case 'save':
      return byId('download-row');
    case 'load':
      return byId('load-row');
    case 'learning-rate':
      return byId('field-learningRate');
    default:
      return byId('run-buttons');
  }
}

const byId = (id: string) => document.getElementById(id) as HTMLElement;

/** Shows text just after anchor (its id names the note: note-<id>); a field's input is marked invalid while an error stands. */
export function notify(anchor: HTMLElement, text: string, kind: 'error' | 'info' = 'error'): HTMLElement {
  const id = `note-${anchor.id}`;
  let note = document.getElementById(id);
  if (!note) {
    note = document.createElement('p');
    note.id = id;
    anchor.after(note);
  }
  note.className = `note ${kind}`;
  note.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  note.textContent = text;
  const input = anchor.querySelector('input, textarea, select');
  if (input && kind === 'error') {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-errormessage', id);
  }
  return note;
}

/** Removes the note after anchor, if any, and the invalid mark of its field. */
export function clearNote(anchor: HTMLElement): void {
  document.getElementById(`note-${anchor.id}`)?.remove();
  anchor.querySelector('[aria-invalid]')?.removeAttribute('aria-invalid');
  anchor.querySelector('[aria-errormessage]')?.removeAttribute('aria-errormessage');
}

/** Removes every note (before a new action), or only those of kind. */
export function clearNotes(kind?: 'error' | 'info'): void {
  for (const note of document.querySelectorAll<HTMLElement>(kind ? `.note.${kind}` : '.note')) {
    const anchor = document.getElementById(note.id.slice('note-'.length));
    anchor?.querySelector('[aria-invalid]')?.removeAttribute('aria-invalid');
    anchor?.querySelector('[aria-errormessage]')?.removeAttribute('aria-errormessage');
    note.remove();
  }
}

/** The run's status line (aria-live): said when it changes, so keep it to states and milestones. */
export function announce(text: string): void {
  const status = document.getElementById('status')!;
  if (status.textContent !== text) status.textContent = text;
}
