/** Whether a sample copies a training document, a validation document, or is new (as makemore reports). */
import type { Dataset } from '../core/dataset.ts';

export type Mark = 'train' | 'val' | 'new';

const sets = new WeakMap<Dataset, { train: Set<string>; val: Set<string> }>();

export function markSample(name: string, data: Dataset): Mark {
  let s = sets.get(data);
  if (!s) {
    s = { train: new Set(data.trainDocs), val: new Set(data.valDocs) };
    sets.set(data, s);
  }
  return s.train.has(name) ? 'train' : s.val.has(name) ? 'val' : 'new';
}

export function summarizeMarks(marks: readonly Mark[]): string {
  const count = (m: Mark) => marks.filter((x) => x === m).length;
  return `new: ${count('new')} of ${marks.length}, in train: ${count('train')}, in val: ${count('val')}`;
}
