// Plain-TypeScript transformer forward pass and loss, written independently of assembly/models/transformer.ts and
// src/models/transformer.ts (own parameter layout, own loops, JS Math): the reference the WASM model is tested against.
export interface RefSpec {
  vocab: number;
  context: number;
  width: number;
  heads: number;
  mlpWidth: number;
  blocks: number;
  layerNorm: boolean;
  residual: boolean;
  attention: boolean;
  mlp: boolean;
  activation: 'gelu' | 'relu';
}

type Mat = number[][];

/** Named parameter blocks in storage order, with shapes: the layout the WASM model must also use. */
export function refLayout(s: RefSpec): { name: string; block: number; rows: number; cols: number }[] {
  const V = s.vocab, D = s.width, M = s.mlpWidth;
  const out = [
    { name: 'embed', block: 0, rows: V, cols: D },
    { name: 'pos', block: 0, rows: s.context, cols: D },
  ];
  for (let b = 0; b < s.blocks; b++) {
    if (s.attention) {
      if (s.layerNorm) out.push({ name: 'ln1.g', block: b, rows: 1, cols: D }, { name: 'ln1.b', block: b, rows: 1, cols: D });
      for (const n of ['q', 'k', 'v', 'attnOut']) out.push({ name: n, block: b, rows: D, cols: D });
    }
    if (s.mlp) {
      if (s.layerNorm) out.push({ name: 'ln2.g', block: b, rows: 1, cols: D }, { name: 'ln2.b', block: b, rows: 1, cols: D });
      out.push({ name: 'mlpUp', block: b, rows: M, cols: D }, { name: 'mlpUp.b', block: b, rows: 1, cols: M });
      out.push({ name: 'mlpDown', block: b, rows: D, cols: M }, { name: 'mlpDown.b', block: b, rows: 1, cols: D });
    }
  }
  if (s.layerNorm) out.push({ name: 'lnf.g', block: 0, rows: 1, cols: D }, { name: 'lnf.b', block: 0, rows: 1, cols: D });
  out.push({ name: 'head', block: 0, rows: V, cols: D }, { name: 'head.b', block: 0, rows: 1, cols: V });
  return out;
}

function unpack(s: RefSpec, w: ArrayLike<number>): Map<string, Mat> {
  const m = new Map<string, Mat>();
  let off = 0;
  for (const e of refLayout(s)) {
    const mat: Mat = [];
    for (let i = 0; i < e.rows; i++) {
      const row: number[] = [];
      for (let j = 0; j < e.cols; j++) row.push(w[off++]);
      mat.push(row);
    }
    m.set(`${e.name}@${e.block}`, mat);
  }
  if (off !== w.length) throw new Error(`reference layout has ${off} parameters, got ${w.length}`);
  return m;
}

const matvec = (W: Mat, x: number[]) => W.map((row) => row.reduce((s, wij, j) => s + wij * x[j], 0));

function layerNorm(x: number[], g: number[], b: number[]): number[] {
  const mu = x.reduce((a, c) => a + c, 0) / x.length;
  const vr = x.reduce((a, c) => a + (c - mu) ** 2, 0) / x.length;
  const sd = Math.sqrt(vr + 1e-5);
  return x.map((c, j) => (g[j] * (c - mu)) / sd + b[j]);
}

function act(s: RefSpec, x: number): number {
  if (s.activation === 'relu') return Math.max(x, 0);
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

/** Logits of every position of one sequence. */
function sequenceLogits(s: RefSpec, P: Map<string, Mat>, tokens: number[]): number[][] {
  const T = tokens.length, dh = s.width / s.heads;
  let xs = tokens.map((t, i) => P.get('embed@0')![t].map((e, j) => e + P.get('pos@0')![i][j]));
  for (let b = 0; b < s.blocks; b++) {
    const get = (n: string) => P.get(`${n}@${b}`)!;
    if (s.attention) {
      const a = s.layerNorm ? xs.map((x) => layerNorm(x, get('ln1.g')[0], get('ln1.b')[0])) : xs;
      const q = a.map((x) => matvec(get('q'), x)), k = a.map((x) => matvec(get('k'), x)), v = a.map((x) => matvec(get('v'), x));
      const o = xs.map(() => new Array<number>(s.width).fill(0));
      for (let h = 0; h < s.heads; h++) {
        for (let i = 0; i < T; i++) {
          const sc: number[] = [];
          for (let j = 0; j <= i; j++) {
            let d = 0;
            for (let e = h * dh; e < (h + 1) * dh; e++) d += q[i][e] * k[j][e];
            sc.push(d / Math.sqrt(dh));
          }
          const mx = Math.max(...sc);
          const ex = sc.map((c) => Math.exp(c - mx));
          const z = ex.reduce((p, c) => p + c, 0);
          for (let j = 0; j <= i; j++) for (let e = h * dh; e < (h + 1) * dh; e++) o[i][e] += (ex[j] / z) * v[j][e];
        }
      }
      const z = o.map((x) => matvec(get('attnOut'), x));
      xs = s.residual ? xs.map((x, i) => x.map((c, j) => c + z[i][j])) : z;
    }
    if (s.mlp) {
      const a = s.layerNorm ? xs.map((x) => layerNorm(x, get('ln2.g')[0], get('ln2.b')[0])) : xs;
      const y = a.map((x) => {
        const u = matvec(get('mlpUp'), x).map((c, j) => act(s, c + get('mlpUp.b')[0][j]));
        return matvec(get('mlpDown'), u).map((c, j) => c + get('mlpDown.b')[0][j]);
      });
      xs = s.residual ? xs.map((x, i) => x.map((c, j) => c + y[i][j])) : y;
    }
  }
  const f = s.layerNorm ? xs.map((x) => layerNorm(x, P.get('lnf.g@0')![0], P.get('lnf.b@0')![0])) : xs;
  return f.map((x) => matvec(P.get('head@0')!, x).map((c, j) => c + P.get('head.b@0')![0][j]));
}

/** Mean cross-entropy over all batch·context positions against target rows y ((batch·context)×vocab). */
export function refTransformerLoss(s: RefSpec, w: ArrayLike<number>, tokens: ArrayLike<number>, y: ArrayLike<number>, batch: number): number {
  const P = unpack(s, w);
  const T = s.context, V = s.vocab;
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    const logits = sequenceLogits(s, P, Array.from({ length: T }, (_, t) => tokens[b * T + t]));
    for (let t = 0; t < T; t++) {
      const z = logits[t];
      const mx = Math.max(...z);
      const lse = mx + Math.log(z.reduce((p, c) => p + Math.exp(c - mx), 0));
      for (let j = 0; j < V; j++) loss -= y[(b * T + t) * V + j] * (z[j] - lse);
    }
  }
  return loss / (batch * T);
}

/** Softmax outputs ((batch·context)×vocab), e.g. to build zero-residual soft targets. */
export function refTransformerProbs(s: RefSpec, w: ArrayLike<number>, tokens: ArrayLike<number>, batch: number): number[] {
  const P = unpack(s, w);
  const T = s.context;
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    const logits = sequenceLogits(s, P, Array.from({ length: T }, (_, t) => tokens[b * T + t]));
    for (const z of logits) {
      const mx = Math.max(...z);
      const e = z.map((c) => Math.exp(c - mx));
      const sum = e.reduce((p, c) => p + c, 0);
      out.push(...e.map((c) => c / sum));
    }
  }
  return out;
}
