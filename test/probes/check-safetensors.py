# Reads a file by the safetensors format's rules, independently of our code, and
# prints a JSON summary: python3 test/probes/check-safetensors.py FILE
# Rules checked: u64 little-endian header length; a UTF-8 JSON object, maybe
# space-padded; __metadata__ maps strings to strings; every tensor has a known
# dtype, a shape, and data_offsets whose length is prod(shape) * itemsize; the
# tensors tile the byte buffer with no gap or overlap, to its very end.
import json, struct, sys
import numpy as np

data = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', data[:8])
header = json.loads(data[8:8 + n].decode('utf-8'))
buf = data[8 + n:]
meta = header.pop('__metadata__', {})
assert all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()), 'metadata must map strings to strings'
sizes = {'F64': 8, 'F32': 4}
spans = []
out = {}
for name, t in header.items():
    itemsize = sizes[t['dtype']]
    start, end = t['data_offsets']
    assert end - start == int(np.prod(t['shape'])) * itemsize, name
    spans.append((start, end))
    arr = np.frombuffer(buf[start:end], dtype='<f8' if itemsize == 8 else '<f4').reshape(t['shape'])
    out[name] = {'shape': list(arr.shape), 'dtype': t['dtype'], 'first': float(arr.flat[0]), 'sum': float(arr.astype('f8').sum())}
spans.sort()
pos = 0
for s, e in spans:
    assert s == pos, 'gap or overlap in the byte buffer'
    pos = e
assert pos == len(buf), 'the byte buffer has bytes no tensor covers'
print(json.dumps({'metadata': meta, 'tensors': out, 'header_bytes': n}))
