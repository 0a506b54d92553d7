/**
 * RMSNorm row loops for the kernel module (`gemm-wat.ts` splices them in, so they share its heap and its build).
 * Rows are `d` floats, contiguous; `d` need not be a multiple of 4 (a scalar tail finishes each row). Sums of a row
 * run in four f32 lanes, then the lanes are added.
 *
 * - `rms_fwd(x, w, y, r, rows, d, eps)`: per row, `r = 1/√(Σx²/d + eps)` (stored at `r[i]`) and `y = x·r·w`.
 * - `rms_bwd(dy, x, w, r, dx, dw, rows, d)`: per row, with `g = dy·w`, `dx = r·g − x·r³·(g·x)/d`; and
 *   `dw = Σ_rows dy·x·r` (dw is zeroed first).
 */

/** A loop over a row's bytes [0, end) in steps of `step`, on local `$j` (set by the caller). */
const loop = (label: string, end: string, step: number, body: string) => `
    (block $${label}_done (loop $${label}
      (br_if $${label}_done (i32.ge_u (local.get $j) ${end}))
      ${body}
      (local.set $j (i32.add (local.get $j) (i32.const ${step})))
      (br $${label})))`;

const at = (ptr: string) => `(i32.add (local.get $${ptr}) (local.get $j))`;
const v = (ptr: string) => `(v128.load align=4 ${at(ptr)})`;
const s = (ptr: string) => `(f32.load ${at(ptr)})`;
const lanesSum = (acc: string) =>
  `(f32.add (f32.add (f32x4.extract_lane 0 (local.get $${acc})) (f32x4.extract_lane 1 (local.get $${acc})))
            (f32.add (f32x4.extract_lane 2 (local.get $${acc})) (f32x4.extract_lane 3 (local.get $${acc}))))`;
const advance = (...ptrs: string[]) =>
  ptrs.map((p) => `(local.set $${p} (i32.add (local.get $${p}) (local.get $bytes)))`).join('\n    ');

export const normKernels = `
  (func $rms_fwd (export "rms_fwd") (param $x i32) (param $w i32) (param $y i32) (param $r i32) (param $rows i32)
        (param $d i32) (param $eps f32)
    (local $i i32) (local $j i32) (local $bytes i32) (local $vecEnd i32) (local $acc v128) (local $xv v128)
    (local $sum f32) (local $t f32) (local $rr f32) (local $rv v128)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $bytes) (i32.const -16)))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $j (i32.const 0))
      ${loop(
        'sq',
        '(local.get $vecEnd)',
        16,
        `(local.set $xv ${v('x')})
      (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $xv) (local.get $xv))))`,
      )}
      (local.set $sum ${lanesSum('acc')})
      ${loop(
        'sq_tail',
        '(local.get $bytes)',
        4,
        `(local.set $t ${s('x')})
      (local.set $sum (f32.add (local.get $sum) (f32.mul (local.get $t) (local.get $t))))`,
      )}
      (local.set $rr (f32.div (f32.const 1)
        (f32.sqrt (f32.add (f32.div (local.get $sum) (f32.convert_i32_u (local.get $d))) (local.get $eps)))))
      (f32.store (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 2))) (local.get $rr))
      (local.set $rv (f32x4.splat (local.get $rr)))
      (local.set $j (i32.const 0))
      ${loop('out', '(local.get $vecEnd)', 16, `(v128.store align=4 ${at('y')} (f32x4.mul (f32x4.mul ${v('x')} (local.get $rv)) ${v('w')}))`)}
      ${loop('out_tail', '(local.get $bytes)', 4, `(f32.store ${at('y')} (f32.mul (f32.mul ${s('x')} (local.get $rr)) ${s('w')}))`)}
      ${advance('x', 'y')}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $row))))

  (func $rms_bwd (export "rms_bwd") (param $dy i32) (param $x i32) (param $w i32) (param $r i32) (param $dx i32)
        (param $dw i32) (param $rows i32) (param $d i32)
    (local $i i32) (local $j i32) (local $bytes i32) (local $vecEnd i32) (local $acc v128) (local $dyv v128)
    (local $xv v128) (local $dot f32) (local $rr f32) (local $rv v128) (local $c f32) (local $cv v128)
    (local $dys f32) (local $xs f32)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $bytes) (i32.const -16)))
    (memory.fill (local.get $dw) (i32.const 0) (local.get $bytes))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $rr (f32.load (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $rv (f32x4.splat (local.get $rr)))
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $j (i32.const 0))
      ${loop(
        'dot',
        '(local.get $vecEnd)',
        16,
        `(local.set $dyv ${v('dy')})
      (local.set $xv ${v('x')})
      (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (f32x4.mul (local.get $dyv) ${v('w')}) (local.get $xv))))
      (v128.store align=4 ${at('dw')}
        (f32x4.add ${v('dw')} (f32x4.mul (f32x4.mul (local.get $dyv) (local.get $xv)) (local.get $rv))))`,
      )}
      (local.set $dot ${lanesSum('acc')})
      ${loop(
        'dot_tail',
        '(local.get $bytes)',
        4,
        `(local.set $dys ${s('dy')})
      (local.set $xs ${s('x')})
      (local.set $dot (f32.add (local.get $dot) (f32.mul (f32.mul (local.get $dys) ${s('w')}) (local.get $xs))))
      (f32.store ${at('dw')} (f32.add ${s('dw')} (f32.mul (f32.mul (local.get $dys) (local.get $xs)) (local.get $rr))))`,
      )}
      (local.set $c (f32.div (f32.mul (f32.mul (f32.mul (local.get $rr) (local.get $rr)) (local.get $rr)) (local.get $dot))
        (f32.convert_i32_u (local.get $d))))
      (local.set $cv (f32x4.splat (local.get $c)))
      (local.set $j (i32.const 0))
      ${loop(
        'dx',
        '(local.get $vecEnd)',
        16,
        `(v128.store align=4 ${at('dx')}
        (f32x4.sub (f32x4.mul (f32x4.mul (local.get $rv) ${v('dy')}) ${v('w')}) (f32x4.mul ${v('x')} (local.get $cv))))`,
      )}
      ${loop(
        'dx_tail',
        '(local.get $bytes)',
        4,
        `(f32.store ${at('dx')}
        (f32.sub (f32.mul (f32.mul (local.get $rr) ${s('dy')}) ${s('w')}) (f32.mul ${s('x')} (local.get $c))))`,
      )}
      ${advance('dy', 'x', 'dx')}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $row))))`;
