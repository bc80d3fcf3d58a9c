;; The float engine's WebAssembly SIMD (f64x2) kernels: the GEMM macro-kernel of sim/float/gemm.ts, the
;; depthwise conv2d loops of sim/float/depthwise-wasm.ts (after the GEMM), the gathered panel packing and
;; scatter-add of sim/float/gemm-gathered.ts, and ReLU (sim/float/relu.ts, at the end).
;;
;; GEMM contract (the TypeScript driver in gemm.ts packs the operands into this module's memory first):
;;   C block[mc×nc] (+)= packed A block · packed B panel, for one KC-deep slice of k.
;;   - packed A: mc/2 strips of 2 rows, each stored k-major: strip[p*2 + i] (MR = 2);
;;   - packed B: nc/8 strips of 8 columns, each stored k-major: strip[p*8 + j] (NR = 8);
;;   - C block: row-major with a row stride of ldcBytes; mc and nc are already rounded up to 2 and 8 and the
;;     block is padded likewise, so there are no edge tiles here — the driver copies only the valid part back.
;;
;; Bit-identical to the JS kernel (gemmReference): every C element gets its own accumulator that starts at +0 and
;; adds a*b for p = 0, 1, …, kc-1 in order (f64x2.mul then f64x2.add, each correctly rounded: no FMA, which
;; would round once and differ), and the sum is then stored, or added to C as C + sum. The register tile's
;; shape changes only which elements are computed together, never any element's order of operations.
;;
;; The tile is 2 rows × 8 columns: 8 f64x2 accumulators, 2 splatted A values and 4 B vectors = 14 of the 16
;; xmm registers of x86-64, 16 multiply-adds per 6 loads. Loop order as in BLIS: jr outside ir, so one
;; B strip (KC×8 doubles = 16 KB) stays in L1 while the whole packed A block streams past it from L2.
(module
  (memory (export "memory") 1)

  (func (export "macroKernel")
    (param $mc i32) (param $nc i32) (param $kc i32)
    (param $aBase i32) (param $bBase i32) (param $cBase i32) (param $ldcBytes i32) (param $add i32)
    (local $jr i32) (local $ir i32)
    (local $bStrip i32)   ;; byte address of the B strip of columns jr..jr+7
    (local $ai i32) (local $aEnd i32) (local $bi i32)
    (local $ci i32)       ;; byte address of C[ir, jr]
    (local $a0 v128) (local $a1 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    ;; $cij = row i of the tile, columns 2j and 2j+1
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)

    (local.set $jr (i32.const 0))
    (loop $columns
      (local.set $bStrip (i32.add (local.get $bBase) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 3))))
      (local.set $ir (i32.const 0))
      (loop $rows
        (local.set $ai (i32.add (local.get $aBase) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 3))))
        (local.set $aEnd (i32.add (local.get $ai) (i32.shl (local.get $kc) (i32.const 4))))   ;; 2 doubles per p
        (local.set $bi (local.get $bStrip))
        (local.set $c00 (v128.const f64x2 0 0)) (local.set $c01 (v128.const f64x2 0 0))
        (local.set $c02 (v128.const f64x2 0 0)) (local.set $c03 (v128.const f64x2 0 0))
        (local.set $c10 (v128.const f64x2 0 0)) (local.set $c11 (v128.const f64x2 0 0))
        (local.set $c12 (v128.const f64x2 0 0)) (local.set $c13 (v128.const f64x2 0 0))
        ;; kc >= 1 always (gemm.ts handles k = 0 itself), so the p loop is bottom-tested.
        (loop $depth
          (local.set $a0 (v128.load64_splat (local.get $ai)))
          (local.set $a1 (v128.load64_splat offset=8 (local.get $ai)))
          (local.set $b0 (v128.load (local.get $bi)))
          (local.set $b1 (v128.load offset=16 (local.get $bi)))
          (local.set $b2 (v128.load offset=32 (local.get $bi)))
          (local.set $b3 (v128.load offset=48 (local.get $bi)))
          (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $a0) (local.get $b0))))
          (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $a0) (local.get $b1))))
          (local.set $c02 (f64x2.add (local.get $c02) (f64x2.mul (local.get $a0) (local.get $b2))))
          (local.set $c03 (f64x2.add (local.get $c03) (f64x2.mul (local.get $a0) (local.get $b3))))
          (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $a1) (local.get $b0))))
          (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $a1) (local.get $b1))))
          (local.set $c12 (f64x2.add (local.get $c12) (f64x2.mul (local.get $a1) (local.get $b2))))
          (local.set $c13 (f64x2.add (local.get $c13) (f64x2.mul (local.get $a1) (local.get $b3))))
          (local.set $ai (i32.add (local.get $ai) (i32.const 16)))
          (local.set $bi (i32.add (local.get $bi) (i32.const 64)))
          (br_if $depth (i32.lt_u (local.get $ai) (local.get $aEnd))))
        (local.set $ci (i32.add (local.get $cBase)
          (i32.add (i32.mul (local.get $ir) (local.get $ldcBytes)) (i32.shl (local.get $jr) (i32.const 3)))))
        (if (local.get $add)
          (then
            ;; C + sum, the JS kernel's `c[ci] += c00`.
            (local.set $c00 (f64x2.add (v128.load (local.get $ci)) (local.get $c00)))
            (local.set $c01 (f64x2.add (v128.load offset=16 (local.get $ci)) (local.get $c01)))
            (local.set $c02 (f64x2.add (v128.load offset=32 (local.get $ci)) (local.get $c02)))
            (local.set $c03 (f64x2.add (v128.load offset=48 (local.get $ci)) (local.get $c03)))
            (local.set $c10 (f64x2.add (v128.load (i32.add (local.get $ci) (local.get $ldcBytes))) (local.get $c10)))
            (local.set $c11 (f64x2.add (v128.load offset=16 (i32.add (local.get $ci) (local.get $ldcBytes))) (local.get $c11)))
            (local.set $c12 (f64x2.add (v128.load offset=32 (i32.add (local.get $ci) (local.get $ldcBytes))) (local.get $c12)))
            (local.set $c13 (f64x2.add (v128.load offset=48 (i32.add (local.get $ci) (local.get $ldcBytes))) (local.get $c13)))))
        (v128.store (local.get $ci) (local.get $c00))
        (v128.store offset=16 (local.get $ci) (local.get $c01))
        (v128.store offset=32 (local.get $ci) (local.get $c02))
        (v128.store offset=48 (local.get $ci) (local.get $c03))
        (local.set $ci (i32.add (local.get $ci) (local.get $ldcBytes)))
        (v128.store (local.get $ci) (local.get $c10))
        (v128.store offset=16 (local.get $ci) (local.get $c11))
        (v128.store offset=32 (local.get $ci) (local.get $c12))
        (v128.store offset=48 (local.get $ci) (local.get $c13))
        (local.set $ir (i32.add (local.get $ir) (i32.const 2)))
        (br_if $rows (i32.lt_u (local.get $ir) (local.get $mc))))
      (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
      (br_if $columns (i32.lt_u (local.get $jr) (local.get $nc)))))

  ;; Depthwise conv2d (one input channel per group; sim/float/depthwise-wasm.ts). x is the group's one input plane,
  ;; row-major h×w; ranges holds [j0, j1) per kernel column v as i32 pairs (columnRanges).

  ;; Forward, for the kg output channels of one group (they all read the one input plane): y[o][i, j] +=
  ;; w[o][u, v] * x[i*sh + u*dh - padTop, j*sw + v*dw - padLeft]. Planes are not interleaved: x is h×w at xBase,
  ;; weights [o][u][v] at wBase, y planes [o][i][j] at yBase (arriving seeded with the bias); at tapsBase, per output
  ;; column j, the taps [vLo, vHi) whose column ranges hold j, as i32 pairs (the v with j0 ≤ j < j1 are contiguous).
  ;; Every output gets the JS loop's additions in the JS loop's order — u, then v — and skips the same taps (rows
  ;; outside the input, columns outside [j0, j1)); only its running sum stays in a register across v instead of
  ;; going back to y after each tap. Where every tap is valid for adjacent outputs (jLo ≤ j, j+7 < jHi or j+1 < jHi:
  ;; the driver passes the intersection of the ranges, empty unless the column stride is 1), eight of them go as
  ;; four f64x2 sums side by side (so the adds do not wait on each other), or two as one; the borders go one output
  ;; at a time over their own taps.
  (func (export "depthwiseForward")
    (param $h i32) (param $w i32) (param $r i32) (param $s i32) (param $p i32) (param $q i32)
    (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $padTop i32) (param $padLeft i32)
    (param $kg i32) (param $jLo i32) (param $jHi i32)
    (param $xBase i32) (param $wBase i32) (param $yBase i32) (param $tapsBase i32)
    (local $o i32) (local $u i32) (local $i i32) (local $j i32) (local $v i32) (local $vEnd i32) (local $ih i32)
    (local $xRow i32) (local $yRow i32) (local $y i32) (local $wRow i32) (local $src i32) (local $tap i32)
    (local $dwBytes i32) (local $one f64)
    (local $wt v128) (local $acc v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local.set $dwBytes (i32.shl (local.get $dw) (i32.const 3)))
    (local.set $o (i32.const 0))
    (loop $channels
      (local.set $u (i32.const 0))
      (loop $taps_u
        (local.set $wRow (i32.add (local.get $wBase)
          (i32.shl (i32.mul (i32.add (i32.mul (local.get $o) (local.get $r)) (local.get $u)) (local.get $s)) (i32.const 3))))
        (local.set $i (i32.const 0))
        (loop $rows
          (local.set $ih (i32.sub (i32.add (i32.mul (local.get $i) (local.get $sh)) (i32.mul (local.get $u) (local.get $dh))) (local.get $padTop)))
          (if (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $h)))
            (then
              ;; x[ih, -padLeft] (may lie before the plane; every valid tap lands inside it)
              (local.set $xRow (i32.add (local.get $xBase)
                (i32.shl (i32.sub (i32.mul (local.get $ih) (local.get $w)) (local.get $padLeft)) (i32.const 3))))
              (local.set $yRow (i32.add (local.get $yBase)
                (i32.shl (i32.mul (i32.add (i32.mul (local.get $o) (local.get $p)) (local.get $i)) (local.get $q)) (i32.const 3))))
              (local.set $j (i32.const 0))
              (loop $columns
                (local.set $y (i32.add (local.get $yRow) (i32.shl (local.get $j) (i32.const 3))))
                (if (i32.and (i32.ge_s (local.get $j) (local.get $jLo)) (i32.lt_s (i32.add (local.get $j) (i32.const 7)) (local.get $jHi)))
                  (then
                    ;; outputs j … j+7, every tap valid (column stride 1): four independent sums in flight
                    (local.set $acc (v128.load (local.get $y)))
                    (local.set $acc1 (v128.load offset=16 (local.get $y)))
                    (local.set $acc2 (v128.load offset=32 (local.get $y)))
                    (local.set $acc3 (v128.load offset=48 (local.get $y)))
                    (local.set $src (i32.add (local.get $xRow) (i32.shl (local.get $j) (i32.const 3))))
                    (local.set $tap (local.get $wRow))
                    (local.set $v (i32.const 0))
                    (loop $blockTaps
                      (local.set $wt (v128.load64_splat (local.get $tap)))
                      (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $wt) (v128.load (local.get $src)))))
                      (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $wt) (v128.load offset=16 (local.get $src)))))
                      (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $wt) (v128.load offset=32 (local.get $src)))))
                      (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (local.get $wt) (v128.load offset=48 (local.get $src)))))
                      (local.set $src (i32.add (local.get $src) (local.get $dwBytes)))
                      (local.set $tap (i32.add (local.get $tap) (i32.const 8)))
                      (local.set $v (i32.add (local.get $v) (i32.const 1)))
                      (br_if $blockTaps (i32.lt_u (local.get $v) (local.get $s))))
                    (v128.store (local.get $y) (local.get $acc))
                    (v128.store offset=16 (local.get $y) (local.get $acc1))
                    (v128.store offset=32 (local.get $y) (local.get $acc2))
                    (v128.store offset=48 (local.get $y) (local.get $acc3))
                    (local.set $j (i32.add (local.get $j) (i32.const 8))))
                (else (if (i32.and (i32.ge_s (local.get $j) (local.get $jLo)) (i32.lt_s (i32.add (local.get $j) (i32.const 1)) (local.get $jHi)))
                  (then
                    ;; outputs j and j+1, every tap valid
                    (local.set $acc (v128.load (local.get $y)))
                    (local.set $src (i32.add (local.get $xRow) (i32.shl (local.get $j) (i32.const 3))))
                    (local.set $tap (local.get $wRow))
                    (local.set $v (i32.const 0))
                    (loop $pairTaps
                      ;; the JS `y[..] += wt * x[src]`: y + (w * x)
                      (local.set $acc (f64x2.add (local.get $acc)
                        (f64x2.mul (v128.load64_splat (local.get $tap)) (v128.load (local.get $src)))))
                      (local.set $src (i32.add (local.get $src) (local.get $dwBytes)))
                      (local.set $tap (i32.add (local.get $tap) (i32.const 8)))
                      (local.set $v (i32.add (local.get $v) (i32.const 1)))
                      (br_if $pairTaps (i32.lt_u (local.get $v) (local.get $s))))
                    (v128.store (local.get $y) (local.get $acc))
                    (local.set $j (i32.add (local.get $j) (i32.const 2))))
                  (else
                    ;; output j alone: its taps v in [vLo, vHi) (the ones whose column range holds j), in order
                    (local.set $one (f64.load (local.get $y)))
                    (local.set $v (i32.load (i32.add (local.get $tapsBase) (i32.shl (local.get $j) (i32.const 3)))))
                    (local.set $vEnd (i32.load offset=4 (i32.add (local.get $tapsBase) (i32.shl (local.get $j) (i32.const 3)))))
                    (block $oneDone
                      (br_if $oneDone (i32.ge_s (local.get $v) (local.get $vEnd)))
                      (local.set $tap (i32.add (local.get $wRow) (i32.shl (local.get $v) (i32.const 3))))
                      (local.set $src (i32.add (local.get $xRow) (i32.shl
                        (i32.add (i32.mul (local.get $j) (local.get $sw)) (i32.mul (local.get $v) (local.get $dw))) (i32.const 3))))
                      (loop $oneTaps
                        (local.set $one (f64.add (local.get $one) (f64.mul (f64.load (local.get $tap)) (f64.load (local.get $src)))))
                        (local.set $src (i32.add (local.get $src) (local.get $dwBytes)))
                        (local.set $tap (i32.add (local.get $tap) (i32.const 8)))
                        (local.set $v (i32.add (local.get $v) (i32.const 1)))
                        (br_if $oneTaps (i32.lt_s (local.get $v) (local.get $vEnd)))))
                    (f64.store (local.get $y) (local.get $one))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))))))
                (br_if $columns (i32.lt_s (local.get $j) (local.get $q))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $rows (i32.lt_u (local.get $i) (local.get $p))))
        (local.set $u (i32.add (local.get $u) (i32.const 1)))
        (br_if $taps_u (i32.lt_u (local.get $u) (local.get $r))))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br_if $channels (i32.lt_u (local.get $o) (local.get $kg)))))

  ;; The weight gradient, two output channels o and o+1 of one group at a time, one per f64x2 lane (a tap's sum runs
  ;; over i then j, so it cannot be split across columns): the driver interleaves dy as [i][j][lane], and each lane
  ;; computes what the plain-JS loop of depthwise.ts computes for its channel: for each tap (u, v),
  ;; dwSum[lane][u, v] = sum over the valid rows i, then the valid columns j in [j0, j1), of dy[lane][i, j] * x[...],
  ;; from +0, written to dwBase as [u][v][lane] (the driver adds each to dWeight, as the JS loop does once per image
  ;; and channel). Five taps v0 … v0+4 of a kernel row go side by side, one sum each, so their additions do not
  ;; wait on each other; every sum still sees its own terms in the JS order. Past the row's end (s not a multiple
  ;; of five) a slot repeats the last tap and is not stored. Columns every slot's range holds skip the range tests.
  (func (export "depthwisePairWeightGrad")
    (param $h i32) (param $w i32) (param $r i32) (param $s i32) (param $p i32) (param $q i32)
    (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $padTop i32) (param $padLeft i32)
    (param $xBase i32) (param $dyBase i32) (param $dwBase i32) (param $rangesBase i32)
    (local $u i32) (local $i i32) (local $j i32) (local $v0 i32) (local $ih i32) (local $t i32)
    (local $xRow i32) (local $base i32) (local $d i32) (local $swBytes i32) (local $jLo i32) (local $jHi i32)
    (local $dv v128) (local $dp i32) (local $dEnd i32)
    (local $o0 i32) (local $a0 i32) (local $b0 i32) (local $o1 i32) (local $a1 i32) (local $b1 i32) (local $o2 i32) (local $a2 i32) (local $b2 i32) (local $o3 i32) (local $a3 i32) (local $b3 i32) (local $o4 i32) (local $a4 i32) (local $b4 i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $acc4 v128)
    (local.set $swBytes (i32.shl (local.get $sw) (i32.const 3)))
    (local.set $u (i32.const 0))
    (loop $taps_u
      (local.set $v0 (i32.const 0))
      (loop $blocks
        (local.set $jLo (i32.const 0))
        (local.set $jHi (local.get $q))
        ;; slot 0: tap min(v0 + 0, s - 1), its x offset in bytes and its columns [a0, b0)
        (local.set $t (i32.add (local.get $v0) (i32.const 0)))
        (local.set $t (select (local.get $t) (i32.sub (local.get $s) (i32.const 1)) (i32.lt_u (local.get $t) (local.get $s))))
        (local.set $o0 (i32.shl (i32.mul (local.get $t) (local.get $dw)) (i32.const 3)))
        (local.set $a0 (i32.load (i32.add (local.get $rangesBase) (i32.shl (local.get $t) (i32.const 3)))))
        (local.set $b0 (i32.load offset=4 (i32.add (local.get $rangesBase) (i32.shl (local.get $t) (i32.const 3)))))
        (local.set $jLo (select (local.get $a0) (local.get $jLo) (i32.gt_s (local.get $a0) (local.get $jLo))))
        (local.set $jHi (select (local.get $b0) (local.get $jHi) (i32.lt_s (local.get $b0) (local.get $jHi))))
        (local.set $acc0 (v128.const f64x2 0 0))
        ;; slot 1: tap min(v0 + 1, s - 1), its x offset in bytes and its columns [a1, b1)
        (local.set $t (i32.add (local.get $v0) (i32.const 1)))
        (local.set $t (select (local.get $t) (i32.sub (local.get $s) (i32.const 1)) (i32.lt_u (local.get $t) (local.get $s))))
        (local.set $o1 (i32.shl (i32.mul (local.get $t) (local.get $dw)) (i32.const 3)))
        (local.set $a1 (i32.load (i32.add (local.get $rangesBase) (i32.shl (local.get $t) (i32.const 3)))))
        (local.set $b1 (i32.load offset=4 (i32.add (local.get $rangesBase) (i32.shl (local.get $t) (i32.const 3)))))
        (local.set $jLo (select (local.get $a1) (local.get $jLo) (i32.gt_s (local.get $a1) (local.get $jLo))))
        (local.set $jHi (select (local.get $b1) (local.get $jHi) (i32.lt_s (local.get $b1) (local.get $jHi))))
        (local.set $acc1 (v128.const f64x2 0 0))
        ;; slot 2: tap min(v0 + 2, s - 1), its x offset in bytes and its columns [a2, b2)
        (local.set $t (i32.add (local.get $v0) (i32.const 2)))
        (local.set $t (select (local.get $t) (i32.sub (local.get $s) (i32.const 1)) (i32.lt_u (local.get $t) (local.get $s))))
        (local.set $o2 (i32.shl (i32.mul (local.get $t) (local.get $dw)) (i32.const 3)))
        (local.set $a2 (i32.load (i32.add (local.get $rangesBase) (i32.shl (local.get $t) (i32.const 3)))))
        (local.set $b2 (i32.load offset=4 (i32.add (local.get $rangesBase) (i32.shl (local.get $t) (i32.const 3)))))
        (local.set $jLo (select (local.get $a2) (local.get $jLo) (i32.gt_s (local.get $a2) (local.get $jLo))))
        (local.set $jHi (select (local.get $b2) (local.get $jHi) (i32.lt_s (local.get $b2) (local.get $jHi))))
        (local.set $acc2 (v128.const f64x2 0 0))
        ;; slot 3: tap min(v0 + 3, s - 1), its x offset in bytes and its columns [a3, b3)
        (local.set $t (i32.add (local.get $v0) (i32.const 3)))
        (local.set $t (select (local.get $t) (i32.sub (local.get $s) (i32.const 1)) (i32.lt_u (local.get $t) (local.get $s))))
        (local.set $o3 (i32.shl (i32.mul (local.get $t) (local.get $dw)) (i32.const 3)))
        (local.set $a3 (i32.load (i32.add (local.get $rangesBase) (i32.shl (local.get $t) (i32.const 3)))))
        (local.set $b3 (i32.load offset=4 (i32.add (local.get $rangesBase) (i32.shl (local.get $t) (i32.const 3)))))
        (local.set $jLo (select (local.get $a3) (local.get $jLo) (i32.gt_s (local.get $a3) (local.get $jLo))))
        (local.set $jHi (select (local.get $b3) (local.get $jHi) (i32.lt_s (local.get $b3) (local.get $jHi))))
        (local.set $acc3 (v128.const f64x2 0 0))
        ;; slot 4: tap min(v0 + 4, s - 1), its x offset in bytes and its columns [a4, b4)
        (local.set $t (i32.add (local.get $v0) (i32.const 4)))
        (local.set $t (select (local.get $t) (i32.sub (local.get $s) (i32.const 1)) (i32.lt_u (local.get $t) (local.get $s))))
        (local.set $o4 (i32.shl (i32.mul (local.get $t) (local.get $dw)) (i32.const 3)))
        (local.set $a4 (i32.load (i32.add (local.get $rangesBase) (i32.shl (local.get $t) (i32.const 3)))))
        (local.set $b4 (i32.load offset=4 (i32.add (local.get $rangesBase) (i32.shl (local.get $t) (i32.const 3)))))
        (local.set $jLo (select (local.get $a4) (local.get $jLo) (i32.gt_s (local.get $a4) (local.get $jLo))))
        (local.set $jHi (select (local.get $b4) (local.get $jHi) (i32.lt_s (local.get $b4) (local.get $jHi))))
        (local.set $acc4 (v128.const f64x2 0 0))
        (local.set $i (i32.const 0))
        (loop $rows
          (local.set $ih (i32.sub (i32.add (i32.mul (local.get $i) (local.get $sh)) (i32.mul (local.get $u) (local.get $dh))) (local.get $padTop)))
          (if (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $h)))
            (then
              (local.set $xRow (i32.add (local.get $xBase)
                (i32.shl (i32.sub (i32.mul (local.get $ih) (local.get $w)) (local.get $padLeft)) (i32.const 3))))
              (local.set $d (i32.add (local.get $dyBase) (i32.shl (i32.mul (local.get $i) (local.get $q)) (i32.const 4))))
;; columns left of the ones every slot covers, each slot against its own range
              (local.set $j (i32.const 0))
              (block $leftDone
                (br_if $leftDone (i32.ge_s (local.get $j) (select (local.get $jLo) (local.get $q) (i32.lt_s (local.get $jLo) (local.get $jHi)))))
                (loop $left
                  (local.set $dv (v128.load (i32.add (local.get $d) (i32.shl (local.get $j) (i32.const 4)))))
                  (local.set $base (i32.add (local.get $xRow) (i32.mul (local.get $j) (local.get $swBytes))))
                  (if (i32.and (i32.ge_s (local.get $j) (local.get $a0)) (i32.lt_s (local.get $j) (local.get $b0)))
                    (then (local.set $acc0 (f64x2.add (local.get $acc0)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o0))))))))
                  (if (i32.and (i32.ge_s (local.get $j) (local.get $a1)) (i32.lt_s (local.get $j) (local.get $b1)))
                    (then (local.set $acc1 (f64x2.add (local.get $acc1)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o1))))))))
                  (if (i32.and (i32.ge_s (local.get $j) (local.get $a2)) (i32.lt_s (local.get $j) (local.get $b2)))
                    (then (local.set $acc2 (f64x2.add (local.get $acc2)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o2))))))))
                  (if (i32.and (i32.ge_s (local.get $j) (local.get $a3)) (i32.lt_s (local.get $j) (local.get $b3)))
                    (then (local.set $acc3 (f64x2.add (local.get $acc3)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o3))))))))
                  (if (i32.and (i32.ge_s (local.get $j) (local.get $a4)) (i32.lt_s (local.get $j) (local.get $b4)))
                    (then (local.set $acc4 (f64x2.add (local.get $acc4)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o4))))))))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br_if $left (i32.lt_s (local.get $j) (select (local.get $jLo) (local.get $q) (i32.lt_s (local.get $jLo) (local.get $jHi)))))))
              ;; the columns every slot covers: no range tests; the JS `dwSum += dy[..] * x[src]`: sum + (dy * x)
              (if (i32.lt_s (local.get $jLo) (local.get $jHi))
                (then
                  (local.set $dp (i32.add (local.get $d) (i32.shl (local.get $jLo) (i32.const 4))))
                  (local.set $dEnd (i32.add (local.get $d) (i32.shl (local.get $jHi) (i32.const 4))))
                  (local.set $base (i32.add (local.get $xRow) (i32.mul (local.get $jLo) (local.get $swBytes))))
                  (loop $interior
                    (local.set $dv (v128.load (local.get $dp)))
                    (local.set $acc0 (f64x2.add (local.get $acc0)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o0))))))
                    (local.set $acc1 (f64x2.add (local.get $acc1)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o1))))))
                    (local.set $acc2 (f64x2.add (local.get $acc2)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o2))))))
                    (local.set $acc3 (f64x2.add (local.get $acc3)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o3))))))
                    (local.set $acc4 (f64x2.add (local.get $acc4)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o4))))))
                    (local.set $base (i32.add (local.get $base) (local.get $swBytes)))
                    (local.set $dp (i32.add (local.get $dp) (i32.const 16)))
                    (br_if $interior (i32.lt_u (local.get $dp) (local.get $dEnd))))))
              (local.set $j (select (local.get $jHi) (local.get $q) (i32.lt_s (local.get $jLo) (local.get $jHi))))
              (block $rightDone
                (br_if $rightDone (i32.ge_s (local.get $j) (local.get $q)))
                (loop $right
                  (local.set $dv (v128.load (i32.add (local.get $d) (i32.shl (local.get $j) (i32.const 4)))))
                  (local.set $base (i32.add (local.get $xRow) (i32.mul (local.get $j) (local.get $swBytes))))
                  (if (i32.and (i32.ge_s (local.get $j) (local.get $a0)) (i32.lt_s (local.get $j) (local.get $b0)))
                    (then (local.set $acc0 (f64x2.add (local.get $acc0)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o0))))))))
                  (if (i32.and (i32.ge_s (local.get $j) (local.get $a1)) (i32.lt_s (local.get $j) (local.get $b1)))
                    (then (local.set $acc1 (f64x2.add (local.get $acc1)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o1))))))))
                  (if (i32.and (i32.ge_s (local.get $j) (local.get $a2)) (i32.lt_s (local.get $j) (local.get $b2)))
                    (then (local.set $acc2 (f64x2.add (local.get $acc2)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o2))))))))
                  (if (i32.and (i32.ge_s (local.get $j) (local.get $a3)) (i32.lt_s (local.get $j) (local.get $b3)))
                    (then (local.set $acc3 (f64x2.add (local.get $acc3)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o3))))))))
                  (if (i32.and (i32.ge_s (local.get $j) (local.get $a4)) (i32.lt_s (local.get $j) (local.get $b4)))
                    (then (local.set $acc4 (f64x2.add (local.get $acc4)
                      (f64x2.mul (local.get $dv) (v128.load64_splat (i32.add (local.get $base) (local.get $o4))))))))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br_if $right (i32.lt_s (local.get $j) (local.get $q)))))
              ))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $rows (i32.lt_u (local.get $i) (local.get $p))))
        (if (i32.lt_u (i32.add (local.get $v0) (i32.const 0)) (local.get $s))
          (then (v128.store (i32.add (local.get $dwBase)
            (i32.shl (i32.add (i32.mul (local.get $u) (local.get $s)) (i32.add (local.get $v0) (i32.const 0))) (i32.const 4))) (local.get $acc0))))
        (if (i32.lt_u (i32.add (local.get $v0) (i32.const 1)) (local.get $s))
          (then (v128.store (i32.add (local.get $dwBase)
            (i32.shl (i32.add (i32.mul (local.get $u) (local.get $s)) (i32.add (local.get $v0) (i32.const 1))) (i32.const 4))) (local.get $acc1))))
        (if (i32.lt_u (i32.add (local.get $v0) (i32.const 2)) (local.get $s))
          (then (v128.store (i32.add (local.get $dwBase)
            (i32.shl (i32.add (i32.mul (local.get $u) (local.get $s)) (i32.add (local.get $v0) (i32.const 2))) (i32.const 4))) (local.get $acc2))))
        (if (i32.lt_u (i32.add (local.get $v0) (i32.const 3)) (local.get $s))
          (then (v128.store (i32.add (local.get $dwBase)
            (i32.shl (i32.add (i32.mul (local.get $u) (local.get $s)) (i32.add (local.get $v0) (i32.const 3))) (i32.const 4))) (local.get $acc3))))
        (if (i32.lt_u (i32.add (local.get $v0) (i32.const 4)) (local.get $s))
          (then (v128.store (i32.add (local.get $dwBase)
            (i32.shl (i32.add (i32.mul (local.get $u) (local.get $s)) (i32.add (local.get $v0) (i32.const 4))) (i32.const 4))) (local.get $acc4))))
        (local.set $v0 (i32.add (local.get $v0) (i32.const 5)))
        (br_if $blocks (i32.lt_u (local.get $v0) (local.get $s))))
      (local.set $u (i32.add (local.get $u) (i32.const 1)))
      (br_if $taps_u (i32.lt_u (local.get $u) (local.get $r)))))

  ;; dx[i*sh + u*dh - padTop, j + v*dw - padLeft] += w[o][u, v] * dy[o][i, j] for the kg channels o of one group, in the
  ;; JS loop order o, u, v, i, j (which fixes each dx element's order of additions). Column stride 1 only, so that
  ;; consecutive j touch consecutive dx: two columns per f64x2, the odd one out in scalar f64 — within one
  ;; (o, u, v, i) step every dx element is touched once, so pairing does not reorder anything.
  ;; dx is the one input plane (h×w) at dxBase, weights [o][u][v] at wBase, dy planes [o][i][j] at dyBase.
  (func (export "depthwiseInputGrad")
    (param $h i32) (param $w i32) (param $r i32) (param $s i32) (param $p i32) (param $q i32)
    (param $sh i32) (param $dh i32) (param $dw i32) (param $padTop i32) (param $padLeft i32) (param $kg i32)
    (param $dxBase i32) (param $wBase i32) (param $dyBase i32) (param $rangesBase i32)
    (local $o i32) (local $u i32) (local $v i32) (local $i i32) (local $ih i32)
    (local $j0 i32) (local $j1 i32) (local $dst i32) (local $d i32) (local $dPairsEnd i32) (local $dEnd i32)
    (local $wt f64) (local $wt2 v128)
    (local.set $o (i32.const 0))
    (loop $channels
      (local.set $u (i32.const 0))
      (loop $taps_u
        (local.set $v (i32.const 0))
        (loop $taps_v
          (local.set $wt (f64.load (i32.add (local.get $wBase) (i32.shl
            (i32.add (i32.mul (i32.add (i32.mul (local.get $o) (local.get $r)) (local.get $u)) (local.get $s)) (local.get $v))
            (i32.const 3)))))
          (local.set $wt2 (f64x2.splat (local.get $wt)))
          (local.set $j0 (i32.load (i32.add (local.get $rangesBase) (i32.shl (local.get $v) (i32.const 3)))))
          (local.set $j1 (i32.load offset=4 (i32.add (local.get $rangesBase) (i32.shl (local.get $v) (i32.const 3)))))
          (local.set $i (i32.const 0))
          (loop $rows
            (local.set $ih (i32.sub (i32.add (i32.mul (local.get $i) (local.get $sh)) (i32.mul (local.get $u) (local.get $dh))) (local.get $padTop)))
            (if (i32.and (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $h)))
                  (i32.lt_s (local.get $j0) (local.get $j1)))
              (then
                (local.set $dst (i32.add (local.get $dxBase) (i32.shl
                  (i32.add (i32.sub (i32.mul (local.get $ih) (local.get $w)) (local.get $padLeft))
                    (i32.add (local.get $j0) (i32.mul (local.get $v) (local.get $dw))))
                  (i32.const 3))))
                (local.set $d (i32.add (local.get $dyBase) (i32.shl
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $o) (local.get $p)) (local.get $i)) (local.get $q)) (local.get $j0))
                  (i32.const 3))))
                (local.set $dEnd (i32.add (local.get $d) (i32.shl (i32.sub (local.get $j1) (local.get $j0)) (i32.const 3))))
                (local.set $dPairsEnd (i32.sub (local.get $dEnd) (i32.and (i32.sub (local.get $dEnd) (local.get $d)) (i32.const 8))))
                (block $pairsDone
                  (br_if $pairsDone (i32.ge_u (local.get $d) (local.get $dPairsEnd)))
                  (loop $pairs
                    ;; the JS `dx[src] += wt * dy[..]`: dx + (w * dy)
                    (v128.store (local.get $dst) (f64x2.add (v128.load (local.get $dst))
                      (f64x2.mul (local.get $wt2) (v128.load (local.get $d)))))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                    (local.set $d (i32.add (local.get $d) (i32.const 16)))
                    (br_if $pairs (i32.lt_u (local.get $d) (local.get $dPairsEnd)))))
                (if (i32.lt_u (local.get $d) (local.get $dEnd))
                  (then (f64.store (local.get $dst) (f64.add (f64.load (local.get $dst))
                    (f64.mul (local.get $wt) (f64.load (local.get $d)))))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $rows (i32.lt_u (local.get $i) (local.get $p))))
          (local.set $v (i32.add (local.get $v) (i32.const 1)))
          (br_if $taps_v (i32.lt_u (local.get $v) (local.get $s))))
        (local.set $u (i32.add (local.get $u) (i32.const 1)))
        (br_if $taps_u (i32.lt_u (local.get $u) (local.get $r))))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br_if $channels (i32.lt_u (local.get $o) (local.get $kg)))))
  ;; A gathered B panel (sim/float/gemm-gathered.ts): B[p, j] = x[kOff[p] + nOff[j]], a matrix that is never stored
  ;; (a convolution's column matrix, read from the image). Packs B[pc:pc+kc, jc:jc+nc] at dstBase in packPanelB's
  ;; layout: 8-column strips, each k-major (strip[p*8 + j]), the last one zero-padded to 8 columns. kOff and nOff
  ;; are i32 byte offsets from xBase. Only copies: the values are the image's, bit for bit.
  (func (export "gatherPanel")
    (param $xBase i32) (param $kOffBase i32) (param $nOffBase i32) (param $pc i32) (param $kc i32)
    (param $jc i32) (param $nc i32) (param $dstBase i32)
    (local $jr i32) (local $cols i32) (local $d i32) (local $kp i32) (local $kEnd i32) (local $o i32)
    (local $nj i32) (local $j i32)
    (local $n0 i32) (local $n1 i32) (local $n2 i32) (local $n3 i32)
    (local $n4 i32) (local $n5 i32) (local $n6 i32) (local $n7 i32)
    (local.set $jr (i32.const 0))
    (loop $strips
      (local.set $cols (i32.sub (local.get $nc) (local.get $jr)))
      (local.set $d (i32.add (local.get $dstBase) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 3))))
      (local.set $kp (i32.add (local.get $kOffBase) (i32.shl (local.get $pc) (i32.const 2))))
      (local.set $kEnd (i32.add (local.get $kp) (i32.shl (local.get $kc) (i32.const 2))))
      (local.set $nj (i32.add (local.get $nOffBase) (i32.shl (i32.add (local.get $jc) (local.get $jr)) (i32.const 2))))
      (if (i32.ge_u (local.get $cols) (i32.const 8))
        (then
          (local.set $n0 (i32.add (local.get $xBase) (i32.load (local.get $nj))))
          (local.set $n1 (i32.add (local.get $xBase) (i32.load offset=4 (local.get $nj))))
          (local.set $n2 (i32.add (local.get $xBase) (i32.load offset=8 (local.get $nj))))
          (local.set $n3 (i32.add (local.get $xBase) (i32.load offset=12 (local.get $nj))))
          (local.set $n4 (i32.add (local.get $xBase) (i32.load offset=16 (local.get $nj))))
          (local.set $n5 (i32.add (local.get $xBase) (i32.load offset=20 (local.get $nj))))
          (local.set $n6 (i32.add (local.get $xBase) (i32.load offset=24 (local.get $nj))))
          (local.set $n7 (i32.add (local.get $xBase) (i32.load offset=28 (local.get $nj))))
          (if (i32.and (i32.and (i32.and (i32.eq (local.get $n1) (i32.add (local.get $n0) (i32.const 8)))
                  (i32.eq (local.get $n2) (i32.add (local.get $n0) (i32.const 16))))
                (i32.and (i32.eq (local.get $n3) (i32.add (local.get $n0) (i32.const 24)))
                  (i32.eq (local.get $n4) (i32.add (local.get $n0) (i32.const 32)))))
              (i32.and (i32.and (i32.eq (local.get $n5) (i32.add (local.get $n0) (i32.const 40)))
                  (i32.eq (local.get $n6) (i32.add (local.get $n0) (i32.const 48))))
                (i32.eq (local.get $n7) (i32.add (local.get $n0) (i32.const 56)))))
            (then
              ;; eight adjacent image values per p (a stride-1 output row): four vector copies
              (loop $contiguous
                (local.set $o (i32.add (local.get $n0) (i32.load (local.get $kp))))
                (v128.store (local.get $d) (v128.load (local.get $o)))
                (v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $o)))
                (v128.store offset=32 (local.get $d) (v128.load offset=32 (local.get $o)))
                (v128.store offset=48 (local.get $d) (v128.load offset=48 (local.get $o)))
                (local.set $d (i32.add (local.get $d) (i32.const 64)))
                (local.set $kp (i32.add (local.get $kp) (i32.const 4)))
                (br_if $contiguous (i32.lt_u (local.get $kp) (local.get $kEnd)))))
            (else
              (loop $full
                (local.set $o (i32.load (local.get $kp)))
                (f64.store (local.get $d) (f64.load (i32.add (local.get $o) (local.get $n0))))
                (f64.store offset=8 (local.get $d) (f64.load (i32.add (local.get $o) (local.get $n1))))
                (f64.store offset=16 (local.get $d) (f64.load (i32.add (local.get $o) (local.get $n2))))
                (f64.store offset=24 (local.get $d) (f64.load (i32.add (local.get $o) (local.get $n3))))
                (f64.store offset=32 (local.get $d) (f64.load (i32.add (local.get $o) (local.get $n4))))
                (f64.store offset=40 (local.get $d) (f64.load (i32.add (local.get $o) (local.get $n5))))
                (f64.store offset=48 (local.get $d) (f64.load (i32.add (local.get $o) (local.get $n6))))
                (f64.store offset=56 (local.get $d) (f64.load (i32.add (local.get $o) (local.get $n7))))
                (local.set $d (i32.add (local.get $d) (i32.const 64)))
                (local.set $kp (i32.add (local.get $kp) (i32.const 4)))
                (br_if $full (i32.lt_u (local.get $kp) (local.get $kEnd)))))))
        (else
          ;; the last, partial strip: cols < 8 gathered values, then zeros
          (loop $partial
            (local.set $o (i32.add (local.get $xBase) (i32.load (local.get $kp))))
            (local.set $j (i32.const 0))
            (loop $lanes
              (f64.store (i32.add (local.get $d) (i32.shl (local.get $j) (i32.const 3)))
                (if (result f64) (i32.lt_u (local.get $j) (local.get $cols))
                  (then (f64.load (i32.add (local.get $o) (i32.load (i32.add (local.get $nj) (i32.shl (local.get $j) (i32.const 2)))))))
                  (else (f64.const 0))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_if $lanes (i32.lt_u (local.get $j) (i32.const 8))))
            (local.set $d (i32.add (local.get $d) (i32.const 64)))
            (local.set $kp (i32.add (local.get $kp) (i32.const 4)))
            (br_if $partial (i32.lt_u (local.get $kp) (local.get $kEnd))))))
      (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
      (br_if $strips (i32.lt_u (local.get $jr) (local.get $nc)))))

  ;; The adjoint of a gathered panel, for col2im: dx[kOff[r] + nOff[j]] += C[r, j] for the rows r < rows of a C block
  ;; (row stride ldcBytes) and its columns j < cols, rows in order and each row's columns in order — the order of
  ;; the JS col2im, which fixes each dx element's order of additions. kOff and nOff are i32 byte offsets from dxBase.
  (func (export "scatterAdd")
    (param $cBase i32) (param $ldcBytes i32) (param $rows i32) (param $cols i32)
    (param $dxBase i32) (param $kOffBase i32) (param $nOffBase i32)
    (local $r i32) (local $row i32) (local $src i32) (local $np i32) (local $nEnd i32) (local $dst i32)
    (local.set $r (i32.const 0))
    (local.set $nEnd (i32.add (local.get $nOffBase) (i32.shl (local.get $cols) (i32.const 2))))
    (loop $rowsLoop
      (local.set $row (i32.add (local.get $dxBase) (i32.load (i32.add (local.get $kOffBase) (i32.shl (local.get $r) (i32.const 2))))))
      (local.set $src (i32.add (local.get $cBase) (i32.mul (local.get $r) (local.get $ldcBytes))))
      (local.set $np (local.get $nOffBase))
      (loop $colsLoop
        (local.set $dst (i32.add (local.get $row) (i32.load (local.get $np))))
        ;; the JS `dx[dst] += cols[..]`: dx + c
        (f64.store (local.get $dst) (f64.add (f64.load (local.get $dst)) (f64.load (local.get $src))))
        (local.set $src (i32.add (local.get $src) (i32.const 8)))
        (local.set $np (i32.add (local.get $np) (i32.const 4)))
        (br_if $colsLoop (i32.lt_u (local.get $np) (local.get $nEnd))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $rowsLoop (i32.lt_u (local.get $r) (local.get $rows)))))

  ;; ReLU (sim/float/relu.ts), n doubles, byte addresses. Forward, in place: x where x > 0 or x is NaN (payload
  ;; kept), else +0 — x AND a lane mask, so the kept values' bits are untouched. Pairs, then the odd one out in lane 0.
  (func (export "reluForward") (param $at i32) (param $n i32)
    (local $end i32) (local $x v128)
    (local.set $end (i32.add (local.get $at) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $pairsDone
      (br_if $pairsDone (i32.ge_u (local.get $at) (local.get $end)))
      (loop $pairs
        (local.set $x (v128.load (local.get $at)))
        (v128.store (local.get $at) (v128.and (local.get $x)
          (v128.or (f64x2.gt (local.get $x) (v128.const f64x2 0 0)) (f64x2.ne (local.get $x) (local.get $x)))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br_if $pairs (i32.lt_u (local.get $at) (local.get $end)))))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $x (v128.load64_zero (local.get $at)))
        (v128.store64_lane 0 (local.get $at) (v128.and (local.get $x)
          (v128.or (f64x2.gt (local.get $x) (v128.const f64x2 0 0)) (f64x2.ne (local.get $x) (local.get $x))))))))

  ;; Backward, into dy's place: dy where x > 0, else +0 (ReLU'(0) = 0; NaN x gives +0).
  (func (export "reluBackward") (param $x i32) (param $dy i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $pairsDone
      (br_if $pairsDone (i32.ge_u (local.get $x) (local.get $end)))
      (loop $pairs
        (v128.store (local.get $dy) (v128.and (v128.load (local.get $dy))
          (f64x2.gt (v128.load (local.get $x)) (v128.const f64x2 0 0))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (br_if $pairs (i32.lt_u (local.get $x) (local.get $end)))))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (v128.store64_lane 0 (local.get $dy) (v128.and (v128.load64_zero (local.get $dy))
          (f64x2.gt (v128.load64_zero (local.get $x)) (v128.const f64x2 0 0)))))))
)
