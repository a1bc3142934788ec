/**
 * The model's shape and its parameters' layout: what every engine needs and
 * the bottom of the import graph (engines import this, never src/core).
 */

/** The shape of the network. vocabSize comes from the data. */
export interface ModelConfig {
  vocabSize: number;
  nLayer: number;
  nEmbd: number;
  nHead: number;
  blockSize: number;
}

/** Parameter count: wte, wpe, lm_head, and per layer 4 attention and 2 MLP matrices. */
export function numParams(c: ModelConfig): number {
  return 2 * c.vocabSize * c.nEmbd + c.blockSize * c.nEmbd + c.nLayer * 12 * c.nEmbd * c.nEmbd;
}

/**
 * The state dict's matrices in the original's order, with their shapes (rows = nout, cols = nin).
 * Initialisation, flattening, checkpoints and the fast engine's views all follow this list.
 */
export function stateDictShapes(c: ModelConfig): [name: string, rows: number, cols: number][] {
  const shapes: [string, number, number][] = [
    ['wte', c.vocabSize, c.nEmbd],
    ['wpe', c.blockSize, c.nEmbd],
    ['lm_head', c.vocabSize, c.nEmbd],
  ];
  for (let i = 0; i < c.nLayer; i++) {
    shapes.push([`layer${i}.attn_wq`, c.nEmbd, c.nEmbd]);
    shapes.push([`layer${i}.attn_wk`, c.nEmbd, c.nEmbd]);
    shapes.push([`layer${i}.attn_wv`, c.nEmbd, c.nEmbd]);
    shapes.push([`layer${i}.attn_wo`, c.nEmbd, c.nEmbd]);
    shapes.push([`layer${i}.mlp_fc1`, 4 * c.nEmbd, c.nEmbd]);
    shapes.push([`layer${i}.mlp_fc2`, c.nEmbd, 4 * c.nEmbd]);
  }
  return shapes;
}

/** The standard deviation of the initial weights (microgpt.py's matrix(): gauss(0, 0.08)). */
export const INIT_STD = 0.08;

/** Initial weights, flattened in state-dict order: gauss(0, 0.08) each, as matrix() draws them. */
export function initialWeights(c: ModelConfig, rng: { gauss(mu: number, sigma: number): number }): Float64Array {
  const w = new Float64Array(numParams(c));
  for (let i = 0; i < w.length; i++) w[i] = rng.gauss(0, INIT_STD);
  return w;
}
