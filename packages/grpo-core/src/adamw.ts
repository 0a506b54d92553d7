/**
 * AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization") over named tfjs variables, step for step
 * as PyTorch's `torch.optim.AdamW` (the optimiser TRL uses), for each parameter p with gradient g at its step t:
 *
 *   p ← p · (1 − lr·λ)                                   decoupled weight decay
 *   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
 *   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)  bias-corrected step
 *
 * Like PyTorch, each parameter keeps its own step count, and a parameter without a gradient this step is left
 * alone (no decay either). The state exports to named tensors — `<name>.exp_avg`, `<name>.exp_avg_sq`,
 * `<name>.step`, PyTorch's names — and imports back for an exact resume. The learning rate is an argument of
 * `step` (see `learningRateAt`); gradient clipping is separate (`clipGradNorm`). The per-parameter arithmetic is
 * `adamwUpdate` of @r1/model (a fused kernel on wasm).
 */
import { adamwUpdate, tf } from '@r1/model';
import { type NamedTensors, namedEntries } from './named-tensors';

export interface AdamWOptions {
  /** β₁, in [0, 1). HF default 0.9. */
  beta1: number;
  /** β₂, in [0, 1). HF default 0.999. */
  beta2: number;
  /** ε > 0, added to the bias-corrected √v. HF default 1e-8. */
  epsilon: number;
  /** Decoupled weight decay λ ≥ 0 (multiplied by the learning rate, as PyTorch). HF default 0. */
  weightDecay: number;
}

interface Moments {
  m: tf.Tensor;
  v: tf.Tensor;
  step: number;
}

const STATE_SUFFIXES = ['exp_avg', 'exp_avg_sq', 'step'] as const;

export class AdamW {
  private readonly params: ReadonlyMap<string, tf.Variable>;
  private readonly options: AdamWOptions;
  private readonly moments = new Map<string, Moments>();

  /** @param params the variables to train, by name (the optimiser keeps references, not copies) */
  constructor(params: ReadonlyMap<string, tf.Variable>, options: AdamWOptions) {
    const { beta1, beta2, epsilon, weightDecay } = options;
    const problems = [
      !(beta1 >= 0 && beta1 < 1) && `beta1 must be in [0, 1) (got ${beta1})`,
      !(beta2 >= 0 && beta2 < 1) && `beta2 must be in [0, 1) (got ${beta2})`,
      !(epsilon > 0 && Number.isFinite(epsilon)) && `epsilon must be a finite number > 0 (got ${epsilon})`,
      !(weightDecay >= 0 && Number.isFinite(weightDecay)) &&
        `weightDecay must be a finite number ≥ 0 (got ${weightDecay})`,
    ].filter((p): p is string => typeof p === 'string');
    if (problems.length > 0) throw new Error(`AdamW: ${problems.join('; ')}`);
    for (const [name, p] of params) {
      this.moments.set(name, { m: tf.keep(tf.zerosLike(p)), v: tf.keep(tf.zerosLike(p)), step: 0 });
    }
    this.params = new Map(params);
    this.options = { ...options };
  }

  /** The step count of parameter `name` (how many updates it has received). */
  stepOf(name: string): number {
    return this.moments.get(name)?.step ?? 0;
  }

  /**
   * One update of every parameter that has a gradient in `grads` (a `Map` or `tf.variableGrads`' record). The
   * gradients are read, not disposed. Checks every gradient before changing anything.
   */
  step(grads: NamedTensors, learningRate: number): void {
    if (!(learningRate >= 0 && Number.isFinite(learningRate))) {
      throw new Error(`AdamW.step: learningRate must be a finite number ≥ 0 (got ${learningRate})`);
    }
    const entries = namedEntries(grads);
    for (const [name, g] of entries) {
      const p = this.params.get(name);
      if (p === undefined) {
        throw new Error(
          `AdamW.step: got a gradient for '${name}', which is not a parameter of this optimiser ` +
            `(it has ${this.params.size}: ${[...this.params.keys()].slice(0, 5).join(', ')}${this.params.size > 5 ? ', …' : ''})`,
        );
      }
      if (!tf.util.arraysEqual(p.shape, g.shape)) {
        throw new Error(`AdamW.step: gradient of '${name}' has shape [${g.shape}] but the parameter is [${p.shape}]`);
      }
    }
    const { beta1, beta2, epsilon, weightDecay } = this.options;
    for (const [name, g] of entries) {
      const p = this.params.get(name) as tf.Variable;
      const state = this.moments.get(name) as Moments;
      const t = state.step + 1;
      // The arithmetic lives in @r1/model: one fused kernel on wasm, composed ops elsewhere.
      const { m, v } = adamwUpdate(p, g, state.m, state.v, {
        learningRate,
        beta1,
        beta2,
        epsilon,
        weightDecay,
        step: t,
      });
      state.m.dispose();
      state.v.dispose();
      // keep: a caller's enclosing tf.tidy must not dispose the optimiser's state.
      state.m = tf.keep(m);
      state.v = tf.keep(v);
      state.step = t;
    }
  }

  /** The full optimiser state as new named tensors (the caller owns them): per parameter `.exp_avg`,
   * `.exp_avg_sq` (float32, the parameter's shape) and `.step` (int32 scalar). */
  exportState(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [name, s] of this.moments) {
      out.set(`${name}.exp_avg`, tf.clone(s.m));
      out.set(`${name}.exp_avg_sq`, tf.clone(s.v));
      out.set(`${name}.step`, tf.scalar(s.step, 'int32'));
    }
    return out;
  }

  /** Replaces the state with an exported one (copied; the caller keeps ownership of `state`). All-or-nothing:
   * every parameter must be present with the right shapes, and no unknown names. */
  importState(state: NamedTensors): void {
    const given = new Map(namedEntries(state));
    const expected = [...this.params.keys()].flatMap((n) => STATE_SUFFIXES.map((s) => `${n}.${s}`));
    const missing = expected.filter((k) => !given.has(k));
    const extra = [...given.keys()].filter((k) => !expected.includes(k));
    if (missing.length > 0 || extra.length > 0) {
      throw new Error(
        `AdamW.importState: the state does not match this optimiser's parameters` +
          (missing.length > 0 ? `; missing ${missing.slice(0, 5).join(', ')}` : '') +
          (extra.length > 0 ? `; unexpected ${extra.slice(0, 5).join(', ')}` : '') +
          ' — was it exported from an optimiser over the same model?',
      );
    }
    const steps = new Map<string, number>();
    for (const [name, p] of this.params) {
      for (const suffix of ['exp_avg', 'exp_avg_sq'] as const) {
        const t = given.get(`${name}.${suffix}`) as tf.Tensor;
        if (!tf.util.arraysEqual(t.shape, p.shape)) {
          throw new Error(
            `AdamW.importState: '${name}.${suffix}' has shape [${t.shape}] but the parameter is [${p.shape}]`,
          );
        }
      }
      const stepTensor = given.get(`${name}.step`) as tf.Tensor;
      const step = stepTensor.size === 1 ? (stepTensor.dataSync()[0] ?? Number.NaN) : Number.NaN;
      if (!Number.isInteger(step) || step < 0) {
        throw new Error(
          `AdamW.importState: '${name}.step' must be one integer ≥ 0 (got shape [${stepTensor.shape}], ${step})`,
        );
      }
      steps.set(name, step);
    }
    for (const [name, s] of this.moments) {
      s.m.dispose();
      s.v.dispose();
      s.m = tf.keep(tf.cast(given.get(`${name}.exp_avg`) as tf.Tensor, 'float32'));
      s.v = tf.keep(tf.cast(given.get(`${name}.exp_avg_sq`) as tf.Tensor, 'float32'));
      s.step = steps.get(name) ?? 0;
    }
  }

  /** Frees the moment tensors (not the parameters). */
  dispose(): void {
    for (const s of this.moments.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.moments.clear();
  }
}
