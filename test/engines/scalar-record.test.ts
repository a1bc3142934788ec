// The step graph the playground's Backward view shows: for seed 42 on names.txt, the first
// step's recorded graph has the engine's node count, its gradients are the engine's bit for
// bit, dL/dlogits is (probs - onehot) / n, and walking reversed(topo) gives every grad again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initialWeights, type ModelConfig } from '../../src/core/config.ts';
import { prepareDataset } from '../../src/core/dataset.ts';
import { Random } from '../../src/core/random.ts';
import { paramIndex } from '../../src/core/trace.ts';
import { ScalarEngine } from '../../src/engines/scalar/engine.ts';
import { graphSize } from '../../src/engines/scalar/graph.ts';
import { layoutOf, lmHeadProducts } from '../../src/engines/scalar/layout.ts';
import { childrenOf, opOf, recordStep, replayBackward, topoOrder } from '../../src/engines/scalar/record.ts';
import { NAMES, noNames } from '../helpers/cli.ts';

function firstStep() {
  const rng = new Random(42);
  const data = prepareDataset(readFileSync(NAMES, 'utf8'), rng);
  const config: ModelConfig = { nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16, vocabSize: data.tokenizer.vocabSize };
  const weights = initialWeights(config, rng);
  return { config, weights, batch: [data.train.at(0)], text: data.trainDocs[0] };
}

test('seed 42, names.txt: the first step graph, counted and checked against the engine', { skip: noNames }, () => {
  const { config, weights, batch, text } = firstStep();
  assert.equal(text, 'yuheng');
  const g = recordStep(new ScalarEngine(config, weights), batch);
  assert.equal(g.loss.toFixed(4), '3.3660');

  // the engine's own graph for the step: the nodes forwardLoss makes
  const engine = new ScalarEngine(config, weights);
  const before = graphSize();
  const loss = engine.forwardLoss(batch);
  assert.equal(graphSize() - before, g.size);
  loss.backward();
  const layout = layoutOf(config, batch);
  assert.equal(layout.size, g.size);
  // yuheng: 7 positions; 4,192 parameters; the counts the view states
  assert.equal(layout.positions.length, 7);
  assert.equal(g.numParams, 4192);
  assert.equal(g.size, 52_864);
  assert.equal(g.edges, 104_187);
  assert.equal(layout.pythonExtra, 3_419);

  // gradients bit for bit: all of them, and three named
  const trained = new ScalarEngine(config, weights);
  trained.lossAndGrad(batch);
  const grads = trained.gradients();
  assert.deepEqual(g.paramGrad, grads);
  for (const ref of [
    { name: 'wte', row: 26, col: 0 },
    { name: 'lm_head', row: 20, col: 3 },
    { name: 'layer0.attn_wq', row: 5, col: 7 },
  ]) {
    const i = paramIndex(config, ref);
    assert.ok(Object.is(g.paramGrad[i], grads[i]) && grads[i] !== 0, `${ref.name}[${ref.row}][${ref.col}]`);
  }

  // reversed(topo) over the whole graph gives every grad again, bit for bit
  const topo = topoOrder(g);
  // every node but the probabilities softmax makes and loss_t does not read: 2 (V - 1) per position
  assert.equal(topo.length, g.size - 7 * 2 * (config.vocabSize - 1));
  const replay = replayBackward(g, undefined, topo);
  assert.deepEqual(replay.grad, g.grad);
  assert.deepEqual(replay.paramGrad, g.paramGrad);

  // dL/dlogits = (probs - onehot) / n at every position
  const n = layout.positions.length;
  for (const p of layout.positions) {
    p.logits.forEach((id, i) => {
      const want = (g.data[p.probs[i]] - (i === p.target ? 1 : 0)) / n;
      assert.ok(Math.abs(g.grad[id] - want) <= 1e-15, `pos ${p.pos} logit ${i}: ${g.grad[id]} vs ${want}`);
    });
  }
});

test('the layout names the operation at each landmark', { skip: noNames }, () => {
  const { config, weights, batch } = firstStep();
  const g = recordStep(new ScalarEngine(config, weights), batch);
  const layout = layoutOf(config, batch);
  for (const p of layout.positions) {
    assert.equal(opOf(g, p.lossT), '* c');
    assert.equal(childrenOf(g, p.lossT)[0].local, -1);
    assert.equal(opOf(g, p.log), 'log');
    assert.equal(opOf(g, p.probs[p.target]), '*');
    assert.equal(opOf(g, p.pows[p.target]), '**-1');
    assert.equal(childrenOf(g, p.pows[0])[0].child, p.total);
    assert.equal(opOf(g, p.exps[p.target]), 'exp');
    assert.equal(opOf(g, p.shifted[0]), '+ c');
    assert.deepEqual(
      childrenOf(g, p.shifted[3]).map((c) => c.child),
      [p.logits[3]],
    );
    const products = lmHeadProducts(config, p.lmHead, p.target);
    const w = paramIndex(config, { name: 'lm_head', row: p.target, col: 5 });
    assert.equal(childrenOf(g, products[5])[0].child, ~w);
  }
  for (const s of layout.segments) {
    const ops = new Set(s.outputs.map((id) => opOf(g, id)));
    const want = { embed: '+', residual: '+', relu: 'relu', rmsnorm: '*', linear: '+', head: '+', softmax: '*', loss: '* c', mean: '* c' }[
      s.kind
    ];
    if (s.kind === 'head' && s.pos === 0) continue; // one key: each output is a single product
    assert.deepEqual([...ops], s.kind === 'relu' ? [...ops].filter((o) => o === 'relu') : [want], `${s.name} at ${s.doc}/${s.pos}`);
  }
  assert.equal(layout.segments.at(-1)!.outputs[0], g.size - 1);
});
