// The panels' numbers without a page: the architecture's blocks and totals,
// the generation and attention pipelines (against the engines' own), the
// worker's answers, and ?data= loading with a stand-in fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { NAMES, noNames } from '../helpers/cli.ts';
import { Random } from '../../src/core/random.ts';
import { startRun } from '../../src/core/run.ts';
import { probabilities } from '../../src/core/sample.ts';
import { FastEngine } from '../../src/engines/fast/engine.ts';
import { initialWeights, numParams, type ModelConfig } from '../../src/engines/shape.ts';
import { architecture, attentionSteps, blockLabel, generationRows } from '../../src/web/panels/model-data.ts';
import { answerPanelRequest } from '../../src/web/panels/worker-queries.ts';
import { loadLinkedData } from '../../src/web/panels/data-link.ts';

const config = (nLayer: number, nEmbd: number, nHead: number, blockSize: number, vocabSize = 27): ModelConfig => ({
  nLayer,
  nEmbd,
  nHead,
  blockSize,
  vocabSize,
});

test('architecture: a block per state-dict matrix with its shape and count; the total is numParams', () => {
  for (const c of [config(1, 16, 4, 16), config(2, 32, 4, 8), config(3, 8, 2, 24, 40)]) {
    const { groups, total } = architecture(c);
    const matrices = groups.flatMap((g) => g.blocks).filter((b) => b.kind === 'matrix');
    assert.equal(matrices.length, 3 + 6 * c.nLayer);
    assert.equal(
      matrices.reduce((a, b) => a + b.params, 0),
      numParams(c),
    );
    assert.equal(total, numParams(c));
    assert.equal(groups.flatMap((g) => g.blocks).filter((b) => b.name === 'rmsnorm').length, 1 + 2 * c.nLayer);
  }
  const blocks = architecture(config(1, 16, 4, 16)).groups.flatMap((g) => g.blocks);
  assert.equal(blockLabel(blocks.find((b) => b.name === 'layer0.mlp_fc1')!), 'layer0.mlp_fc1 64 × 16');
  assert.equal(architecture(config(1, 16, 4, 16)).total, 4192);
});

test('generation: ÷ temperature, softmax, top-k, as sampling computes them', () => {
  const logits = [2, 1, 0.5, -1, 3];
  for (const [t, k] of [
    [1, 0],
    [0.5, 2],
    [2, 3],
  ] as const) {
    const rows = generationRows(logits, t, k);
    const expected = probabilities(logits, t, k, new Float64Array(5));
    rows.forEach((r, i) => {
      assert.equal(r.p, expected[i]);
      assert.equal(r.scaled, logits[i] / t);
    });
    assert.equal(rows.filter((r) => r.kept).length, k || 5);
    assert.ok(Math.abs(rows.reduce((a, r) => a + r.softmax, 0) - 1) < 1e-12);
  }
  // a lower temperature sharpens the distribution
  const top = (t: number) => Math.max(...generationRows(logits, t, 0).map((r) => r.p));
  assert.ok(top(0.5) > top(1) && top(1) > top(2));
});

test('FastEngine.attentionInputs: softmax(q·k/√d) is attentionRow, Σ weight·v is the head output', () => {
  const c = config(2, 12, 3, 8, 9);
  const engine = new FastEngine(c, initialWeights(c, new Random(7)));
  const ids = [8, 1, 4, 4, 0, 2];
  ids.forEach((id, t) => engine.forwardToken(id, t));
  for (const [layer, head, t] of [
    [0, 0, 0],
    [1, 2, 5],
    [0, 1, 3],
  ]) {
    const { q, k, v, out } = engine.attentionInputs(layer, head, t);
    assert.equal(q.length, 4);
    assert.equal(k.length, t + 1);
    const r = attentionSteps(
      Array.from(q),
      k.map((x) => Array.from(x)),
      v.map((x) => Array.from(x)),
      ids.length,
    );
    const row = engine.attentionRow(layer, head, t);
    r.steps.forEach((s, j) => (j <= t ? assert.ok(Math.abs(s.weight - row[j]) < 1e-14) : assert.ok(s.masked && s.weight === 0)));
    r.out.forEach((x, i) => assert.ok(Math.abs(x - out[i]) < 1e-14));
  }
  assert.throws(() => engine.attentionInputs(0, 0, 6), /no attention for position 6/);
});

test('the worker answers: a matrix, next-token logits, attention (the same with the scalar engine)', () => {
  const text = 'emma\nolivia\nava\nisabella\nsophia\nmia\n';
  const answers = (engine: 'fast' | 'scalar') => {
    const run = startRun({ text, train: { numSteps: 5, seed: 3 }, model: { nLayer: 1, nEmbd: 8, nHead: 2, blockSize: 8 }, engine });
    assert.equal(answerPanelRequest({ type: 'panel-matrix', name: 'wte' }, { gpt: undefined, step: 0 }).type, 'panel-matrix');
    run.takeStep();
    const state = { gpt: run.gpt, step: run.step };
    const m = answerPanelRequest({ type: 'panel-matrix', name: 'layer0.mlp_fc1' }, state);
    const logits = answerPanelRequest({ type: 'panel-logits', prefix: 'em' }, state);
    const att = answerPanelRequest({ type: 'panel-attention', text: 'emma', layer: 0, head: 1, pos: 2 }, state);
    return { m, logits, att, gpt: run.gpt };
  };
  const fast = answers('fast');
  const scalar = answers('scalar');
  assert.ok(fast.m.type === 'panel-matrix' && fast.m.view);
  assert.equal(fast.m.view.rows, 32);
  assert.equal(fast.m.view.cols, 8);
  assert.equal(fast.m.view.weights.length, 256);
  assert.ok(
    fast.m.view.grads.some((g) => g !== 0),
    'the gradient of the step taken',
  );
  assert.ok(fast.logits.type === 'panel-logits' && fast.logits.view);
  const probs = fast.gpt.nextTokenProbabilities('em')[2];
  const mine = probabilities(fast.logits.view.logits, 1, 0, new Float64Array(probs.length));
  mine.forEach((p, i) => assert.ok(Math.abs(p - probs[i]) < 1e-15));
  assert.equal(fast.logits.view.pos, 2);
  assert.ok(fast.att.type === 'panel-attention' && fast.att.view && scalar.att.type === 'panel-attention' && scalar.att.view);
  assert.deepEqual(fast.att.view.inputs, ['BOS', 'e', 'm', 'm', 'a']);
  assert.equal(fast.att.view.weights.length, 5);
  assert.equal(fast.att.view.k.length, 3);
  const scalarWeights = scalar.att.view.weights.flat();
  fast.att.view.weights.flat().forEach((w, i) => assert.ok(Math.abs(w - scalarWeights[i]) < 1e-12));
  // the scalar engine answers from its own numbers (Engine.attentionInputs), the same as the fast one's
  const qkvo = (v: typeof fast.att.view) => [...v.q, ...v.out, ...v.k.flat(), ...v.v.flat()];
  const scalarQkvo = qkvo(scalar.att.view);
  qkvo(fast.att.view).forEach((x, i) => assert.ok(Math.abs(x - scalarQkvo[i]) < 1e-12));
  // every layer and head, and the logits at each position (the last is the generation panel's after "emma")
  assert.deepEqual(fast.att.view.all[0][1], fast.att.view.weights);
  assert.equal(fast.att.view.all[0].length, 2);
  assert.equal(fast.att.view.logits.length, 5);
  assert.deepEqual(fast.att.view.logits[2], fast.logits.view.logits);
  assert.equal(fast.att.view.vocab[fast.att.view.vocab.length - 1], 'BOS');
  const bad = (request: Parameters<typeof answerPanelRequest>[0]) => answerPanelRequest(request, { gpt: fast.gpt, step: 1 });
  assert.deepEqual(bad({ type: 'panel-attention', text: 'emmaz', layer: 0, head: 0, pos: 0 }), {
    type: 'panel-error',
    request: 'panel-attention',
    message: 'character "z" is not in the vocabulary',
  });
  assert.deepEqual(bad({ type: 'panel-matrix', name: 'layer3.attn_wq' }), {
    type: 'panel-error',
    request: 'panel-matrix',
    message: 'no matrix named "layer3.attn_wq"',
  });
  assert.match(
    (bad({ type: 'panel-logits', prefix: 'emmaemmaemma' }) as { message: string }).message,
    /the text has 12 characters; the model reads at most 7/,
  );
});

test("the Step data on names.txt, seed 42: microgpt.py's first two documents and losses", { skip: noNames }, () => {
  const run = startRun({ text: readFileSync(NAMES, 'utf8'), train: { seed: 42 } });
  const golden = ['step    1 / 1000 | loss 3.3660', 'step    2 / 1000 | loss 3.4243'];
  for (const line of golden) {
    const t = run.traceStep();
    assert.equal(t.line, line);
    assert.equal(t.docs[0].tokens.length, [...t.docs[0].text].length + 2);
  }
});

test('?data=: a text file beside the page, and a message for everything else', async () => {
  const page = 'http://127.0.0.1:5173/index.html?data=names.txt';
  const fake = (status: number, type: string, body: Uint8Array | string) =>
    (async () => new Response(body as BodyInit, { status, headers: { 'content-type': type } })) as unknown as typeof fetch;
  assert.equal(await loadLinkedData('http://127.0.0.1:5173/'), undefined);
  // the body goes to the training worker as it is: empty, binary or not UTF-8, it says so there (text-reader.ts, the CLI's words)
  const linked = (await loadLinkedData(page, fake(200, 'text/plain', 'emma\nava\n'))) as { name: string; body: Blob };
  assert.equal(linked.name, 'names.txt');
  assert.equal(await linked.body.text(), 'emma\nava\n');
  const error = async (f: typeof fetch, url = page) => ((await loadLinkedData(url, f)) as { error: string }).error;
  assert.match(await error(fake(404, 'text/plain', '')), /could not load names.txt: the server answered 404 \(not found\)/);
  assert.match(await error(fake(200, 'text/html', '<!doctype html>')), /names.txt is not a text file \(the server sent text\/html\)/);
  const huge = (async () =>
    new Response('x', { headers: { 'content-type': 'text/plain', 'content-length': String(300 * 2 ** 20) } })) as unknown as typeof fetch;
  assert.equal(await error(huge), 'data file names.txt is 300 MiB; the limit for text is 256 MiB');
  assert.match(
    await error(fake(200, 'text/plain', 'x'), 'http://127.0.0.1:5173/?data=https://example.com/names.txt'),
    /only files beside this page/,
  );
  assert.match(
    await error((async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch),
    /could not load names.txt: Failed to fetch/,
  );
});
