/**
 * microgpt as a library: the same code in Node and the browser (no Node-only
 * imports here; files and the network are the Node entry's, microgpt/node).
 */
export { Random, type RandomState } from './core/random.ts';
export { Tokenizer } from './core/tokenizer.ts';
export { parseDocs } from './core/parse-docs.ts';
export { prepareDataset, TokenizedDocs, DataError, type Dataset, type DocList } from './core/dataset.ts';
export {
  DEFAULT_MODEL,
  DEFAULT_TRAIN,
  DEFAULT_SAMPLE,
  ConfigError,
  numParams,
  stateDictShapes,
  initialWeights,
  validateModelConfig,
  validateTrainConfig,
  validateSampleConfig,
  type ModelConfig,
  type TrainConfig,
  type SampleConfig,
} from './core/config.ts';
export {
  SETTINGS,
  SETTING_LIST,
  checkSetting,
  checkSettings,
  checkChoice,
  DOCUMENT_MODES,
  keysIn,
  defaultsOf,
  pickSettings,
  rangeText,
  type NumberSetting,
  type ChoiceSetting,
  type Setting,
  type DocumentMode,
  type SettingKey,
  type AnySettingKey,
  type SettingGroup,
  type KeysIn,
} from './core/settings.ts';
export { validateValidation } from './core/config.ts';
export { GPT, type EngineChoice, type SampleRequest, type Inspection } from './core/gpt.ts';
export { train, type TrainOptions, type TrainResult, type TrainRun, type StepEvent } from './core/train.ts';
export { startRun, type RunOptions } from './core/run.ts';
export type { StepTrace, ParamRef, ParamTrace, PositionTrace } from './core/trace.ts';
export { DivergedError } from './core/errors.ts';
export {
  saveCheckpoint,
  loadCheckpoint,
  loadModelCheckpoint,
  hashDocs,
  CheckpointError,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type Checkpoint,
  type ModelCheckpoint,
} from './core/checkpoint.ts';
export { probabilities } from './core/sample.ts';
export { lossCurveSvg, type LossPoint } from './core/plot.ts';
export { formatFixed, stepLine } from './core/format.ts';
export { createEngine, type EngineOptions } from './engines/create.ts';
export type { Engine, EngineName, DType, AdamStep } from './engines/engine.ts';
export { FastEngine } from './engines/fast/engine.ts';
export { ScalarEngine } from './engines/scalar/engine.ts';
export { WasmEngine, type WasmOptions } from './engines/wasm/engine.ts';
export type { ThreadHelpers, HelperInit } from './engines/wasm/threads.ts';
export { Value } from './engines/scalar/value.ts';

import { GPT as GPTClass, type SampleRequest } from './core/gpt.ts';
import { shown } from './core/arguments.ts';

/** sample(gpt, request): names drawn from a model (the same as gpt.sample(request)). */
export function sample(gpt: GPTClass, request: SampleRequest = {}): string[] {
  if (!(gpt instanceof GPTClass))
    throw new TypeError(`sample(gpt, request): gpt must be a GPT (from GPT.init, GPT.fromCheckpoint or train().gpt), got ${shown(gpt)}`);
  return gpt.sample(request);
}
