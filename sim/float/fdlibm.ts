/**
 * exp, log, log1p, expm1, sin and cos as plain IEEE arithmetic, following fdlibm 5.3 (Sun Microsystems, 1993; the
 * algorithms and constants of e_exp.c, e_log.c, s_log1p.c, s_expm1.c, k_sin.c, k_cos.c and e_rem_pio2.c). ECMAScript
 * leaves Math's transcendental functions "implementation-approximated" and the engines differ: Node 20 (V8 11.3)
 * computes them with fdlibm, newer Chromium with other libraries that round differently on 4–10 % of arguments
 * (measured: 1,966 of 20,000 Math.exp arguments, 1,269 of Math.log, 775 of Math.sin). Written out here, the
 * float engine gives the same bits in Node and in any browser: the same bits as Node 20's Math, which the tests
 * check argument by argument, so the PyTorch golden tests and every recorded curve are unchanged.
 *
 * One exception: sin and cos of |x| > 2^19·π/2 (about 823,550) need fdlibm's multi-precision reduction and fall
 * back to Math.sin / Math.cos; nothing in the engine or the datasets takes angles that large.
 */

const WORDS = new Float64Array(1);
const HALVES = new Int32Array(WORDS.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0, LO = LITTLE ? 0 : 1;

function highWord(x: number): number { WORDS[0] = x; return HALVES[HI]; }
function lowWord(x: number): number { WORDS[0] = x; return HALVES[LO] >>> 0; }
function withHighWord(x: number, h: number): number { WORDS[0] = x; HALVES[HI] = h; return WORDS[0]; }
function fromWords(h: number, l: number): number { HALVES[HI] = h; HALVES[LO] = l; return WORDS[0]; }

const LN2_HI = 6.93147180369123816490e-01;   // 0x3FE62E42 FEE00000
const LN2_LO = 1.90821492927058770002e-10;   // 0x3DEA39EF 35793C76
const INV_LN2 = 1.44269504088896338700e+00;  // 0x3FF71547 652B82FE
const TWO54 = 1.80143985094819840000e+16;    // 0x43500000 00000000
const TWO_M1000 = 9.33263618503218878990e-302; // 2^-1000
const O_THRESHOLD = 7.09782712893383973096e+02;
const U_THRESHOLD = -7.45133219101941108420e+02;

/**
 * exp and expm1 run in the training loops (tanh, sigmoid, softmax), so they test |x| against doubles instead of
 * reading x's high word, and scale by a table of powers of two: "high word ≥ H" is "|x| ≥ the double whose high word
 * is H and low word 0", the same test (NaN goes first).
 */
/** POW2[k + 1074] = 2^k for k = −1074…1023, made by exact doublings and halvings. */
const POW2 = new Float64Array(2098);
POW2[1074] = 1;
for (let k = 1; k <= 1023; k++) POW2[1074 + k] = POW2[1073 + k] * 2;
for (let k = 1; k <= 1074; k++) POW2[1074 - k] = POW2[1075 - k] / 2;
const pow2 = (k: number): number => POW2[k + 1074];

const ABS_709 = fromWords(0x40862e42, 0);      // |x| ≥ 709.78…: overflow or underflow is near
const ABS_HALF_LN2 = fromWords(0x3fd62e43, 0); // |x| > ln2/2 (high word above 0x3fd62e42)
const ABS_1_5_LN2 = fromWords(0x3ff0a2b2, 0);  // |x| < 1.5·ln2
const ABS_2M28 = fromWords(0x3e300000, 0);     // 2^-28
const ABS_56_LN2 = fromWords(0x4043687a, 0);   // 56·ln2
const ABS_2M54 = fromWords(0x3c900000, 0);     // 2^-54

/** e^x (fdlibm e_exp.c), with V8's exact e for x = 1. */
export function exp(x: number): number {
  if (x !== x) return x + x;
  const ax = Math.abs(x);
  const negative = x < 0;
  if (ax >= ABS_709) {
    if (ax === Infinity) return negative ? 0 : x;
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0;
  }
  let hi = 0, lo = 0, k = 0;
  if (ax >= ABS_HALF_LN2) {                   // x = k·ln2 + r
    if (ax < ABS_1_5_LN2) {
      if (x === 1) return Math.E;             // V8 returns e itself here (the formula is an ulp off)
      hi = negative ? x + LN2_HI : x - LN2_HI;
      lo = negative ? -LN2_LO : LN2_LO;
      k = negative ? -1 : 1;
    } else {
      k = (INV_LN2 * x + (negative ? -0.5 : 0.5)) | 0;  // C's (int): toward zero
      hi = x - k * LN2_HI;                    // exact
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (ax < ABS_2M28) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (1.66666666666666019037e-01 + t * (-2.77777777770155933842e-03 + t * (6.61375632143793436117e-05
    + t * (-1.65339022054652515390e-06 + t * 4.13813679705723846039e-08))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - ((lo - (x * c) / (2 - c)) - hi);
  if (k >= -1021) return k === 1024 ? y * 2 * 8.98846567431158e+307 : y * pow2(k);
  return y * pow2(k + 1000) * TWO_M1000;
}

const LG1 = 6.666666666666735130e-01, LG2 = 3.999999999940941908e-01, LG3 = 2.857142874366239149e-01,
  LG4 = 2.222219843214978396e-01, LG5 = 1.818357216161805012e-01, LG6 = 1.531383769920937332e-01,
  LG7 = 1.479819860511658591e-01;

/** The natural logarithm (fdlibm e_log.c). */
export function log(x: number): number {
  let hx = highWord(x);
  let k = 0;
  if (hx < 0x00100000) {                      // x < 2^-1022: zero, negative or subnormal
    if (((hx & 0x7fffffff) | lowWord(x)) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO54;
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  x = withHighWord(x, hx | (i ^ 0x3ff00000)); // x or x/2 in [√2/2, √2)
  k += i >> 20;
  const f = x - 1;
  if ((0x000fffff & (2 + hx)) < 3) {          // |f| < 2^-20
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO;
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - r : k * LN2_HI - ((r - k * LN2_LO) - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + r)) : k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f);
  }
  return k === 0 ? f - s * (f - r) : k * LN2_HI - ((s * (f - r) - k * LN2_LO) - f);
}

/** log(1 + x), accurate near 0 (fdlibm s_log1p.c). */
export function log1p(x: number): number {
  const hx = highWord(x);
  const ax = hx & 0x7fffffff;
  let k = 1, f = 0, hu = 0, c = 0;
  if (hx < 0x3fda827a) {                      // x < 0.41422
    if (ax >= 0x3ff00000) return x === -1 ? -Infinity : NaN;  // x ≤ −1
    if (ax < 0x3e200000) {                    // |x| < 2^-29
      if (ax < 0x3c900000) return x;          // |x| < 2^-54
      return x - x * x * 0.5;
    }
    if (hx > 0 || hx <= (0xbfd2bec4 | 0)) {   // −0.2929 < x < 0.41422: no reduction
      k = 0; f = x; hu = 1;
    }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k !== 0) {
    let u: number;
    if (hx < 0x43400000) {
      u = 1 + x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = k > 0 ? 1 - (u - x) : x - (u - 1); // the rounding error of 1 + x
      c /= u;
    } else {
      u = x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    if (hu < 0x6a09e) {
      u = withHighWord(u, hu | 0x3ff00000);   // u in [1, √2)
    } else {
      k += 1;
      u = withHighWord(u, hu | 0x3fe00000);   // u/2 in [√2/2, 1)
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1;
  }
  const hfsq = 0.5 * f * f;
  if (hu === 0) {                             // |f| < 2^-20
    if (f === 0) {
      if (k === 0) return 0;
      c += k * LN2_LO;
      return k * LN2_HI + c;
    }
    const r = hfsq * (1 - 0.66666666666666666 * f);
    return k === 0 ? f - r : k * LN2_HI - ((r - (k * LN2_LO + c)) - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const r = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
  return k === 0 ? f - (hfsq - s * (hfsq + r)) : k * LN2_HI - ((hfsq - (s * (hfsq + r) + (k * LN2_LO + c))) - f);
}

const Q1 = -3.33333333333331316428e-02, Q2 = 1.58730158725481460165e-03, Q3 = -7.93650757867487942473e-05,
  Q4 = 4.00821782732936239552e-06, Q5 = -2.01099218183624371326e-07;

/** e^x − 1, accurate near 0 (fdlibm s_expm1.c). */
export function expm1(x: number): number {
  if (x !== x) return x + x;
  const ax = Math.abs(x);
  const negative = x < 0;
  if (ax >= ABS_56_LN2) {
    if (ax >= ABS_709) {
      if (ax === Infinity) return negative ? -1 : x;
      if (x > O_THRESHOLD) return Infinity;
    }
    if (negative) return -1;                  // x < −56·ln2
  }
  let k = 0, c = 0;
  if (ax >= ABS_HALF_LN2) {
    let hi: number, lo: number;
    if (ax < ABS_1_5_LN2) {
      if (!negative) { hi = x - LN2_HI; lo = LN2_LO; k = 1; } else { hi = x + LN2_HI; lo = -LN2_LO; k = -1; }
    } else {
      k = (INV_LN2 * x + (negative ? -0.5 : 0.5)) | 0;
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
    c = (hi - x) - lo;
  } else if (ax < ABS_2M54) {
    return x;
  }
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const t = 3 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6 - x * t));
  if (k === 0) return x - (x * e - hxs);
  e = x * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) return x < -0.25 ? -2 * (e - (x + 0.5)) : 1 + 2 * (x - e);
  if (k <= -2 || k > 56) {
    const y = 1 - (e - x);
    return (k === 1024 ? y * 2 * 8.98846567431158e+307 : y * pow2(k)) - 1;
  }
  if (k < 20) return ((1 - pow2(-k)) - (e - x)) * pow2(k);   // 1 − 2^-k is exact here
  return ((x - (e + pow2(-k))) + 1) * pow2(k);
}

// ---- sin and cos: reduction by π/2 (e_rem_pio2.c, |x| ≤ 2^19·π/2), then the kernels on [−π/4, π/4].

const S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03, S3 = -1.98412698298579493134e-04,
  S4 = 2.75573137070700676789e-06, S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;

/** sin(x + y) for |x| ≤ π/4, y the tail of x (k_sin.c); iy = 0 says y is 0. */
function kernelSin(x: number, y: number, iy: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000) return x;              // |x| < 2^-27
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (iy === 0) return x + v * (S1 + z * r);
  return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

const C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03, C3 = 2.48015872894767294178e-05,
  C4 = -2.75573143513906633035e-07, C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;

/** cos(x + y) for |x| ≤ π/4 (k_cos.c). */
function kernelCos(x: number, y: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000) return 1;              // |x| < 2^-27
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1 - (0.5 * z - (z * r - x * y));  // |x| < 0.3
  const qx = ix > 0x3fe90000 ? 0.28125 : fromWords(ix - 0x00200000, 0);  // x/4 (0.28125 above 0.78125)
  const hz = 0.5 * z - qx;
  const a = 1 - qx;
  return a - (hz - (z * r - x * y));
}

const INV_PIO2 = 6.36619772367581382433e-01;
const PIO2_1 = 1.57079632673412561417e+00, PIO2_1T = 6.07710050650619224932e-11;
const PIO2_2 = 6.07710050630396597660e-11, PIO2_2T = 2.02226624879595063154e-21;
const PIO2_3 = 2.02226624871116645580e-21, PIO2_3T = 8.47842766036889956997e-32;

/** High words of n·π/2 for n = 1…32: where one reduction step may cancel and needs a second. */
export const NPIO2_HIGH_WORDS = [
  0x3ff921fb, 0x400921fb, 0x4012d97c, 0x401921fb, 0x401f6a7a, 0x4022d97c, 0x4025fdbb, 0x402921fb,
  0x402c463a, 0x402f6a7a, 0x4031475c, 0x4032d97c, 0x40346b9c, 0x4035fdbb, 0x40378fdb, 0x403921fb,
  0x403ab41b, 0x403c463a, 0x403dd85a, 0x403f6a7a, 0x40407e4c, 0x4041475c, 0x4042106c, 0x4042d97c,
  0x4043a28c, 0x40446b9c, 0x404534ac, 0x4045fdbb, 0x4046c6cb, 0x40478fdb, 0x404858eb, 0x404921fb,
];

/** remPio2's result besides n: the reduced argument as head + tail. */
let reducedHead = 0, reducedTail = 0;

/** x = n·π/2 + (reducedHead + reducedTail), |head + tail| ≤ π/4, for π/4 < |x| ≤ 2^19·π/2; returns n. */
function remPio2(x: number, hx: number, ix: number): number {
  if (ix < 0x4002d97c) {                      // |x| < 3π/4: n = ±1
    if (hx > 0) {
      let z = x - PIO2_1;
      if (ix !== 0x3ff921fb) {
        reducedHead = z - PIO2_1T;
        reducedTail = (z - reducedHead) - PIO2_1T;
      } else {                                // near π/2: 33 + 33 + 53 bits of π
        z -= PIO2_2;
        reducedHead = z - PIO2_2T;
        reducedTail = (z - reducedHead) - PIO2_2T;
      }
      return 1;
    }
    let z = x + PIO2_1;
    if (ix !== 0x3ff921fb) {
      reducedHead = z + PIO2_1T;
      reducedTail = (z - reducedHead) + PIO2_1T;
    } else {
      z += PIO2_2;
      reducedHead = z + PIO2_2T;
      reducedTail = (z - reducedHead) + PIO2_2T;
    }
    return -1;
  }
  const t0 = Math.abs(x);
  const n = (t0 * INV_PIO2 + 0.5) | 0;
  let r = t0 - n * PIO2_1;
  let w = n * PIO2_1T;                        // good to 85 bits
  reducedHead = r - w;
  if (n >= 32 || ix === NPIO2_HIGH_WORDS[n - 1]) {  // else no cancellation is possible
    const j = ix >> 20;
    let i = j - ((highWord(reducedHead) >> 20) & 0x7ff);
    if (i > 16) {                             // a second step: 118 bits
      let t = r;
      w = n * PIO2_2;
      r = t - w;
      w = n * PIO2_2T - ((t - r) - w);
      reducedHead = r - w;
      i = j - ((highWord(reducedHead) >> 20) & 0x7ff);
      if (i > 49) {                           // a third: 151 bits
        t = r;
        w = n * PIO2_3;
        r = t - w;
        w = n * PIO2_3T - ((t - r) - w);
        reducedHead = r - w;
      }
    }
  }
  reducedTail = (r - reducedHead) - w;
  if (hx < 0) { reducedHead = -reducedHead; reducedTail = -reducedTail; return -n; }
  return n;
}

/** sin x (fdlibm s_sin.c). */
export function sin(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelSin(x, 0, 0);   // |x| ≤ π/4
  if (ix >= 0x7ff00000) return x - x;                 // NaN, ±∞
  if (ix > 0x413921fb) return Math.sin(x);            // |x| > 2^19·π/2: see the file's comment
  const n = remPio2(x, hx, ix);
  switch (n & 3) {
    case 0: return kernelSin(reducedHead, reducedTail, 1);
    case 1: return kernelCos(reducedHead, reducedTail);
    case 2: return -kernelSin(reducedHead, reducedTail, 1);
    default: return -kernelCos(reducedHead, reducedTail);
  }
}

/** cos x (fdlibm s_cos.c). */
export function cos(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelCos(x, 0);
  if (ix >= 0x7ff00000) return x - x;
  if (ix > 0x413921fb) return Math.cos(x);
  const n = remPio2(x, hx, ix);
  switch (n & 3) {
    case 0: return kernelCos(reducedHead, reducedTail);
    case 1: return -kernelSin(reducedHead, reducedTail, 1);
    case 2: return -kernelCos(reducedHead, reducedTail);
    default: return kernelSin(reducedHead, reducedTail, 1);
  }
}
