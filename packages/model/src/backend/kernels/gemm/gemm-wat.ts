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

/** One register block: rows × (4·vecs) columns of C, accumulated over k. */
function block(rows: number, vecs: number): string {
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
    const splat = `(local.set $s (f32x4.splat (f32.load (local.get $a${r}))))`;
    const adds = Array.from(
      { length: vecs },
      (_, v) =>
        `(local.set $acc${r}_${v} (f32x4.add (local.get $acc${r}_${v}) (f32x4.mul (local.get $s) (local.get $b${v}))))`,
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

/**
 * `adamw(p, g, m, v, p1, m1, v1, n, β₁, β₂, 1−β₁, 1−β₂, decay, stepSize, √bc₂, ε)`: one AdamW update of n floats
 * (PyTorch's rule, see `optim/adamw-update.ts`), four lanes at a time, float32 throughout like the composed ops:
 * m1 = β₁m + (1−β₁)g, v1 = β₂v + (1−β₂)g², p1 = p·decay − stepSize·m1 / (√v1 / √bc₂ + ε). Pointers in bytes.
 */
function adamwLanes(): string {
  const args = ['b1', 'b2', 'c1', 'c2', 'decay', 'step', 'bc2', 'eps'];
  const splats = args.map((a) => `(local.set $v${a} (f32x4.splat (local.get $${a})))`).join('\n    ');
  // One element (scalar) or four (vector) of the update; `t` is 'f32' or 'f32x4'.
  const update = (t: 'f32' | 'f32x4', load: string, store: string, pre: string) => {
    const k = (a: string) => (t === 'f32' ? `(local.get $${a})` : `(local.get $v${a})`);
    const at = (ptr: string) => `(${load} (i32.add (local.get $${ptr}) (local.get $off)))`;
    return `(local.set $${pre}g ${at('g')})
      (local.set $${pre}m (${t}.add (${t}.mul ${k('b1')} ${at('m')}) (${t}.mul ${k('c1')} (local.get $${pre}g))))
      (local.set $${pre}v (${t}.add (${t}.mul ${k('b2')} ${at('v')}) (${t}.mul ${k('c2')} (${t}.mul (local.get $${pre}g) (local.get $${pre}g)))))
      (${store} (i32.add (local.get $m1) (local.get $off)) (local.get $${pre}m))
      (${store} (i32.add (local.get $v1) (local.get $off)) (local.get $${pre}v))
      (${store} (i32.add (local.get $p1) (local.get $off))
        (${t}.sub (${t}.mul ${at('p')} ${k('decay')})
          (${t}.div (${t}.mul ${k('step')} (local.get $${pre}m))
            (${t}.add (${t}.div (${t}.sqrt (local.get $${pre}v)) ${k('bc2')}) ${k('eps')}))))`;
  };
  return `
  (func $adamw (export "adamw") (param $p i32) (param $g i32) (param $m i32) (param $v i32)
        (param $p1 i32) (param $m1 i32) (param $v1 i32) (param $n i32)
        (param $b1 f32) (param $b2 f32) (param $c1 f32) (param $c2 f32) (param $decay f32) (param $step f32)
        (param $bc2 f32) (param $eps f32)
    (local $off i32) (local $end i32) (local $vecEnd i32)
    ${args.map((a) => `(local $v${a} v128)`).join(' ')}
    (local $vg v128) (local $vm v128) (local $vv v128) (local $sg f32) (local $sm f32) (local $sv f32)
    ${splats}
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vec_done (loop $vec
      (br_if $vec_done (i32.ge_u (local.get $off) (local.get $vecEnd)))
      ${update('f32x4', 'v128.load align=4', 'v128.store align=4', 'v')}
      (local.set $off (i32.add (local.get $off) (i32.const 16)))
      (br $vec)))
    (block $done (loop $tail
      (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
      ${update('f32', 'f32.load', 'f32.store', 's')}
      (local.set $off (i32.add (local.get $off) (i32.const 4)))
      (br $tail))))`;
}

/** The module text. `shared` must match the heap it will import (true for tfjs's threaded build). */
export function gemmWat(shared: boolean): string {
  const memory = shared ? '(memory 1 65536 shared)' : '(memory 1)';
  return `(module
  (import "env" "memory" ${memory})
${block(4, 2)}
${block(4, 1)}
${block(1, 2)}
${block(1, 1)}
${scalar}
${band(4)}
${band(1)}
${gemm}
${adamwLanes()})
`;
}
