/** Which RTL tools this machine has: a test that needs one skips, saying so, only when it is absent (CI installs them). */
import { icarusVersion } from '../../sim/eda/icarus.js';
import { verilatorVersion } from '../../sim/eda/verilator.js';
import { yosysVersion } from '../../sim/eda/yosys.js';

const icarus = icarusVersion();
export const SKIP_ICARUS = icarus === undefined ? 'iverilog is not installed (apt-get install iverilog, or npm run setup:rtl)' : '';
export const skipTitle = (title: string, skip: string): string => (skip ? `${title} — SKIPPED: ${skip}` : title);
export const SKIP_VERILATOR = verilatorVersion() === undefined ? 'verilator is not installed (apt-get install verilator, or npm run setup:rtl)' : '';
export const SKIP_YOSYS = yosysVersion() === undefined ? 'yosys is not installed (apt-get install yosys, or npm run setup:rtl)' : '';
