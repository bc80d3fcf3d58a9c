/**
 * Verilog-2005 for one array configuration: the PE, the array with its input skew, and a file-driven testbench.
 * Pure text generation; which PE is generated comes from map/'s dataflow strategy (does the stationary operand get
 * preloaded, do partial sums leave the array), never from the dataflow's name. docs/rtl.md explains the timing.
 *
 * The PE multiplies the operands arriving at its inputs and latches them for its neighbours on the same clock edge,
 * so a product formed at edge s is added at edge s + D − 1 (D = the MAC pipeline depth, D − 1 product registers):
 * exactly the cycle-stepped array's step order (sim/array/systolic-array.ts). Every sum is reduced to the accumulator
 * width when a product is added: saturated to [−2^(AW−1), 2^(AW−1) − 1], or wrapped (the low AW bits).
 *
 * The lines the mutation tests alter carry a `// mut:NAME` tag (test/rtl/mutation.test.ts).
 */
import type { GemmDataflow } from '../arch/types.js';
import { strategyOf } from '../map/dataflow.js';

export interface RtlConfig {
  readonly rows: number;
  readonly cols: number;
  readonly dataflow: GemmDataflow;
  /** Operand width DW (both operands, two's complement). */
  readonly operandBits: number;
  /** Accumulator width AW. */
  readonly accumulatorBits: number;
  readonly overflow: 'saturate' | 'wrap';
  /** MAC pipeline depth D ≥ 1. */
  readonly macPipelineCycles: number;
}

/** One field of a stimulus line, least significant first (the testbench unpacks them in this order). */
export interface StimulusField {
  readonly name: string;
  readonly bits: number;
}

export interface GeneratedRtl {
  /** File name → Verilog text. */
  readonly files: Readonly<Record<string, string>>;
  readonly top: string;
  readonly testbench: string;
  /** The stimulus line's fields, least significant first. */
  readonly stimulus: readonly StimulusField[];
  /** Whether results stay in the PEs (os: per-PE done strobes) or leave at the bottom edge (ws, is). */
  readonly outputs: 'per-pe' | 'bottom-edge';
}

const PE = 'systolab_pe';
const TOP = 'systolab_array';
const TB = 'systolab_tb';

/**
 * The widths the generated code uses (computed here, so no replication count is ever zero and no bit goes unused):
 * operands DW, accumulator AW, product PW, sum SW. Saturation compares the exact sum: PW = 2·DW, SW = max(AW, PW) + 1.
 * Wrapping keeps the low AW bits, which only the low AW bits of each term decide: PW = min(2·DW, AW), SW = AW.
 */
function widths(c: RtlConfig): { dw: number; aw: number; pw: number; sw: number } {
  const dw = c.operandBits, aw = c.accumulatorBits;
  if (c.overflow === 'wrap') return { dw, aw, pw: Math.min(2 * dw, aw), sw: aw };
  return { dw, aw, pw: 2 * dw, sw: Math.max(aw, 2 * dw) + 1 };
}

/** `x` (signed, `from` bits) sign-extended to `to` bits, or its low `to` bits (modular arithmetic only needs those). */
function signExtend(x: string, from: number, to: number): string {
  if (to < from) return `${x}[${to - 1}:0]`;
  return to === from ? x : `{{${to - from}{${x}[${from - 1}]}}, ${x}}`;
}

/** The D − 1 product registers and the accumulate step, shared by both PE kinds. `flags` ride with the product. */
function pipeline(c: RtlConfig, flags: readonly string[]): { decls: string[]; regs: string[]; resets: string[]; final: string } {
  const { pw } = widths(c);
  const decls: string[] = [], regs: string[] = [], resets: string[] = [];
  for (let s = 1; s < c.macPipelineCycles; s++) {
    const prev = s === 1 ? 'p0' : `p${s - 1}`;
    decls.push(`  reg signed [${pw - 1}:0] p${s};`, `  reg p${s}_valid;`, ...flags.map((f) => `  reg p${s}_${f};`));
    regs.push(`      p${s} <= ${prev};  // mut:pipe${s}`, `      p${s}_valid <= ${prev}_valid;`, ...flags.map((f) => `      p${s}_${f} <= ${prev}_${f};`));
    resets.push(`      p${s} <= ${pw}'sd0;`, `      p${s}_valid <= 1'b0;`, ...flags.map((f) => `      p${s}_${f} <= 1'b0;`));
  }
  return { decls, regs, resets, final: `p${c.macPipelineCycles - 1}` };
}

/** The reduction of `sum` (SW bits) to AW bits, as continuous assignments to `next`. */
function reduction(c: RtlConfig, base: string): string[] {
  const { aw, pw, sw } = widths(c);
  const lines = [
    `  wire signed [${sw - 1}:0] sum = ${signExtend(base, aw, sw)} + ${signExtend('pf', pw, sw)};  // mut:add`,
  ];
  if (c.overflow === 'wrap') {
    lines.push(`  wire signed [${aw - 1}:0] next = sum;  // wrap: the low ${aw} bits, two's complement`);
  } else {
    const hi = (1n << BigInt(aw - 1)) - 1n, lo = 1n << BigInt(aw - 1);
    lines.push(
      `  localparam signed [${sw - 1}:0] ACC_MAX = ${sw}'sd${hi};  // mut:satmax`,
      `  localparam signed [${sw - 1}:0] ACC_MIN = -${sw}'sd${lo};`,
      `  wire signed [${aw - 1}:0] next = (sum > ACC_MAX) ? ACC_MAX[${aw - 1}:0] : (sum < ACC_MIN) ? ACC_MIN[${aw - 1}:0] : sum[${aw - 1}:0];`,
    );
  }
  return lines;
}

/** os: both operands move (h right, v down); the result stays; `first` replaces the sum, `last` raises `done`. */
function outputStationaryPe(c: RtlConfig): string {
  const { dw, aw, pw } = widths(c);
  const p = pipeline(c, ['first', 'last']);
  return `// Output-stationary PE: both operands pass through (h to the right, v down); the sum stays in acc.
// The product of the operands at the inputs is formed on the edge that latches them; after ${c.macPipelineCycles - 1} product
// register(s) it is added to acc. A product flagged 'first' starts a new sum (a fold's first MAC: a zero-cost
// clear); one flagged 'last' raises done for one cycle, when acc holds the finished result.
module ${PE} (
  input  wire                   clk,
  input  wire                   rst,
  input  wire signed [${dw - 1}:0]   h_in,
  input  wire                   h_valid_in,
  input  wire                   h_first_in,
  input  wire                   h_last_in,
  input  wire signed [${dw - 1}:0]   v_in,
  input  wire                   v_valid_in,
  output reg  signed [${dw - 1}:0]   h_out,
  output reg                    h_valid_out,
  output reg                    h_first_out,
  output reg                    h_last_out,
  output reg  signed [${dw - 1}:0]   v_out,
  output reg                    v_valid_out,
  output reg  signed [${aw - 1}:0]   acc,
  output reg                    done
);
  wire signed [${pw - 1}:0] p0 = ${signExtend('h_in', dw, pw)} * ${signExtend('v_in', dw, pw)};
  wire p0_valid = h_valid_in & v_valid_in;  // mut:valid
  wire p0_first = h_first_in;
  wire p0_last = h_last_in;
${p.decls.join('\n')}
  wire signed [${pw - 1}:0] pf = ${p.final};
  wire pf_valid = ${p.final}_valid;
  wire pf_first = ${p.final}_first;
  wire pf_last = ${p.final}_last;
  wire signed [${aw - 1}:0] base = pf_first ? ${aw}'sd0 : acc;
${reduction(c, 'base').join('\n')}

  always @(posedge clk) begin
    if (rst) begin
      h_out <= ${dw}'sd0;
      h_valid_out <= 1'b0;
      h_first_out <= 1'b0;
      h_last_out <= 1'b0;
      v_out <= ${dw}'sd0;
      v_valid_out <= 1'b0;
      acc <= ${aw}'sd0;
      done <= 1'b0;
${p.resets.join('\n')}
    end else begin
      h_out <= h_in;
      h_valid_out <= h_valid_in;
      h_first_out <= h_first_in;
      h_last_out <= h_last_in;
      v_out <= v_in;
      v_valid_out <= v_valid_in;
${p.regs.join('\n')}
      if (pf_valid) acc <= next;
      done <= pf_valid & pf_last;
    end
  end
endmodule
`;
}

/** ws, is: one operand preloaded and held (v), the other moves right (h), partial sums move down. */
function stationaryPe(c: RtlConfig): string {
  const { dw, aw, pw } = widths(c);
  const p = pipeline(c, []);
  return `// PE with a stationary operand: while 'load' is high the stationary operand shifts down (v_in → v_out) and
// stays there; while streaming the moving operand passes to the right, and the partial sum from the PE above
// (psum_in) leaves downwards (psum_out) with this PE's product added. The product of h_in and the held operand is
// formed on the edge that latches h_in; after ${c.macPipelineCycles - 1} product register(s) it meets the partial sum of the same output.
module ${PE} (
  input  wire                   clk,
  input  wire                   rst,
  input  wire                   load,
  input  wire signed [${dw - 1}:0]   h_in,
  input  wire                   h_valid_in,
  input  wire signed [${dw - 1}:0]   v_in,
  input  wire                   v_valid_in,
  input  wire signed [${aw - 1}:0]   psum_in,
  input  wire                   psum_valid_in,
  output reg  signed [${dw - 1}:0]   h_out,
  output reg                    h_valid_out,
  output reg  signed [${dw - 1}:0]   v_out,
  output reg                    v_valid_out,
  output reg  signed [${aw - 1}:0]   psum_out,
  output reg                    psum_valid_out
);
  wire signed [${pw - 1}:0] p0 = ${signExtend('h_in', dw, pw)} * ${signExtend('v_out', dw, pw)};
  wire p0_valid = h_valid_in & v_valid_out;  // mut:valid
${p.decls.join('\n')}
  wire signed [${pw - 1}:0] pf = ${p.final};
  wire pf_valid = ${p.final}_valid;
${reduction(c, 'psum_in').join('\n')}

  always @(posedge clk) begin
    if (rst) begin
      h_out <= ${dw}'sd0;
      h_valid_out <= 1'b0;
      v_out <= ${dw}'sd0;
      v_valid_out <= 1'b0;
      psum_out <= ${aw}'sd0;
      psum_valid_out <= 1'b0;
${p.resets.join('\n')}
    end else begin
      if (load) begin
        v_out <= v_in;
        v_valid_out <= v_valid_in;
      end
      h_out <= h_in;
      h_valid_out <= h_valid_in;
${p.regs.join('\n')}
      psum_out <= pf_valid ? next : psum_in;
      psum_valid_out <= psum_valid_in | pf_valid;
    end
  end
endmodule
`;
}

/** A delay line of N registers (N ≥ 1) of W bits, reset to zero: the skew of one array edge lane. */
function delayModule(): string {
  return `// N registers in a row (N >= 1): lane i of an array edge is delayed by its skew.
module systolab_delay #(parameter W = 1, parameter N = 1) (
  input  wire         clk,
  input  wire         rst,
  input  wire [W-1:0] d,
  output wire [W-1:0] q
);
  reg [W-1:0] r [0:N-1];
  integer t;
  always @(posedge clk) begin
    if (rst) begin
      for (t = 0; t < N; t = t + 1) r[t] <= {W{1'b0}};
    end else begin
      r[0] <= d;
      for (t = 1; t < N; t = t + 1) r[t] <= r[t-1];
    end
  end
  assign q = r[N-1];
endmodule
`;
}

/** A lane with skew `delay` (a Verilog expression ≥ 0 in the generate variable): a wire at 0, else a delay line. */
function skewed(name: string, width: string, delay: string, d: string, q: string, tag: string): string {
  return `    if (${delay} == 0) begin : ${name}_wire
      assign ${q} = ${d};
    end else begin : ${name}_skew
      systolab_delay #(.W(${width}), .N(${delay})) ${name}_line (.clk(clk), .rst(rst), .d(${d}), .q(${q}));  // mut:${tag}
    end`;
}

function outputStationaryTop(c: RtlConfig): string {
  const { dw, aw } = widths(c);
  const R = c.rows, C = c.cols;
  return `// ${R}x${C} output-stationary array. Row i of A enters at the left, column j of B at the top, both unskewed:
// lane i (j) is delayed by i (j) cycles here, so PE (i, j) meets element k of both at cycle k + i + j.
// A result is final in PE (i, j) when its done bit rises; acc_out holds every PE's accumulator.
module ${TOP} #(parameter ROWS = ${R}, parameter COLS = ${C}) (
  input  wire                    clk,
  input  wire                    rst,
  input  wire [ROWS*${dw}-1:0]       left_data,
  input  wire [ROWS-1:0]         left_valid,
  input  wire                    first,
  input  wire                    last,
  input  wire [COLS*${dw}-1:0]       top_data,
  input  wire [COLS-1:0]         top_valid,
  output wire [ROWS*COLS-1:0]    done,
  output wire [ROWS*COLS*${aw}-1:0]  acc_out
);
  // Operands between PEs: h into PE (i, j) at index i*(COLS+1)+j, v into PE (i, j) at index i*COLS+j.
  wire [${dw - 1}:0] h [0:ROWS*(COLS+1)-1];
  wire       hv [0:ROWS*(COLS+1)-1];
  wire       hf [0:ROWS*(COLS+1)-1];
  wire       hl [0:ROWS*(COLS+1)-1];
  wire [${dw - 1}:0] v [0:(ROWS+1)*COLS-1];
  wire       vv [0:(ROWS+1)*COLS-1];
  genvar i, j;
  generate
    for (i = 0; i < ROWS; i = i + 1) begin : left_edge
${skewed('row', `${dw + 3}`, 'i', `{left_data[i*${dw} +: ${dw}], left_valid[i], first, last}`, `{h[i*(COLS+1)], hv[i*(COLS+1)], hf[i*(COLS+1)], hl[i*(COLS+1)]}`, 'skewrow')}
    end
    for (j = 0; j < COLS; j = j + 1) begin : top_edge
${skewed('col', `${dw + 1}`, 'j', `{top_data[j*${dw} +: ${dw}], top_valid[j]}`, `{v[j], vv[j]}`, 'skewcol')}
    end
    for (i = 0; i < ROWS; i = i + 1) begin : pe_row
      for (j = 0; j < COLS; j = j + 1) begin : pe_col
        ${PE} pe (
          .clk(clk), .rst(rst),
          .h_in(h[i*(COLS+1)+j]), .h_valid_in(hv[i*(COLS+1)+j]), .h_first_in(hf[i*(COLS+1)+j]), .h_last_in(hl[i*(COLS+1)+j]),
          .v_in(v[i*COLS+j]), .v_valid_in(vv[i*COLS+j]),
          .h_out(h[i*(COLS+1)+j+1]), .h_valid_out(hv[i*(COLS+1)+j+1]), .h_first_out(hf[i*(COLS+1)+j+1]), .h_last_out(hl[i*(COLS+1)+j+1]),
          .v_out(v[(i+1)*COLS+j]), .v_valid_out(vv[(i+1)*COLS+j]),
          .acc(acc_out[(i*COLS+j)*${aw} +: ${aw}]), .done(done[i*COLS+j])
        );
      end
    end
  endgenerate
endmodule
`;
}

function stationaryTop(c: RtlConfig): string {
  const { dw, aw } = widths(c);
  const R = c.rows, C = c.cols, d = c.macPipelineCycles;
  return `// ${R}x${C} array with a stationary operand. While 'load' is high, top_data shifts the stationary operand down
// (the row for the bottom PEs first; ROWS cycles). Then the moving operand enters at the left, unskewed (lane i is
// delayed by i cycles here), and the partial sums of the previous row fold enter at the top, unskewed (column j
// delayed by j + ${d - 1} cycles, to meet its first product). Column j's sums leave the bottom row on out_data,
// out_valid marking them.
module ${TOP} #(parameter ROWS = ${R}, parameter COLS = ${C}) (
  input  wire                    clk,
  input  wire                    rst,
  input  wire                    load,
  input  wire [ROWS*${dw}-1:0]       left_data,
  input  wire [ROWS-1:0]         left_valid,
  input  wire [COLS*${dw}-1:0]       top_data,
  input  wire [COLS-1:0]         top_valid,
  input  wire [COLS*${aw}-1:0]       psum_data,
  input  wire [COLS-1:0]         psum_valid,
  output wire [COLS-1:0]         out_valid,
  output wire [COLS*${aw}-1:0]       out_data
);
  wire [${dw - 1}:0] h [0:ROWS*(COLS+1)-1];
  wire       hv [0:ROWS*(COLS+1)-1];
  wire [${dw - 1}:0] v [0:(ROWS+1)*COLS-1];
  wire       vv [0:(ROWS+1)*COLS-1];
  wire [${aw - 1}:0] s [0:(ROWS+1)*COLS-1];
  wire       sv [0:(ROWS+1)*COLS-1];
  genvar i, j;
  generate
    for (i = 0; i < ROWS; i = i + 1) begin : left_edge
${skewed('row', `${dw + 1}`, 'i', `{left_data[i*${dw} +: ${dw}], left_valid[i]}`, `{h[i*(COLS+1)], hv[i*(COLS+1)]}`, 'skewrow')}
    end
    for (j = 0; j < COLS; j = j + 1) begin : top_edge
      assign v[j] = top_data[j*${dw} +: ${dw}];
      assign vv[j] = top_valid[j];
${skewed('psum', `${aw + 1}`, `j + ${d - 1}`, `{psum_data[j*${aw} +: ${aw}], psum_valid[j]}`, '{s[j], sv[j]}', 'skewpsum')}
      assign out_data[j*${aw} +: ${aw}] = s[ROWS*COLS+j];
      assign out_valid[j] = sv[ROWS*COLS+j];
    end
    for (i = 0; i < ROWS; i = i + 1) begin : pe_row
      for (j = 0; j < COLS; j = j + 1) begin : pe_col
        ${PE} pe (
          .clk(clk), .rst(rst), .load(load),
          .h_in(h[i*(COLS+1)+j]), .h_valid_in(hv[i*(COLS+1)+j]),
          .v_in(v[i*COLS+j]), .v_valid_in(vv[i*COLS+j]),
          .psum_in(s[i*COLS+j]), .psum_valid_in(sv[i*COLS+j]),
          .h_out(h[i*(COLS+1)+j+1]), .h_valid_out(hv[i*(COLS+1)+j+1]),
          .v_out(v[(i+1)*COLS+j]), .v_valid_out(vv[(i+1)*COLS+j]),
          .psum_out(s[(i+1)*COLS+j]), .psum_valid_out(sv[(i+1)*COLS+j])
        );
      end
    end
  endgenerate
endmodule
`;
}

/** The stimulus fields in the order the testbench unpacks them (least significant first). */
export function stimulusFields(c: RtlConfig): StimulusField[] {
  const { dw, aw } = widths(c);
  const R = c.rows, C = c.cols;
  const common = [{ name: 'left_data', bits: R * dw }, { name: 'left_valid', bits: R }];
  return strategyOf(c.dataflow).partialSumsLeaveArray
    ? [...common, { name: 'load', bits: 1 }, { name: 'top_data', bits: C * dw }, { name: 'top_valid', bits: C },
      { name: 'psum_data', bits: C * aw }, { name: 'psum_valid', bits: C }]
    : [...common, { name: 'first', bits: 1 }, { name: 'last', bits: 1 }, { name: 'top_data', bits: C * dw }, { name: 'top_valid', bits: C }];
}

/**
 * The testbench: reads one stimulus line per cycle (hex, fields as stimulusFields lists them, least significant
 * first), applies it before the clock edge, and after the edge writes every output that is valid as
 * `cycle row col value` (value: AW-bit two's complement in hex). Cycle c is the c-th edge after reset.
 */
function testbench(c: RtlConfig, fields: readonly StimulusField[]): string {
  const { aw } = widths(c);
  const total = fields.reduce((s, f) => s + f.bits, 0);
  const perPe = !strategyOf(c.dataflow).partialSumsLeaveArray;
  const R = c.rows, C = c.cols;
  const decls = fields.map((f) => `  wire [${f.bits - 1}:0] ${f.name};`).join('\n');
  const unpack = `  assign {${[...fields].reverse().map((f) => f.name).join(', ')}} = stim;`;
  const ports = fields.map((f) => `.${f.name}(${f.name})`).join(', ');
  const outs = perPe
    ? `  wire [${R * C - 1}:0] done;
  wire [${R * C * aw - 1}:0] acc_out;
  ${TOP} dut (.clk(clk), .rst(rst), ${ports}, .done(done), .acc_out(acc_out));`
    : `  wire [${C - 1}:0] out_valid;
  wire [${C * aw - 1}:0] out_data;
  ${TOP} dut (.clk(clk), .rst(rst), ${ports}, .out_valid(out_valid), .out_data(out_data));`;
  const log = perPe
    ? `      for (p = 0; p < ${R * C}; p = p + 1)
        if (done[p]) $fwrite(log, "%0d %0d %0d %h\\n", cycle, p / ${C}, p % ${C}, acc_out[p*${aw} +: ${aw}]);`
    : `      for (p = 0; p < ${C}; p = p + 1)
        if (out_valid[p]) $fwrite(log, "%0d %0d %0d %h\\n", cycle, ${R - 1}, p, out_data[p*${aw} +: ${aw}]);`;
  return `// Testbench: plays stimulus.hex into the array one line per clock cycle and logs every valid output to
// outputs.txt as "cycle row col value". File names can be changed with +stimulus=FILE +outputs=FILE.
module ${TB};
  reg clk = 1'b0;
  reg rst = 1'b1;
  reg [${total - 1}:0] stim = ${total}'d0;
  reg [${total - 1}:0] line;
${decls}
${unpack}
${outs}
  initial forever #5 clk = ~clk;
  integer fd, log, cycle, p, got;
  reg [1023:0] stim_file, out_file;
  // stim changes by a non-blocking assignment: Verilator 5.006 (--timing) does not re-evaluate the array's
  // combinational nets after a blocking one from this delayed initial block. Hence the one lint waiver.
  /* verilator lint_off INITIALDLY */
  initial begin
    if (!$value$plusargs("stimulus=%s", stim_file)) stim_file = "stimulus.hex";
    if (!$value$plusargs("outputs=%s", out_file)) out_file = "outputs.txt";
    fd = $fopen(stim_file, "r");
    log = $fopen(out_file, "w");
    if (fd == 0 || log == 0) begin
      $display("systolab_tb: cannot open %0s or %0s", stim_file, out_file);
      $finish;
    end
    @(posedge clk);
    #1 rst = 1'b0;
    cycle = 0;
    got = $fscanf(fd, "%h\\n", line);
      stim <= line;
    while (got == 1) begin
      @(posedge clk);
      #1;
${log}
      cycle = cycle + 1;
      got = $fscanf(fd, "%h\\n", line);
      stim <= line;
    end
    $fwrite(log, "end %0d\\n", cycle);
    $fclose(fd);
    $fclose(log);
    $finish;
  end
  /* verilator lint_on INITIALDLY */
endmodule
`;
}

/** The Verilog of one configuration: PE, delay line, array, testbench. */
export function generateRtl(c: RtlConfig): GeneratedRtl {
  const s = strategyOf(c.dataflow);
  const psums = s.partialSumsLeaveArray;
  // The two PE kinds this generator knows: results stay (os) or partial sums leave with a preloaded operand (ws, is).
  if (psums !== s.preload) throw new Error(`rtl: no PE for a dataflow with preload=${s.preload} and partial sums leaving=${psums}`);
  const fields = stimulusFields(c);
  return {
    files: {
      'systolab_pe.v': psums ? stationaryPe(c) : outputStationaryPe(c),
      'systolab_delay.v': delayModule(),
      'systolab_array.v': psums ? stationaryTop(c) : outputStationaryTop(c),
      'systolab_tb.v': testbench(c, fields),
    },
    top: TOP,
    testbench: TB,
    stimulus: fields,
    outputs: psums ? 'bottom-edge' : 'per-pe',
  };
}
