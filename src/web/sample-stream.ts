/**
 * The user's samples, drawn in the worker a chunk at a time: each chunk is as
 * many names as fit in CHUNK_MS, posted at once, then the worker reads its
 * messages (pause, Stop, a new request) before the next. A million names
 * stream in without holding up training or the page; Stop ends them.
 */
import type { GPT, Random } from '../index.ts';
import type { FromWorker, SampleSettings } from './protocol.ts';

/** Longest stretch of sampling between the worker's looks at its messages. */
const CHUNK_MS = 40;

interface Job {
  gpt: GPT;
  rng: Random;
  request: SampleSettings;
  step: number;
  left: number;
  first: boolean;
  /** A model trained with documents 'stream': each sample is a passage of request.length characters. */
  stream: boolean;
}

export class SampleStream {
  private job: Job | undefined;
  private readonly turn = new MessageChannel();

  constructor(private readonly post: (m: FromWorker) => void) {
    this.turn.port1.onmessage = () => this.next();
  }

  /** Starts drawing request.numSamples names (ending any drawing before); the first chunk is drawn now, so a bad request throws here. */
  start(gpt: GPT, rng: Random, request: SampleSettings, step: number, stream = false): void {
    this.job = { gpt, rng, request, step, left: request.numSamples, first: true, stream };
    this.next();
  }

  /** Ends the drawing, if any; what was drawn stays on the page. */
  stop(): void {
    const job = this.job;
    this.job = undefined;
    if (job && !job.first)
      this.post({ type: 'samples', names: [], request: job.request, step: job.step, first: false, done: true, stream: job.stream });
  }

  /** Forgets the drawing without a word (the model it samples is gone). */
  drop(): void {
    this.job = undefined;
  }

  private next(): void {
    const job = this.job;
    if (!job) return;
    const names: string[] = [];
    const t0 = performance.now();
    try {
      while (job.left > 0 && performance.now() - t0 < CHUNK_MS) {
        const { temperature, topK, prompt, length } = job.request;
        if (job.stream) names.push(prompt + job.gpt.sampleText({ length, temperature, topK, prompt, rng: job.rng }));
        else names.push(...job.gpt.sample({ temperature, topK, prompt, numSamples: 1, rng: job.rng }));
        job.left--;
      }
    } catch (e) {
      this.job = undefined;
      throw e;
    }
    const done = job.left === 0;
    this.post({ type: 'samples', names, request: job.request, step: job.step, first: job.first, done, stream: job.stream });
    job.first = false;
    if (done) this.job = undefined;
    else this.turn.port2.postMessage(null);
  }
}
