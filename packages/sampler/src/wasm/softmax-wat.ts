/**
 * The text of the softmax kernel (`softmax.ts` loads it; `generate.ts` assembles it into `softmax-binary.ts`).
 *
 * It computes `chooseToken`'s pass 2 for one row — p_i = exp((l_i − max) / T), Σ p_i, and the model's
 * Σ exp(l_i / T' − max') — bit for bit as the JS loop does: the same float64 operations in the same order, sums taken
 * sequentially in id order, and an exp that is V8's own `Math.exp` (fdlibm's `e_exp.c`, which V8 ports as
 * `base::ieee754::exp`) operation for operation. Two tokens at a time in f64x2 lanes where both exponents lie in
 * fdlibm's main range (2⁻²⁸ ≤ |x| < 708: the argument reduction and the polynomial, branch-free), otherwise each lane
 * through the scalar port, which keeps fdlibm's special cases (tiny, overflow, underflow, ±Infinity, NaN, exp(1)).
 *
 * Why it is exact: every step is an IEEE-754 double operation (no fused multiply-adds; the C source has none and
 * V8's build for x64 emits none), and the branch-free lanes pick, per lane, the reduction fdlibm's branches pick:
 * k = 0 for |x| ≤ ½ln2, k = ±1 below 1.5·ln2, k = trunc(x/ln2 ± ½) beyond. For k = 0 fdlibm returns
 * 1 − ((x·c)/(c − 2) − x), which equals the general 1 − ((0 − (x·c)/(2 − c)) − x) exactly (c − 2 and 2 − c round to
 * negatives of each other, and so do the quotients), times 2⁰. The test checks the kernel against `Math.exp` and the
 * JS loop on millions of values.
 *
 * Memory: the caller's row (float32), the probabilities and the model's terms (float64) live in a shared memory
 * that the caller creates and worker threads import too; the sums are written at byte 0 (total) and 8 (model sum).
 */

/** fdlibm's constants, written with all their digits so the assembler rounds them to the same doubles as C does. */
const C = {
  halF: '0.5',
  oThreshold: '7.09782712893383973096e+02',
  uThreshold: '-7.45133219101941108420e+02',
  ln2Hi: '6.93147180369123816490e-01',
  ln2Lo: '1.90821492927058770002e-10',
  invLn2: '1.44269504088896338700e+00',
  p1: '1.66666666666666019037e-01',
  p2: '-2.77777777770155933842e-03',
  p3: '6.61375632143793436117e-05',
  p4: '-1.65339022054652515390e-06',
  p5: '4.13813679705723846039e-08',
  e: '2.718281828459045',
  twoM1000: '9.33263618503218878990e-302',
  two1023: '8.988465674311579539e307',
};

const splat = (v: string) => `(f64x2.splat (f64.const ${v}))`;

/** Scratch locals of \`expLanes\`. */
const EXP_LOCALS =
  '(local $ax v128) (local $neg v128) (local $kf v128) (local $hi v128) (local $lo v128) (local $r v128) (local $t2 v128) (local $c v128) (local $y2 v128)';

/** |x| as a double whose high word is \`hi\` and low word 0: fdlibm's high-word thresholds as double comparisons. */
const highWord = (hi: number) => splat(String(new Float64Array(new BigUint64Array([BigInt(hi) << 32n]).buffer)[0]));

/**
 * Statements setting \`out\` = exp(\`x\`) in both lanes: branch-free when both lie in 2^-28 <= |x| < 708 (fdlibm's
 * high words 0x3e300000 … 0x40862000, i.e. k in [-1021, 1021]), otherwise lane by lane through exp1.
 */
function expLanes(x: string, out: string): string {
  return `(local.set $ax (f64x2.abs (local.get ${x})))
    (if (i64x2.all_true (v128.and (f64x2.ge (local.get $ax) ${highWord(0x3e300000)})
          (f64x2.lt (local.get $ax) ${highWord(0x40862000)})))
      (then
        (local.set $neg (f64x2.lt (local.get ${x}) ${splat('0')}))
        ;; k as a double: trunc(x/ln2 ± ½) beyond 1.5·ln2, ±1 above ½ln2, 0 below.
        (local.set $kf (f64x2.trunc (f64x2.add (f64x2.mul ${splat(C.invLn2)} (local.get ${x}))
          (v128.bitselect ${splat(`-${C.halF}`)} ${splat(C.halF)} (local.get $neg)))))
        (local.set $kf (v128.bitselect
          (v128.bitselect ${splat('-1')} ${splat('1')} (local.get $neg))
          (local.get $kf)
          (f64x2.lt (local.get $ax) ${highWord(0x3ff0a2b2)})))
        (local.set $kf (v128.andnot (local.get $kf) (f64x2.lt (local.get $ax) ${highWord(0x3fd62e43)})))
        (local.set $hi (f64x2.sub (local.get ${x}) (f64x2.mul (local.get $kf) ${splat(C.ln2Hi)})))
        (local.set $lo (f64x2.mul (local.get $kf) ${splat(C.ln2Lo)}))
        (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
        (local.set $t2 (f64x2.mul (local.get $r) (local.get $r)))
        (local.set $c (f64x2.sub (local.get $r) (f64x2.mul (local.get $t2)
          (f64x2.add ${splat(C.p1)} (f64x2.mul (local.get $t2)
            (f64x2.add ${splat(C.p2)} (f64x2.mul (local.get $t2)
              (f64x2.add ${splat(C.p3)} (f64x2.mul (local.get $t2)
                (f64x2.add ${splat(C.p4)} (f64x2.mul (local.get $t2) ${splat(C.p5)})))))))))))
        (local.set $y2 (f64x2.sub ${splat('1')} (f64x2.sub (f64x2.sub (local.get $lo)
          (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub ${splat('2')} (local.get $c))))
          (local.get $hi))))
        ;; · 2^k: k + 1023 sits in the low mantissa bits of k + (2^52 + 1023), which the shift moves to the exponent.
        ;; And fdlibm's exact answer for exp(1).
        (local.set ${out} (v128.bitselect ${splat(C.e)}
          (f64x2.mul (local.get $y2)
            (i64x2.shl (f64x2.add (local.get $kf) ${splat('4503599627371519')}) (i32.const 52)))
          (f64x2.eq (local.get ${x}) ${splat('1')}))))
      (else (local.set ${out} (call $exp2Scalar (local.get ${x})))))`;
}

export function softmaxWat(): string {
  return `(module
  ;; Shared, so worker threads can run \`terms\` on the same row (up to 1 GiB).
  (import "env" "memory" (memory 1 16384 shared))

  ;; fdlibm's exp, operation for operation (scalar): every branch of e_exp.c.
  (func $exp1 (param $x f64) (result f64)
    (local $hx i32) (local $xsb i32) (local $k i32) (local $hi f64) (local $lo f64) (local $t f64)
    (local $c f64) (local $y f64) (local $twopk f64)
    (local.set $hx (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))))
    (local.set $xsb (i32.shr_u (local.get $hx) (i32.const 31)))
    (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
    ;; |x| >= 709.78…: NaN, ±Infinity, overflow, underflow
    (if (i32.ge_u (local.get $hx) (i32.const 0x40862e42))
      (then
        (if (i32.ge_u (local.get $hx) (i32.const 0x7ff00000))
          (then
            (if (i64.ne (i64.and (i64.reinterpret_f64 (local.get $x)) (i64.const 0x000fffffffffffff)) (i64.const 0))
              (then (return (f64.add (local.get $x) (local.get $x)))))
            (return (select (local.get $x) (f64.const 0) (i32.eqz (local.get $xsb))))))
        (if (f64.gt (local.get $x) (f64.const ${C.oThreshold})) (then (return (f64.const inf))))
        (if (f64.lt (local.get $x) (f64.const ${C.uThreshold})) (then (return (f64.const 0))))))
    (if (i32.gt_u (local.get $hx) (i32.const 0x3fd62e42))
      (then
        (if (i32.lt_u (local.get $hx) (i32.const 0x3ff0a2b2))
          (then
            (if (f64.eq (local.get $x) (f64.const 1)) (then (return (f64.const ${C.e}))))
            (if (local.get $xsb)
              (then
                (local.set $hi (f64.sub (local.get $x) (f64.const -${C.ln2Hi})))
                (local.set $lo (f64.const -${C.ln2Lo})))
              (else
                (local.set $hi (f64.sub (local.get $x) (f64.const ${C.ln2Hi})))
                (local.set $lo (f64.const ${C.ln2Lo}))))
            (local.set $k (i32.sub (i32.sub (i32.const 1) (local.get $xsb)) (local.get $xsb))))
          (else
            (local.set $k (i32.trunc_f64_s (f64.add (f64.mul (f64.const ${C.invLn2}) (local.get $x))
              (select (f64.const -${C.halF}) (f64.const ${C.halF}) (local.get $xsb)))))
            (local.set $t (f64.convert_i32_s (local.get $k)))
            (local.set $hi (f64.sub (local.get $x) (f64.mul (local.get $t) (f64.const ${C.ln2Hi}))))
            (local.set $lo (f64.mul (local.get $t) (f64.const ${C.ln2Lo})))))
        (local.set $x (f64.sub (local.get $hi) (local.get $lo))))
      (else
        ;; |x| < 2^-28: 1 + x
        (if (i32.lt_u (local.get $hx) (i32.const 0x3e300000))
          (then (return (f64.add (f64.const 1) (local.get $x)))))))
    (local.set $t (f64.mul (local.get $x) (local.get $x)))
    (local.set $twopk (f64.reinterpret_i64 (i64.shl (i64.extend_i32_s
      (i32.add (local.get $k) (select (i32.const 1023) (i32.const 2023) (i32.ge_s (local.get $k) (i32.const -1021)))))
      (i64.const 52))))
    (local.set $c (f64.sub (local.get $x) (f64.mul (local.get $t)
      (f64.add (f64.const ${C.p1}) (f64.mul (local.get $t)
        (f64.add (f64.const ${C.p2}) (f64.mul (local.get $t)
          (f64.add (f64.const ${C.p3}) (f64.mul (local.get $t)
            (f64.add (f64.const ${C.p4}) (f64.mul (local.get $t) (f64.const ${C.p5}))))))))))))
    (if (i32.eqz (local.get $k))
      (then (return (f64.sub (f64.const 1) (f64.sub (f64.div (f64.mul (local.get $x) (local.get $c))
        (f64.sub (local.get $c) (f64.const 2))) (local.get $x))))))
    (local.set $y (f64.sub (f64.const 1) (f64.sub (f64.sub (local.get $lo) (f64.div (f64.mul (local.get $x) (local.get $c))
      (f64.sub (f64.const 2) (local.get $c)))) (local.get $hi))))
    (if (i32.ge_s (local.get $k) (i32.const -1021))
      (then
        (if (i32.eq (local.get $k) (i32.const 1024))
          (then (return (f64.mul (f64.mul (local.get $y) (f64.const 2)) (f64.const ${C.two1023})))))
        (return (f64.mul (local.get $y) (local.get $twopk)))))
    (f64.mul (f64.mul (local.get $y) (local.get $twopk)) (f64.const ${C.twoM1000})))

  ;; Both lanes through exp1.
  (func $exp2Scalar (param $x v128) (result v128)
    (f64x2.replace_lane 1
      (f64x2.splat (call $exp1 (f64x2.extract_lane 0 (local.get $x))))
      (call $exp1 (f64x2.extract_lane 1 (local.get $x)))))

  ;; exp of both lanes (the inline text of \`expLanes\`, for expMany).
  (func $exp2 (param $x v128) (result v128)
    (local $out v128) ${EXP_LOCALS}
    ${expLanes('$x', '$out')}
    (local.get $out))

  ;; probs[i] = exp((row[i] − max) / t) and, with wantModel, the model's terms q[i] = exp(row[i] / tModel − maxModel)
  ;; for i in [from, to) (from even): q[i] is probs[i] where the two exponents are the same number (about two tokens
  ;; in three at T 0.6), and the others — listed at ids / ys from index from on — go through exp in full pairs after
  ;; the loop. With accumulate, adds Σ probs over the range, in id order, to the double at byte 0. One thread's share
  ;; of a row: the calling thread takes the first range (accumulating), workers the others.
  (func (export "terms") (param $row i32) (param $probs i32) (param $q i32) (param $ids i32) (param $ys i32)
    (param $from i32) (param $to i32) (param $max f64) (param $t f64) (param $tModel f64) (param $maxModel f64)
    (param $wantModel i32) (param $accumulate i32)
    (local $i i32) (local $l v128) (local $x v128) (local $p v128) (local $y v128) (local $eq v128) (local $mask i32)
    (local $total f64) (local $ls f64) (local $xs f64) (local $ps f64) (local $ys1 f64) (local $count i32) (local $j i32)
    (local $vmax v128) (local $vt v128) (local $vtModel v128) (local $vmaxModel v128) (local $e v128) (local $at i32)
    ${EXP_LOCALS}
    (local.set $vmax (f64x2.splat (local.get $max)))
    (local.set $vt (f64x2.splat (local.get $t)))
    (local.set $vtModel (f64x2.splat (local.get $tModel)))
    (local.set $vmaxModel (f64x2.splat (local.get $maxModel)))
    (local.set $total (f64.load (i32.const 0)))
    (local.set $i (local.get $from))
    (local.set $count (local.get $from))
    (block $done
      (loop $pairs
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $to)))
        (local.set $l (f64x2.promote_low_f32x4 (v128.load64_zero
          (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $x (f64x2.div (f64x2.sub (local.get $l) (local.get $vmax)) (local.get $vt)))
        ${expLanes('$x', '$p')}
        (v128.store (i32.add (local.get $probs) (i32.shl (local.get $i) (i32.const 3))) (local.get $p))
        (if (local.get $accumulate)
          (then (local.set $total (f64.add (f64.add (local.get $total) (f64x2.extract_lane 0 (local.get $p)))
            (f64x2.extract_lane 1 (local.get $p))))))
        (if (local.get $wantModel)
          (then
            (local.set $y (f64x2.sub (f64x2.div (local.get $l) (local.get $vtModel)) (local.get $vmaxModel)))
            (v128.store (i32.add (local.get $q) (i32.shl (local.get $i) (i32.const 3))) (local.get $p))
            (local.set $mask (i32.xor (i64x2.bitmask (f64x2.eq (local.get $y) (local.get $x))) (i32.const 3)))
            ;; Branch-free: both lanes are written, and the count moves past the unequal ones.
            (i32.store (i32.add (local.get $ids) (i32.shl (local.get $count) (i32.const 2))) (local.get $i))
            (f64.store (i32.add (local.get $ys) (i32.shl (local.get $count) (i32.const 3)))
              (f64x2.extract_lane 0 (local.get $y)))
            (local.set $count (i32.add (local.get $count) (i32.and (local.get $mask) (i32.const 1))))
            (i32.store (i32.add (local.get $ids) (i32.shl (local.get $count) (i32.const 2)))
              (i32.add (local.get $i) (i32.const 1)))
            (f64.store (i32.add (local.get $ys) (i32.shl (local.get $count) (i32.const 3)))
              (f64x2.extract_lane 1 (local.get $y)))
            (local.set $count (i32.add (local.get $count) (i32.shr_u (local.get $mask) (i32.const 1))))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_u (local.get $i) (local.get $to))
      (then
        (local.set $ls (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $xs (f64.div (f64.sub (local.get $ls) (local.get $max)) (local.get $t)))
        (local.set $ps (call $exp1 (local.get $xs)))
        (f64.store (i32.add (local.get $probs) (i32.shl (local.get $i) (i32.const 3))) (local.get $ps))
        (if (local.get $accumulate) (then (local.set $total (f64.add (local.get $total) (local.get $ps)))))
        (if (local.get $wantModel)
          (then
            (local.set $ys1 (f64.sub (f64.div (local.get $ls) (local.get $tModel)) (local.get $maxModel)))
            (f64.store (i32.add (local.get $q) (i32.shl (local.get $i) (i32.const 3)))
              (select (local.get $ps) (call $exp1 (local.get $ys1)) (f64.eq (local.get $ys1) (local.get $xs))))))))
    (if (local.get $accumulate) (then (f64.store (i32.const 0) (local.get $total))))
    ;; The listed model exponents, two at a time (a last odd one alone), scattered to q.
    (local.set $j (local.get $from))
    (block $listed
      (loop $each
        (br_if $listed (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $count)))
        (local.set $y (v128.load (i32.add (local.get $ys) (i32.shl (local.get $j) (i32.const 3)))))
        ${expLanes('$y', '$e')}
        (local.set $at (i32.load (i32.add (local.get $ids) (i32.shl (local.get $j) (i32.const 2)))))
        (f64.store (i32.add (local.get $q) (i32.shl (local.get $at) (i32.const 3))) (f64x2.extract_lane 0 (local.get $e)))
        (local.set $at (i32.load (i32.add (local.get $ids) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 2)))))
        (f64.store (i32.add (local.get $q) (i32.shl (local.get $at) (i32.const 3))) (f64x2.extract_lane 1 (local.get $e)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $each)))
    (if (i32.lt_u (local.get $j) (local.get $count))
      (then
        (local.set $at (i32.load (i32.add (local.get $ids) (i32.shl (local.get $j) (i32.const 2)))))
        (f64.store (i32.add (local.get $q) (i32.shl (local.get $at) (i32.const 3)))
          (call $exp1 (f64.load (i32.add (local.get $ys) (i32.shl (local.get $j) (i32.const 3)))))))))

  ;; Adds Σ probs[i] over [totalFrom, n) to the double at byte 0 and, with wantModel, Σ q[i] over [0, n) to the one
  ;; at byte 8: both in id order.
  (func (export "sums") (param $probs i32) (param $q i32) (param $totalFrom i32) (param $n i32) (param $wantModel i32)
    (local $i i32) (local $s f64)
    (local.set $i (local.get $totalFrom))
    (local.set $s (f64.load (i32.const 0)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (f64.add (local.get $s) (f64.load (i32.add (local.get $probs) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (f64.store (i32.const 0) (local.get $s))
    (if (local.get $wantModel)
      (then
        (local.set $i (i32.const 0))
        (local.set $s (f64.load (i32.const 8)))
        (block $done2
          (loop $each2
            (br_if $done2 (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $s (f64.add (local.get $s) (f64.load (i32.add (local.get $q) (i32.shl (local.get $i) (i32.const 3))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $each2)))
        (f64.store (i32.const 8) (local.get $s)))))

  ;; The largest non-NaN value of row[0, n) (as a double; -Infinity if none) and, at byte 0, 1 if any is NaN:
  ;; what the JS max pass finds, up to the sign of a zero maximum (the lanes meet zeros in another order).
  (func (export "rowMax") (param $row i32) (param $n i32) (result f64)
    (local $i i32) (local $v v128) (local $acc v128) (local $nan v128) (local $m f32) (local $l f32)
    (local.set $acc (f32x4.splat (f32.const -inf)))
    (block $done
      (loop $quads
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $v (v128.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2)))))
        ;; pmax keeps the accumulator where v is NaN.
        (local.set $acc (f32x4.pmax (local.get $acc) (local.get $v)))
        (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quads)))
    (local.set $m (f32x4.extract_lane 0 (local.get $acc)))
    (if (f32.gt (f32x4.extract_lane 1 (local.get $acc)) (local.get $m)) (then (local.set $m (f32x4.extract_lane 1 (local.get $acc)))))
    (if (f32.gt (f32x4.extract_lane 2 (local.get $acc)) (local.get $m)) (then (local.set $m (f32x4.extract_lane 2 (local.get $acc)))))
    (if (f32.gt (f32x4.extract_lane 3 (local.get $acc)) (local.get $m)) (then (local.set $m (f32x4.extract_lane 3 (local.get $acc)))))
    (i32.store (i32.const 0) (v128.any_true (local.get $nan)))
    (block $tail
      (loop $rest
        (br_if $tail (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $l (f32.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2)))))
        (if (f32.gt (local.get $l) (local.get $m))
          (then (local.set $m (local.get $l)))
          (else (if (f32.ne (local.get $l) (local.get $l)) (then (i32.store (i32.const 0) (i32.const 1))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rest)))
    (f64.promote_f32 (local.get $m)))

  ;; Writes the ids i < n with row[i] >= floor (compared as doubles, as JS compares them) at ids, in id order;
  ;; returns how many.
  (func (export "atLeast") (param $row i32) (param $n i32) (param $floor f64) (param $ids i32) (result i32)
    (local $i i32) (local $count i32) (local $v v128) (local $vf v128) (local $mask i32) (local $j i32)
    (local.set $vf (f64x2.splat (local.get $floor)))
    (block $done
      (loop $quads
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $v (v128.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $mask (i32.or
          (i64x2.bitmask (f64x2.ge (f64x2.promote_low_f32x4 (local.get $v)) (local.get $vf)))
          (i32.shl (i64x2.bitmask (f64x2.ge (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))) (local.get $vf)))
            (i32.const 2))))
        (if (local.get $mask)
          (then
            (local.set $j (i32.const 0))
            (loop $bits
              (if (i32.and (local.get $mask) (i32.shl (i32.const 1) (local.get $j)))
                (then
                  (i32.store (i32.add (local.get $ids) (i32.shl (local.get $count) (i32.const 2)))
                    (i32.add (local.get $i) (local.get $j)))
                  (local.set $count (i32.add (local.get $count) (i32.const 1)))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_if $bits (i32.lt_u (local.get $j) (i32.const 4))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quads)))
    (block $tail
      (loop $rest
        (br_if $tail (i32.ge_u (local.get $i) (local.get $n)))
        (if (f64.ge (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2)))))
              (local.get $floor))
          (then
            (i32.store (i32.add (local.get $ids) (i32.shl (local.get $count) (i32.const 2))) (local.get $i))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rest)))
    (local.get $count))

  ;; out[i] = exp(in[i]) for i < n (float64): for the test against Math.exp.
  (func (export "expMany") (param $in i32) (param $out i32) (param $n i32)
    (local $i i32)
    (block $done
      (loop $pairs
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $n)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
          (call $exp2 (v128.load (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
        (call $exp1 (f64.load (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 3)))))))))
)`;
}
