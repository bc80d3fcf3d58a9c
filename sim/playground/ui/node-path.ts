/**
 * The browser's stand-in for the four `node:path` functions the pure modules call on file names that appear in
 * messages and `source` fields (arch/parse.ts, energy/table.ts): POSIX rules, enough for the names the page uses
 * (`hw-configs/NAME.yaml`, `hw-configs/tech/NAME.yaml`). scripts/bundle.mjs points `node:path` here for the page.
 */
export const isAbsolute = (p: string): boolean => p.startsWith('/');
export const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
export const dirname = (p: string): string => {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
};
/** Joins left to right; an absolute part starts over; `.` and `..` are folded. */
export function resolve(...parts: string[]): string {
  const out: string[] = [];
  for (const part of parts) {
    if (part.startsWith('/')) out.length = 0;
    for (const seg of part.split('/')) {
      if (seg === '' || seg === '.') continue;
      if (seg === '..') out.pop();
      else out.push(seg);
    }
  }
  return out.join('/');
}
