/** `--allow-paths`, a global flag (main.ts) that `train` and `sweep` also list among their own options. */
export const ALLOW_PATHS_OPTION = {
  type: 'boolean', default: false,
  describe: 'let files named inside other files (paramsFile, energy.table, sweep-spec models) lie outside the naming file\'s folder (docs/files.md)',
} as const;
