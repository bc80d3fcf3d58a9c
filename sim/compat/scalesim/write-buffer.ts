/** SCALE-Sim's ofmap write buffer (docs/scalesim-memory.md §4), for CALC and USER mode alike. */
import type { ScalesimWindow } from './report-row.js';

/**
 * S words; outputs are packed into lines of bw words. A drain starts when an output
 * arrives with no drain in flight and fewer than ⌈S/2⌉ words free: the partial line is closed (so lines can be short)
 * and the next ⌈(S − ⌈S/2⌉)/bw⌉ lines go out one per cycle; their words (a short line counts as full, except the
 * drain's last) are freed at once. An output that finds the buffer full while a drain is in flight waits for it.
 * After the last row everything left drains back to back, from that row's service cycle. A demand row's outputs are
 * served as a count: the buffer jumps straight to the output that starts the next drain or stall.
 */
export class WriteBuffer {
  private free: number;
  private readonly keepFree: number;
  private readonly drainLines: number;
  private lineFill = 0;
  private lines = 0;                 // closed lines so far
  private readonly shortAt: number[] = []; // closed lines with fewer than bw words: index and fill
  private readonly shortFill: number[] = [];
  private shortNext = 0;
  private drained = 0;               // lines drained so far
  private drainEnd = 0;
  writes = 0;
  startCycle = -1;
  stopCycle = -1;

  constructor(size: number, private readonly bw: number) {
    const active = Math.ceil(size * 0.5);
    this.free = size;
    this.keepFree = active;
    this.drainLines = Math.ceil((size - active) / bw);
  }

  private add(count: number): void {
    this.free -= count;
    const filled = this.lineFill + count;
    this.lines += Math.floor(filled / this.bw);
    this.lineFill = filled % this.bw;
  }

  private closeLine(): void {
    if (this.lineFill === 0) return;
    this.shortAt.push(this.lines); this.shortFill.push(this.lineFill);
    this.lines++; this.lineFill = 0;
  }

  private fillOf(line: number): number {
    while (this.shortNext < this.shortAt.length && this.shortAt[this.shortNext] < line) this.shortNext++;
    return this.shortNext < this.shortAt.length && this.shortAt[this.shortNext] === line ? this.shortFill[this.shortNext] : this.bw;
  }

  /** Drains up to drainLines lines from `start`; returns the cycle the drain ends (start − 1 if nothing to drain). */
  private drain(start: number): number {
    const to = Math.min(this.drained + this.drainLines, this.lines), count = to - this.drained;
    if (count <= 0) return start - 1;
    const words = count * this.bw - (this.bw - this.fillOf(to - 1));
    this.writes += words;
    this.free += words;
    this.drained = to;
    if (this.startCycle < 0) this.startCycle = start;
    this.stopCycle = start + count - 1; // SCALE-Sim reports the last drain's end, even if one in flight ends later
    return start + count - 1;
  }

  /** Serves `count` outputs of a demand row requested at `cycle`; returns the row's service cycle. */
  serve(count: number, cycle: number): number {
    let now = cycle;
    while (count > 0) {
      if (now < this.drainEnd) {
        if (this.free >= 1) {
          const k = Math.min(count, this.free);
          this.add(k); count -= k;
          if (this.free <= 0) now = this.drainEnd;
        } else {
          this.add(1); count--;
          now = this.drainEnd;
        }
      } else {
        const k = Math.max(1, this.free - this.keepFree + 1); // the output that leaves fewer than keepFree free
        if (k > count) { this.add(count); count = 0; break; }
        this.add(k); count -= k;
        this.closeLine();
        this.drainEnd = this.drain(now);
      }
    }
    return now;
  }

  /** The final drains after the last demand row (served at `cycle`). */
  flush(cycle: number): void {
    this.closeLine();
    let start = cycle;
    while (this.drained < this.lines) start = this.drain(start) + 1;
  }

  window(): ScalesimWindow { return { startCycle: this.startCycle, stopCycle: this.stopCycle, words: this.writes }; }
}
