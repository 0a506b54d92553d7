/**
 * The decode-attention loop for the kernel module (`gemm-wat.ts` splices it in, so it shares its heap and its
 * build): one query row per (row, head) against that row's cached keys and values, as one pass each way instead of
 * two batched matmuls, a scale, a bias add and a softmax over `[B, H, 1, S]` (each its own kernel and allocation).
 *
 * `attn_decode(q, kc, vc, bias, out, sc, rows, heads, kvHeads, cap, len, hd, scale)`, pointers in bytes:
 * q `[rows, heads, hd]`, kc / vc `[rows, kvHeads, cap, hd]` (only the first `len` slots are read), bias `[rows, len]`
 * (additive), out `[rows, heads, hd]`, sc a scratch of `len` rounded up to 4 floats. Query head h reads kv head
 * ⌊h / (heads / kvHeads)⌋ (HF `repeat_kv` order). `hd` must be a multiple of 4. Per (row, head):
 * `s = q·k·scale + bias`, `p = e^(s − max s) / Σ`, `out = Σ p·v`. Dot products run in four f32 lanes, four keys at
 * a time; the exponential is `exp4` (about 1 ulp), so results agree with the composed ops to float32 rounding.
 *
 * `rope_heads(src, pbias, dst, cos, sin, rows, heads, hd, stride)`: RoPE (`rotate_half`) of `src + pbias`
 * (`[rows, heads, hd]` plus the projection bias `[heads, hd]`) with row b's angles at `cos` / `sin` + b·hd floats,
 * head (b, h) written at `dst` + (b·heads + h)·stride floats (stride hd: packed; cap·hd: one slot of a KV cache).
 * Scalar f32, the composed ops' exact arithmetic. `bias_heads(src, pbias, dst, rows, heads, hd, stride)`: the same
 * without the rotation (values).
 */
import { exp4, expLocals } from './gemm-wat';

const get = (n: string) => `(local.get $${n})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const lanesSum = (acc: string) =>
  `(f32.add (f32.add (f32x4.extract_lane 0 ${get(acc)}) (f32x4.extract_lane 1 ${get(acc)}))
            (f32.add (f32x4.extract_lane 2 ${get(acc)}) (f32x4.extract_lane 3 ${get(acc)})))`;

/** Stores key `u`'s score (lanes of `$acc{u}` summed, scaled, biased) at slot `$s + u` and updates `$mx`. */
const score = (u: number) => `
        (local.set $t (f32.add (f32.mul ${lanesSum(`acc${u}`)} ${get('scale')})
          (f32.load offset=${4 * u} ${add(get('bp'), `(i32.shl ${get('s')} (i32.const 2))`)})))
        (f32.store offset=${4 * u} ${add(get('sc'), `(i32.shl ${get('s')} (i32.const 2))`)} ${get('t')})
        (local.set $mx (f32.max ${get('mx')} ${get('t')}))`;

/** `$acc{u} += q · key u` at byte `$j` of the row (key u at `$k{u}`). */
const dot = (u: number) =>
  `(local.set $acc${u} (f32x4.add ${get(`acc${u}`)} (f32x4.mul ${get('qv')} (v128.load align=4 ${add(get(`k${u}`), get('j'))}))))`;

/** `$k{u}` = key u of the group starting at `$kp` (`$vp` for values). */
const keyPointers = (from: string, units: number) =>
  Array.from(
    { length: units },
    (_, u) => `(local.set $k${u} ${u === 0 ? get(from) : add(get(from), `(i32.mul (i32.const ${u}) ${get('hdB')})`)})`,
  ).join('\n          ');

/** The weight of value u of the group at `$s`: its probability, splatted. */
const weight = (u: number) =>
  `(local.set $w${u} (f32x4.splat (f32.mul ${get('inv')} (f32.load offset=${4 * u} ${add(get('sc'), `(i32.shl ${get('s')} (i32.const 2))`)}))))`;

/** `out[j..j+4] += Σ_u w_u · v_u[j..j+4]` over `units` values. */
const accumulate = (units: number) =>
  `(v128.store align=4 ${add(get('op'), get('j'))} ${Array.from({ length: units }, (_, u) => u).reduce(
    (acc, u) => `(f32x4.add ${acc} (f32x4.mul ${get(`w${u}`)} (v128.load align=4 ${add(get(`k${u}`), get('j'))})))`,
    `(v128.load align=4 ${add(get('op'), get('j'))})`,
  )})`;

/** Loops over (row b, head h) of a `[rows, heads, hd]` tensor at `$src`: `$sp`, `$dp`, `$pb` point at that head in
 * `src`, in `dst` (head stride `$stride` floats) and in the bias (`[heads, hd]`). */
const perHead = (name: string, params: string, locals: string, setup: string, body: string) => `
  (func $${name} (export "${name}") (param $src i32) (param $pbias i32) (param $dst i32) ${params}
        (param $rows i32) (param $heads i32) (param $hd i32) (param $stride i32)
    (local $b i32) (local $h i32) (local $i i32) (local $hdB i32) (local $sp i32) (local $dp i32) (local $pb i32)
    ${locals}
    (local.set $hdB (i32.shl ${get('hd')} (i32.const 2)))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.ge_u ${get('b')} ${get('rows')}))
      ${setup}
      (local.set $h (i32.const 0))
      (block $heads_done (loop $head
        (br_if $heads_done (i32.ge_u ${get('h')} ${get('heads')}))
        (local.set $sp ${add(get('src'), `(i32.mul (i32.add (i32.mul ${get('b')} ${get('heads')}) ${get('h')}) ${get('hdB')})`)})
        (local.set $dp ${add(get('dst'), `(i32.shl (i32.mul (i32.add (i32.mul ${get('b')} ${get('heads')}) ${get('h')}) ${get('stride')}) (i32.const 2))`)})
        (local.set $pb ${add(get('pbias'), `(i32.mul ${get('h')} ${get('hdB')})`)})
        (local.set $i (i32.const 0))
        ${body}
        (local.set $h (i32.add ${get('h')} (i32.const 1)))
        (br $head)))
      (local.set $b (i32.add ${get('b')} (i32.const 1)))
      (br $row))))`;

const f32At = (ptr: string, off = '') => `(f32.load ${add(off ? add(get(ptr), off) : get(ptr), get('i'))})`;
const ropeHeads = perHead(
  'rope_heads',
  '(param $cos i32) (param $sin i32)',
  '(local $halfB i32) (local $cp i32) (local $snp i32) (local $c f32) (local $s f32) (local $x1 f32) (local $x2 f32)',
  `(local.set $halfB (i32.shl ${get('hd')} (i32.const 1)))
      (local.set $cp ${add(get('cos'), `(i32.mul ${get('b')} ${get('hdB')})`)})
      (local.set $snp ${add(get('sin'), `(i32.mul ${get('b')} ${get('hdB')})`)})`,
  `(block $half_done (loop $half
          (br_if $half_done (i32.ge_u ${get('i')} ${get('halfB')}))
          (local.set $c ${f32At('cp')})
          (local.set $s ${f32At('snp')})
          (local.set $x1 (f32.add ${f32At('sp')} ${f32At('pb')}))
          (local.set $x2 (f32.add ${f32At('sp', get('halfB'))} ${f32At('pb', get('halfB'))}))
          (f32.store ${add(get('dp'), get('i'))}
            (f32.sub (f32.mul ${get('x1')} ${get('c')}) (f32.mul ${get('x2')} ${get('s')})))
          (f32.store ${add(add(get('dp'), get('halfB')), get('i'))}
            (f32.add (f32.mul ${get('x2')} ${get('c')}) (f32.mul ${get('x1')} ${get('s')})))
          (local.set $i (i32.add ${get('i')} (i32.const 4)))
          (br $half)))`,
);

const biasHeads = perHead(
  'bias_heads',
  '',
  '',
  '',
  `(block $vec_done (loop $vec
          (br_if $vec_done (i32.ge_u ${get('i')} ${get('hdB')}))
          (v128.store align=4 ${add(get('dp'), get('i'))}
            (f32x4.add (v128.load align=4 ${add(get('sp'), get('i'))}) (v128.load align=4 ${add(get('pb'), get('i'))})))
          (local.set $i (i32.add ${get('i')} (i32.const 16)))
          (br $vec)))`,
);

/** The module text of these loops (a function: `gemm-wat.ts` imports this file and this file its `exp4`). */
export const attentionKernels = (): string => `
  (func $attn_decode (export "attn_decode") (param $q i32) (param $kc i32) (param $vc i32) (param $bias i32)
        (param $out i32) (param $sc i32) (param $rows i32) (param $heads i32) (param $kvHeads i32) (param $cap i32)
        (param $len i32) (param $hd i32) (param $scale f32)
    (local $b i32) (local $h i32) (local $s i32) (local $j i32) (local $hdB i32) (local $group i32) (local $len4 i32)
    (local $qp i32) (local $kp i32) (local $vp i32) (local $op i32) (local $bp i32) (local $base i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $qv v128)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
    (local $k0 i32) (local $k1 i32) (local $k2 i32) (local $k3 i32)
    (local $vmx v128) (local $vsum v128) (local $mx f32) (local $t f32) (local $inv f32)
    ${expLocals('')}
    (local.set $hdB (i32.shl ${get('hd')} (i32.const 2)))
    (local.set $group (i32.div_u ${get('heads')} ${get('kvHeads')}))
    (local.set $len4 (i32.and (i32.add ${get('len')} (i32.const 3)) (i32.const -4)))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.ge_u ${get('b')} ${get('rows')}))
      (local.set $bp ${add(get('bias'), `(i32.shl (i32.mul ${get('b')} ${get('len')}) (i32.const 2))`)})
      (local.set $h (i32.const 0))
      (block $heads_done (loop $head
        (br_if $heads_done (i32.ge_u ${get('h')} ${get('heads')}))
        (local.set $base (i32.mul
          (i32.mul (i32.add (i32.mul ${get('b')} ${get('kvHeads')}) (i32.div_u ${get('h')} ${get('group')})) ${get('cap')})
          ${get('hdB')}))
        (local.set $qp ${add(get('q'), `(i32.mul (i32.add (i32.mul ${get('b')} ${get('heads')}) ${get('h')}) ${get('hdB')})`)})
        (local.set $op ${add(get('out'), `(i32.mul (i32.add (i32.mul ${get('b')} ${get('heads')}) ${get('h')}) ${get('hdB')})`)})
        (local.set $mx (f32.const -inf))
        (local.set $s (i32.const 0))
        (local.set $kp ${add(get('kc'), get('base'))})
        (block $four_done (loop $four
          (br_if $four_done (i32.gt_u (i32.add ${get('s')} (i32.const 4)) ${get('len')}))
          (local.set $acc0 (v128.const f32x4 0 0 0 0))
          (local.set $acc1 (v128.const f32x4 0 0 0 0))
          (local.set $acc2 (v128.const f32x4 0 0 0 0))
          (local.set $acc3 (v128.const f32x4 0 0 0 0))
          ${keyPointers('kp', 4)}
          (local.set $j (i32.const 0))
          (block $dot4_done (loop $dot4
            (br_if $dot4_done (i32.ge_u ${get('j')} ${get('hdB')}))
            (local.set $qv (v128.load align=4 ${add(get('qp'), get('j'))}))
            ${[0, 1, 2, 3].map(dot).join('\n            ')}
            (local.set $j (i32.add ${get('j')} (i32.const 16)))
            (br $dot4)))
          ${[0, 1, 2, 3].map(score).join('')}
          (local.set $s (i32.add ${get('s')} (i32.const 4)))
          (local.set $kp (i32.add ${get('kp')} (i32.shl ${get('hdB')} (i32.const 2))))
          (br $four)))
        (block $one_done (loop $one
          (br_if $one_done (i32.ge_u ${get('s')} ${get('len')}))
          (local.set $acc0 (v128.const f32x4 0 0 0 0))
          ${keyPointers('kp', 1)}
          (local.set $j (i32.const 0))
          (block $dot1_done (loop $dot1
            (br_if $dot1_done (i32.ge_u ${get('j')} ${get('hdB')}))
            (local.set $qv (v128.load align=4 ${add(get('qp'), get('j'))}))
            ${dot(0)}
            (local.set $j (i32.add ${get('j')} (i32.const 16)))
            (br $dot1)))
          ${score(0)}
          (local.set $s (i32.add ${get('s')} (i32.const 1)))
          (local.set $kp (i32.add ${get('kp')} ${get('hdB')}))
          (br $one)))
        ;; Slots up to the next multiple of 4 get −∞ (e^ gives 0), so the exponential runs on whole vectors.
        (block $pad_done (loop $pad
          (br_if $pad_done (i32.ge_u ${get('s')} ${get('len4')}))
          (f32.store ${add(get('sc'), `(i32.shl ${get('s')} (i32.const 2))`)} (f32.const -inf))
          (local.set $s (i32.add ${get('s')} (i32.const 1)))
          (br $pad)))
        (local.set $vmx (f32x4.splat ${get('mx')}))
        (local.set $vsum (v128.const f32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $exp_done (loop $exp
          (br_if $exp_done (i32.ge_u ${get('j')} (i32.shl ${get('len4')} (i32.const 2))))
          (local.set $x (f32x4.sub (v128.load align=4 ${add(get('sc'), get('j'))}) ${get('vmx')}))
          ${exp4('')}
          (v128.store align=4 ${add(get('sc'), get('j'))} ${get('e')})
          (local.set $vsum (f32x4.add ${get('vsum')} ${get('e')}))
          (local.set $j (i32.add ${get('j')} (i32.const 16)))
          (br $exp)))
        (local.set $inv (f32.div (f32.const 1) ${lanesSum('vsum')}))
        (local.set $j (i32.const 0))
        (block $zero_done (loop $zero
          (br_if $zero_done (i32.ge_u ${get('j')} ${get('hdB')}))
          (v128.store align=4 ${add(get('op'), get('j'))} (v128.const f32x4 0 0 0 0))
          (local.set $j (i32.add ${get('j')} (i32.const 16)))
          (br $zero)))
        (local.set $s (i32.const 0))
        (local.set $vp ${add(get('vc'), get('base'))})
        (block $pv4_done (loop $pv4
          (br_if $pv4_done (i32.gt_u (i32.add ${get('s')} (i32.const 4)) ${get('len')}))
          ${[0, 1, 2, 3].map(weight).join('\n          ')}
          ${keyPointers('vp', 4)}
          (local.set $j (i32.const 0))
          (block $acc4_done (loop $acc4
            (br_if $acc4_done (i32.ge_u ${get('j')} ${get('hdB')}))
            ${accumulate(4)}
            (local.set $j (i32.add ${get('j')} (i32.const 16)))
            (br $acc4)))
          (local.set $s (i32.add ${get('s')} (i32.const 4)))
          (local.set $vp (i32.add ${get('vp')} (i32.shl ${get('hdB')} (i32.const 2))))
          (br $pv4)))
        (block $pv1_done (loop $pv1
          (br_if $pv1_done (i32.ge_u ${get('s')} ${get('len')}))
          ${weight(0)}
          ${keyPointers('vp', 1)}
          (local.set $j (i32.const 0))
          (block $acc1_done (loop $acc1
            (br_if $acc1_done (i32.ge_u ${get('j')} ${get('hdB')}))
            ${accumulate(1)}
            (local.set $j (i32.add ${get('j')} (i32.const 16)))
            (br $acc1)))
          (local.set $s (i32.add ${get('s')} (i32.const 1)))
          (local.set $vp (i32.add ${get('vp')} ${get('hdB')}))
          (br $pv1)))
        (local.set $h (i32.add ${get('h')} (i32.const 1)))
        (br $head)))
      (local.set $b (i32.add ${get('b')} (i32.const 1)))
      (br $row))))
${ropeHeads}
${biasHeads}`;
