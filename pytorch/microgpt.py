#!/usr/bin/env python3
"""
microgpt in PyTorch: the model, data order, Adam and checkpoints of the
TypeScript microgpt, so that a run started in the CLI or the playground
continues here (alone, or data parallel under torchrun on many processes or
GPUs) and comes back to the CLI to be sampled. Python 3.11 and torch >= 1.13,
nothing else; settings.json, beside this file, holds the settings' flags,
defaults and ranges (written from src/core/settings.ts), and checkpoint_io.py
reads and checks a checkpoint as the CLI does.

  python3 pytorch/microgpt.py train --data names.txt --num-steps 1000 --out model.safetensors
  torchrun --standalone --nproc_per_node 4 pytorch/microgpt.py train --data names.txt --resume model.safetensors --num-steps 5000 --out model.safetensors
  python3 pytorch/microgpt.py eval --model model.safetensors --data names.txt

(Debian's torchrun 1.13 under Python 3.11 also needs --redirects 9:1 --tee 9:1;
--device cuda runs each process on its GPU with NCCL.)

Exactness: in float64 on the CPU every printed loss and name is the CLI's (the
sums run in another order, so the numbers agree to ~1e-15, not bit for bit).
float32 computes in float32 (the CLI stores float32 but computes in float64).
"""
import argparse
import errno
import json
import math
import os
import secrets
import random
import re
import signal
import stat
import struct
import sys
import time
from decimal import Decimal, ROUND_HALF_UP

import checkpoint_io  # beside this file: reads and checks a checkpoint as the CLI does

torch = F = None  # imported once the arguments are read (load_torch), so that --help and a bad flag need no torch


def load_torch():
    global torch, F
    try:
        import torch
        import torch.distributed
        import torch.nn.functional as F
    except ImportError as e:
        raise UsageError(f'torch is not installed ({sys.executable}: {e}); Debian: /usr/bin/python3 with apt-get install python3-torch')


def no_grad(fn):
    """torch.no_grad() as a decorator, torch being imported only when fn is called."""
    def wrapped(*args, **kwargs):
        with torch.no_grad():
            return fn(*args, **kwargs)
    return wrapped


class UsageError(Exception):
    """Bad input: one line on stderr, exit code 2, nothing written."""


# ---------------------------------------------------------------------------
# Settings: settings.json beside this script, written from src/core/settings.ts
# (`npm run settings:json`): each setting's flag, kind, default, range and help,
# and the keys a checkpoint's model and train hold

def load_table():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'settings.json')
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f'microgpt: cannot read {path}, the settings table this script reads: {e}')


TABLE = load_table()
# Left out here: the engine's settings (--threads is the wasm engine's), and --max-length (names end at the block size, as in microgpt.py)
NOT_HERE_GROUPS, NOT_HERE_KEYS = {'engine'}, {'maxLength'}
SETTINGS = {s['key']: {**s, 'default': float(s['default']) if s['kind'] == 'number' else s['default']}
            for s in TABLE['settings'] if s['group'] not in NOT_HERE_GROUPS and s['key'] not in NOT_HERE_KEYS}
MODEL_KEYS = TABLE['checkpoint']['model']  # besides vocabSize, which the data sets
TRAIN_KEYS = TABLE['checkpoint']['train']  # valFraction included
SAMPLE_KEYS = [k for k, s in SETTINGS.items() if s['group'] == 'sample']


def in_range(s, v):
    return (v > s['min'] if s['minExclusive'] else v >= s['min']) and (v < s['max'] if s['maxExclusive'] else v <= s['max'])


DECIMAL = re.compile(r'[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?')  # as src/cli/args.ts: ASCII digits, no 0x10, 1_000, ² or Infinity


def number_flag(flag, text):
    """A flag's decimal number, as the CLI reads one: --until: '²' is not a decimal number."""
    v = float(text.strip()) if DECIMAL.fullmatch(text.strip()) else math.nan
    if not math.isfinite(v):
        raise UsageError(f"--{flag}: '{text}' is not a decimal number")
    return v


def int_flag(flag, text):
    v = number_flag(flag, text)
    if not v.is_integer():
        raise UsageError(f"--{flag}: '{text}' is not an integer")
    return int(text.strip()) if re.fullmatch(r'[+-]?[0-9]+', text.strip()) else int(v)  # plain digits stay exact


def setting(key, text):
    """A flag's value, checked against its range: '--n-layer must be an integer from 1 to 64, got 100'."""
    s = SETTINGS[key]
    if s['kind'] == 'choice':  # one of its words: --documents lines|stream
        if text not in s['choices']:
            raise UsageError(f"--{s['flag']} must be {s['range']}, got '{text}'")
        return text
    v = int_flag(s['flag'], text) if s['kind'] == 'int' else number_flag(s['flag'], text)
    if not (in_range(s, v) and (s['kind'] == 'number' or abs(v) <= checkpoint_io.MAX_SAFE)):
        raise UsageError(f"--{s['flag']} must be {s['range']}, got {checkpoint_io.js_number(v)}")
    return v


# ---------------------------------------------------------------------------
# Data: documents, tokenizer, CPython's Random (the same stream as src/core/random.ts)

def errno_text(e):
    """An OSError in the CLI's words: 'no such file', 'permission denied', ..."""
    words = {errno.ENOENT: 'no such file', errno.EACCES: 'permission denied', errno.EISDIR: 'it is a directory',
             errno.ENOTDIR: 'a parent is not a directory', errno.EROFS: 'read-only file system', errno.ENOSPC: 'no space left on the device'}
    return words.get(e.errno, (e.strerror or str(e)).lower())


def check_input(path, what, limit):
    """An input is a regular file of at most limit bytes: a FIFO or a device is refused before it is read (as src/io/files.ts)."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise UsageError(f'cannot read {what} {path}: {errno_text(e)}')
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f'{what} {path} is a directory')
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f'{what} {path} is not a regular file')
    if st.st_size > limit:
        raise UsageError(f'{what} {path} is {st.st_size} bytes; at most {limit} are read')


def read_text(path, what='data file'):
    check_input(path, what, 256 << 20)
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        raise UsageError(f'cannot read {what} {path}: {errno_text(e)}')
    if not data:
        raise UsageError(f'{what} {path} is empty')
    if b'\0' in data:
        raise UsageError(f'{what} {path} is not text (it contains NUL bytes)')
    try:
        return data.decode('utf-8')  # a leading BOM stays the character U+FEFF, as in the CLI and microgpt.py's open()
    except UnicodeDecodeError:
        raise UsageError(f'{what} {path} is not valid UTF-8 text')


def note_cut(docs, block_size, note):
    """Says once, as the CLI does, how much of the text a lines run never trains on (lines longer than the block)."""
    cut = sum(max(0, len(d) - block_size) for d in docs)
    if cut:
        total = sum(len(d) for d in docs)
        share = 100 * cut / total
        note(f"{cut} of the {total} training characters ({'<1' if share < 1 else int(share + 0.5)}%) lie beyond the block size "
             f"({block_size}) of their line and are never trained on; raise --block-size or use --documents stream")


def parse_docs(text):
    return [l.strip() for l in text.strip().split('\n') if l.strip()]


def hash_docs(docs):
    """FNV-1a over the UTF-16 code units of the documents, each ended by '\\n' (checkpoint.ts hashDocs)."""
    h = 0x811C9DC5
    for doc in docs:
        for unit in memoryview(doc.encode(f'utf-16-{sys.byteorder[0]}e')).cast('H'):  # code units in this machine's order
            h = ((h ^ unit) * 0x01000193) & 0xFFFFFFFF
        h = ((h ^ 10) * 0x01000193) & 0xFFFFFFFF
    return f'{h:08x}:{len(docs)}'


def js_round(x):
    """JavaScript's Math.round for x >= 0: halves go up (Python's round() goes to even)."""
    r = math.floor(x)
    return r + 1 if x - r >= 0.5 else r


def rng_state(rng):
    """random.getstate() as the checkpoint stores it: {mt, index, gaussNext}."""
    _, internal, gauss_next = rng.getstate()
    return {'mt': list(internal[:624]), 'index': internal[624], 'gaussNext': gauss_next}


def rng_from_state(state):
    rng = random.Random()
    rng.setstate((3, tuple(state['mt']) + (state['index'],), state['gaussNext']))
    return rng


# ---------------------------------------------------------------------------
# Checkpoints: safetensors, read and written here (the library is not a Debian package)

def state_dict_shapes(cfg):
    """The state dict's matrices in the original's order (rows = nout, cols = nin); flat arrays follow it."""
    V, T, C = cfg['vocabSize'], cfg['blockSize'], cfg['nEmbd']
    shapes = [('wte', V, C), ('wpe', T, C), ('lm_head', V, C)]
    for i in range(cfg['nLayer']):
        shapes += [(f'layer{i}.attn_wq', C, C), (f'layer{i}.attn_wk', C, C), (f'layer{i}.attn_wv', C, C),
                   (f'layer{i}.attn_wo', C, C), (f'layer{i}.mlp_fc1', 4 * C, C), (f'layer{i}.mlp_fc2', C, 4 * C)]
    return shapes


def read_checkpoint(path, memory=None, training=True):
    """
    A microgpt checkpoint, {model, vocab, train, step, rng, dtype, data_hash, weights, m, v} (flat float64 tensors;
    m and v None in a weights-only file), checked as the CLI checks one (checkpoint_io.py). memory(model, dtype)
    refuses a model too large before a value is read; training requires train, step and rng (eval reads without).
    """
    check_input(path, 'checkpoint', 2 << 30)
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        raise UsageError(f'cannot read checkpoint {path}: {errno_text(e)}')
    try:
        found = checkpoint_io.read_metadata(data, SETTINGS, MODEL_KEYS, TRAIN_KEYS)
        missing = [k for k in ('train', 'step', 'rng') if found[k] is None]
        if training and missing:
            listed = f"{', '.join(missing[:-1])} or {missing[-1]}" if len(missing) > 1 else missing[0]
            raise checkpoint_io.CheckpointError(
                f"holds no training state: no {listed} metadata{' (a weights-only checkpoint)' if len(missing) == 3 else ''}; "
                f"sampling and evaluating read it, training from it needs {'them' if len(missing) > 1 else 'it'}")
        model = {k: int(v) for k, v in found['model'].items() if k in MODEL_KEYS or k == 'vocabSize'}  # the file's order, its extra keys left out
        shapes = state_dict_shapes(model)
        dtype = checkpoint_io.check_sizes(data, found, shapes)
        if memory:
            memory(model, dtype)
        weights, m, v = checkpoint_io.read_tensors(data, found, shapes, torch)
    except checkpoint_io.CheckpointError as e:
        raise UsageError(f'checkpoint {path}: {e}')
    train, rng = found['train'], found['rng']
    if train is not None:  # a training setting the file lacks (one added to the table since it was written) takes the table's default
        train = {k: (int(train[k]) if SETTINGS[k]['kind'] == 'int' else train[k]) if k in train else SETTINGS[k]['default'] for k in TRAIN_KEYS}
    if rng is not None:
        rng = {'mt': [int(w) for w in rng['mt']], 'index': int(rng['index']),
               'gaussNext': None if rng['gaussNext'] is None else float(rng['gaussNext'])}
    return {'model': model, 'vocab': found['vocab'], 'train': train, 'step': found['step'], 'rng': rng, 'dtype': dtype,
            'data_hash': found['meta'].get('data_hash', ''), 'weights': weights, 'm': m, 'v': v}


def write_checkpoint(path, cfg, vocab, train, step, rng, dtype, data_hash, weights, m, v):
    """The CLI's format (src/core/checkpoint.ts), written to a temporary name and renamed."""
    meta = {'format': 'microgpt', 'version': '1', 'model': json.dumps(cfg), 'vocab': json.dumps(vocab),
            'train': json.dumps(train), 'step': str(step), 'rng': json.dumps(rng_state(rng)),
            'dtype': dtype, 'data_hash': data_hash}
    code, fmt = ('F32', 'f') if dtype == 'float32' else ('F64', 'd')
    header, blobs, offset = {'__metadata__': meta}, [], 0
    for prefix, flat in (('', weights), ('adam_m.', m), ('adam_v.', v)):
        values, k = flat.detach().cpu().tolist(), 0
        for name, rows, cols in state_dict_shapes(cfg):
            blob = struct.pack(f'<{rows * cols}{fmt}', *values[k:k + rows * cols])
            header[prefix + name] = {'dtype': code, 'shape': [rows, cols], 'data_offsets': [offset, offset + len(blob)]}
            blobs.append(blob)
            offset += len(blob)
            k += rows * cols
    js = json.dumps(header, separators=(',', ':')).encode('utf-8')
    js += b' ' * ((8 - (8 + len(js)) % 8) % 8)  # the data starts 8-byte aligned
    write_bytes_atomic(path, struct.pack('<Q', len(js)) + js + b''.join(blobs))


def write_bytes_atomic(path, data):
    """Writes through a temporary file made new beside path (pid and random hex, O_EXCL and O_NOFOLLOW: never
    through a planted link, never shared with another process), flushed, then renamed: as the CLI writes."""
    tmp = f'{path}.{os.getpid()}-{secrets.token_hex(8)}.tmp'
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0), 0o666)
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        try:
            if os.path.lexists(tmp):
                os.remove(tmp)
        except OSError:
            pass  # the first error is the one to report
        raise UsageError(f'cannot write {path}: {errno_text(e)}')


def write_text_atomic(path, text):
    write_bytes_atomic(path, text.encode('utf-8'))


def file_id(path):
    """What identifies a file: device and inode when it exists, else its directory's real path and its name (a symlink counts)."""
    try:
        st = os.stat(path)
        return (st.st_dev, st.st_ino)
    except OSError:
        return (os.path.realpath(os.path.dirname(path) or '.'), os.path.basename(path))


def check_outputs(inputs, outputs, allowed=()):
    """Refuses, before training, an output that cannot be written or that is an input or another output (as src/cli/paths.ts)."""
    seen = [(name, path, file_id(path)) for name, path in inputs if path]
    for name, path in outputs:
        if not path:
            continue
        if os.path.exists(path) and not os.path.isfile(path):
            raise UsageError(f"{name} {path} is {'a directory' if os.path.isdir(path) else 'not a regular file'}")
        folder = os.path.dirname(path) or '.'
        if not os.path.isdir(folder):
            raise UsageError(f'{name} {path}: the directory {folder} does not exist')
        if not os.access(folder, os.W_OK | os.X_OK):
            raise UsageError(f'{name} {path}: cannot write in {folder}')
        same = next((n for n, _, i in seen if i == file_id(path) and (name, n) not in allowed), None)
        if same:
            raise UsageError(f'{name} {path} is also {same}')
        seen.append((name, path, file_id(path)))


GiB = 1 << 30


def memory_limit(args):
    """--max-memory GIB in bytes, as the CLI reads it [4 GiB]."""
    if args.max_memory is None:
        return 4 * GiB
    gib = number_flag('max-memory', args.max_memory)
    if not gib > 0:
        raise UsageError(f'--max-memory must be a number of GiB above 0, got {checkpoint_io.js_number(gib)}')
    return gib * GiB


def format_bytes(n):
    """A size as the CLI writes it (src/core/memory.ts formatBytes): '812 KiB', '3.2 MiB', '31 TiB'."""
    units, i, v = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'], 0, float(n)
    while v >= 1024 and i < len(units) - 1:
        v, i = v / 1024, i + 1
    shown = str(Decimal(v).quantize(Decimal('0.1'), ROUND_HALF_UP)) if v < 10 and i > 0 else str(js_round(v))  # toFixed(1), Math.round
    return f'{shown} {units[i]}'


def check_memory(cfg, batch, dtype, limit, where='', name_batch=True):
    """
    Refuses, before anything is allocated, a run whose memory the CLI estimates (src/core/memory.ts, the fast
    engine) above the limit: weights, gradients and Adam's moments (4P values), the copies a run and a
    checkpoint make (56P bytes), and a batch's activations (per sequence and layer about 18TC + NH T^2 values).
    """
    V, L, C, NH, T = cfg['vocabSize'], cfg['nLayer'], cfg['nEmbd'], cfg['nHead'], cfg['blockSize']
    w = 4 if dtype == 'float32' else 8
    P = sum(r * c for _, r, c in state_dict_shapes(cfg))
    per_sequence = L * (18 * T * C + NH * T * T + 2 * T) + 12 * T * C + 3 * T * V + 2 * T
    total = 4 * P * w + 56 * P + batch * per_sequence * w + 12 * batch * T
    if total > limit:
        shape = ', '.join([f"--{SETTINGS[k]['flag']} {cfg[k]}" for k in MODEL_KEYS] + ([f'--batch-size {batch}'] if name_batch else []))
        raise UsageError(f"{where}the model ({shape}) needs about {format_bytes(total)} for its weights, Adam's moments and activations, "
                         f"more than the limit of {checkpoint_io.js_number(float(f'{limit / GiB:.6g}'))} GiB (--max-memory GIB raises it)")


# ---------------------------------------------------------------------------
# The model: GPT-2 with rmsnorm (no weights), no biases, ReLU, as microgpt.py

def views(flat, cfg):
    """Named (rows, cols) views into the flat parameter array, in state-dict order."""
    out, k = {}, 0
    for name, rows, cols in state_dict_shapes(cfg):
        out[name] = flat[k:k + rows * cols].view(rows, cols)
        k += rows * cols
    return out


def rmsnorm(x):
    ms = (x * x).sum(-1, keepdim=True) * (1.0 / x.shape[-1])
    return x * (ms + 1e-5) ** -0.5


def gpt(W, cfg, tokens):
    """Logits (B, T, V) for token ids (B, T), each position attending to itself and the ones before."""
    B, T = tokens.shape
    C, NH = cfg['nEmbd'], cfg['nHead']
    hd = C // NH
    x = W['wte'][tokens] + W['wpe'][:T]  # (B, T, C) joint token and position embedding
    x = rmsnorm(x)  # not redundant: the residual path's gradient passes through it
    causal = torch.ones(T, T, dtype=torch.bool, device=tokens.device).tril()
    for li in range(cfg['nLayer']):
        # 1) multi-head attention block
        x_residual = x
        x = rmsnorm(x)
        q, k, v = (
            (x @ W[f'layer{li}.attn_{w}'].T).view(B, T, NH, hd).transpose(1, 2)  # (B, NH, T, hd)
            for w in ('wq', 'wk', 'wv')
        )
        att = (q @ k.transpose(-2, -1)) * (hd ** 0.5) ** -1  # (B, NH, T, T)
        att = att.masked_fill(~causal, float('-inf')).softmax(-1)
        x = (att @ v).transpose(1, 2).reshape(B, T, C)  # (B, T, C) heads side by side
        x = x @ W[f'layer{li}.attn_wo'].T + x_residual
        # 2) MLP block
        x_residual = x
        x = rmsnorm(x)
        x = torch.relu(x @ W[f'layer{li}.mlp_fc1'].T) @ W[f'layer{li}.mlp_fc2'].T + x_residual
    return x @ W['lm_head'].T  # (B, T, V)


def pack(seqs, T, BOS, device):
    """Inputs and targets (B, L) of token sequences [BOS, ..., BOS], each cut to T predictions; padding has target -1."""
    n = [min(T, len(s) - 1) for s in seqs]
    L = max(n)
    inputs = [s[:k] + [BOS] * (L - k) for s, k in zip(seqs, n)]
    targets = [s[1:k + 1] + [-1] * (L - k) for s, k in zip(seqs, n)]
    return torch.tensor(inputs, device=device), torch.tensor(targets, device=device), sum(n)


def loss_sum(W, cfg, seqs, device):
    """
    Summed cross-entropy over every predicted token of the sequences, their
    count, and the sum as the CLI reports it: -log(p) is inf where p underflows
    to 0 (log_softmax stays finite there), and a run that gets there diverged.
    """
    inputs, targets, n = pack(seqs, cfg['blockSize'], cfg['vocabSize'] - 1, device)
    logits = gpt(W, cfg, inputs)
    losses = F.cross_entropy(logits.reshape(-1, cfg['vocabSize']), targets.reshape(-1), ignore_index=-1, reduction='none')
    total = losses.sum()
    underflow = (-losses.detach()).exp().eq(0).any()
    return total, n, torch.where(underflow, torch.full_like(total, math.inf), total.detach())


@no_grad
def evaluate(W, cfg, seqs, device, chunk=64):
    total, tokens = 0.0, 0
    for i in range(0, len(seqs), chunk):
        _, n, s = loss_sum(W, cfg, seqs[i:i + chunk], device)
        total += s.item()
        tokens += n
    return total, tokens


def probabilities(logits, temperature, top_k):
    """softmax(logits / temperature) as the CLI computes it (l * t**-1, exp(l - max), a left-to-right total)."""
    cutoff = sorted(logits, reverse=True)[top_k - 1] if 0 < top_k < len(logits) else -math.inf
    scaled = [l * temperature ** -1 for l in logits]
    max_val = max(scaled)
    exps = [math.exp(s + -max_val) if l >= cutoff else 0.0 for s, l in zip(scaled, logits)]
    total = 0.0
    for e in exps:
        total += e
    return [e * total ** -1 for e in exps]


@no_grad
def sample(W, cfg, vocab, rng, num_samples, temperature, top_k, device):
    BOS = len(vocab)
    names = []
    for _ in range(num_samples):
        ids = [BOS]
        for _ in range(cfg['blockSize']):
            logits = gpt(W, cfg, torch.tensor([ids], device=device))[0, -1].double().tolist()
            token_id = rng.choices(range(BOS + 1), weights=probabilities(logits, temperature, top_k))[0]
            if token_id == BOS:
                break
            ids.append(token_id)
        names.append(''.join(vocab[i] for i in ids[1:]))
    return names


@no_grad
def adam(p, g, m, v, lr, beta1, beta2, eps, step):
    """Adam with bias correction, arranged as the CLI's fast engine (one division and one root per weight)."""
    step_size = lr / (1 - beta1 ** (step + 1))
    inv_sqrt_bias2 = 1 / math.sqrt(1 - beta2 ** (step + 1))
    m.mul_(beta1).add_(g * (1 - beta1))
    v.mul_(beta2).add_((g * g) * (1 - beta2))
    p.sub_((m * step_size) / (v.sqrt() * inv_sqrt_bias2 + eps))


# --documents stream (src/core/stream.ts): the whole text as one sequence, windows at offsets the run's Random draws

MAX_VAL_WINDOWS = 160


def stream_tokens(text, ids, origin):
    """The text (each CRLF made LF) as token ids; a character the vocabulary lacks is refused by name."""
    try:
        return [ids[ch] for ch in text]
    except KeyError as e:
        raise UsageError(f'{origin}: character {json.dumps(e.args[0], ensure_ascii=False)} is not in the vocabulary of the model')


def check_stream(n, n_val, val_fraction, T):
    """Each part of the stream must hold one window of T + 1 characters (the CLI's words)."""
    n_train = n - n_val
    if n_train < T + 1 or (val_fraction > 0 and n_val < T + 1):
        part, size = ('training', n_train) if n_train < T + 1 else ('held-out', n_val)
        most = max(0, min(n_train, n_val if val_fraction > 0 else n_train) - 1)
        head = f'must be at most {most} for this text' if most >= 1 else 'is too large for this text'
        raise UsageError(f'--block-size {head}: a window is block size + 1 characters, and the {part} part has {size} of its {n}; got {T}')


def val_offsets(n, T):
    """At most 160 validation windows spread evenly over the held-out part, at least T apart."""
    count = min(MAX_VAL_WINDOWS, (n - 1) // T)
    if count <= 1:
        return [0] if count == 1 else []
    return [k * (n - T - 1) // (count - 1) for k in range(count)]


def covering_windows(tokens, T):
    """Windows at 0, T, 2T, ... (the last one shorter): every token but the first is predicted once (eval)."""
    return [tokens[o:o + T + 1] for o in range(0, len(tokens) - 1, T)]


@no_grad
def sample_stream(W, cfg, rng, length, temperature, top_k, device, prompt=()):
    """length characters after BOS and the prompt; BOS is never drawn; the context is cropped to its last blockSize tokens."""
    BOS, T = cfg['vocabSize'] - 1, cfg['blockSize']
    ids, out = [BOS, *prompt], []
    for _ in range(length):
        logits = gpt(W, cfg, torch.tensor([ids[-T:]], device=device))[0, -1].double().tolist()
        logits[BOS] = -math.inf
        token_id = rng.choices(range(BOS + 1), weights=probabilities(logits, temperature, top_k))[0]
        ids.append(token_id)
        out.append(token_id)
    return out


def encode(doc, ids, origin, index):
    try:
        return [len(ids)] + [ids[ch] for ch in doc] + [len(ids)]  # BOS, the characters, BOS
    except KeyError as e:
        raise UsageError(f'{origin}: document {index + 1} ({json.dumps(doc, ensure_ascii=False)}): '
                         f'character {json.dumps(e.args[0], ensure_ascii=False)} is not in the vocabulary of the model')


def pick_device(name):
    if name == 'cuda':
        if not torch.cuda.is_available():
            raise UsageError('--device cuda: no CUDA device here')
        device = torch.device('cuda', int(os.environ.get('LOCAL_RANK', 0)))
        torch.cuda.set_device(device)
        return device
    if name != 'cpu':
        raise UsageError(f"--device must be cpu or cuda, got '{name}'")
    return torch.device('cpu')


# ---------------------------------------------------------------------------
# eval: the same four lines as `microgpt eval`

def eval_command(args):
    limit = memory_limit(args)
    ckpt = read_checkpoint(args.model, training=False, memory=lambda model, dtype: check_memory(
        model, 64, dtype, limit, f'checkpoint {args.model}: ', name_batch=False))  # evaluated 64 documents at a time
    data = args.data or default_data()
    if (ckpt['train'] or {}).get('documents') == 'stream':
        return eval_stream(ckpt, data, args)
    docs = parse_docs(read_text(data))
    if not docs:
        raise UsageError(f'{data} has no non-empty line')
    ids = {ch: i for i, ch in enumerate(ckpt['vocab'])}
    seqs = [encode(doc, ids, data, i) for i, doc in enumerate(docs)]
    device = pick_device(args.device)
    W = views(ckpt['weights'].to(device), ckpt['model'])  # float64, also for a float32 checkpoint
    total, tokens = evaluate(W, ckpt['model'], seqs, device)
    print(f'docs: {len(docs)}\ntokens: {tokens}\nloss: {total / tokens:.4f} nats per token\nperplexity: {math.exp(total / tokens):.3f}')


def eval_stream(ckpt, data, args):
    """eval of a stream model: the text's covering windows, as `microgpt eval` reads them."""
    text = read_text(data).replace('\r\n', '\n')
    ids = {ch: i for i, ch in enumerate(ckpt['vocab'])}
    windows = covering_windows(stream_tokens(text, ids, data), ckpt['model']['blockSize'])
    if not windows:
        raise UsageError(f'{data} has fewer than two characters: nothing to predict')
    device = pick_device(args.device)
    W = views(ckpt['weights'].to(device), ckpt['model'])
    total, tokens = evaluate(W, ckpt['model'], windows, device)
    print(f'windows: {len(windows)}\ntokens: {tokens}\nloss: {total / tokens:.4f} nats per token\nperplexity: {math.exp(total / tokens):.3f}')


def default_data():
    if os.path.isfile('input.txt'):
        return 'input.txt'
    raise UsageError('no data: give --data FILE (or put an input.txt here)')


# ---------------------------------------------------------------------------
# train: the CLI's run, flags and printed lines; data parallel under torchrun

def run_settings(args, ckpt):
    """The run's settings: a flag, else the checkpoint's value, else the default; a flag must agree with the checkpoint (--num-steps may extend it)."""
    def settings(keys, saved, free=()):
        values = {k: (saved or {}).get(k, SETTINGS[k]['default']) for k in keys}
        for k in keys:
            text = getattr(args, k)
            if text is None:
                continue
            values[k] = setting(k, text)
            if saved is not None and k not in free and saved.get(k) != values[k]:
                quote = (lambda v: f"'{v}'") if SETTINGS[k]['kind'] == 'choice' else (lambda v: v)
                raise UsageError(f"--{SETTINGS[k]['flag']} {quote(text)} disagrees with the checkpoint ({quote(saved.get(k))})")
        return values

    shape = settings(MODEL_KEYS, ckpt and ckpt['model'])
    if shape['nEmbd'] % shape['nHead']:
        raise UsageError(f"--n-head must divide the embedding width ({shape['nEmbd']}), got {shape['nHead']}")
    train = settings(TRAIN_KEYS, ckpt and ckpt['train'], free=['numSteps'])
    eval_every = settings(['evalEvery'], None)['evalEvery']
    if eval_every > 0 and train['valFraction'] == 0:
        raise UsageError('--eval-every needs held-out documents: a validation share above 0')
    sampling = settings(SAMPLE_KEYS, None)
    num_steps, start = train['numSteps'], ckpt['step'] if ckpt else 0
    if ckpt and start > num_steps:
        raise UsageError(f"--num-steps must be at least the checkpoint's {start} steps done, got {num_steps}")
    save_every = None if args.save_every is None else int_flag('save-every', args.save_every)
    if save_every is not None and (save_every < 1 or not args.out):
        raise UsageError(f'--save-every must be a positive integer, got {save_every}' if save_every < 1 else '--save-every needs --out FILE')
    until = num_steps if args.until is None else int_flag('until', args.until)
    if not 1 <= until <= num_steps:
        raise UsageError(f'--until must be from 1 to --num-steps ({num_steps}), got {until}')
    if ckpt and args.until is not None and until <= start:
        raise UsageError(f"--until {until}: the checkpoint is already at step {start}")
    dtype = args.dtype or (ckpt['dtype'] if ckpt else 'float64')
    return shape, train, eval_every, sampling, dtype, start, save_every, until


def loss_and_grad(flat, cfg, batch, mine, world, device):
    """
    The batch's loss (the mean over all its predicted tokens) and its gradient.
    Each rank computes its share of the documents, scaled by the whole batch's
    token count, so that the sum over ranks is the single-process gradient.
    """
    n = sum(min(cfg['blockSize'], len(s) - 1) for s in batch)  # every rank knows the whole batch
    flat.grad = None
    local = torch.zeros((), device=device, dtype=flat.dtype)
    if batch[mine]:
        total, _, local = loss_sum(views(flat, cfg), cfg, batch[mine], device)
        (total * (1.0 / n)).backward()
    grad = flat.grad if flat.grad is not None else torch.zeros_like(flat).detach()
    if world > 1:
        both = torch.cat([grad, local.view(1)])
        torch.distributed.all_reduce(both)  # one sum over ranks: gradients and loss
        grad, local = both[:-1], both[-1]
    return local.item() * (1.0 / n), grad, n


def train_command(args):
    world, rank = int(os.environ.get('WORLD_SIZE', '1')), int(os.environ.get('RANK', '0'))
    device = pick_device(args.device)
    if world > 1:
        torch.distributed.init_process_group('nccl' if device.type == 'cuda' else 'gloo')
    lead = rank == 0  # only rank 0 prints and writes
    out = sys.stdout if lead else open(os.devnull, 'w')

    def note(line):
        if lead:
            sys.stderr.write(f'microgpt: {line}\n')

    data_path = args.data or default_data()
    check_outputs([('the data file', data_path), ('the checkpoint being resumed (--resume)', args.resume)],
                  [('--out', args.out), ('--log', args.log)], allowed=[('--out', 'the checkpoint being resumed (--resume)')])
    ckpt = read_checkpoint(args.resume) if args.resume else None
    shape, train, eval_every, sampling, dtype, start, save_every, until = run_settings(args, ckpt)
    num_steps = train['numSteps']
    limit = memory_limit(args)
    check_memory({**shape, 'vocabSize': 2}, train['batchSize'], dtype, limit)  # before the data is read: 2 is the least vocabulary

    # data: shuffled with the seed's stream, then the last share held out
    rng = random.Random(train['seed'])
    text = read_text(data_path)
    check_memory({**shape, 'vocabSize': len(set(memoryview(text.encode('utf-16-le')).cast('H'))) + 1}, train['batchSize'], dtype, limit)
    T, stream = shape['blockSize'], train['documents'] == 'stream'
    if stream:  # the whole text, not shuffled: its characters, windows drawn each step
        text = text.replace('\r\n', '\n')
        data_hash = hash_docs([text])
        if ckpt and ckpt['data_hash'] and ckpt['data_hash'] != data_hash:
            raise UsageError('the data differs from the data the checkpoint was trained on')
        vocab = ckpt['vocab'] if ckpt else sorted(set(text))
        ids = {ch: i for i, ch in enumerate(vocab)}
        tokens = stream_tokens(text, ids, 'the data')
        n_val = js_round(len(tokens) * train['valFraction'])
        check_stream(len(tokens), n_val, train['valFraction'], T)
        train_tokens, val_tokens = tokens[:len(tokens) - n_val], tokens[len(tokens) - n_val:]
    else:
        docs = parse_docs(text)
        if not docs:
            raise UsageError('the data has no non-empty line')
        rng.shuffle(docs)
        vocab = ckpt['vocab'] if ckpt else sorted(set(''.join(docs)))
        n_val = js_round(len(docs) * train['valFraction'])
        if train['valFraction'] > 0 and n_val in (0, len(docs)):
            raise UsageError(f"--val-fraction {train['valFraction']} of {len(docs)} documents leaves an empty training or validation set")
        train_docs, val_docs = docs[:len(docs) - n_val], docs[len(docs) - n_val:]
        data_hash = hash_docs(docs)
        ids = {ch: i for i, ch in enumerate(vocab)}

    # the model: the checkpoint's, or fresh weights gauss(0, 0.08) drawn from the same stream in state-dict order
    float_type = torch.float32 if dtype == 'float32' else torch.float64
    if ckpt:
        if ckpt['data_hash'] and ckpt['data_hash'] != data_hash:
            raise UsageError('the data differs from the data the checkpoint was trained on')
        cfg, weights = ckpt['model'], ckpt['weights']
        rng = rng_from_state(ckpt['rng'])
    else:
        cfg = {**shape, 'vocabSize': len(vocab) + 1}
        weights = torch.tensor([rng.gauss(0, 0.08) for _ in range(sum(r * c for _, r, c in state_dict_shapes(cfg)))], dtype=torch.float64)
    flat = weights.to(device=device, dtype=float_type).requires_grad_()
    m = ckpt['m'].to(device, float_type) if ckpt and ckpt['m'] is not None else torch.zeros_like(flat).detach()
    v = ckpt['v'].to(device, float_type) if ckpt and ckpt['v'] is not None else torch.zeros_like(flat).detach()
    if stream:
        val_seqs = [val_tokens[o:o + T + 1] for o in val_offsets(len(val_tokens), T)] if eval_every else []
        print(f'num chars: {len(tokens)}', file=out)
        if train['valFraction'] > 0:
            print(f'val chars: {len(val_tokens)}', file=out)
    else:
        train_seqs = [encode(doc, ids, 'the data', i) for i, doc in enumerate(train_docs)]
        val_seqs = [encode(doc, ids, 'the data', i) for i, doc in enumerate(val_docs)] if eval_every else []
        print(f'num docs: {len(docs)}', file=out)
        if train['valFraction'] > 0:
            print(f'val docs: {len(val_docs)}', file=out)
        note_cut(train_docs, cfg['blockSize'], note)
    print(f"vocab size: {cfg['vocabSize']}\nnum params: {flat.numel()}", file=out)
    if ckpt:
        note(f'resuming from {args.resume} at step {start}')
    log = [json.dumps({'run': {'vocab_size': cfg['vocabSize'], 'model': cfg, 'train': train}})]

    def save(step):
        if lead and args.out:
            write_checkpoint(args.out, cfg, vocab, train, step, rng, dtype, data_hash, flat, m, v)

    stop = []  # Ctrl-C in a single process: finish the step, save, exit 130
    if world == 1:
        signal.signal(signal.SIGINT, lambda *_: stop.append(True))
    B = train['batchSize']
    mine = slice(rank * B // world, (rank + 1) * B // world)  # this rank's share of each batch
    step = start
    while step < until and not stop:
        t0 = time.perf_counter()
        if stream:  # B offsets from the run's Random, in batch order: randrange(n - T) each (every rank draws them all)
            batch = [train_tokens[o:o + T + 1] for o in [rng.randrange(len(train_tokens) - T) for _ in range(B)]]
        else:
            batch = [train_seqs[(step * B + b) % len(train_seqs)] for b in range(B)]
        loss, grad, n = loss_and_grad(flat, cfg, batch, mine, world, device)
        norm = math.sqrt((grad.double() ** 2).sum().item())
        if not (math.isfinite(loss) and math.isfinite(norm)):
            out.flush()
            note(f"diverged at step {step + 1} ({f'loss {loss:.4f}' if not math.isfinite(loss) else f'gradient norm {norm:.4f}'}); lower --learning-rate")
            sys.exit(2)
        lr = train['learningRate'] * (1 - step / num_steps)
        adam(flat, grad, m, v, lr, train['beta1'], train['beta2'], train['eps'], step)
        step += 1
        ms = (time.perf_counter() - t0) * 1000
        print(f'step {step:4d} / {num_steps:4d} | loss {loss:.4f}', file=out)
        record = {'step': step, 'loss': loss, 'lr': lr, 'tokens_per_sec': round(n / ms * 1000) if ms > 0 else 0}
        if lead and eval_every and (step % eval_every == 0 or step == num_steps):
            total, tokens = evaluate(views(flat.detach(), cfg), cfg, val_seqs, device)
            record['val_loss'] = total / tokens
            print(f'step {step:4d} / {num_steps:4d} | val loss {total / tokens:.4f}', file=out)
        log.append(json.dumps(record))
        if save_every and step % save_every == 0 and step < until:
            save(step)

    if world == 1:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    save(step)  # taken before sampling, so that a resumed run samples as one run would
    if lead and args.log:
        write_text_atomic(args.log, '\n'.join(log) + '\n')
    if stop:
        out.flush()
        note(f"interrupted at step {step}{f'; saved {args.out}' if args.out else ''}")
        sys.exit(130)
    if lead and stream:
        drawn = sample_stream(views(flat.detach(), cfg), cfg, rng, sampling['sampleLength'], sampling['temperature'], sampling['topK'], device)
        print('\n--- inference (new, hallucinated text) ---', file=out)
        print(''.join(vocab[i] for i in drawn), file=out)
    elif lead:
        print('\n--- inference (new, hallucinated names) ---', file=out)
        names = sample(views(flat.detach(), cfg), cfg, vocab, rng, sampling['numSamples'], sampling['temperature'], sampling['topK'], device)
        for i, name in enumerate(names):
            print(f'sample {i + 1:2d}: {name}', file=out)
    out.flush()
    if world > 1:
        torch.distributed.destroy_process_group()


# ---------------------------------------------------------------------------

class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def parse_args(argv):
    p = Parser(prog='microgpt.py', description='microgpt in PyTorch: continues any microgpt run exactly, alone or under torchrun.', allow_abbrev=False)
    sub = p.add_subparsers(dest='command', required=True)
    t = sub.add_parser('train', help="train or continue a run (the CLI's flags)", allow_abbrev=False,
                       description="Trains as `microgpt train` does; each flag means what `microgpt --help` says (defaults in brackets).")
    for s in SETTINGS.values():
        metavar = s['valueName'] or ('|'.join(s['choices']) if s['kind'] == 'choice' else 'N' if s['kind'] == 'int' else 'X')
        t.add_argument('--' + s['flag'], dest=s['key'], metavar=metavar, help=f"{s['help']} [{s['default']}]".replace('%', '%%'))
    t.add_argument('--data', metavar='FILE', help='training text: one document per non-empty line, or with --documents stream one sequence [input.txt]')
    t.add_argument('--resume', metavar='FILE', help='continue the run a checkpoint holds (same data)')
    t.add_argument('--out', metavar='FILE', help='save a checkpoint at the end (and every --save-every K steps)')
    t.add_argument('--save-every', metavar='K')
    t.add_argument('--until', metavar='STEP', help='stop once STEP steps are done, to resume later')
    t.add_argument('--log', metavar='FILE', help='a JSON-lines record per step')
    t.add_argument('--dtype', choices=['float64', 'float32'], help="[the checkpoint's, else float64]")
    t.add_argument('--device', default='cpu', help='cpu (gloo under torchrun) or cuda (NCCL) [cpu]')
    t.add_argument('--max-memory', metavar='GIB', help="refuse a run whose weights, Adam state and activations need more than GIB GiB [4]")
    e = sub.add_parser('eval', help="a checkpoint's loss and perplexity on a text", allow_abbrev=False)
    e.add_argument('--model', metavar='FILE', required=True)
    e.add_argument('--data', metavar='FILE', help='[input.txt]')
    e.add_argument('--device', default='cpu')
    e.add_argument('--max-memory', metavar='GIB', help='[4]')
    return p.parse_args(argv)


def main(argv):
    try:
        args = parse_args(argv)
        load_torch()
        (train_command if args.command == 'train' else eval_command)(args)
    except UsageError as e:
        if os.environ.get('RANK', '0') == '0':
            sys.stderr.write(f'microgpt: {e}\n')
        sys.exit(2)


if __name__ == '__main__':
    main(sys.argv[1:])
