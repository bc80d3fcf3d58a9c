// An output-stationary systolic array written by hand to Systolab's lab contract (docs/rtl-lab.md):
//
//   module systolic_array #(parameter ROWS=4, COLS=4, DATA_W=8, ACC_W=32)
//     (input clk, input rst, input in_valid, input [ROWS*DATA_W-1:0] a_in, input [COLS*DATA_W-1:0] b_in,
//      output out_valid, output [COLS*ACC_W-1:0] c_out);
//
// One tile C = A·B (A is ROWS×K, B is K×COLS): on K consecutive in_valid cycles a_in carries column k of A and b_in
// row k of B, unskewed; afterwards out_valid is high for ROWS cycles, one row of C per cycle, row 0 first.
//
// How this one works (a student-style design, deliberately unlike the generated RTL: one module, flat registers and
// loops instead of a PE module per cell):
//   1. Skew. Lane i of A is delayed i cycles and lane j of B j cycles (shift registers a_dly / b_dly), so that A[i][k]
//      and B[k][j] meet in cell (i, j). A valid bit travels with every A lane.
//   2. The grid. Each cycle A values move one cell right and B values one cell down; a cell whose A value is valid
//      adds the product to its accumulator (two's complement, wrapping at ACC_W bits).
//   3. Read-out. The bottom-right cell is the last to finish: when its valid bit falls, every accumulator holds its
//      result, and the rows are sent out one per cycle from an output register.
`timescale 1ns/1ps
module systolic_array #(
  parameter ROWS = 4,
  parameter COLS = 4,
  parameter DATA_W = 8,
  parameter ACC_W = 32
) (
  input clk,
  input rst,
  input in_valid,
  input [ROWS*DATA_W-1:0] a_in,
  input [COLS*DATA_W-1:0] b_in,
  output out_valid,
  output [COLS*ACC_W-1:0] c_out
);
  // Skew lines: a_dly holds ROWS lanes × ROWS stages (lane i uses stages 0..i-1), b_dly likewise for COLS.
  reg [ROWS*ROWS*DATA_W-1:0] a_dly;
  reg [ROWS*ROWS-1:0] v_dly;
  reg [COLS*COLS*DATA_W-1:0] b_dly;
  // The grid: the A value, its valid bit and the B value each cell holds, and its accumulator.
  reg [ROWS*COLS*DATA_W-1:0] a_grid;
  reg [ROWS*COLS-1:0] v_grid;
  reg [ROWS*COLS*DATA_W-1:0] b_grid;
  reg [ROWS*COLS*ACC_W-1:0] acc;
  // Read-out.
  reg last_busy;          // the bottom-right cell's valid bit, one cycle ago
  reg sending;
  reg [31:0] send_row;
  reg [COLS*ACC_W-1:0] c_reg;

  assign out_valid = sending;
  assign c_out = c_reg;

  // The skewed lane i of A (or j of B): the input itself for lane 0, else the last stage of its delay line.
  function [DATA_W-1:0] a_skewed;
    input integer i;
    begin
      if (i == 0) a_skewed = a_in[0 +: DATA_W];
      else a_skewed = a_dly[(i*ROWS + i - 1)*DATA_W +: DATA_W];
    end
  endfunction

  function v_skewed;
    input integer i;
    begin
      if (i == 0) v_skewed = in_valid;
      else v_skewed = v_dly[i*ROWS + i - 1];
    end
  endfunction

  function [DATA_W-1:0] b_skewed;
    input integer j;
    begin
      if (j == 0) b_skewed = b_in[0 +: DATA_W];
      else b_skewed = b_dly[(j*COLS + j - 1)*DATA_W +: DATA_W];
    end
  endfunction

  // acc + a·b in ACC_W bits, both operands signed.
  function [ACC_W-1:0] mac;
    input [ACC_W-1:0] sum;
    input [DATA_W-1:0] a;
    input [DATA_W-1:0] b;
    reg signed [ACC_W-1:0] product;
    begin
      product = $signed(a) * $signed(b);
      mac = sum + product;
    end
  endfunction

  integer i, j, s;

  always @(posedge clk) begin
    if (rst) begin
      a_dly <= 0; v_dly <= 0; b_dly <= 0;
      a_grid <= 0; v_grid <= 0; b_grid <= 0; acc <= 0;
      last_busy <= 1'b0; sending <= 1'b0; send_row <= 0; c_reg <= 0;
    end else begin
      // 1. Skew lines: stage 0 takes the input lane, stage s the stage before it.
      for (i = 1; i < ROWS; i = i + 1) begin
        a_dly[(i*ROWS)*DATA_W +: DATA_W] <= a_in[i*DATA_W +: DATA_W];
        v_dly[i*ROWS] <= in_valid;
        for (s = 1; s < i; s = s + 1) begin
          a_dly[(i*ROWS + s)*DATA_W +: DATA_W] <= a_dly[(i*ROWS + s - 1)*DATA_W +: DATA_W];
          v_dly[i*ROWS + s] <= v_dly[i*ROWS + s - 1];
        end
      end
      for (j = 1; j < COLS; j = j + 1) begin
        b_dly[(j*COLS)*DATA_W +: DATA_W] <= b_in[j*DATA_W +: DATA_W];
        for (s = 1; s < j; s = s + 1)
          b_dly[(j*COLS + s)*DATA_W +: DATA_W] <= b_dly[(j*COLS + s - 1)*DATA_W +: DATA_W];
      end
      // 2. The grid: values move right (A) and down (B); a valid cell accumulates what it holds.
      for (i = 0; i < ROWS; i = i + 1) begin
        for (j = 0; j < COLS; j = j + 1) begin
          if (j == 0) begin
            a_grid[(i*COLS + j)*DATA_W +: DATA_W] <= a_skewed(i);
            v_grid[i*COLS + j] <= v_skewed(i);
          end else begin
            a_grid[(i*COLS + j)*DATA_W +: DATA_W] <= a_grid[(i*COLS + j - 1)*DATA_W +: DATA_W];
            v_grid[i*COLS + j] <= v_grid[i*COLS + j - 1];
          end
          if (i == 0) b_grid[(i*COLS + j)*DATA_W +: DATA_W] <= b_skewed(j);
          else b_grid[(i*COLS + j)*DATA_W +: DATA_W] <= b_grid[((i - 1)*COLS + j)*DATA_W +: DATA_W];
          if (v_grid[i*COLS + j])
            acc[(i*COLS + j)*ACC_W +: ACC_W] <= mac(acc[(i*COLS + j)*ACC_W +: ACC_W], a_grid[(i*COLS + j)*DATA_W +: DATA_W], b_grid[(i*COLS + j)*DATA_W +: DATA_W]);
        end
      end
      // 3. Read-out: start when the bottom-right cell has done its last addition, then one row per cycle.
      last_busy <= v_grid[ROWS*COLS - 1];
      if (!sending && last_busy && !v_grid[ROWS*COLS - 1]) begin
        sending <= 1'b1;
        send_row <= 1;
        c_reg <= acc[0 +: COLS*ACC_W];
      end else if (sending) begin
        if (send_row == ROWS) begin
          sending <= 1'b0;
        end else begin
          send_row <= send_row + 1;
          c_reg <= acc[send_row*COLS*ACC_W +: COLS*ACC_W];
        end
      end
    end
  end
endmodule
