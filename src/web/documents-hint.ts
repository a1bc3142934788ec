/**
 * The Documents field's hint: in lines mode each line is cut to the block
 * size, so a text of long lines (prose, Moby-Dick) trains on only the first
 * block-size characters of each. The hint says how many characters that
 * leaves out, as the CLI's train note does, and offers stream mode, which
 * trains on the whole text. Hidden when nothing is cut, or in stream mode.
 */
import type { DataBox } from './data-box.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (n: number) => n.toLocaleString('en');

export function mountDocumentsHint(data: DataBox): void {
  const documents = $<HTMLSelectElement>('documents');
  const hint = Object.assign(document.createElement('p'), { id: 'documents-hint', className: 'help', hidden: true });
  hint.setAttribute('role', 'status');
  const text = document.createElement('span');
  const use = Object.assign(document.createElement('button'), { type: 'button', id: 'documents-use-stream', textContent: 'Use stream' });
  use.onclick = () => {
    documents.value = 'stream';
    documents.dispatchEvent(new Event('change', { bubbles: true }));
    documents.focus();
  };
  hint.append(text, use);
  $('help-documents').after(hint);

  const update = () => {
    const blockSize = Number($<HTMLInputElement>('blockSize').value);
    const cut = documents.value === 'lines' && Number.isSafeInteger(blockSize) && blockSize >= 1 ? data.cut(blockSize) : undefined;
    hint.hidden = !cut || cut.cut === 0;
    if (!cut || cut.cut === 0) return;
    const share = (100 * cut.cut) / cut.total;
    text.textContent = `This text has lines longer than the block size: lines mode trains on only the first ${blockSize} characters of each line, so ${fmt(cut.cut)} of its ${fmt(cut.total)} characters (${share < 1 ? '<1' : Math.round(share)}%) are never trained on. Raise Block size, or choose stream to train on all of it.`;
  };
  // the text, its mode or the block size changed, or a text finished loading (the data box then says 'change' on Dataset)
  for (const type of ['input', 'change']) document.addEventListener(type, update);
  update();
}
