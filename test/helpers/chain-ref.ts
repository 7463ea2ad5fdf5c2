// Plain-TypeScript reference for dense chains (independent of assembly/models): loss and gradient by explicit loops.
export interface RefChain {
  dims: number[];
  relu: boolean;
  ce: boolean;
}

function forward(c: RefChain, w: Float64Array, x: Float64Array, batch: number) {
  const L = c.dims.length - 1;
  const hs: Float64Array[] = [];
  const as: Float64Array[] = [x];
  let off = 0;
  for (let l = 1; l <= L; l++) {
    const din = c.dims[l - 1], dout = c.dims[l];
    const a = as[l - 1];
    const h = new Float64Array(batch * dout);
    for (let b = 0; b < batch; b++)
      for (let i = 0; i < dout; i++) {
        let s = 0;
        for (let j = 0; j < din; j++) s += w[off + i * din + j] * a[b * din + j];
        h[b * dout + i] = s;
      }
    off += din * dout;
    hs.push(h);
    as.push(c.relu && l < L ? h.map((v) => Math.max(v, 0)) : h);
  }
  return { hs, as };
}

export function refLoss(c: RefChain, w: Float64Array, x: Float64Array, y: Float64Array, batch: number): number {
  const { as } = forward(c, w, x, batch);
  const out = as[as.length - 1];
  const dL = c.dims[c.dims.length - 1];
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    if (!c.ce) {
      for (let j = 0; j < dL; j++) loss += 0.5 * (out[b * dL + j] - y[b * dL + j]) ** 2;
    } else {
      const row = Array.from(out.subarray(b * dL, b * dL + dL));
      const mx = Math.max(...row);
      const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
      for (let j = 0; j < dL; j++) loss -= y[b * dL + j] * (row[j] - lse);
    }
  }
  return loss / batch;
}

export function refGradient(c: RefChain, w: Float64Array, x: Float64Array, y: Float64Array, batch: number): Float64Array {
  const L = c.dims.length - 1;
  const { hs, as } = forward(c, w, x, batch);
  const dL = c.dims[L];
  const out = as[L];
  let delta = new Float64Array(batch * dL);
  for (let b = 0; b < batch; b++) {
    if (!c.ce) for (let j = 0; j < dL; j++) delta[b * dL + j] = (out[b * dL + j] - y[b * dL + j]) / batch;
    else {
      const row = Array.from(out.subarray(b * dL, b * dL + dL));
      const mx = Math.max(...row);
      const e = row.map((v) => Math.exp(v - mx));
      const s = e.reduce((p, q) => p + q, 0);
      for (let j = 0; j < dL; j++) delta[b * dL + j] = (e[j] / s - y[b * dL + j]) / batch;
    }
  }
  const grad = new Float64Array(w.length);
  const offs: number[] = [0];
  for (let l = 1; l <= L; l++) offs.push(offs[l - 1] + c.dims[l] * c.dims[l - 1]);
  for (let l = L; l >= 1; l--) {
    const din = c.dims[l - 1], dout = c.dims[l];
    const a = as[l - 1];
    for (let i = 0; i < dout; i++)
      for (let j = 0; j < din; j++) {
        let s = 0;
        for (let b = 0; b < batch; b++) s += delta[b * dout + i] * a[b * din + j];
        grad[offs[l - 1] + i * din + j] = s;
      }
    if (l > 1) {
      const prev = new Float64Array(batch * din);
      for (let b = 0; b < batch; b++)
        for (let j = 0; j < din; j++) {
          let s = 0;
          for (let i = 0; i < dout; i++) s += delta[b * dout + i] * w[offs[l - 1] + i * din + j];
          prev[b * din + j] = c.relu && !(hs[l - 2][b * din + j] > 0) ? 0 : s;
        }
      delta = prev;
    }
  }
  return grad;
}

/** Pre-activation signs of every hidden unit, to detect when a finite difference crosses a ReLU kink. */
export function reluPattern(c: RefChain, w: Float64Array, x: Float64Array, batch: number): string {
  if (!c.relu) return '';
  const { hs } = forward(c, w, x, batch);
  return hs.slice(0, -1).map((h) => Array.from(h, (v) => (v > 0 ? '1' : '0')).join('')).join('|');
}

export function refForward(c: RefChain, w: Float64Array, x: Float64Array, batch: number): Float64Array {
  const { as } = forward(c, w, x, batch);
  return as[as.length - 1];
}
