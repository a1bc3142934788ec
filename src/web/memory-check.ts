/**
 * The page's memory check, before anything is allocated: the CLI's estimate
 * (core/memory.ts) against what a browser tab can hold, and the one setting
 * whose lowering helps most, so the refusal stands beside that field. The
 * page checks before it sends a run; the worker checks again before it builds one.
 */
import { chooseEngine, pageChoice } from '../core/engine-choice.ts';
import { checkMemory, estimateMemory, formatBytes, MemoryError } from '../core/memory.ts';
import { SETTINGS, type SettingKey } from '../core/settings.ts';
import type { Settings } from './protocol.ts';

/** A tab gets a few GiB at most (Chromium's limit per renderer, and less on a phone): a model must fit in 2 GiB here. */
export const PAGE_MEMORY_LIMIT = 2 * 2 ** 30;

/** The settings a refusal may ask to lower, the largest saving first on a tie. */
const SHRINKABLE = ['batchSize', 'blockSize', 'nEmbd', 'nLayer'] as const;

export interface MemoryProblem {
  /** The field to lower. */
  key: SettingKey;
  message: string;
}

/** Why the model of these settings cannot be trained in this page (with the field to lower), or undefined when it fits. */
export function memoryProblem(s: Settings, vocabSize: number): MemoryProblem | undefined {
  const { engine, dtype } = chooseEngine(pageChoice(s.engine));
  const model = { nLayer: s.nLayer, nEmbd: s.nEmbd, nHead: s.nHead, blockSize: s.blockSize, vocabSize };
  const options = (batchSize: number) => ({ batchSize, engine, dtype });
  try {
    checkMemory(model, options(s.batchSize), PAGE_MEMORY_LIMIT);
    return undefined;
  } catch (e) {
    if (!(e instanceof MemoryError)) throw e;
    // halve each size in turn: the one that saves the most is the one to lower
    const halved = SHRINKABLE.filter((k) => s[k] > 1).map((key) => {
      const value = Math.floor(s[key] / 2);
      const smaller = key === 'batchSize' ? model : { ...model, [key]: value };
      return { key, value, bytes: estimateMemory(smaller, options(key === 'batchSize' ? value : s.batchSize)).bytes };
    });
    const best = halved.reduce((a, b) => (b.bytes < a.bytes ? b : a), halved[0]);
    const what = e.describe((x) => x.label);
    const where = e.overLimit ? ' a page can hold' : '';
    const still = best && best.bytes > PAGE_MEMORY_LIMIT ? ', still too much: lower it further' : '';
    const advice = best
      ? ` Lower ${SETTINGS[best.key].label} (${s[best.key]}): at ${best.value} the model needs about ${formatBytes(best.bytes)}${still}.`
      : '';
    return { key: best?.key ?? 'nEmbd', message: `${what[0].toUpperCase()}${what.slice(1)}${where}.${advice}` };
  }
}
