/**
 * The loops of the fused training attention (`kernels/attention.ts`) for the kernel module (`gemm-wat.ts` splices
 * them in, so they share its heap and its build). The matmuls are the module's gemm; these are what lies between
 * them. Two layouts of a `[B, T, heads, hd]` tensor meet here: token-major (`[B·T, heads·hd]`, what the projections
 * give and take) and head-major (`[B, heads, T, hd]`, one contiguous `[T, hd]` block per (row, head), what the
 * per-head products want). Pointers are heap byte offsets; counts and strides in elements.
 *
 * - `rope_train(src, dst, cos, sin, batch, time, heads, hd, angleHeads, toHeadMajor, sign)`: RoPE (`rotate_half`)
 *   of every (b, t, h) head vector, `(x1·c − x2·s', x2·c + x1·s')` with `s' = sign·sin`: sign 1 rotates (forward),
 *   −1 applies the transpose (the backward pass). Reads one layout and writes the other: token-major → head-major
 *   when `toHeadMajor` is 1, head-major → token-major when 0. Angles at `cos` / `sin` + ((b·angleHeads + 0)·T + t)·hd
 *   floats: `ropeAngles` output with `angleHeads` (replicated) heads, head 0 read. `hd` a multiple of 8.
 * - `heads_copy(src, dst, batch, time, heads, hd, toHeadMajor)`: the same relayout without the rotation.
 * - `softmax_fwd(p, bias, batch, heads, time, s, ld, scale)`: in place over the score rows of every (b, h, t),
 *   row stride `ld` (≥ s, a multiple of 4): `p ← softmax(p·scale + bias[b, t])` over the first `s` columns, and the
 *   `ld − s` padding columns set to 0 (the products read only `s`). `bias` `[B, T, s]`.
 * - `softmax_bwd(p, ds, rows, ld, scale)`: in place, per row, `ds ← scale·p ⊙ (ds − Σ ds ⊙ p)` over `ld` columns
 *   (padding columns must hold finite values; p is 0 there).
 */
import { exp4, expLocals } from './gemm-wat';

const get = (n: string) => `(local.get $${n})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const lanesSum = (v: string) =>
  `(f32.add (f32.add (f32x4.extract_lane 0 ${v}) (f32x4.extract_lane 1 ${v}))
            (f32.add (f32x4.extract_lane 2 ${v}) (f32x4.extract_lane 3 ${v})))`;
const lanesMax = (v: string) =>
  `(f32.max (f32.max (f32x4.extract_lane 0 ${v}) (f32x4.extract_lane 1 ${v}))
            (f32.max (f32x4.extract_lane 2 ${v}) (f32x4.extract_lane 3 ${v})))`;
const load = (ptr: string) => `(v128.load align=4 ${ptr})`;
const store = (ptr: string, v: string) => `(v128.store align=4 ${ptr} ${v})`;
/** `for (var = 0; var < limit; var += step) body`, labelled `name`. */
const loop = (name: string, v: string, limit: string, step: number | string, body: string) => `
    (local.set $${v} (i32.const 0))
    (block $${name}_done (loop $${name}
      (br_if $${name}_done (i32.ge_u ${get(v)} ${limit}))
      ${body}
      (local.set $${v} (i32.add ${get(v)} ${typeof step === 'number' ? `(i32.const ${step})` : step}))
      (br $${name})))`;

/** Loops over (b, t, h) with `$sp` / `$dp` at that head vector in `src` / `dst` (layouts chosen by `$toHm`). */
const relayout = (
  name: string,
  params: { before: string; after: string },
  locals: string,
  perToken: string,
  body: string,
) => `
  (func $${name} (export "${name}") (param $src i32) (param $dst i32) ${params.before}
        (param $batch i32) (param $time i32) (param $heads i32) (param $hd i32) ${params.after}
    (local $b i32) (local $t i32) (local $h i32) (local $i i32) (local $hdB i32) (local $tm i32) (local $hm i32)
    (local $sp i32) (local $dp i32)
    ${locals}
    (local.set $hdB (i32.shl ${get('hd')} (i32.const 2)))
    ${loop(
      `${name}_b`,
      'b',
      get('batch'),
      1,
      loop(
        `${name}_t`,
        't',
        get('time'),
        1,
        `${perToken}
      ${loop(
        `${name}_h`,
        'h',
        get('heads'),
        1,
        `(local.set $tm ${mul(add(mul(add(mul(get('b'), get('time')), get('t')), get('heads')), get('h')), get('hdB'))})
        (local.set $hm ${mul(add(mul(add(mul(get('b'), get('heads')), get('h')), get('time')), get('t')), get('hdB'))})
        (local.set $sp ${add(get('src'), `(select ${get('tm')} ${get('hm')} ${get('toHm')})`)})
        (local.set $dp ${add(get('dst'), `(select ${get('hm')} ${get('tm')} ${get('toHm')})`)})
        ${body}`,
      )}`,
      ),
    )})`;

const ropeTrain = relayout(
  'rope_train',
  { before: '(param $cos i32) (param $sin i32)', after: '(param $angleHeads i32) (param $toHm i32) (param $sign f32)' },
  '(local $halfB i32) (local $cp i32) (local $snp i32) (local $vsign v128) (local $c v128) (local $s v128) (local $x1 v128) (local $x2 v128)',
  `(local.set $halfB (i32.shl ${get('hd')} (i32.const 1)))
      (local.set $vsign (f32x4.splat ${get('sign')}))
      (local.set $cp ${add(get('cos'), mul(add(mul(mul(get('b'), get('angleHeads')), get('time')), get('t')), get('hdB')))})
      (local.set $snp ${add(get('sin'), mul(add(mul(mul(get('b'), get('angleHeads')), get('time')), get('t')), get('hdB')))})`,
  loop(
    'rope_i',
    'i',
    get('halfB'),
    16,
    `(local.set $c ${load(add(get('cp'), get('i')))})
          (local.set $s (f32x4.mul ${load(add(get('snp'), get('i')))} ${get('vsign')}))
          (local.set $x1 ${load(add(get('sp'), get('i')))})
          (local.set $x2 ${load(add(add(get('sp'), get('halfB')), get('i')))})
          ${store(add(get('dp'), get('i')), `(f32x4.sub (f32x4.mul ${get('x1')} ${get('c')}) (f32x4.mul ${get('x2')} ${get('s')}))`)}
          ${store(add(add(get('dp'), get('halfB')), get('i')), `(f32x4.add (f32x4.mul ${get('x2')} ${get('c')}) (f32x4.mul ${get('x1')} ${get('s')}))`)}`,
  ),
);

const headsCopy = relayout(
  'heads_copy',
  { before: '', after: '(param $toHm i32)' },
  '',
  '',
  `(memory.copy ${get('dp')} ${get('sp')} ${get('hdB')})`,
);

const softmaxFwd = () => `
  (func $softmax_fwd (export "softmax_fwd") (param $p i32) (param $bias i32) (param $batch i32) (param $heads i32)
        (param $time i32) (param $s i32) (param $ld i32) (param $scale f32)
    (local $b i32) (local $h i32) (local $t i32) (local $j i32) (local $row i32) (local $br i32)
    (local $sB i32) (local $s4B i32) (local $ldB i32) (local $vscale v128) (local $vmx v128) (local $vsum v128)
    (local $mx f32) (local $v f32) (local $inv f32) (local $vinv v128)
    ${expLocals('')}
    (local.set $sB (i32.shl ${get('s')} (i32.const 2)))
    (local.set $s4B (i32.and ${get('sB')} (i32.const -16)))
    (local.set $ldB (i32.shl ${get('ld')} (i32.const 2)))
    (local.set $vscale (f32x4.splat ${get('scale')}))
    ${loop(
      'sf_b',
      'b',
      get('batch'),
      1,
      loop(
        'sf_h',
        'h',
        get('heads'),
        1,
        loop(
          'sf_t',
          't',
          get('time'),
          1,
          `(local.set $row ${add(get('p'), mul(add(mul(add(mul(get('b'), get('heads')), get('h')), get('time')), get('t')), get('ldB')))})
          (local.set $br ${add(get('bias'), mul(add(mul(get('b'), get('time')), get('t')), get('sB')))})
          (local.set $vmx (f32x4.splat (f32.const -inf)))
          (local.set $mx (f32.const -inf))
          ${loop(
            'sf_vec',
            'j',
            get('s4B'),
            16,
            `(local.set $x (f32x4.add (f32x4.mul ${load(add(get('row'), get('j')))} ${get('vscale')}) ${load(add(get('br'), get('j')))}))
            ${store(add(get('row'), get('j')), get('x'))}
            (local.set $vmx (f32x4.max ${get('vmx')} ${get('x')}))`,
          )}
          (block $sf_tail_done (loop $sf_tail
            (br_if $sf_tail_done (i32.ge_u ${get('j')} ${get('sB')}))
            (local.set $v (f32.add (f32.mul (f32.load ${add(get('row'), get('j'))}) ${get('scale')}) (f32.load ${add(get('br'), get('j'))})))
            (f32.store ${add(get('row'), get('j'))} ${get('v')})
            (local.set $mx (f32.max ${get('mx')} ${get('v')}))
            (local.set $j (i32.add ${get('j')} (i32.const 4)))
            (br $sf_tail)))
          (block $sf_pad_done (loop $sf_pad
            (br_if $sf_pad_done (i32.ge_u ${get('j')} ${get('ldB')}))
            (f32.store ${add(get('row'), get('j'))} (f32.const -inf))
            (local.set $j (i32.add ${get('j')} (i32.const 4)))
            (br $sf_pad)))
          (local.set $vmx (f32x4.splat (f32.max ${get('mx')} ${lanesMax(get('vmx'))})))
          (local.set $vsum (v128.const f32x4 0 0 0 0))
          ${loop(
            'sf_exp',
            'j',
            get('ldB'),
            16,
            `(local.set $x (f32x4.sub ${load(add(get('row'), get('j')))} ${get('vmx')}))
            ${exp4('')}
            ${store(add(get('row'), get('j')), get('e'))}
            (local.set $vsum (f32x4.add ${get('vsum')} ${get('e')}))`,
          )}
          (local.set $vinv (f32x4.splat (f32.div (f32.const 1) ${lanesSum(get('vsum'))})))
          ${loop(
            'sf_norm',
            'j',
            get('ldB'),
            16,
            store(add(get('row'), get('j')), `(f32x4.mul ${load(add(get('row'), get('j')))} ${get('vinv')})`),
          )}`,
        ),
      ),
    )})`;

const softmaxBwd = `
  (func $softmax_bwd (export "softmax_bwd") (param $p i32) (param $ds i32) (param $rows i32) (param $ld i32)
        (param $scale f32)
    (local $r i32) (local $j i32) (local $ldB i32) (local $pr i32) (local $dr i32) (local $acc v128) (local $vdot v128)
    (local $vscale v128) (local $pv v128)
    (local.set $ldB (i32.shl ${get('ld')} (i32.const 2)))
    (local.set $vscale (f32x4.splat ${get('scale')}))
    ${loop(
      'sb_r',
      'r',
      get('rows'),
      1,
      `(local.set $pr ${add(get('p'), mul(get('r'), get('ldB')))})
      (local.set $dr ${add(get('ds'), mul(get('r'), get('ldB')))})
      (local.set $acc (v128.const f32x4 0 0 0 0))
      ${loop(
        'sb_dot',
        'j',
        get('ldB'),
        16,
        `(local.set $acc (f32x4.add ${get('acc')} (f32x4.mul ${load(add(get('pr'), get('j')))} ${load(add(get('dr'), get('j')))})))`,
      )}
      (local.set $vdot (f32x4.splat ${lanesSum(get('acc'))}))
      ${loop(
        'sb_out',
        'j',
        get('ldB'),
        16,
        `(local.set $pv ${load(add(get('pr'), get('j')))})
        ${store(add(get('dr'), get('j')), `(f32x4.mul (f32x4.mul ${get('pv')} ${get('vscale')}) (f32x4.sub ${load(add(get('dr'), get('j')))} ${get('vdot')}))`)}`,
      )}`,
    )})`;

/** The module text of these loops (a function: `gemm-wat.ts` imports this file and this file its `exp4`). */
export const attentionTrainKernels = (): string => `${ropeTrain}
${headsCopy}
${softmaxFwd()}
${softmaxBwd}`;
