/** The typed messages between the page and the training worker. */
import type { ParamRef, StepTrace } from '../core/trace.ts';
import type { PanelAnswer, PanelRequest } from './panels/messages.ts';

export interface Settings {
  nLayer: number;
  nEmbd: number;
  nHead: number;
  blockSize: number;
  numSteps: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  engine: 'fast' | 'scalar';
  /** Share of documents held out for the validation curve. */
  valFraction: number;
}

export interface SampleSettings {
  numSamples: number;
  temperature: number;
  topK: number;
  prompt: string;
}

export interface ModelInfo {
  vocab: string[];
  numParams: number;
  numDocs: number;
  valDocs: number;
  step: number;
  numSteps: number;
  nLayer: number;
  nHead: number;
  blockSize: number;
}

/** Steps since the last progress message, as parallel arrays (valLoss NaN where not measured). */
export interface ProgressBatch {
  steps: number[];
  losses: number[];
  valLosses: number[];
  msPerStep: number;
  tokensPerSecond: number;
  /** Milliseconds the worker has spent training this run, evaluation included. */
  workerMs: number;
}

export type ToWorker =
  | { type: 'start'; settings: Settings; text: string }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'reset' }
  | { type: 'sample'; request: SampleSettings }
  | { type: 'next-token'; prefix: string; temperature: number; topK: number }
  | { type: 'inspect'; text: string; temperature: number }
  | { type: 'save' }
  | { type: 'load'; bytes: ArrayBuffer }
  /** Exactly one training step, traced: pauses a running run first; with no run, starts one from settings and text. */
  | { type: 'step'; settings: Settings; text: string; param?: ParamRef }
  | PanelRequest;

export type FromWorker =
  | { type: 'ready'; info: ModelInfo; samples: string[]; trained: boolean }
  | { type: 'progress'; batch: ProgressBatch; samples?: string[] }
  | { type: 'state'; state: 'training' | 'paused' | 'done' | 'idle'; step: number; workerMs: number }
  | { type: 'samples'; names: string[] }
  | { type: 'next-token'; prefix: string; char: string; probs: number[]; vocab: string[] }
  | { type: 'inspection'; inputs: string[]; probs: number[][]; attention: number[][][][]; vocab: string[] }
  | { type: 'checkpoint'; bytes: ArrayBuffer; step: number }
  | { type: 'error'; message: string }
  /** The step just taken by a 'step' request. */
  | { type: 'trace'; trace: StepTrace }
  | PanelAnswer;
