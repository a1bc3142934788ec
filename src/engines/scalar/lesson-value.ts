/**
 * microgpt.py's Value, line for line: the lesson. Each op makes a node that
 * holds its data, its children and the local gradient toward each child;
 * backward() sorts the graph depth-first with the recursive build_topo and
 * chains the gradients back over reversed(topo).
 *
 * The engine (./engine.ts) computes with value.ts's Value instead, which does
 * the same arithmetic in the same order (the same gradients, bit for bit:
 * test/engines/scalar-model.test.ts checks it on a whole model step) but keeps
 * the graph in typed arrays and sorts it with an explicit stack, because
 * build_topo here recurses once per node on the longest path: a deep graph
 * (a 200,000-node chain, the step of a bigger model) overflows JavaScript's
 * call stack, and an object per node makes a step mostly allocation.
 *
 * What TypeScript forces: no operator overloading (`a + b` is `a.add(b)`,
 * `2 * a` is `a.rmul(2)`).
 */
export class Value {
  data: number; // scalar value of this node calculated during forward pass
  grad = 0; // derivative of the loss w.r.t. this node, calculated in backward pass
  readonly _children: readonly Value[]; // children of this node in the computation graph
  readonly _local_grads: readonly number[]; // local derivative of this node w.r.t. its children

  constructor(data: number, children: readonly Value[] = [], local_grads: readonly number[] = []) {
    this.data = data;
    this._children = children;
    this._local_grads = local_grads;
  }

  add(other: Value | number): Value {
    const o = other instanceof Value ? other : new Value(other);
    return new Value(this.data + o.data, [this, o], [1, 1]);
  }

  mul(other: Value | number): Value {
    const o = other instanceof Value ? other : new Value(other);
    return new Value(this.data * o.data, [this, o], [o.data, this.data]);
  }

  pow(other: number): Value {
    return new Value(this.data ** other, [this], [other * this.data ** (other - 1)]);
  }
  log(): Value {
    return new Value(Math.log(this.data), [this], [1 / this.data]);
  }
  exp(): Value {
    return new Value(Math.exp(this.data), [this], [Math.exp(this.data)]);
  }
  relu(): Value {
    return new Value(this.data > 0 ? this.data : 0, [this], [this.data > 0 ? 1 : 0]); // max(0, x), float(x > 0)
  }
  neg(): Value {
    return this.mul(-1);
  }
  radd(other: number): Value {
    return this.add(other);
  }
  sub(other: Value | number): Value {
    return this.add(typeof other === 'number' ? -other : other.neg());
  }
  rsub(other: number): Value {
    return this.neg().add(other);
  }
  rmul(other: number): Value {
    return this.mul(other);
  }
  div(other: Value | number): Value {
    return this.mul(typeof other === 'number' ? other ** -1 : other.pow(-1));
  }
  rdiv(other: number): Value {
    return this.pow(-1).mul(other);
  }

  backward(): void {
    const topo: Value[] = [];
    const visited = new Set<Value>();
    const build_topo = (v: Value): void => {
      if (!visited.has(v)) {
        visited.add(v);
        for (const child of v._children) build_topo(child);
        topo.push(v);
      }
    };
    build_topo(this);
    this.grad = 1;
    for (const v of topo.reverse()) {
      v._children.forEach((child, i) => (child.grad += v._local_grads[i] * v.grad));
    }
  }
}
