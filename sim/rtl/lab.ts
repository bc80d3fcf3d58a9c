/**
 * Lab mode: golden patterns and a testbench for a student's own output-stationary array, to the port contract of
 * docs/rtl-lab.md —
 *   module systolic_array #(ROWS, COLS, DATA_W, ACC_W) (clk, rst, in_valid, a_in, b_in, out_valid, c_out)
 * — and the reading of what that testbench logs. Pure: text in, text out; sim/api/rtl-lab.ts writes and runs it.
 *
 * The golden C is the exact integer product reduced to ACC_W bits two's complement (what `acc <= acc + a*b` in ACC_W
 * bits computes, whatever the order of the additions). Pattern files are `$readmemh` text, one element per line,
 * row-major, each element its width's two's complement in hex.
 */
import type { IntGemm } from './stimulus.js';

/** The contract's parameters and the GEMM of one pattern. */
export interface LabPattern {
  readonly rows: number;
  readonly cols: number;
  readonly dataBits: number;
  readonly accBits: number;
  readonly gemm: IntGemm;
}

/** What the pattern folder's lab.json records (rtl check reads it back). */
export interface LabManifest {
  readonly contract: typeof LAB_CONTRACT;
  readonly name: string;
  /** Where the operands come from, e.g. "random, seed 1" or "lenet-digits c3.fwd (im2col)". */
  readonly source: string;
  readonly generator: string;
  readonly rows: number;
  readonly cols: number;
  readonly dataBits: number;
  readonly accBits: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly testbench: string;
  readonly files: readonly string[];
}

export const LAB_CONTRACT = 'systolab-lab-os-1';
export const LAB_TESTBENCH = 'tb_systolic_array.v';
export const LAB_TB_MODULE = 'systolab_lab_tb';
export const LAB_DUT_MODULE = 'systolic_array';

/** Cycles the testbench waits for out_valid after a tile's last input before it gives up. */
export const labTimeoutCycles = (p: Pick<LabPattern, 'rows' | 'cols'>): number => 4 * (p.rows + p.cols) + 64;

const hexOf = (v: bigint, bits: number): string => BigInt.asUintN(bits, v).toString(16).padStart(Math.ceil(bits / 4), '0');

/** The golden C, m×n row-major, as signed ACC_W-bit values. */
export function labGolden(p: LabPattern): bigint[] {
  const { m, k, n, a, b } = p.gemm;
  const c: bigint[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0n;
      for (let t = 0; t < k; t++) sum += BigInt(a[i * k + t]) * BigInt(b[t * n + j]);
      c.push(BigInt.asIntN(p.accBits, sum));
    }
  }
  return c;
}

/** a.hex, b.hex, c.hex: one element per line, row-major. */
export function labPatternFiles(p: LabPattern): Record<string, string> {
  const lines = (xs: Iterable<bigint>, bits: number): string => `${Array.from(xs, (x) => hexOf(x, bits)).join('\n')}\n`;
  return {
    'a.hex': lines(Array.from(p.gemm.a, BigInt), p.dataBits),
    'b.hex': lines(Array.from(p.gemm.b, BigInt), p.dataBits),
    'c.hex': lines(labGolden(p), p.accBits),
  };
}

/**
 * The testbench: reads the patterns, plays every ROWS×COLS tile of C (rst between tiles; rows and columns past the
 * GEMM's edge fed zeros and not checked), and logs to results.txt:
 *   out ROW COL TILE_CYCLE GOT EXPECTED   one line per output of C, in the order they came
 *   error TEXT                            a breach of the protocol (the run stops there)
 *   end CYCLES                            the run finished
 * Tile cycle 0 is the clock edge that samples the tile's first input. Everything is driven and sampled on the
 * falling edge, so the DUT's registers never race the testbench. `+vcd` writes wave.vcd.
 */
export function labTestbench(p: LabPattern): string {
  const { rows: R, cols: C, dataBits: DW, accBits: AW } = p;
  const { m, k, n } = p.gemm;
  return `// Systolab lab testbench (contract ${LAB_CONTRACT}, docs/rtl-lab.md) for C = A·B with A ${m}x${k} and B ${k}x${n},
// on a ${R}x${C} output-stationary array of ${DW}-bit operands and ${AW}-bit results. Run it by hand with
//   iverilog -g2005 -o lab.vvp ${LAB_TESTBENCH} your_array.v && vvp lab.vvp        (add +vcd for wave.vcd)
// in this folder (it reads a.hex, b.hex and c.hex here). A module not named ${LAB_DUT_MODULE}: -DDUT=its_name.
\`timescale 1ns/1ps
\`ifndef DUT
\`define DUT ${LAB_DUT_MODULE}
\`endif
module ${LAB_TB_MODULE};
  localparam ROWS = ${R}, COLS = ${C}, DATA_W = ${DW}, ACC_W = ${AW};
  localparam M = ${m}, K = ${k}, N = ${n};
  localparam TILES_M = (M + ROWS - 1) / ROWS, TILES_N = (N + COLS - 1) / COLS;
  localparam TIMEOUT = ${labTimeoutCycles(p)};

  reg clk = 1'b0;
  reg rst = 1'b1;
  reg in_valid = 1'b0;
  reg [ROWS*DATA_W-1:0] a_in = 0;
  reg [COLS*DATA_W-1:0] b_in = 0;
  wire out_valid;
  wire [COLS*ACC_W-1:0] c_out;

  reg [DATA_W-1:0] A [0:M*K-1];
  reg [DATA_W-1:0] B [0:K*N-1];
  reg [ACC_W-1:0] C [0:M*N-1];

  \`DUT #(.ROWS(ROWS), .COLS(COLS), .DATA_W(DATA_W), .ACC_W(ACC_W)) dut (
    .clk(clk), .rst(rst), .in_valid(in_valid), .a_in(a_in), .b_in(b_in), .out_valid(out_valid), .c_out(c_out));

  always #5 clk = ~clk;
  integer cycle = 0;
  always @(posedge clk) cycle <= cycle + 1;

  integer fd, ti, tj, t, i, j, r, waited, start, wrong, checked, stop;
  reg [ACC_W-1:0] got;

  task fail;
    input [8*96-1:0] text;
    begin
      $fwrite(fd, "error %0s\\n", text);
      $display("FAIL: %0s (tile %0d,%0d)", text, ti, tj);
      stop = 1;
    end
  endtask

  initial begin
    $readmemh("a.hex", A);
    $readmemh("b.hex", B);
    $readmemh("c.hex", C);
    if ($test$plusargs("vcd")) begin
      $dumpfile("wave.vcd");
      $dumpvars(0, ${LAB_TB_MODULE});
    end
    fd = $fopen("results.txt", "w");
    wrong = 0; checked = 0; stop = 0;
    for (ti = 0; ti < TILES_M && !stop; ti = ti + 1) begin
      for (tj = 0; tj < TILES_N && !stop; tj = tj + 1) begin
        // Reset for two cycles (synchronous, active high), inputs idle.
        @(negedge clk);
        rst = 1'b1; in_valid = 1'b0; a_in = 0; b_in = 0;
        @(negedge clk);
        @(negedge clk);
        rst = 1'b0;
        start = cycle;
        // K cycles of input: column t of A's tile on a_in, row t of B's tile on b_in, zeros past the GEMM's edge.
        for (t = 0; t < K && !stop; t = t + 1) begin
          in_valid = 1'b1;
          for (i = 0; i < ROWS; i = i + 1) a_in[i*DATA_W +: DATA_W] = (ti*ROWS + i < M) ? A[(ti*ROWS + i)*K + t] : 0;
          for (j = 0; j < COLS; j = j + 1) b_in[j*DATA_W +: DATA_W] = (tj*COLS + j < N) ? B[t*N + tj*COLS + j] : 0;
          @(negedge clk);
          if (out_valid === 1'b1) fail("out_valid rose before the tile's last input");
        end
        in_valid = 1'b0; a_in = 0; b_in = 0;
        // Wait for the first row of C.
        waited = 0;
        while (!stop && out_valid !== 1'b1 && waited < TIMEOUT) begin
          @(negedge clk);
          waited = waited + 1;
        end
        if (!stop && out_valid !== 1'b1) fail("out_valid never rose after the tile's last input");
        // ROWS cycles of out_valid, one row of C each.
        for (r = 0; r < ROWS && !stop; r = r + 1) begin
          if (out_valid !== 1'b1) fail("out_valid fell before all ROWS rows were out");
          else begin
            for (j = 0; j < COLS; j = j + 1) begin
              if (ti*ROWS + r < M && tj*COLS + j < N) begin
                got = c_out[j*ACC_W +: ACC_W];
                $fwrite(fd, "out %0d %0d %0d %h %h\\n", ti*ROWS + r, tj*COLS + j, cycle - start - 1, got, C[(ti*ROWS + r)*N + tj*COLS + j]);
                checked = checked + 1;
                if (got !== C[(ti*ROWS + r)*N + tj*COLS + j]) begin
                  if (wrong == 0) $display("FAIL: first wrong output C[%0d][%0d] at tile cycle %0d: expected %h, got %h",
                    ti*ROWS + r, tj*COLS + j, cycle - start - 1, C[(ti*ROWS + r)*N + tj*COLS + j], got);
                  wrong = wrong + 1;
                end
              end
            end
            @(negedge clk);
          end
        end
        if (!stop && out_valid === 1'b1) fail("out_valid stayed high after ROWS rows");
      end
    end
    $fwrite(fd, "end %0d\\n", cycle);
    $fclose(fd);
    if (!stop && wrong == 0) $display("PASS: all %0d outputs of C (%0dx%0d) correct", checked, M, N);
    else if (!stop) $display("FAIL: %0d of %0d outputs wrong", wrong, checked);
    $finish;
  end
endmodule
`;
}

/** One output of C as the testbench logged it. */
export interface LabOutput {
  readonly row: number;
  readonly col: number;
  /** Tile cycle: 0 is the edge that sampled the tile's first input. */
  readonly cycle: number;
  /** Two's complement hex as logged (may hold x or z digits). */
  readonly got: string;
  readonly expected: string;
  /** The signed values, or null where the DUT drove x/z. */
  readonly gotValue: string | null;
  readonly expectedValue: string;
  readonly ok: boolean;
}

export interface LabResult {
  readonly outputs: readonly LabOutput[];
  /** Outputs of C the testbench never received (the run stopped early or the log was cut). */
  readonly missing: number;
  readonly protocolError: string | null;
  readonly finished: boolean;
}

const signedOf = (hex: string, bits: number): string | null =>
  /^[0-9a-f]+$/i.test(hex) ? BigInt.asIntN(bits, BigInt(`0x${hex}`)).toString() : null;

/** Reads results.txt. `expectedOutputs` is m·n: anything the log lacks is counted missing. */
export function parseLabResults(text: string, accBits: number, expectedOutputs: number): LabResult {
  const outputs: LabOutput[] = [];
  let protocolError: string | null = null, finished = false;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'out' && f.length === 6) {
      const [row, col, cycle] = [Number(f[1]), Number(f[2]), Number(f[3])];
      const gotValue = signedOf(f[4], accBits), expectedValue = signedOf(f[5], accBits) ?? f[5];
      outputs.push({ row, col, cycle, got: f[4], expected: f[5], gotValue, expectedValue, ok: gotValue !== null && gotValue === expectedValue });
    } else if (f[0] === 'error') {
      protocolError ??= line.trim().slice('error '.length);
    } else if (f[0] === 'end') {
      finished = true;
    }
  }
  return { outputs, missing: Math.max(0, expectedOutputs - outputs.length), protocolError, finished };
}
