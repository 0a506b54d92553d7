/**
 * Source of our wasm SIMD matmul kernel, as WebAssembly text generated from a few register-block shapes.
 * `generate.ts` assembles it (with the `wabt` dev dependency) into `gemm-binary.ts`, which is what ships; the test
 * re-assembles it and checks the shipped bytes still match this source.
 *
 * The kernel: `gemm(a, b, c, m, n, k, rsa, csa, ldb, ldc, accumulate)` computes `C[m, n] (+)= A[m, k] · B[k, n]` for
 * operands given as byte offsets into tfjs's wasm heap. A is addressed by two strides (in elements): element (i, p)
 * sits at `a + i·rsa + p·csa`, so a row-major A is `rsa = lda, csa = 1` and a transposed one (stored `[k, m]`, the
 * `gᵀ·x` of every weight gradient) is `rsa = 1, csa = lda` — no transpose pass. B and C are row-major with leading
 * dimensions `ldb`, `ldc`. `accumulate = 1` adds into C instead of overwriting it (for sums of products).
 * It is single-threaded on purpose: it serves the many small matmuls (attention's per-head products, each MoE
 * expert's rows) for which waking XNNPACK's thread pool costs more than the work. Blocks of 4 rows × 8 columns keep
 * 8 f32x4 accumulators in registers (plus 2 for B and 1 for the broadcast A element — under the 16 SIMD registers of
 * x86-64); edges use 4×4, 1×8, 1×4 blocks and a scalar loop. The module imports the heap as `env.memory` — shared
 * for the threaded tfjs build, not for the single-threaded one, so there are two variants. It does not pack B.
 * The module also carries `adamw`, the fused optimiser update (below), which needs the same heap access.
 */
import { attentionTrainKernels } from './attention-train-wat';
import { attentionKernels } from './attention-wat';
import { normKernels } from './norm-wat';

/**
 * One register block: rows × (4·vecs) columns of C, accumulated over k. With `relaxed`, each multiply-add is one
 * `f32x4.relaxed_madd` (an FMA on x86-64 with FMA3, a single rounding) instead of a multiply and an add.
 */
function block(rows: number, vecs: number, relaxed: boolean): string {
  const name = `$blk_${rows}x${vecs}`;
  const accs: string[] = [];
  for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) accs.push(`$acc${r}_${v}`);
  const locals = [
    ...accs.map((a) => `(local ${a} v128)`),
    ...Array.from({ length: vecs }, (_, v) => `(local $b${v} v128)`),
    '(local $s v128)',
    ...Array.from({ length: rows }, (_, r) => `(local $a${r} i32)`),
    '(local $bp i32) (local $end i32)',
  ].join(' ');
  const init = Array.from(
    { length: rows },
    (_, r) => `(local.set $a${r} (i32.add (local.get $a) (i32.mul (i32.const ${r}) (local.get $rsa))))`,
  ).join('\n    ');
  // Accumulators start at zero (wasm locals do) or, when accumulating, at C.
  const loadC = Array.from({ length: rows }, (_, r) =>
    Array.from(
      { length: vecs },
      (_, v) =>
        `(local.set $acc${r}_${v} (v128.load offset=${16 * v} align=4 (i32.add (local.get $c) (i32.mul (i32.const ${r}) (local.get $ldc)))))`,
    ).join('\n      '),
  ).join('\n      ');
  const loadB = Array.from(
    { length: vecs },
    (_, v) => `(local.set $b${v} (v128.load offset=${16 * v} align=4 (local.get $bp)))`,
  ).join('\n      ');
  const fma = Array.from({ length: rows }, (_, r) => {
    const splat = `(local.set $s (v128.load32_splat (local.get $a${r})))`;
    const adds = Array.from({ length: vecs }, (_, v) =>
      relaxed
        ? `(local.set $acc${r}_${v} (f32x4.relaxed_madd (local.get $s) (local.get $b${v}) (local.get $acc${r}_${v})))`
        : `(local.set $acc${r}_${v} (f32x4.add (local.get $acc${r}_${v}) (f32x4.mul (local.get $s) (local.get $b${v}))))`,
    );
    const step = `(local.set $a${r} (i32.add (local.get $a${r}) (local.get $csa)))`;
    return [splat, ...adds, step].join('\n      ');
  }).join('\n      ');
  const store = Array.from({ length: rows }, (_, r) =>
    Array.from(
      { length: vecs },
      (_, v) =>
        `(v128.store offset=${16 * v} align=4 (i32.add (local.get $c) (i32.mul (i32.const ${r}) (local.get $ldc))) (local.get $acc${r}_${v}))`,
    ).join('\n    '),
  ).join('\n    ');
  return `
  (func ${name} (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $rsa i32) (param $csa i32)
        (param $ldb i32) (param $ldc i32) (param $accumulate i32)
    ${locals}
    ${init}
    (if (local.get $accumulate) (then
      ${loadC}))
    (local.set $bp (local.get $b))
    (local.set $end (i32.add (local.get $a0) (i32.mul (local.get $k) (local.get $csa))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $a0) (local.get $end)))
      ${loadB}
      ${fma}
      (local.set $bp (i32.add (local.get $bp) (local.get $ldb)))
      (br $next)))
    ${store})`;
}

/** Scalar edge: rows × cols of C, one dot product at a time. */
const scalar = `
  (func $scalar (param $a i32) (param $b i32) (param $c i32) (param $rows i32) (param $cols i32) (param $k i32)
        (param $rsa i32) (param $csa i32) (param $ldb i32) (param $ldc i32) (param $accumulate i32)
    (local $r i32) (local $j i32) (local $p i32) (local $sum f32) (local $ap i32) (local $bp i32) (local $cp i32)
    (block $rows_done (loop $row
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $cols_done (loop $col
        (br_if $cols_done (i32.ge_u (local.get $j) (local.get $cols)))
        (local.set $cp (i32.add (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $sum (if (result f32) (local.get $accumulate) (then (f32.load (local.get $cp))) (else (f32.const 0))))
        (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $rsa))))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $k_done (loop $dot
          (br_if $k_done (i32.ge_u (local.get $p) (local.get $k)))
          (local.set $sum (f32.add (local.get $sum) (f32.mul (f32.load (local.get $ap)) (f32.load (local.get $bp)))))
          (local.set $ap (i32.add (local.get $ap) (local.get $csa)))
          (local.set $bp (i32.add (local.get $bp) (local.get $ldb)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $dot)))
        (f32.store (local.get $cp) (local.get $sum))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $col)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row))))`;

/** One band of `rows` rows: 8-wide blocks, then a 4-wide block, then scalar columns. */
function band(rows: number): string {
  return `
  (func $band_${rows} (param $a i32) (param $b i32) (param $c i32) (param $n i32) (param $k i32)
        (param $rsa i32) (param $csa i32) (param $ldb i32) (param $ldc i32) (param $accumulate i32)
    (local $j i32)
    (block $wide_done (loop $wide
      (br_if $wide_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
      (call $blk_${rows}x2 (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))
        (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))) (local.get $k) (local.get $rsa) (local.get $csa) (local.get $ldb) (local.get $ldc) (local.get $accumulate))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $wide)))
    (if (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)) (then
      (call $blk_${rows}x1 (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))
        (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))) (local.get $k) (local.get $rsa) (local.get $csa) (local.get $ldb) (local.get $ldc) (local.get $accumulate))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))))
    (call $scalar (local.get $a) (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))
      (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))) (i32.const ${rows}) (i32.sub (local.get $n) (local.get $j))
      (local.get $k) (local.get $rsa) (local.get $csa) (local.get $ldb) (local.get $ldc) (local.get $accumulate)))`;
}

const gemm = `
  (func $gemm (export "gemm") (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $n i32) (param $k i32)
        (param $rsa i32) (param $csa i32) (param $ldb i32) (param $ldc i32) (param $accumulate i32)
    (local $i i32)
    ;; strides in bytes from here on
    (local.set $rsa (i32.shl (local.get $rsa) (i32.const 2)))
    (local.set $csa (i32.shl (local.get $csa) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (block $bands_done (loop $bands
      (br_if $bands_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
      (call $band_4 (local.get $a) (local.get $b) (local.get $c) (local.get $n) (local.get $k) (local.get $rsa) (local.get $csa) (local.get $ldb) (local.get $ldc) (local.get $accumulate))
      (local.set $a (i32.add (local.get $a) (i32.shl (local.get $rsa) (i32.const 2))))
      (local.set $c (i32.add (local.get $c) (i32.shl (local.get $ldc) (i32.const 2))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $bands)))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $m)))
      (call $band_1 (local.get $a) (local.get $b) (local.get $c) (local.get $n) (local.get $k) (local.get $rsa) (local.get $csa) (local.get $ldb) (local.get $ldc) (local.get $accumulate))
      (local.set $a (i32.add (local.get $a) (local.get $rsa)))
      (local.set $c (i32.add (local.get $c) (local.get $ldc)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows))))`;

/** What an element-wise body sees: one float (`f32`) or four (`f32x4`) at the current offset. */
interface Lanes {
  t: 'f32' | 'f32x4';
  /** The value at pointer parameter `ptr`. */
  load(ptr: string): string;
  /** Stores `value` at pointer parameter `ptr`. */
  store(ptr: string, value: string): string;
  /** Scalar parameter `name`, splatted in the vector loop. */
  param(name: string): string;
  /** A temporary of this width: `get(name)` / `set(name, value)`. */
  get(name: string): string;
  set(name: string, value: string): string;
  constant(value: number): string;
  /** `${t}.${op}` applied to the arguments. */
  op(op: string, ...args: string[]): string;
}

/**
 * An element-wise function over `n` floats: `(ptrs…, n, scalars…)`, pointers in bytes, four lanes at a time then a
 * scalar tail. `body` writes the statements for one position given `Lanes`.
 */
function elementwise(
  name: string,
  ptrs: string[],
  scalars: string[],
  temps: string[],
  body: (l: Lanes) => string,
): string {
  const lanes = (t: 'f32' | 'f32x4', pre: string): Lanes => ({
    t,
    load: (ptr) => `(${t === 'f32' ? 'f32.load' : 'v128.load align=4'} (i32.add (local.get $${ptr}) (local.get $off)))`,
    store: (ptr, value) =>
      `(${t === 'f32' ? 'f32.store' : 'v128.store align=4'} (i32.add (local.get $${ptr}) (local.get $off)) ${value})`,
    param: (p) => (t === 'f32' ? `(local.get $${p})` : `(local.get $v_${p})`),
    get: (n) => `(local.get $${pre}${n})`,
    set: (n, value) => `(local.set $${pre}${n} ${value})`,
    constant: (v) => (t === 'f32' ? `(f32.const ${v})` : `(v128.const f32x4 ${v} ${v} ${v} ${v})`),
    op: (op, ...args) => `(${t}.${op} ${args.join(' ')})`,
  });
  return `
  (func $${name} (export "${name}") ${ptrs.map((p) => `(param $${p} i32)`).join(' ')} (param $n i32)
        ${scalars.map((p) => `(param $${p} f32)`).join(' ')}
    (local $off i32) (local $end i32) (local $vecEnd i32)
    ${scalars.map((p) => `(local $v_${p} v128)`).join(' ')}
    ${temps.map((n) => `(local $v${n} v128) (local $s${n} f32)`).join(' ')}
    ${scalars.map((p) => `(local.set $v_${p} (f32x4.splat (local.get $${p})))`).join('\n    ')}
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vec_done (loop $vec
      (br_if $vec_done (i32.ge_u (local.get $off) (local.get $vecEnd)))
      ${body(lanes('f32x4', 'v'))}
      (local.set $off (i32.add (local.get $off) (i32.const 16)))
      (br $vec)))
    (block $done (loop $tail
      (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
      ${body(lanes('f32', 's'))}
      (local.set $off (i32.add (local.get $off) (i32.const 4)))
      (br $tail))))`;
}

/**
 * `adamw(p, g, m, v, p1, m1, v1, n, β₁, β₂, 1−β₁, 1−β₂, decay, stepSize, √bc₂, ε)`: one AdamW update of n floats
 * (PyTorch's rule, see `optim/adamw-update.ts`), float32 throughout like the composed ops:
 * m1 = β₁m + (1−β₁)g, v1 = β₂v + (1−β₂)g², p1 = p·decay − stepSize·m1 / (√v1 / √bc₂ + ε).
 */
const adamw = elementwise(
  'adamw',
  ['p', 'g', 'm', 'v', 'p1', 'm1', 'v1'],
  ['b1', 'b2', 'c1', 'c2', 'decay', 'step', 'bc2', 'eps'],
  ['g', 'm', 'v'],
  (l) => `${l.set('g', l.load('g'))}
      ${l.set('m', l.op('add', l.op('mul', l.param('b1'), l.load('m')), l.op('mul', l.param('c1'), l.get('g'))))}
      ${l.set('v', l.op('add', l.op('mul', l.param('b2'), l.load('v')), l.op('mul', l.param('c2'), l.op('mul', l.get('g'), l.get('g')))))}
      ${l.store('m1', l.get('m'))}
      ${l.store('v1', l.get('v'))}
      ${l.store(
        'p1',
        l.op(
          'sub',
          l.op('mul', l.load('p'), l.param('decay')),
          l.op(
            'div',
            l.op('mul', l.param('step'), l.get('m')),
            l.op('add', l.op('div', l.op('sqrt', l.get('v')), l.param('bc2')), l.param('eps')),
          ),
        ),
      )}`,
);

/** `swiglu_fwd(g, s, u, h, n)`: h = g·s·u, i.e. silu(g)·u given s = σ(g). */
const swigluForward = elementwise('swiglu_fwd', ['g', 's', 'u', 'h'], [], [], (l) =>
  l.store('h', l.op('mul', l.op('mul', l.load('g'), l.load('s')), l.load('u'))),
);

/**
 * `swiglu_bwd(g, s, u, dh, hid, dg, n)`, given s = σ(g) and dh = dL/d(silu(g)·u): hid = silu(g)·u,
 * dg = dh·u·silu'(g) with silu'(g) = s·(1 + g − silu(g)), and dh is overwritten by dL/du = dh·silu(g).
 */
const swigluBackward = elementwise(
  'swiglu_bwd',
  ['g', 's', 'u', 'dh', 'hid', 'dg'],
  [],
  ['g', 's', 'u', 'dh', 'silu'],
  (l) => `${l.set('g', l.load('g'))}
      ${l.set('s', l.load('s'))}
      ${l.set('u', l.load('u'))}
      ${l.set('dh', l.load('dh'))}
      ${l.set('silu', l.op('mul', l.get('g'), l.get('s')))}
      ${l.store('hid', l.op('mul', l.get('silu'), l.get('u')))}
      ${l.store(
        'dg',
        l.op(
          'mul',
          l.op('mul', l.op('mul', l.get('dh'), l.get('u')), l.get('s')),
          l.op('sub', l.op('add', l.constant(1), l.get('g')), l.get('silu')),
        ),
      )}
      ${l.store('dh', l.op('mul', l.get('dh'), l.get('silu')))}`,
);

/**
 * Row loops of a routed MoE layer, over the M routed rows in expert order: `order` (int32, M) holds each row's
 * slot `t·k + j` (token t, its j-th expert). Rows are d floats; d need not be a multiple of 4.
 *
 * - `gather_rows(x, xs, order, m, k, d)`: xs[r] = x[order[r] / k].
 * - `scatter_rows(y, out, order, w, m, k, d)`: out[order[r] / k] += w[order[r]] · y[r] (w = 0: weight 1).
 * - `dy_rows(dy, y, w, order, dys, dw, m, k, d)`: dys[r] = w[s] · dy[s / k], dw[s] += y[r] · dy[s / k] (s = order[r]).
 * - `transpose(src, dst, rows, cols)`: dst[c, r] = src[r, c].
 */
const rowKernels = `
  (func $gather_rows (export "gather_rows") (param $x i32) (param $xs i32) (param $order i32) (param $m i32)
        (param $k i32) (param $d i32)
    (local $r i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (block $done (loop $row
      (br_if $done (i32.ge_u (local.get $r) (local.get $m)))
      (memory.copy
        (i32.add (local.get $xs) (i32.mul (local.get $r) (local.get $bytes)))
        (i32.add (local.get $x) (i32.mul
          (i32.div_u (i32.load (i32.add (local.get $order) (i32.shl (local.get $r) (i32.const 2)))) (local.get $k))
          (local.get $bytes)))
        (local.get $bytes))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row))))

  (func $scatter_rows (export "scatter_rows") (param $y i32) (param $out i32) (param $order i32) (param $w i32)
        (param $m i32) (param $k i32) (param $d i32)
    (local $r i32) (local $slot i32) (local $dst i32) (local $src i32) (local $j i32) (local $bytes i32)
    (local $vecBytes i32) (local $ws f32) (local $vws v128)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $vecBytes (i32.and (local.get $bytes) (i32.const -16)))
    (block $done (loop $row
      (br_if $done (i32.ge_u (local.get $r) (local.get $m)))
      (local.set $slot (i32.load (i32.add (local.get $order) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $ws (if (result f32) (local.get $w)
        (then (f32.load (i32.add (local.get $w) (i32.shl (local.get $slot) (i32.const 2)))))
        (else (f32.const 1))))
      (local.set $vws (f32x4.splat (local.get $ws)))
      (local.set $dst (i32.add (local.get $out) (i32.mul (i32.div_u (local.get $slot) (local.get $k)) (local.get $bytes))))
      (local.set $src (i32.add (local.get $y) (i32.mul (local.get $r) (local.get $bytes))))
      (local.set $j (i32.const 0))
      (block $vec_done (loop $vec
        (br_if $vec_done (i32.ge_u (local.get $j) (local.get $vecBytes)))
        (v128.store align=4 (i32.add (local.get $dst) (local.get $j))
          (f32x4.add (v128.load align=4 (i32.add (local.get $dst) (local.get $j)))
            (f32x4.mul (local.get $vws) (v128.load align=4 (i32.add (local.get $src) (local.get $j))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $vec)))
      (block $tail_done (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $j) (local.get $bytes)))
        (f32.store (i32.add (local.get $dst) (local.get $j))
          (f32.add (f32.load (i32.add (local.get $dst) (local.get $j)))
            (f32.mul (local.get $ws) (f32.load (i32.add (local.get $src) (local.get $j))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $tail)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row))))

  (func $dy_rows (export "dy_rows") (param $dy i32) (param $y i32) (param $w i32) (param $order i32) (param $dys i32)
        (param $dw i32) (param $m i32) (param $k i32) (param $d i32)
    (local $r i32) (local $slot i32) (local $g i32) (local $yr i32) (local $dr i32) (local $j i32) (local $bytes i32)
    (local $vecBytes i32) (local $ws f32) (local $vws v128) (local $acc v128) (local $gv v128) (local $dot f32)
    (local $gs f32) (local $dwp i32)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $vecBytes (i32.and (local.get $bytes) (i32.const -16)))
    (block $done (loop $row
      (br_if $done (i32.ge_u (local.get $r) (local.get $m)))
      (local.set $slot (i32.load (i32.add (local.get $order) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $ws (f32.load (i32.add (local.get $w) (i32.shl (local.get $slot) (i32.const 2)))))
      (local.set $vws (f32x4.splat (local.get $ws)))
      (local.set $g (i32.add (local.get $dy) (i32.mul (i32.div_u (local.get $slot) (local.get $k)) (local.get $bytes))))
      (local.set $yr (i32.add (local.get $y) (i32.mul (local.get $r) (local.get $bytes))))
      (local.set $dr (i32.add (local.get $dys) (i32.mul (local.get $r) (local.get $bytes))))
      (local.set $acc (v128.const i64x2 0 0))
      (local.set $j (i32.const 0))
      (block $vec_done (loop $vec
        (br_if $vec_done (i32.ge_u (local.get $j) (local.get $vecBytes)))
        (local.set $gv (v128.load align=4 (i32.add (local.get $g) (local.get $j))))
        (v128.store align=4 (i32.add (local.get $dr) (local.get $j)) (f32x4.mul (local.get $vws) (local.get $gv)))
        (local.set $acc (f32x4.add (local.get $acc)
          (f32x4.mul (local.get $gv) (v128.load align=4 (i32.add (local.get $yr) (local.get $j))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $vec)))
      (local.set $dot (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
      (block $tail_done (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $j) (local.get $bytes)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $j))))
        (f32.store (i32.add (local.get $dr) (local.get $j)) (f32.mul (local.get $ws) (local.get $gs)))
        (local.set $dot (f32.add (local.get $dot) (f32.mul (local.get $gs) (f32.load (i32.add (local.get $yr) (local.get $j))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $tail)))
      (local.set $dwp (i32.add (local.get $dw) (i32.shl (local.get $slot) (i32.const 2))))
      (f32.store (local.get $dwp) (f32.add (f32.load (local.get $dwp)) (local.get $dot)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row))))

  (func $transpose (export "transpose") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $s i32) (local $colBytes i32)
    (local.set $colBytes (i32.shl (local.get $rows) (i32.const 2)))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $r) (i32.shl (local.get $cols) (i32.const 2)))))
      (block $cols_done (loop $col
        (br_if $cols_done (i32.ge_u (local.get $c) (local.get $cols)))
        (f32.store
          (i32.add (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2))) (i32.mul (local.get $c) (local.get $colBytes)))
          (f32.load (i32.add (local.get $s) (i32.shl (local.get $c) (i32.const 2)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $col)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row))))`;

/** `f32x4` splat constant. */
const f4 = (v: number | string) => `(v128.const f32x4 ${v} ${v} ${v} ${v})`;

/**
 * e^x on four lanes, inlined: statements that leave e^(local `$x${u}`) in local `$e${u}` (temporaries `$k${u}`,
 * `$r${u}`, `$y${u}`). Cephes' expf: x = n·ln 2 + r with n = nearest(x·log₂e) (by adding 1.5·2²³, whose low bits
 * then hold n, so 2ⁿ is those bits + 127 shifted into the exponent), |r| ≤ ln 2 / 2, a degree-7 polynomial for e^r;
 * about 1 ulp. x ≤ 88; below −87.3 (including −∞) it gives 0; NaN stays NaN. The LM-head loops below call it on
 * logits minus their maximum, so x ≤ 0.
 */
export function exp4(u: string): string {
  const g = (n: string) => `(local.get $${n}${u})`;
  const set = (n: string, v: string) => `(local.set $${n}${u} ${v})`;
  const poly = [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
  return [
    set('x', `(f32x4.max ${g('x')} ${f4(-87.33654)})`),
    set('k', `(f32x4.add (f32x4.mul ${g('x')} ${f4(Math.LOG2E)}) ${f4(12582912)})`),
    set('y', `(f32x4.sub ${g('k')} ${f4(12582912)})`),
    set(
      'r',
      `(f32x4.sub (f32x4.sub ${g('x')} (f32x4.mul ${g('y')} ${f4(0.693359375)})) (f32x4.mul ${g('y')} ${f4(-2.1219444e-4)}))`,
    ),
    set('y', `(f32x4.add (f32x4.mul ${f4(1.98756915e-4)} ${g('r')}) ${f4(poly[0]!)})`),
    ...poly.slice(1).map((c) => set('y', `(f32x4.add (f32x4.mul ${g('y')} ${g('r')}) ${f4(c)})`)),
    set('y', `(f32x4.add (f32x4.add (f32x4.mul ${g('y')} (f32x4.mul ${g('r')} ${g('r')})) ${g('r')}) ${f4(1)})`),
    set(
      'e',
      `(v128.andnot (f32x4.mul ${g('y')} (i32x4.shl (i32x4.add ${g('k')} (v128.const i32x4 127 127 127 127)) (i32.const 23)))
        (f32x4.le ${g('x')} ${f4(-87.33654)}))`,
    ),
  ].join('\n        ');
}

/** Locals of `exp4(u)` and of the loops' per-unit values. */
export const expLocals = (u: string) => ['x', 'k', 'r', 'y', 'e'].map((n) => `(local $${n}${u} v128)`).join(' ');

/**
 * Loops of the fused LM head (`kernels/lm-head.ts`) over a block of logits `z` laid out `[vb, ld]`: vocabulary
 * entries down, ld token rows across (ld a multiple of 4), so every f32x4 holds four rows and the per-row reductions
 * are plain lane-wise sums. Columns are walked four vectors (one cache line) at a time, then one at a time. Pointers
 * in bytes; per-row arrays are ld floats.
 *
 * - `lm_block_stats(z, vb, ld, inv, bm, sb, tb)`: with x = z·inv, per row bm = max x, sb = Σ e^(x − bm),
 *   tb = Σ e^(x − bm)·(x − bm) (the block's share of log-sum-exp and entropy, relative to its own maximum).
 * - `lm_block_dz(z, vb, ld, inv, lse, ent, gl, ge)`: in place, z ← −inv·p·(gl + ge·(x − lse + ent)) with
 *   p = e^(x − lse): the gradient w.r.t. raw logits of gl·log p(·) + ge·H but for the one-hot term of the target.
 */
interface ColumnPass {
  /** Locals of one unit u (a vector of four rows). */
  locals(u: string): string;
  /** An optional first walk down the columns, all units together: before it, per row, after it. */
  first?: { setup(u: string): string; body(u: string): string; finish(u: string): string };
  /** Before walking the column of unit u (its lanes start at byte `$j` + 16·u). */
  setup(u: string): string;
  /** One row of the column (the vector at `$p` + 16·u). */
  body(u: string): string;
  /** After the column. */
  finish(u: string): string;
}

function lmColumns(name: string, params: string, pass: ColumnPass): string {
  const strips = (units: number, label: string) => {
    const us = Array.from({ length: units }, (_, u) => String(u));
    return `
    (block $${label}_done (loop $${label}
      (br_if $${label}_done (i32.gt_u (i32.add (local.get $j) (i32.const ${16 * units})) (local.get $stride)))
      (local.set $p (i32.add (local.get $z) (local.get $j)))
      (local.set $end (i32.add (local.get $p) (i32.mul (local.get $vb) (local.get $stride))))
      ${
        pass.first
          ? `${us.map(pass.first.setup).join('\n      ')}
      (local.set $q (local.get $p))
      (block $${label}_first_done (loop $${label}_first
        (br_if $${label}_first_done (i32.ge_u (local.get $q) (local.get $end)))
        ${us.map(pass.first.body).join('\n        ')}
        (local.set $q (i32.add (local.get $q) (local.get $stride)))
        (br $${label}_first)))
      ${us.map(pass.first.finish).join('\n      ')}`
          : ''
      }
      ${us.map(pass.setup).join('\n      ')}
      (block $${label}_rows_done (loop $${label}_rows
        (br_if $${label}_rows_done (i32.ge_u (local.get $p) (local.get $end)))
        ${us.map(pass.body).join('\n        ')}
        (local.set $p (i32.add (local.get $p) (local.get $stride)))
        (br $${label}_rows)))
      ${us.map(pass.finish).join('\n      ')}
      (local.set $j (i32.add (local.get $j) (i32.const ${16 * units})))
      (br $${label})))`;
  };
  const units = ['0', '1', '2', '3'];
  return `
  (func $${name} (export "${name}") (param $z i32) (param $vb i32) (param $ld i32) (param $inv f32) ${params}
    (local $j i32) (local $p i32) (local $q i32) (local $end i32) (local $stride i32) (local $vinv v128)
    ${units.map((u) => `${expLocals(u)} ${pass.locals(u)}`).join('\n    ')}
    (local.set $vinv (f32x4.splat (local.get $inv)))
    (local.set $stride (i32.shl (local.get $ld) (i32.const 2)))
    ${strips(4, 'wide')}
    ${strips(1, 'narrow')})`;
}

/** The vector of unit u at byte `ptr` + `$j` (a per-row array) or at `$p` (the logits). */
const at = (ptr: string, u: string) =>
  `(i32.add (local.get $${ptr}) (i32.add (local.get $j) (i32.const ${16 * Number(u)})))`;
const zAt = (u: string) => `(v128.load offset=${16 * Number(u)} align=4 (local.get $p))`;

const lmBlockStats = lmColumns('lm_block_stats', '(param $bm i32) (param $sb i32) (param $tb i32)', {
  locals: (u) => `(local $mx${u} v128) (local $s${u} v128) (local $t${u} v128)`,
  first: {
    setup: (u) => `(local.set $mx${u} ${f4('-inf')})`,
    body: (u) =>
      `(local.set $mx${u} (f32x4.max (local.get $mx${u}) (v128.load offset=${16 * Number(u)} align=4 (local.get $q))))`,
    finish: (u) => `(local.set $mx${u} (f32x4.mul (local.get $mx${u}) (local.get $vinv)))`,
  },
  setup: (u) => `(local.set $s${u} ${f4(0)})
      (local.set $t${u} ${f4(0)})`,
  body: (u) => `(local.set $x${u} (f32x4.sub (f32x4.mul ${zAt(u)} (local.get $vinv)) (local.get $mx${u})))
        ${exp4(u)}
        (local.set $s${u} (f32x4.add (local.get $s${u}) (local.get $e${u})))
        (local.set $t${u} (f32x4.add (local.get $t${u}) (f32x4.mul (local.get $e${u}) (local.get $x${u}))))`,
  finish: (u) => `(v128.store align=4 ${at('bm', u)} (local.get $mx${u}))
      (v128.store align=4 ${at('sb', u)} (local.get $s${u}))
      (v128.store align=4 ${at('tb', u)} (local.get $t${u}))`,
});

const lmBlockDz = lmColumns('lm_block_dz', '(param $lse i32) (param $ent i32) (param $gl i32) (param $ge i32)', {
  locals: (u) => `(local $l${u} v128) (local $h${u} v128) (local $a${u} v128) (local $b${u} v128) (local $c${u} v128)`,
  setup: (u) => `(local.set $l${u} (v128.load align=4 ${at('lse', u)}))
      (local.set $h${u} (v128.load align=4 ${at('ent', u)}))
      (local.set $a${u} (f32x4.mul (v128.load align=4 ${at('gl', u)}) (f32x4.neg (local.get $vinv))))
      (local.set $b${u} (f32x4.mul (v128.load align=4 ${at('ge', u)}) (f32x4.neg (local.get $vinv))))`,
  body: (u) => `(local.set $x${u} (f32x4.sub (f32x4.mul ${zAt(u)} (local.get $vinv)) (local.get $l${u})))
        (local.set $c${u} (f32x4.add (local.get $a${u}) (f32x4.mul (local.get $b${u}) (f32x4.add (local.get $x${u}) (local.get $h${u})))))
        ${exp4(u)}
        (v128.store offset=${16 * Number(u)} align=4 (local.get $p) (f32x4.mul (local.get $e${u}) (local.get $c${u})))`,
  finish: () => '',
});

/**
 * The module text. `shared` must match the heap it will import (true for tfjs's threaded build); `relaxed` uses
 * relaxed-SIMD multiply-adds in the matmul blocks (only for engines that validate relaxed SIMD; see `gemm.ts`).
 */
export function gemmWat(shared: boolean, relaxed = false): string {
  const memory = shared ? '(memory 1 65536 shared)' : '(memory 1)';
  return `(module
  (import "env" "memory" ${memory})
${block(4, 2, relaxed)}
${block(4, 1, relaxed)}
${block(1, 2, relaxed)}
${block(1, 1, relaxed)}
${scalar}
${band(4)}
${band(1)}
${gemm}
${adamw}
${swigluForward}
${swigluBackward}
${rowKernels}
${lmBlockStats}
${lmBlockDz}
${normKernels}
${attentionKernels()}
${attentionTrainKernels()})
`;
}
