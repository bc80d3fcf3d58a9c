/**
 * NCKU AI-on-Chip Lab 2's analytical model of an Eyeriss-style row-stationary accelerator ("Lab 2 – Performance
 * Modeling", the course's public HackMD handout), written from the handout's formulas. Where the handout leaves a
 * formula as homework, the reading chosen here follows its loop nest and is marked **reading** (docs/ncku-lab2.md
 * lists each).
 *
 * The loop nest (outer to inner): m_base over M by m; e_base over E by e; n_base over N by n; c_base over C by q·r;
 * m_tile over m by p·t — DMA of the ifmap tile (n·q·r·(U(e−1)+R)·W bytes), the weights (p·t·q·r·R·S) and, at
 * c_base = 0, the bias (p·t, 4 bytes each) — then the PE array: r sets on channels × t sets on filters, each set R rows
 * × e columns, every PE looping n, q, p, F with an S-wide dot product per step. The ofmap (n·m·e·F, 1 byte each,
 * max-pooled by the PPU first when a pool follows) goes back to DRAM after each (m_base, e_base, n_base).
 */

export interface LabHardware {
  readonly peArrayH: number;
  readonly peArrayW: number;
  /** Spad capacities in entries (the handout's "bytes": ifmap and filter entries are 1 byte; psum entries 4). */
  readonly ifmapSpad: number;
  readonly filterSpad: number;
  readonly psumSpad: number;
  readonly glbBytes: number;
  /** DRAM↔GLB and GLB↔spad bandwidth, bytes per cycle. */
  readonly busBytesPerCycle: number;
  readonly nocBytesPerCycle: number;
  /** Cycles per DRAM / GLB transaction (of busBytesPerCycle / nocBytesPerCycle bytes). */
  readonly dramAccessCycles: number;
  readonly glbAccessCycles: number;
  /** PPU cycles per ofmap element: with a max pool after the conv, and without. */
  readonly ppuCyclesPool: number;
  readonly ppuCyclesPlain: number;
  readonly clockHz: number;
  /** Energy per MAC and per byte accessed in GLB and DRAM, pJ; leakage power, µW. */
  readonly macPj: number;
  readonly glbPjPerByte: number;
  readonly dramPjPerByte: number;
  readonly leakageUw: number;
}

/** One conv layer (the handout's letters): N images, C×H×W in, M filters of C×R×S, stride U, padding P. */
export interface LabLayer {
  readonly name: string;
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly m: number;
  readonly r: number;
  readonly s: number;
  readonly u: number;
  readonly pad: number;
  /** A 2×2 / 2 max pool follows, run by the PPU before the ofmap is written back. */
  readonly maxPool: boolean;
}

/** The RS mapping parameters (Eyeriss' Table 2 notation, as the handout defines them). */
export interface LabMapping {
  /** Ofmap channels kept in the GLB. */
  readonly m: number;
  /** Images per processing pass. */
  readonly n: number;
  /** Width of a PE set: the ofmap rows one set computes at once. */
  readonly e: number;
  /** Filters per PE set, channels per PE set. */
  readonly p: number;
  readonly q: number;
  /** PE sets on different channels, on different filters. */
  readonly r: number;
  readonly t: number;
}

export const ofmapDims = (l: LabLayer): { e: number; f: number } => ({
  e: Math.floor((l.h + 2 * l.pad - l.r) / l.u) + 1,
  f: Math.floor((l.w + 2 * l.pad - l.s) / l.u) + 1,
});

/** Each condition a mapping must meet, by name, with whether it holds (the handout's four first). */
export function checkMapping(mp: LabMapping, l: LabLayer, hw: LabHardware): { readonly name: string; readonly ok: boolean }[] {
  const { e: E } = ofmapDims(l);
  const pes = hw.peArrayH * hw.peArrayW;
  return [
    { name: 'p·q ≤ ⌊filter spad / S⌋', ok: mp.p * mp.q <= Math.floor(hw.filterSpad / l.s) },
    { name: 'e a multiple of the array width, half of it, or E', ok: mp.e % hw.peArrayW === 0 || 2 * mp.e === hw.peArrayW || mp.e === E },
    { name: 'r·t = ⌊⌊PEs / R⌋ / e⌋', ok: mp.r * mp.t === Math.floor(Math.floor(pes / l.r) / mp.e) },
    { name: 'm a multiple of p', ok: mp.m % mp.p === 0 },
    { name: 'q·S ≤ ifmap spad', ok: mp.q * l.s <= hw.ifmapSpad },
    { name: 'p ≤ psum spad', ok: mp.p <= hw.psumSpad },
    { name: 'GLB usage ≤ GLB size', ok: glbUsage(mp, l).total <= hw.glbBytes },
  ];
}

export const isValid = (mp: LabMapping, l: LabLayer, hw: LabHardware): boolean => checkMapping(mp, l, hw).every((c) => c.ok);

/** GLB bytes one processing pass holds. ifmap: the handout's formula; filter, bias, psum: **reading** (the DMA sizes). */
export function glbUsage(mp: LabMapping, l: LabLayer): { ifmap: number; filter: number; bias: number; psum: number; total: number } {
  const { f: F } = ofmapDims(l);
  const qr = mp.q * mp.r, pt = mp.p * mp.t;
  const ifmap = mp.n * qr * (l.u * (mp.e - 1) + l.r) * l.w;
  const filter = pt * qr * l.r * l.s;
  const bias = pt * 4;
  // The psums of the m ofmap channels the GLB keeps, for the e rows being computed (4 bytes each).
  const psum = mp.n * mp.m * mp.e * F * 4;
  return { ifmap, filter, bias, psum, total: ifmap + filter + bias + psum };
}

export interface LabCost {
  /** DRAM tiles (m_base × e_base × n_base × c_base) and processing passes (× m_tile). */
  readonly tiles: number;
  readonly passes: number;
  readonly glbUsage: ReturnType<typeof glbUsage>;
  readonly dram: { readonly ifmapRead: number; readonly filterRead: number; readonly biasRead: number; readonly ofmapWrite: number; readonly read: number; readonly write: number; readonly total: number };
  readonly glb: { readonly ifmapRead: number; readonly filterRead: number; readonly biasRead: number; readonly psumRead: number; readonly psumWrite: number; readonly read: number; readonly write: number; readonly total: number };
  readonly macs: number;
  /** Latency terms, cycles: the handout adds them (no overlap). */
  readonly cycles: { readonly dram: number; readonly glb: number; readonly compute: number; readonly ppu: number; readonly total: number };
  readonly seconds: number;
  /** µJ: compute, memory, leakage; total. Power, µW. */
  readonly energyUj: { readonly compute: number; readonly memory: number; readonly leakage: number; readonly total: number };
  readonly powerUw: number;
  /** energy × latency, µJ·s. */
  readonly edpUjS: number;
}

const ceil = (a: number, b: number): number => Math.ceil(a / b);

/** The lab's numbers for one layer under one mapping (bytes, cycles, µJ). */
export function labCost(mp: LabMapping, l: LabLayer, hw: LabHardware): LabCost {
  const { e: E, f: F } = ofmapDims(l);
  const qr = mp.q * mp.r, pt = mp.p * mp.t;
  const outer = ceil(l.m, mp.m) * ceil(E, mp.e) * ceil(l.n, mp.n); // (m_base, e_base, n_base)
  const tiles = outer * ceil(l.c, qr);
  const mTiles = ceil(mp.m, pt);
  const passes = tiles * mTiles;
  const usage = glbUsage(mp, l);
  // DRAM. ifmap: the handout's formula (fetched once per tile, reused across m_tile from the GLB). The rest:
  // **reading** — weights per pass, bias once per (m_base, e_base, n_base) at c_base = 0, the ofmap written once.
  const ifmapRead = tiles * usage.ifmap;
  const filterRead = passes * usage.filter;
  const biasRead = outer * mTiles * usage.bias;
  const pooled = l.maxPool ? Math.floor(E / 2) * Math.floor(F / 2) : E * F;
  const ofmapWrite = l.n * l.m * pooled;
  const dramRead = ifmapRead + filterRead + biasRead;
  // GLB. ifmap: the handout's formula (read again for every m_tile). **Reading**: weights and bias read once into the
  // spads per pass; the psums of a pass written back, and read first when an earlier c_base left some.
  const glbIfmap = ifmapRead * mTiles;
  const psumPerPass = mp.n * pt * mp.e * F * 4;
  const psumWrite = passes * psumPerPass;
  const psumRead = outer * (ceil(l.c, qr) - 1) * mTiles * psumPerPass;
  const glbRead = glbIfmap + filterRead + biasRead + psumRead;
  const macs = l.n * l.m * E * F * l.c * l.r * l.s;
  // Latency: bytes × cycles per byte for DRAM and GLB, the PE array (one MAC per PE per cycle: n·p·q·F·S per pass,
  // **reading**), and the PPU over every conv output.
  const dramCycles = (dramRead + ofmapWrite) * (hw.dramAccessCycles / hw.busBytesPerCycle);
  const glbCycles = (glbRead + psumWrite) * (hw.glbAccessCycles / hw.nocBytesPerCycle);
  const computeCycles = passes * mp.n * mp.p * mp.q * F * l.s;
  const ppuCycles = l.n * l.m * E * F * (l.maxPool ? hw.ppuCyclesPool : hw.ppuCyclesPlain);
  const total = dramCycles + glbCycles + computeCycles + ppuCycles;
  const seconds = total / hw.clockHz;
  const compute = (macs * hw.macPj) / 1e6;
  const memory = ((dramRead + ofmapWrite) * hw.dramPjPerByte + (glbRead + psumWrite) * hw.glbPjPerByte) / 1e6;
  const leakage = hw.leakageUw * seconds;
  const energy = compute + memory + leakage;
  return {
    tiles, passes, glbUsage: usage,
    dram: { ifmapRead, filterRead, biasRead, ofmapWrite, read: dramRead, write: ofmapWrite, total: dramRead + ofmapWrite },
    glb: { ifmapRead: glbIfmap, filterRead, biasRead, psumRead, psumWrite, read: glbRead, write: psumWrite, total: glbRead + psumWrite },
    macs, cycles: { dram: dramCycles, glb: glbCycles, compute: computeCycles, ppu: ppuCycles, total }, seconds,
    energyUj: { compute, memory, leakage, total: energy }, powerUw: (compute + memory) / seconds + hw.leakageUw, edpUjS: energy * seconds,
  };
}
