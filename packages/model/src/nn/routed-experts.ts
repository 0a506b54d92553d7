/**
 * The routed half of the sparse MoE dispatch as ONE differentiable op with a hand-written gradient: each expert
 * gathers the rows of its tokens, runs its SwiGLU (`down(silu(gate·x) ⊙ up·x)`) on them only, and a weighted
 * scatter-add puts every expert's rows back on their tokens: `out[t] = Σ_{(t, j) → e} w[t, j] · SwiGLU_e(x[t])`.
 *
 * Why one op: written with plain tfjs ops, the same computation is ~25 taped kernels per expert (each saving clones
 * of its inputs for the backward pass, plus casts and reshapes in the generic gradients), and on wasm that per-op
 * overhead costs as much as the expert matmuls themselves. Here the forward runs off the tape, only `gate·x`,
 * `up·x` and each expert's output are saved, and the backward pass is the SwiGLU chain rule in ~15 kernels per expert.
 * Gathers and scatter-adds are host loops (routing is host-side already).
 *
 * Two implementations of the same op: where the active backend has the `R1RoutedExperts` kernels (wasm, registered
 * by `initBackend`; `backend/kernels/routed-experts.ts`), forward and backward are one kernel call each working in
 * place on the heap; elsewhere (cpu, tfjs-node) the op is composed from tfjs matmuls as below.
 *
 * Differentiable in `x`, the combine weights and every expert's three matrices; experts that get no token get an
 * exact zero gradient (they stay inputs, so the set of gradients never changes between steps — tfjs optimizers
 * index their slots by position). Float32 only; no bias terms (DeepSeek-V3 experts have none).
 */
import * as tf from '@tensorflow/tfjs';
import {
  expertInputNames,
  ROUTED_EXPERTS,
  ROUTED_EXPERTS_GRAD,
  type RoutedExpertsAttrs,
} from '../backend/kernels/routed-experts';
import type { SwiGluWeights } from './linear';

/**
 * The router's choice `routed` `[N·k]` (expert of slot `n·k + j`) grouped by expert: `order` lists the slots of
 * expert 0, then expert 1, … (token order within each), and expert e's are `order[offsets[e] … offsets[e + 1])`.
 */
export function groupSlotsByExpert(routed: Int32Array, numExperts: number): SlotGroups {
  const offsets = new Int32Array(numExperts + 1);
  for (const e of routed) {
    if (!(e >= 0 && e < numExperts)) throw new Error(`routedExperts: expert ${e} is not in [0, ${numExperts})`);
    offsets[e + 1]! += 1;
  }
  for (let e = 0; e < numExperts; e++) offsets[e + 1]! += offsets[e]!;
  const fill = offsets.slice(0, numExperts);
  const order = new Int32Array(routed.length);
  for (let s = 0; s < routed.length; s++) order[fill[routed[s]!]!++] = s;
  return { order, offsets };
}

/** `groupSlotsByExpert`'s result. */
interface SlotGroups {
  order: Int32Array;
  offsets: Int32Array;
}

/** Expert e's slots, a view of `order`. */
const slotsOf = (g: SlotGroups, e: number) => g.order.subarray(g.offsets[e]!, g.offsets[e + 1]!);

/** Whether the active backend has the fused kernels (both directions). */
function hasKernels(): boolean {
  const backend = tf.getBackend();
  return (
    tf.getKernel(ROUTED_EXPERTS, backend) !== undefined && tf.getKernel(ROUTED_EXPERTS_GRAD, backend) !== undefined
  );
}

/** `out[m] = x[⌊slots[m] / k⌋]`, `x` `[n, d]` row-major. */
function gatherTokens(x: Float32Array, slots: Int32Array, k: number, d: number): Float32Array {
  const out = new Float32Array(slots.length * d);
  for (let m = 0; m < slots.length; m++) {
    const t = Math.floor(slots[m]! / k);
    out.set(x.subarray(t * d, t * d + d), m * d);
  }
  return out;
}

/**
 * Routed experts on `x` `[N, D]` with combine weights `weights` `[N, k]` and the host-side choice `routed` `[N·k]`
 * (expert of (token n, slot j) at `n·k + j`, the router's `experts`). Returns `[N, D]`.
 */
export function routedExperts(
  x: tf.Tensor2D,
  experts: SwiGluWeights[],
  weights: tf.Tensor2D,
  routed: Int32Array,
): tf.Tensor2D {
  const n = x.shape[0];
  const [wn, k] = weights.shape;
  if (wn !== n) throw new Error(`routedExperts: weights have ${wn} rows but x has ${n}; pass the router's [N, k]`);
  if (routed.length !== n * k)
    throw new Error(`routedExperts: ${routed.length} routed slots, expected N·k = ${n * k} (the router's experts)`);
  if (experts.length === 0) throw new Error('routedExperts: no experts');
  // Checked here, not left to the kernels: they address the heap by these shapes.
  const [d, inter] = [x.shape[1], experts[0]!.gate.shape[0]];
  experts.forEach((ew, e) => {
    for (const [name, t, want] of [
      ['gate', ew.gate, [inter, d]],
      ['up', ew.up, [inter, d]],
      ['down', ew.down, [d, inter]],
    ] as const) {
      if (t.shape[0] !== want[0] || t.shape[1] !== want[1])
        throw new Error(
          `routedExperts: expert ${e}'s ${name} is [${t.shape}], expected [${want}] (x is [${x.shape}], ` +
            `expert 0's gate is [${experts[0]!.gate.shape}])`,
        );
    }
  });
  const groups = groupSlotsByExpert(routed, experts.length);
  return (hasKernels() ? viaKernels : composed)(x, experts, weights, groups, k);
}

/** The op's two implementations, after validation. */
type RoutedExpertsImpl = (
  x: tf.Tensor2D,
  experts: SwiGluWeights[],
  weights: tf.Tensor2D,
  groups: SlotGroups,
  k: number,
) => tf.Tensor2D;

/** The op on the fused kernels: one kernel call forward, one backward. */
const viaKernels: RoutedExpertsImpl = (x, experts, weights, groups, k) => {
  const attrs: RoutedExpertsAttrs = { order: groups.order, offsets: groups.offsets, k };
  const names = experts.flatMap((_, e) => expertInputNames(e));
  const matrices = experts.flatMap((ew) => [ew.gate, ew.up, ew.down]);
  const numInputs = 2 + matrices.length;
  const engine = tf.engine();
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[numInputs] as tf.GradSaveFunc;
    const [xIn, wIn] = args as [tf.Tensor2D, tf.Tensor2D];
    const inputs: tf.NamedTensorMap = { x: xIn, w: wIn };
    names.forEach((name, i) => {
      inputs[name] = args[2 + i] as tf.Tensor;
    });
    const [out, ...kept] = engine.runKernel(ROUTED_EXPERTS, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    save([xIn, wIn, ...kept]); // clones when recording a gradient, nothing otherwise
    tf.dispose(kept);
    return {
      value: out as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws, g, u, s, y] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const gradInputs: tf.NamedTensorMap = { dy, x: xs, w: ws, g, u, s, y };
        names.forEach((name, i) => {
          gradInputs[name] = matrices[i]!;
        });
        return engine.runKernel(ROUTED_EXPERTS_GRAD, gradInputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      },
    };
  });
  return op(x, weights, ...matrices) as tf.Tensor2D;
};

/** The op composed from tfjs ops (every backend). */
const composed: RoutedExpertsImpl = (x, experts, weights, groups, k) => {
  const [n, d] = x.shape;
  const used = experts.flatMap((_, e) => (groups.offsets[e + 1]! > groups.offsets[e]! ? [e] : []));
  const numInputs = 2 + 3 * experts.length;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[numInputs] as tf.GradSaveFunc;
    const xData = (args[0] as tf.Tensor).dataSync() as Float32Array;
    const w = (args[1] as tf.Tensor).dataSync() as Float32Array;
    const out = new Float32Array(n * d);
    const kept: tf.Tensor[] = []; // per used expert: gate·x, up·x, expert output
    for (const e of used) {
      const slots = slotsOf(groups, e);
      const ew = experts[e]!;
      const [g, u, y] = tf.tidy(() => {
        const xs = tf.tensor2d(gatherTokens(xData, slots, k, d), [slots.length, d]);
        const gx = tf.matMul(xs, ew.gate, false, true);
        const ux = tf.matMul(xs, ew.up, false, true);
        return [gx, ux, tf.matMul(tf.mul(tf.mul(gx, tf.sigmoid(gx)), ux), ew.down, false, true)];
      }) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const yData = y.dataSync() as Float32Array;
      for (let m = 0; m < slots.length; m++) {
        const s = slots[m]!;
        const o = Math.floor(s / k) * d;
        const ws = w[s]!;
        for (let j = 0; j < d; j++) out[o + j]! += ws * yData[m * d + j]!;
      }
      kept.push(g, u, y);
    }
    save(kept); // clones when recording a gradient, nothing otherwise
    tf.dispose(kept);
    return {
      value: tf.tensor2d(out, [n, d]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const gy = dy.dataSync() as Float32Array;
        const dx = new Float32Array(n * d);
        const dw = new Float32Array(n * k);
        const dExperts: Array<tf.Tensor[] | null> = experts.map(() => null);
        used.forEach((e, i) => {
          const slots = slotsOf(groups, e);
          const m = slots.length;
          const ew = experts[e]!;
          const [g, u, y] = saved.slice(3 * i, 3 * i + 3) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          const yData = y.dataSync() as Float32Array;
          const dyRows = new Float32Array(m * d);
          for (let r = 0; r < m; r++) {
            const s = slots[r]!;
            const o = Math.floor(s / k) * d;
            const ws = w[s]!;
            let dot = 0;
            for (let j = 0; j < d; j++) {
              const gj = gy[o + j]!;
              dyRows[r * d + j] = ws * gj;
              dot += yData[r * d + j]! * gj;
            }
            dw[s]! += dot;
          }
          const [dGate, dUp, dDown, dXs] = tf.tidy(() => {
            const dY = tf.tensor2d(dyRows, [m, d]);
            const xs = tf.tensor2d(gatherTokens(xData, slots, k, d), [m, d]);
            const sg = tf.sigmoid(g);
            const a = tf.mul(g, sg); // silu(g)
            const dH = tf.matMul(dY, ew.down); // [m, I]
            const dDownE = tf.matMul(dY, tf.mul(a, u), true, false); // [D, I]
            const du = tf.mul(dH, a);
            // silu'(g) = σ(g)·(1 + g − silu(g))
            const dg = tf.mul(tf.mul(dH, u), tf.mul(sg, tf.add(tf.sub(g, a), 1)));
            const dXsE = tf.add(tf.matMul(dg, ew.gate), tf.matMul(du, ew.up)); // [m, D]
            return [tf.matMul(dg, xs, true, false), tf.matMul(du, xs, true, false), dDownE, dXsE];
          });
          const dxs = dXs.dataSync() as Float32Array;
          dXs.dispose();
          for (let r = 0; r < m; r++) {
            const o = Math.floor(slots[r]! / k) * d;
            for (let j = 0; j < d; j++) dx[o + j]! += dxs[r * d + j]!;
          }
          dExperts[e] = [dGate, dUp, dDown];
        });
        const perExpert = experts.flatMap(
          (ew, e) => dExperts[e] ?? [tf.zerosLike(ew.gate), tf.zerosLike(ew.up), tf.zerosLike(ew.down)],
        );
        return [tf.tensor2d(dx, [n, d]), tf.tensor2d(dw, [n, k]), ...perExpert];
      },
    };
  });
  return op(x, weights, ...experts.flatMap((ew) => [ew.gate, ew.up, ew.down])) as tf.Tensor2D;
};
