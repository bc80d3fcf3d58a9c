;; The float32 engine's WebAssembly SIMD (f32x4) GEMM macro-kernel, driven by sim/float/gemm-f32.ts.
;;
;; Contract (the driver packs the operands into this module's memory first, as gemm.ts does for float64):
;;   C block[mc×nc] (+)= packed A block · packed B panel, for one KC-deep slice of k.
;;   - packed A: mc/2 strips of 2 rows, each stored k-major: strip[p*2 + i] (MR = 2);
;;   - packed B: nc/16 strips of 16 columns, each stored k-major: strip[p*16 + j] (NR = 16);
;;   - C block: row-major with a row stride of ldcBytes; mc and nc are already rounded up to 2 and 16, and the block
;;     is padded likewise, so there are no edge tiles here.
;;
;; Every C element gets its own float32 accumulator that starts at +0 and adds a*b for p = 0, 1, …, kc-1 in order
;; (f32x4.mul then f32x4.add, each rounded to float32: no FMA); the sum is then stored, or added as C + sum. That is
;; exactly gemmF32Reference's order (Math.fround after every operation), so the two agree bit for bit.
;;
;; The tile is 2 rows × 16 columns: 8 f32x4 accumulators, 2 splatted A values and 4 B vectors, the float64 kernel's
;; register budget with twice the lanes: 32 multiply-adds per 6 loads.
(module
  (memory (export "memory") 1)

  (func (export "macroKernel")
    (param $mc i32) (param $nc i32) (param $kc i32)
    (param $aBase i32) (param $bBase i32) (param $cBase i32) (param $ldcBytes i32) (param $add i32)
    (local $jr i32) (local $ir i32)
    (local $bStrip i32)   ;; byte address of the B strip of columns jr..jr+15
    (local $ai i32) (local $aEnd i32) (local $bi i32)
    (local $ci i32)       ;; byte address of C[ir, jr]
    (local $a0 v128) (local $a1 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    ;; $cij = row i of the tile, columns 4j … 4j+3
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)

    (local.set $jr (i32.const 0))
    (loop $columns
      (local.set $bStrip (i32.add (local.get $bBase) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2))))
      (local.set $ir (i32.const 0))
      (loop $rows
        (local.set $ai (i32.add (local.get $aBase) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2))))
        (local.set $aEnd (i32.add (local.get $ai) (i32.shl (local.get $kc) (i32.const 3))))   ;; 2 floats per p
        (local.set $bi (local.get $bStrip))
        (local.set $c00 (v128.const f32x4 0 0 0 0)) (local.set $c01 (v128.const f32x4 0 0 0 0))
        (local.set $c02 (v128.const f32x4 0 0 0 0)) (local.set $c03 (v128.const f32x4 0 0 0 0))
        (local.set $c10 (v128.const f32x4 0 0 0 0)) (local.set $c11 (v128.const f32x4 0 0 0 0))
        (local.set $c12 (v128.const f32x4 0 0 0 0)) (local.set $c13 (v128.const f32x4 0 0 0 0))
        ;; kc >= 1 always (the driver handles k = 0 itself), so the p loop is bottom-tested.
        (loop $depth
          (local.set $a0 (v128.load32_splat (local.get $ai)))
          (local.set $a1 (v128.load32_splat offset=4 (local.get $ai)))
          (local.set $b0 (v128.load (local.get $bi)))
          (local.set $b1 (v128.load offset=16 (local.get $bi)))
          (local.set $b2 (v128.load offset=32 (local.get $bi)))
          (local.set $b3 (v128.load offset=48 (local.get $bi)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a0) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a0) (local.get $b1))))
          (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $a0) (local.get $b2))))
          (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $a0) (local.get $b3))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a1) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a1) (local.get $b1))))
          (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $a1) (local.get $b2))))
          (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $a1) (local.get $b3))))
          (local.set $ai (i32.add (local.get $ai) (i32.const 8)))
          (local.set $bi (i32.add (local.get $bi) (i32.const 64)))
          (br_if $depth (i32.lt_u (local.get $ai) (local.get $aEnd))))
        (local.set $ci (i32.add (local.get $cBase)
          (i32.add (i32.mul (local.get $ir) (local.get $ldcBytes)) (i32.shl (local.get $jr) (i32.const 2)))))
        (if (local.get $add)
          (then
            ;; C + sum, the reference's `c[ci] = fround(c[ci] + c00)`.
            (local.set $c00 (f32x4.add (v128.load (local.get $ci)) (local.get $c00)))
            (local.set $c01 (f32x4.add (v128.load offset=16 (local.get $ci)) (local.get $c01)))
            (local.set $c02 (f32x4.add (v128.load offset=32 (local.get $ci)) (local.get $c02)))
            (local.set $c03 (f32x4.add (v128.load offset=48 (local.get $ci)) (local.get $c03)))
            (local.set $c10 (f32x4.add (v128.load (i32.add (local.get $ci) (local.get $ldcBytes))) (local.get $c10)))
            (local.set $c11 (f32x4.add (v128.load offset=16 (i32.add (local.get $ci) (local.get $ldcBytes))) (local.get $c11)))
            (local.set $c12 (f32x4.add (v128.load offset=32 (i32.add (local.get $ci) (local.get $ldcBytes))) (local.get $c12)))
            (local.set $c13 (f32x4.add (v128.load offset=48 (i32.add (local.get $ci) (local.get $ldcBytes))) (local.get $c13)))))
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
      (local.set $jr (i32.add (local.get $jr) (i32.const 16)))
      (br_if $columns (i32.lt_u (local.get $jr) (local.get $nc)))))
)
