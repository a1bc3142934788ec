/**
 * The Training loop panel's code: microgpt.py's loop in six steps, and the
 * pipeline's stages, each with the step (and in step 5 the lines) it lights.
 */
import { el } from './dom.ts';

export const STAGES = ['Input', 'Forward', 'Loss', 'Backward', 'Adam', 'New weights'] as const;
/** The code step of each stage: Adam and New weights are both step 5 (its moments, then its p.data line). */
export const STAGE_STEP = [0, 1, 2, 3, 4, 4] as const;
/** Of step 5's lines, the one New weights lights: p.data -= ... */
const NEW_WEIGHTS_LINE = 5;

export const CODE = [
  [
    '1. Get a training example',
    `random.shuffle(docs)  # once, before the loop\ndoc = docs[step % len(docs)]\ntokens = [BOS] + [stoi[ch] for ch in doc] + [BOS]\nn = min(block_size, len(tokens) - 1)`,
  ],
  [
    '2. Forward pass for each position',
    `for pos_id in range(n):\n    token_id, target_id = tokens[pos_id], tokens[pos_id + 1]\n    logits = gpt(token_id, pos_id, keys, values)\n    probs = softmax(logits)\n    loss_t = -probs[target_id].log()`,
  ],
  ['3. Compute average loss', 'loss = (1 / n) * sum(losses)'],
  ['4. Backward pass', 'loss.backward()'],
  [
    '5. Update weights with Adam',
    `lr_t = learning_rate * (1 - step / num_steps)\nm[i] = beta1 * m[i] + (1 - beta1) * p.grad\nv[i] = beta2 * v[i] + (1 - beta2) * p.grad ** 2\nm_hat = m[i] / (1 - beta1 ** (step + 1))\nv_hat = v[i] / (1 - beta2 ** (step + 1))\np.data -= lr_t * m_hat / (v_hat ** 0.5 + eps_adam)`,
  ],
  ['6. Print progress', 'print(f"step {step+1:4d} / {num_steps:4d} | loss {loss.data:.4f}")'],
] as const;

/** Code as one block per line: a line too long for a phone wraps indented under itself, so the Python's indentation still reads. */
export function codeLines(code: string, step: number): HTMLElement[] {
  return code.split('\n').map((line, j) => {
    const indent = line.length - line.trimStart().length;
    const stage = step === 4 ? (j === NEW_WEIGHTS_LINE ? 5 : 4) : STAGE_STEP.indexOf(step as 0);
    return el('span', { class: 'line', style: `--indent: ${indent}ch`, 'data-stage': stage }, line.trimStart(), '\n');
  });
}
