/**
 * The wasm kernels against plain references, to float32 tolerance: the tiled
 * SIMD matrix product against its three-loop twin in all three uses (forward,
 * dx, dW) on shapes that are not multiples of the 4 x 8 tile, in both compiled
 * variants (relaxed and plain SIMD); each layer against the fast engine's
 * float64 layer; Adam and the gradient sum against their arithmetic. And the
 * committed kernels.wasm.ts and kernels64.wasm.ts are what assembly/ compiles to.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Random } from '../../src/core/random.ts';
import * as fast from '../../src/engines/fast/layers.ts';
import { instantiate, kernelModule, relaxedSimdSupported, type Kernels } from '../../src/engines/wasm/kernels.ts';
import { enableRelaxedSimd } from '../../src/io/wasm-node.ts';

enableRelaxedSimd();

/** A memory with a bump allocator: put() copies an array in, get() reads floats back. */
function arena(relaxed: boolean) {
  const memory = new WebAssembly.Memory({ initial: 64 });
  const k = instantiate(kernelModule(false, relaxed).module, memory);
  let top = 65536;
  const alloc = (n: number) => {
    const p = top;
    top += Math.ceil((n * 4) / 16) * 16 + 16;
    return p;
  };
  const f32 = () => new Float32Array(memory.buffer);
  return {
    k,
    put(xs: ArrayLike<number>): number {
      const p = alloc(xs.length);
      f32().set(xs, p >> 2);
      return p;
    },
    ints(xs: ArrayLike<number>): number {
      const p = alloc(xs.length);
      new Int32Array(memory.buffer).set(xs, p >> 2);
      return p;
    },
    get: (p: number, n: number) => Float64Array.from(f32().subarray(p >> 2, (p >> 2) + n)),
    /** The f64 a kernel wrote at byte p. */
    f64: (p: number) => new Float64Array(memory.buffer, p, 1)[0],
  };
}

const rand = (rng: Random, n: number) => Float64Array.from({ length: n }, () => rng.gauss(0, 1));
/** Values rounded to float32, so that references see exactly the kernel's inputs. */
const rand32 = (rng: Random, n: number) => Float64Array.from(Float32Array.from(rand(rng, n)));

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * (1 + scale), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('relaxed SIMD is enabled in Node by the Node side (src/io/wasm-node.ts)', () => {
  assert.equal(relaxedSimdSupported(), true);
});

const shapes: [M: number, K: number, N: number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 8],
  [5, 9, 13],
  [7, 16, 27],
  [13, 64, 31],
  [33, 6, 3],
  [40, 17, 64],
];

for (const relaxed of [true, false]) {
  const variant = relaxed ? 'relaxed SIMD' : 'plain SIMD';
  for (const [M, K, N] of shapes) {
    test(`gemm equals the three-loop product to float32 tolerance (${variant}, ${M} x ${K} x ${N}; A plain and transposed; set and accumulated)`, () => {
      const rng = new Random(M * 10000 + K * 100 + N);
      const m = arena(relaxed);
      const a = m.put(rand32(rng, M * K));
      const b = m.put(rand32(rng, K * N));
      const c0 = rand32(rng, M * N);
      for (const [sai, sak] of [
        [K, 1],
        [1, M],
      ]) {
        for (const acc of [0, 1]) {
          const tiled = m.put(c0);
          const plain = m.put(c0);
          m.k.gemm(tiled, a, b, M, K, N, sai, sak, acc);
          m.k.gemmReference(plain, a, b, M, K, N, sai, sak, acc);
          close(m.get(tiled, M * N), m.get(plain, M * N), 1e-5 * Math.sqrt(K), `gemm sai=${sai} acc=${acc}`);
          // and the reference against float64 arithmetic
          const expect = Float64Array.from({ length: M * N }, (_, ij) => {
            const i = Math.floor(ij / N),
              j = ij % N;
            let s = acc ? c0[ij] : 0;
            for (let kk = 0; kk < K; kk++)
              s += (sai === K ? rand32Get(a, i * K + kk) : rand32Get(a, kk * M + i)) * rand32Get(b, kk * N + j);
            return s;
          });
          close(m.get(plain, M * N), expect, 1e-5 * Math.sqrt(K), 'gemmReference');
          function rand32Get(p: number, i: number) {
            return m.get(p + i * 4, 1)[0];
          }
        }
      }
    });
  }
}

test('transpose', () => {
  const m = arena(true);
  const rng = new Random(3);
  const src = rand32(rng, 7 * 5);
  const s = m.put(src);
  const d = m.put(new Float64Array(35));
  m.k.transpose(d, s, 7, 5);
  const out = m.get(d, 35);
  for (let r = 0; r < 7; r++) for (let c = 0; c < 5; c++) assert.equal(out[c * 7 + r], src[r * 5 + c]);
});

/** Each layer kernel against the fast engine's float64 layer, on sizes that are not multiples of 4. */
for (const [rows, C, NH] of [
  [9, 12, 3],
  [5, 10, 5],
  [13, 7, 1],
  [6, 64, 4],
] as const) {
  const V = 11;
  const T = rows + 2;
  test(`layers equal the fast engine's to float32 tolerance (rows ${rows}, C ${C}, heads ${NH})`, () => {
    const rng = new Random(rows * 100 + C);
    const m = arena(true);
    const tol = 2e-5;
    const inp = rand32(rng, rows * C),
      dout = rand32(rng, rows * C);
    // rmsnorm
    {
      const out = new Float64Array(rows * C),
        scale = new Float64Array(rows);
      fast.rmsnormForward(out, scale, inp, 0, rows, C);
      const [po, ps, pi] = [m.put(new Float64Array(rows * C)), m.put(new Float64Array(rows)), m.put(inp)];
      m.k.rmsnormForward(po, ps, pi, 0, rows, C);
      close(m.get(po, rows * C), out, tol, 'rmsnormForward');
      close(m.get(ps, rows), scale, tol, 'rmsnorm scale');
      const dinp0 = rand32(rng, rows * C);
      const dinp = dinp0.slice();
      fast.rmsnormBackward(dinp, dout, inp, scale, 0, rows, C);
      const pd = m.put(dinp0);
      m.k.rmsnormBackward(pd, m.put(dout), pi, ps, 0, rows, C);
      close(m.get(pd, rows * C), dinp, tol, 'rmsnormBackward');
    }
    // relu and the residual add
    {
      const out = new Float64Array(rows * C);
      fast.reluForward(out, inp, 0, rows, C);
      const po = m.put(new Float64Array(rows * C));
      m.k.reluForward(po, m.put(inp), rows * C);
      close(m.get(po, rows * C), out, 0, 'reluForward');
      const d = dout.slice();
      fast.reluBackward(d, inp, 0, rows, C);
      const pd = m.put(dout);
      m.k.reluBackward(pd, m.put(inp), rows * C);
      close(m.get(pd, rows * C), d, 0, 'reluBackward');
      fast.residualForward(out, inp, dout, 0, rows, C);
      m.k.add(po, m.put(inp), m.put(dout), rows * C);
      close(m.get(po, rows * C), out, 1e-7, 'add');
    }
    // embedding
    {
      const wte = rand32(rng, V * C),
        wpe = rand32(rng, T * C);
      const tokens = Int32Array.from({ length: rows }, () => Math.floor(rng.random() * V));
      const positions = Int32Array.from({ length: rows }, (_, r) => r % T);
      const out = new Float64Array(rows * C);
      fast.encoderForward(out, tokens, positions, wte, wpe, 0, rows, C);
      const [pt, pp, pwte, pwpe, po] = [m.ints(tokens), m.ints(positions), m.put(wte), m.put(wpe), m.put(new Float64Array(rows * C))];
      m.k.encoderForward(po, pt, pp, pwte, pwpe, 0, rows, C);
      close(m.get(po, rows * C), out, 1e-7, 'encoderForward');
      const dwte = new Float64Array(V * C),
        dwpe = new Float64Array(T * C);
      fast.encoderBackward(dwte, dwpe, dout, tokens, positions, 0, rows, C);
      const [pdte, pdpe] = [m.put(new Float64Array(V * C)), m.put(new Float64Array(T * C))];
      m.k.encoderBackward(pdte, pdpe, m.put(dout), pt, pp, 0, rows, C);
      close(m.get(pdte, V * C), dwte, tol, 'encoderBackward wte');
      close(m.get(pdpe, T * C), dwpe, tol, 'encoderBackward wpe');
    }
    // attention over two sequences packed one after the other
    {
      const q = rand32(rng, rows * C),
        kk = rand32(rng, rows * C),
        v = rand32(rng, rows * C);
      const seqs: [base: number, n: number][] = [
        [0, Math.ceil(rows / 2)],
        [Math.ceil(rows / 2), rows - Math.ceil(rows / 2)],
      ];
      const out = new Float64Array(rows * C),
        att = new Float64Array(2 * NH * T * T);
      const dq = new Float64Array(rows * C),
        dk = new Float64Array(rows * C),
        dv = new Float64Array(rows * C),
        row = new Float64Array(T);
      const [pq, pk, pv, po, pa] = [m.put(q), m.put(kk), m.put(v), m.put(out), m.put(att)];
      const [pdq, pdk, pdv, pr, pdo] = [m.put(dq), m.put(dk), m.put(dv), m.put(new Float64Array(T * (T + C / NH))), m.put(dout)]; // the wasm scratch: (T, T + hs)
      seqs.forEach(([base, n], b) => {
        fast.attentionForward(out, att, q, kk, v, base, b * NH * T * T, 0, n, T, C, NH);
        m.k.attentionForward(po, pa, pr, pq, pk, pv, base, b * NH * T * T, 0, n, T, C, NH);
        fast.attentionBackward(dq, dk, dv, row, dout, att, q, kk, v, base, b * NH * T * T, n, T, C, NH);
        m.k.attentionBackward(pdq, pdk, pdv, pr, pdo, pa, pq, pk, pv, base, b * NH * T * T, n, T, C, NH);
      });
      close(m.get(po, rows * C), out, tol, 'attentionForward');
      close(m.get(pa, att.length), att, tol, 'attention weights');
      close(m.get(pdq, rows * C), dq, tol, 'attention dq');
      close(m.get(pdk, rows * C), dk, tol, 'attention dk');
      close(m.get(pdv, rows * C), dv, tol, 'attention dv');
    }
    // softmax cross-entropy
    {
      const logits = rand32(rng, rows * V);
      const targets = Int32Array.from({ length: rows }, () => Math.floor(rng.random() * V));
      const probs = new Float64Array(rows * V);
      const loss = fast.softmaxCrossEntropyForward(probs, logits, targets, 0, rows, V);
      const [pp, pl, pt] = [m.put(probs), m.put(logits), m.ints(targets)];
      const result = m.put([0, 0]);
      m.k.softmaxCrossEntropyForward(pp, pl, pt, 0, rows, V, result);
      const loss32 = m.f64(result);
      assert.ok(Math.abs(loss32 - loss) <= 1e-5 * loss, `loss ${loss32} vs ${loss}`);
      close(m.get(pp, rows * V), probs, tol, 'probs');
      const d = new Float64Array(rows * V);
      fast.softmaxCrossEntropyBackward(d, probs, targets, 0, rows, V, 1 / rows);
      const pd = m.put(d);
      m.k.softmaxCrossEntropyBackward(pd, pp, pt, 0, rows, V, 1 / rows);
      close(m.get(pd, rows * V), d, tol, 'dlogits');
    }
  });
}

test("adam and the threads' gradient sum follow their arithmetic on a range that is not a multiple of 4", () => {
  const m = arena(true);
  const rng = new Random(9);
  const n = 23;
  const [p0, g, m0, v0] = [rand32(rng, n), rand32(rng, n), rand32(rng, n), rand32(rng, n).map(Math.abs)];
  const [pp, pg, pm, pv] = [m.put(p0), m.put(g), m.put(m0), m.put(v0)];
  const lr = 0.01,
    b1 = 0.85,
    b2 = 0.99,
    eps = 1e-8,
    step = 3;
  const stepSize = lr / (1 - b1 ** (step + 1)),
    inv = 1 / Math.sqrt(1 - b2 ** (step + 1));
  m.k.adam(pp, pg, pm, pv, 2, 21, stepSize, b1, b2, eps, inv);
  const p = m.get(pp, n),
    mm = m.get(pm, n),
    vv = m.get(pv, n);
  for (let i = 0; i < n; i++) {
    if (i < 2 || i >= 21) {
      assert.equal(p[i], p0[i], 'outside the slice nothing moves');
      continue;
    }
    const mi = b1 * m0[i] + (1 - b1) * g[i],
      vi = b2 * v0[i] + (1 - b2) * g[i] * g[i];
    assert.ok(Math.abs(mm[i] - mi) <= 1e-6 * (1 + Math.abs(mi)));
    assert.ok(Math.abs(vv[i] - vi) <= 1e-6 * (1 + Math.abs(vi)));
    const pi = p0[i] - (stepSize * mi) / (Math.sqrt(vi) * inv + eps);
    assert.ok(Math.abs(p[i] - pi) <= 1e-6 * (1 + Math.abs(pi)), `${i}: ${p[i]} vs ${pi}`);
  }
  // three buffers 32 floats apart, summed into the first on [1, 22)
  const bufs = [rand32(rng, 32), rand32(rng, 32), rand32(rng, 32)];
  const base = m.put([...bufs[0], ...bufs[1], ...bufs[2]]);
  m.k.sumInto(base, 128, 3, 1, 22);
  const sum = m.get(base, 32);
  for (let i = 0; i < 32; i++) {
    const want = i >= 1 && i < 22 ? Math.fround(Math.fround(bufs[0][i] + bufs[1][i]) + bufs[2][i]) : bufs[0][i];
    assert.equal(sum[i], want, `sum ${i}`);
  }
  const result = m.put([0, 0]);
  m.k.sumSquares(base, 0, 32, result);
  assert.ok(Math.abs(m.f64(result) - sum.reduce((a, x) => a + x * x, 0)) < 1e-9);
});

test('the committed src/engines/wasm/kernels.wasm.ts and kernels64.wasm.ts are what assembly/ compiles to (npm run build:wasm)', () => {
  const r = spawnSync(process.execPath, [fileURLToPath(new URL('../../assembly/build.mjs', import.meta.url)), '--check'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('the softmax exponential holds float32 accuracy over the whole range a softmax sees (inputs down to -100)', () => {
  const m = arena(true);
  const V = 203;
  // one row: 0 (the max) and evenly spaced values down to -100
  const logits = Float64Array.from({ length: V }, (_, i) => Math.fround(-i * (100 / (V - 1))));
  const pl = m.put(logits),
    pp = m.put(new Float64Array(V)),
    pt = m.ints([0]);
  m.k.softmaxCrossEntropyForward(pp, pl, pt, 0, 1, V, m.put([0, 0]));
  const probs = m.get(pp, V);
  const total = logits.reduce((s, x) => s + Math.exp(x), 0);
  for (let i = 0; i < V; i++) {
    const want = Math.exp(logits[i]) / total;
    // below e^-87 the float32 exponential stops at about 2^-126 (1e-38): negligible beside the row's largest term, 1
    if (logits[i] < -87) assert.ok(probs[i] < 2e-38, `${i}: ${probs[i]}`);
    else assert.ok(Math.abs(probs[i] - want) <= 4e-7 * want, `${i} (x = ${logits[i]}): ${probs[i]} vs ${want}`);
  }
});

test("the float64 kernels' exponential is Math.exp bit for bit: special values, the reduction's edges, a million arguments", () => {
  const { exp } = new WebAssembly.Instance(kernelModule(false, false, 'float64').module as WebAssembly.Module, {
    env: { memory: new WebAssembly.Memory({ initial: 2 }), log: Math.log, pow: Math.pow },
  }).exports as unknown as { exp(x: number): number };
  const wrong: string[] = [];
  const check = (x: number) => {
    if (!Object.is(exp(x), Math.exp(x)) && wrong.length < 5) wrong.push(`exp(${x}) = ${exp(x)}, Math.exp: ${Math.exp(x)}`);
  };
  // NaN, infinities, zeros, the overflow and underflow thresholds, |x| at ln2 / 2, 1.5 ln2 and 2^-28, exp(1)
  const special = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 709.782712893384, 709.7827128933841, -745.1332191019411, -745.1332191019412];
  for (const x of [...special, 0.34657359027997264, 1.0397207708399179, 2 ** -28, 2 ** -29, 5e-324, -708.4, -720]) (check(x), check(-x));
  const rng = new Random(9);
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  for (let i = 0; i < 250_000; i++) {
    check((rng.random() - 0.5) * 1500); // the whole range
    check((rng.random() - 0.5) * 8); // around 0, where k is -2..2
    check(-rng.random() * 40); // what a softmax sees
    words[0] = rng.nextUint32();
    words[1] = rng.nextUint32();
    check(bits[0]); // any double
  }
  assert.deepEqual(wrong, []);
});
