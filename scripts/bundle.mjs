/**
 * Bundles the CLI for `npm run build` (after tsc): dist/systolab.mjs, an entry that loads each command's code only
 * when that command runs (code splitting: the commands' modules and what only they use go to dist/chunks/), and
 * dist/sweep-worker.mjs, one file a worker thread loads. dist/bundle.json is esbuild's metafile: which source went
 * into which output and which output imports which (test/cli/startup.test.ts reads the simulate path from it).
 *
 * Start-up cost is the bytes V8 compiles plus the module code it runs, so two packages yargs imports for its help
 * screens only are evaluated on their first use instead of at start-up (see `lazyForYargs`).
 */
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';

// The bundled CommonJS packages (protobufjs, cli-progress …) call require() for Node's built-ins.
const REQUIRE_BANNER = "import { createRequire as __systolabRequire } from 'node:module'; const require = __systolabRequire(import.meta.url);";
const COMMON = {
  bundle: true, platform: 'node', format: 'esm', target: 'node20', minify: true, logLevel: 'warning', banner: { js: REQUIRE_BANNER },
};

/**
 * yargs' platform shim imports cliui (the help layout) and string-width, which build three Intl.Segmenters and the
 * emoji tables when they load — the largest share of yargs' start-up — though only help text and error usage use
 * them. The shim gets a stand-in whose call requires the real module; esbuild bundles a required ES module as a lazy
 * initializer, so it runs on the first call. The stand-in keeps the one shape the shim uses: a default-exported
 * function.
 */
const lazyForYargs = {
  name: 'lazy-for-yargs',
  setup(b) {
    b.onResolve({ filter: /^(cliui|string-width)$/ }, (a) =>
      /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]/.test(a.importer) ? { path: a.path, namespace: 'lazy', pluginData: a.resolveDir } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (a) => ({
      contents: `export default function lazy(...args) { return require(${JSON.stringify(a.path)}).default(...args); }`,
      resolveDir: a.pluginData,
    }));
  },
};

// Chunk names carry a hash of their content: last build's chunks would pile up beside this build's.
rmSync('dist/chunks', { recursive: true, force: true });
const cli = await build({
  ...COMMON,
  entryPoints: [{ in: 'dist/sim/cli/main.js', out: 'systolab' }],
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  external: ['piscina', '@resvg/resvg-js', 'vega', 'vega-lite'],
  plugins: [lazyForYargs],
  metafile: true,
});
writeFileSync('dist/bundle.json', JSON.stringify(cli.metafile));

await build({ ...COMMON, entryPoints: ['dist/sim/sweep/worker.js'], outfile: 'dist/sweep-worker.mjs' });
