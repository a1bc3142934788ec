"""
Reading and checking a microgpt checkpoint for pytorch/microgpt.py, by the
rules of the CLI (src/core/checkpoint.ts and checkpoint-check.ts) and, for a
rule the port gained from them, in their words: the safetensors layout (a
JSON object header, tensors with offsets in range that tile the data), the
metadata (model, vocab, train, step, rng, dtype, engine), each tensor's
dtype, shape and span, and values that are finite. A problem raises
CheckpointError with a phrase; the caller names the file.
"""
import json
import math
import re
import struct
import sys

MAX_SAFE = 2 ** 53 - 1
MT_WORDS = 624
WIDTH = {'F64': 8, 'F32': 4}


class CheckpointError(Exception):
    """What is wrong with a checkpoint, as a phrase: the caller adds the file's name."""


def is_number(v):
    return type(v) in (int, float)  # not a bool, which JavaScript does not count as a number


def is_int(v, lo=-MAX_SAFE, hi=MAX_SAFE):
    """Number.isInteger (an integral 16.0 counts) within [lo, hi]."""
    return is_number(v) and math.isfinite(v) and v == int(v) and lo <= v <= hi


def js_number(v):
    """A number as JavaScript's String() writes it: 16 (not 16.0), 1e-7 (not 1e-07), NaN, Infinity."""
    if math.isnan(v):
        return 'NaN'
    if math.isinf(v):
        return 'Infinity' if v > 0 else '-Infinity'
    if float(v).is_integer() and abs(v) < 1e21:
        return str(int(v))
    return re.sub(r'e([+-])0*(\d)', r'e\1\2', repr(float(v)))


def shown(v):
    """A value in a message, as checkpoint-check.ts's shown(): 5, "text", null, an array, an object, nothing."""
    if v is None:
        return 'null'
    if type(v) is bool:
        return 'true' if v else 'false'
    if is_number(v):
        return js_number(v)
    if type(v) is str:
        return json.dumps(v[:40] + '...' if len(v) > 40 else v, ensure_ascii=False)
    return 'an array' if type(v) is list else 'an object'


def setting_problem(part, key, v, s):
    """settings.ts checkSetting: a number of the setting's kind within its range, worded 'train: batchSize must be ...'
    (checkChoice for a choice setting: one of its words)."""
    if s['kind'] == 'choice':
        got = f"'{v}'" if type(v) is str else 'undefined' if v is MISSING else shown(v)
        return None if type(v) is str and v in s['choices'] else f"{part}: {key} must be {s['range']}, got {got}"
    ok = is_number(v) and math.isfinite(v) and (s['kind'] == 'number' or is_int(v))
    ok = ok and (v > s['min'] if s['minExclusive'] else v >= s['min']) and (v < s['max'] if s['maxExclusive'] else v <= s['max'])
    if ok:
        return None
    got = json.dumps(v, ensure_ascii=False) if type(v) is str else 'undefined' if v is MISSING else shown(v)
    return f"{part}: {key} must be {s['range']}, got {got}"


MISSING = object()


def model_problem(model, settings, model_keys):
    if type(model) is not dict:
        return f'model must be an object of nLayer, nEmbd, nHead, blockSize and vocabSize, got {shown(model)}'
    for k in model_keys:
        p = setting_problem('model', k, model.get(k, MISSING), settings[k])
        if p:
            return p
    if not is_int(model.get('vocabSize', MISSING), 2):
        return 'model: the vocabulary needs at least one character besides BOS'
    if model['nEmbd'] % model['nHead']:
        return f"model: nHead must divide the embedding width ({js_number(model['nEmbd'])}), got {js_number(model['nHead'])}"
    return None


def vocab_problem(vocab, model):
    if type(vocab) is not list:
        return f'vocab must be an array of characters, got {shown(vocab)}'
    seen = set()
    for i, ch in enumerate(vocab):
        if type(ch) is not str or len(ch) != 1:
            return f'vocab entry {i} must be one character, got {shown(ch)}'
        if ch in seen:
            return f'vocab has the character {json.dumps(ch, ensure_ascii=False)} twice'
        seen.add(ch)
    if len(vocab) + 1 != model['vocabSize']:
        v = int(model['vocabSize'])
        return f"vocab has {len(vocab)} characters; the model's vocabSize {v} needs {v - 1} (and BOS)"
    return None


def rng_problem(rng):
    """Random.getstate()'s shape: 624 unsigned 32-bit words, an index from 0 to 624, gaussNext null or a finite number."""
    bad = 'rng must be a Random state (Random.getstate()): '
    if type(rng) is not dict:
        return f'{bad}got {shown(rng)}'
    mt, index, gauss_next = rng.get('mt'), rng.get('index', MISSING), rng.get('gaussNext', MISSING)
    if type(mt) is not list or len(mt) != MT_WORDS:
        return f'{bad}mt must hold {MT_WORDS} words'
    word = next((i for i, w in enumerate(mt) if not is_int(w, 0, 0xFFFFFFFF)), None)
    if word is not None:
        return f'{bad}mt[{word}] must be an integer from 0 to 2^32 - 1, got {shown(mt[word])}'
    if not is_int(index, 0, MT_WORDS):
        return f"{bad}index must be an integer from 0 to {MT_WORDS}, got {'nothing' if index is MISSING else shown(index)}"
    if gauss_next is not None and not (is_number(gauss_next) and math.isfinite(gauss_next)):
        return f"{bad}gaussNext must be null or a finite number, got {'nothing' if gauss_next is MISSING else shown(gauss_next)}"
    return None


def no_constants(name):
    raise ValueError(f'{name} is not JSON')  # NaN and Infinity: Python reads them, JSON.parse does not


def parse_json(text):
    """JSON as JSON.parse reads it; a ValueError for anything else (RecursionError included: Python's reader nests ~1000 deep)."""
    try:
        return json.loads(text, parse_constant=no_constants)
    except RecursionError:
        raise ValueError('nested deeper than this reader follows')


def read_layout(data):
    """The safetensors layout: header length, a JSON object, each tensor's offsets within the data."""
    if len(data) < 8:
        raise CheckpointError(f'truncated: {len(data)} bytes, not even a safetensors header length')
    n = struct.unpack_from('<Q', data)[0]
    if 8 + n > len(data):
        raise CheckpointError(f'truncated: the header needs {8 + n} bytes, the file has {len(data)}')
    try:
        header = parse_json(data[8:8 + n].decode('utf-8'))
    except (ValueError, UnicodeDecodeError):
        raise CheckpointError('not a safetensors file (the header is not JSON)')
    if type(header) is not dict:
        raise CheckpointError('not a safetensors file (the header is not a JSON object)')
    body, entries = 8 + n, {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        offsets = e.get('data_offsets') if type(e) is dict else None
        start, end = offsets if type(offsets) is list and len(offsets) == 2 else (None, None)
        if not (is_int(start, 0) and is_int(end, 0) and end >= start):
            raise CheckpointError(f'corrupt tensor entry {name} (data_offsets must be two byte offsets, start <= end)')
        if end > len(data) - body:
            raise CheckpointError(f'truncated: tensor {name} ends at byte {body + int(end)}, the file has {len(data)}')
        entries[name] = (e.get('dtype', MISSING), e.get('shape', MISSING), int(start), int(end))
    return header.get('__metadata__', MISSING), entries, body


def check_tiling(entries, data_length):
    """The tensors tile the data, from its first byte to its last, without gap or overlap (as safetensors requires)."""
    spans = sorted(entries.items(), key=lambda kv: (kv[1][2], kv[1][3]))
    pos = 0
    for i, (name, (_, _, start, end)) in enumerate(spans):
        if start < pos:
            raise CheckpointError(f'corrupt: tensors {spans[i - 1][0]} and {name} overlap in the data')
        if start > pos:
            raise CheckpointError(f'corrupt: bytes {pos} to {start} of the data belong to no tensor')
        pos = end
    if pos < data_length:
        raise CheckpointError(f'corrupt: the last {data_length - pos} bytes of data belong to no tensor')


def read_metadata(data, settings, model_keys, train_keys):
    """The layout and the metadata, checked: {meta, model, vocab, train, step, rng, entries, body}; train, step and rng may be None."""
    meta, entries, body = read_layout(data)
    if type(meta) is not dict or meta.get('format') != 'microgpt':
        raise CheckpointError('a safetensors file, but not a microgpt checkpoint (no microgpt metadata)')

    def corrupt(problem):
        if problem:
            raise CheckpointError(f'corrupt metadata: {problem}')

    for key, v in meta.items():
        if type(v) is not str:
            corrupt(f"{key} must be a string (safetensors metadata values are strings), got {f'the number {js_number(v)}' if is_number(v) else shown(v)}")
    if meta.get('version') != '1':
        raise CheckpointError(f"checkpoint version {meta.get('version', 'undefined')}; this microgpt reads version 1")

    def parse(key):
        if key not in meta:
            return None
        try:
            return parse_json(meta[key])
        except ValueError:
            corrupt(f'{key} is not JSON')

    model, vocab = parse('model'), parse('vocab')
    if model is None or vocab is None:
        corrupt(f"no {'model' if model is None else 'vocab'}")
    corrupt(model_problem(model, settings, model_keys))
    corrupt(vocab_problem(vocab, model))
    train = parse('train')
    if train is not None:
        corrupt(f'train must be an object of training settings, got {shown(train)}' if type(train) is not dict else None)
        for k in train_keys:  # a key the file lacks (one added to the table since it was written) takes the table's default
            corrupt(setting_problem('train', k, train[k], settings[k]) if k in train else None)
    step = meta.get('step')
    if step is not None:
        if not re.fullmatch(r'0|[1-9][0-9]*', step):
            corrupt(f'step must be a whole number of steps done, got {json.dumps(step, ensure_ascii=False)}')
        step = int(step)
        corrupt(f'step must be a whole number of steps done, got {js_number(float(step))}' if step > MAX_SAFE else None)
        num_steps = (train or {}).get('numSteps')
        corrupt(f'step {step} is beyond train.numSteps ({js_number(num_steps)})' if num_steps is not None and step > num_steps else None)
    rng = parse('rng')
    if rng is not None:
        corrupt(rng_problem(rng))
    if 'dtype' in meta and meta['dtype'] not in ('float64', 'float32'):
        corrupt(f"dtype must be float64 or float32, got {shown(meta['dtype'])}")
    if 'engine' in meta and meta['engine'] not in ('fast', 'scalar', 'wasm'):
        corrupt(f"engine must be one of fast, scalar, wasm, got {json.dumps(meta['engine'], ensure_ascii=False)}")
    return {'meta': meta, 'model': model, 'vocab': vocab, 'train': train, 'step': step, 'rng': rng, 'entries': entries, 'body': body}


def check_sizes(data, found, shapes):
    """Before a value is read: the data can hold the parameters, every tensor belongs to the model, and the file's dtype."""
    n = sum(r * c for _, r, c in shapes)
    data_length = len(data) - found['body']
    if n * 4 > data_length:
        raise CheckpointError(f'corrupt metadata: the model has {n:,} parameters (at least {n * 4:,} bytes); '
                              f'the file holds {data_length:,} bytes of tensor data')
    known = {prefix + name for prefix in ('', 'adam_m.', 'adam_v.') for name, _, _ in shapes}
    stray = next((name for name in found['entries'] if name not in known), None)
    if stray is not None:
        raise CheckpointError(f'corrupt: tensor {stray} is not part of the model the metadata describes')
    weight_dtypes = {found['entries'][name][0] for name, _, _ in shapes if name in found['entries']}
    return found['meta'].get('dtype') or ('float64' if 'F64' in weight_dtypes else 'float32')


def read_tensors(data, found, shapes, torch):
    """Weights and Adam's moments (None in a weights-only file), each flat float64 in state-dict order, checked; then the tiling."""
    entries, body = found['entries'], found['body']

    def read(name, rows, cols):
        dtype, shape, start, end = entries[name]
        width = WIDTH.get(dtype) if type(dtype) is str else None
        if not width:
            raise CheckpointError(f'tensor {name} has dtype {dtype if type(dtype) is str else shown(dtype)}; microgpt reads F64 and F32')
        if not (type(shape) is list and len(shape) == 2 and is_int(shape[0]) and is_int(shape[1]) and shape == [rows, cols]):
            raise CheckpointError(f"tensor {name} has shape {'undefined' if shape is MISSING else json.dumps(shape, separators=(',', ':'))}; "
                                  f'the model needs [{rows},{cols}]')
        if end - start != rows * cols * width:
            raise CheckpointError(f'corrupt tensor entry {name} (its data_offsets span {end - start} bytes; '
                                  f'{dtype} [{rows},{cols}] needs {rows * cols * width})')
        raw = bytearray(data[body + start:body + end])
        if sys.byteorder == 'big':
            raw = bytearray(b for i in range(0, len(raw), width) for b in reversed(raw[i:i + width]))
        kind = torch.float64 if width == 8 else torch.float32
        return torch.frombuffer(raw, dtype=kind).to(torch.float64) if raw else torch.zeros(0, dtype=torch.float64)

    def gather(prefix, what, non_negative=False):
        if prefix and all(prefix + name not in entries for name, _, _ in shapes):
            return None
        parts = []
        for name, rows, cols in shapes:
            if prefix + name not in entries:
                raise CheckpointError(f'missing tensor {prefix + name}')
            t = read(prefix + name, rows, cols)
            bad = ~torch.isfinite(t) | (t < 0) if non_negative else ~torch.isfinite(t)
            if bad.any():
                i = int(bad.nonzero()[0])
                x = t[i].item()
                why = f'not a finite number ({js_number(x)} at index {i})' if not math.isfinite(x) else \
                    f'negative ({js_number(x)} at index {i}); a running mean of squares is at least 0'
                raise CheckpointError(f'corrupt: {what} {prefix + name} has a value that is {why}')
            parts.append(t)
        return torch.cat(parts)

    weights = gather('', 'weight tensor')
    m, v = gather('adam_m.', "Adam's first moment"), gather('adam_v.', "Adam's second moment", True)
    if (m is None) != (v is None):
        raise CheckpointError('corrupt: one of the Adam moments is missing')
    check_tiling(entries, len(data) - body)
    return weights, m, v
