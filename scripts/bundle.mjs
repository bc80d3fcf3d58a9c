/**
 * Bundles the CLI for `npm run build` (after tsc): dist/cli.cjs, the whole CLI in one CommonJS file that evaluates
 * each command's modules only when that command runs; dist/systolab.cjs, the bin, which runs it with a V8 code cache
 * (scripts/launcher.cjs) made at the end of the build, dist/cli.cjs.cache; and dist/sweep-worker.mjs, one file a worker
 * thread loads. dist/bundle.json is esbuild's metafile for the CLI: which sources went in and which imports which
 * (test/cli/startup.test.ts walks it for what simulate evaluates at start-up).
 *
 * Start-up cost is the bytes V8 compiles plus the module code it runs, so packages needed only now and then are
 * evaluated on their first use instead (STAND_INS).
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The bundled CommonJS packages (protobufjs, cli-progress …) call require() for Node's built-ins.
const REQUIRE_BANNER = "import { createRequire as __systolabRequire } from 'node:module'; const require = __systolabRequire(import.meta.url);";
const COMMON = {
  bundle: true, platform: 'node', format: 'esm', target: 'node20', minify: process.env.SYSTOLAB_NO_MINIFY === undefined, logLevel: 'warning', banner: { js: REQUIRE_BANNER },
};

/**
 * Packages that are costly to evaluate and rarely needed at start-up get a stand-in at the one import that brings
 * them in; calling the stand-in requires the real module, which esbuild bundles as a lazy initializer, so it runs on
 * the first call, not at start-up. Each stand-in keeps the shape its importer uses, no more (a new use fails the
 * build with "No matching export"):
 * - yargs' platform shim imports cliui (the help layout) and string-width, which build three Intl.Segmenters and the
 *   emoji tables as they load — the largest share of yargs' start-up — though only help and usage text use them;
 * - yargs' platform shim imports node:assert for two invariant checks, which it runs on every parse: they are
 *   written out here instead (node:assert costs ≈ 2 ms of Node's own modules to load);
 * - sim/base/documents.ts imports yaml, needed only for a YAML file the build did not compile
 *   (base/shipped-documents.ts).
 */
const STAND_INS = [
  { module: 'cliui', importer: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]/, contents: "export default (...a) => require('cliui').default(...a);" },
  { module: 'string-width', importer: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]/, contents: "export default (...a) => require('string-width').default(...a);" },
  {
    module: 'assert',
    importer: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]/,
    // Object.is, as node:assert's strict comparisons; a failure is a yargs bug, reported as any bug (exit 3).
    contents: [
      'const fail = (a, b, op, message) => { throw message instanceof Error ? message : new Error(message ?? `yargs: ${String(a)} ${op} ${String(b)}`); };',
      "export const strictEqual = (a, b, message) => { if (!Object.is(a, b)) fail(a, b, '!==', message); };",
      "export const notStrictEqual = (a, b, message) => { if (Object.is(a, b)) fail(a, b, '===', message); };",
    ].join('\n'),
  },
  {
    module: 'yaml',
    importer: /[\\/]sim[\\/]base[\\/]documents\.js$/,
    contents: [
      "const yaml = () => require('yaml');",
      'export const parseDocument = (...a) => yaml().parseDocument(...a);',
      // called with `new`: a constructor that returns an object gives that object
      'export function LineCounter() { return new (yaml().LineCounter)(); }',
      'export const visit = (...a) => yaml().visit(...a);',
      "Object.defineProperty(visit, 'BREAK', { get: () => yaml().visit.BREAK });",
    ].join('\n'),
  },
];
const lazyStandIns = {
  name: 'lazy-stand-ins',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (a) => {
      const i = STAND_INS.findIndex((s) => s.module === a.path && s.importer.test(a.importer));
      return i < 0 ? undefined : { path: a.path, namespace: 'lazy', pluginData: { i, resolveDir: a.resolveDir } };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (a) => ({ contents: STAND_INS[a.pluginData.i].contents, resolveDir: a.pluginData.resolveDir }));
  },
};

// The CLI is one CommonJS file, dist/cli.cjs, so that its launcher (scripts/launcher.cjs → dist/systolab.cjs, the bin)
// can hand V8 a code cache: Node 20 has none for ES modules. esbuild still evaluates each command's modules only when
// the command runs: a module reached only through import() is wrapped in a lazy initializer that the import() calls
// (test/cli/startup.test.ts walks the metafile's import graph to check what simulate evaluates at start-up).
// The ES-module bundle of earlier builds (systolab.mjs and its chunks/) goes, so no stale entry is left to run.
rmSync('dist/chunks', { recursive: true, force: true });
rmSync('dist/systolab.mjs', { force: true });
const cli = await build({
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: COMMON.minify, logLevel: 'warning',
  entryPoints: ['dist/sim/cli/main.js'],
  outfile: 'dist/cli.cjs',
  // import.meta.url in CommonJS: the bundle's own file URL (its modules find the package root and workers from it)
  define: { 'import.meta.url': '__systolabModuleUrl' },
  banner: { js: [
    // ES modules are strict: so is the bundle (the directive must come first; esbuild's own comes after the banner)
    "'use strict';",
    "var __systolabModuleUrl = require('node:url').pathToFileURL(__filename).href;",
    // import() of an ES-module package (see below): the launcher's, else (node dist/cli.cjs) this file's own.
    "var __systolabImportPackage = typeof __systolabImport === 'function' ? __systolabImport : (s) => import(s);",
  ].join('\n') },
  external: ['piscina', '@resvg/resvg-js', 'vega', 'vega-lite', '@yowasp/yosys'],
  plugins: [lazyStandIns],
  metafile: true,
});
// A function that V8 restores from a code cache has lost what import() needs in a vm.Script (Node 20:
// ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so the bundle's import() of the external packages calls the launcher's
// import() instead, which it passes in as __systolabImport. Every such call is rewritten, or the build fails.
{
  const externalImports = [...new Set(cli.metafile.outputs['dist/cli.cjs'].imports.filter((i) => i.kind === 'dynamic-import' && i.external).map((i) => i.path))];
  let code = readFileSync('dist/cli.cjs', 'utf8');
  for (const name of externalImports) {
    const call = `import(${JSON.stringify(name)})`;
    if (!code.includes(call)) throw new Error(`bundle.mjs: dist/cli.cjs has no ${call} to rewrite`);
    code = code.replaceAll(call, `__systolabImportPackage(${JSON.stringify(name)})`);
  }
  // (the banner's fallback excepted: it runs only where the bundle is not run from a cache)
  const afterBanner = code.indexOf('\n', code.indexOf('var __systolabImportPackage')) + 1;
  const left = /(?<![\w$.])import\((?!\$\{)/.exec(code.slice(afterBanner));
  if (left) throw new Error(`bundle.mjs: dist/cli.cjs still calls import() at offset ${afterBanner + left.index}: ${code.slice(afterBanner + left.index, afterBanner + left.index + 60)}`);
  writeFileSync('dist/cli.cjs', code);
}
copyFileSync('scripts/launcher.cjs', 'dist/systolab.cjs');
chmodSync('dist/systolab.cjs', 0o755);
writeFileSync('dist/bundle.json', JSON.stringify(cli.metafile));

await build({ ...COMMON, entryPoints: ['dist/sim/sweep/worker.js'], outfile: 'dist/sweep-worker.mjs' });

// The code cache: one run of the command users wait on most (start-up, docs/performance.md), with the launcher
// writing what V8 compiled as it exits. In a temp folder, like any run the build makes; its output is not kept.
{
  const cwd = mkdtempSync(join(tmpdir(), 'systolab-code-cache-'));
  try {
    execFileSync(process.execPath, [resolve('dist/systolab.cjs'), 'simulate', '--model', 'resnet18', '--format', 'json'], {
      cwd, env: { ...process.env, SYSTOLAB_MAKE_CODE_CACHE: '1' }, stdio: ['ignore', 'ignore', 'inherit'],
    });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

// The playground (docs/playground.md): one self-contained dist/playground/index.html, so it works from file:// and
// from `systolab playground`'s server alike. Its Web Worker is bundled first and inlined as a string (the page starts
// it from a Blob URL: a file:// page may not load a worker script from a file); the presets, energy tables and
// datasets the page offers go in as JSON (sim/playground/embed.ts). `node:path` gets the page's POSIX stand-in.
const { embeddedData } = await import('../dist/sim/playground/embed.js');
const { mkdirSync, renameSync } = await import('node:fs');
const BROWSER = {
  bundle: true, platform: 'browser', format: 'iife', target: 'chrome110', minify: process.env.SYSTOLAB_NO_MINIFY === undefined,
  logLevel: 'warning', write: false, alias: { 'node:path': './sim/playground/ui/node-path.ts' }, legalComments: 'none',
};
const text = (r) => r.outputFiles[0].text;
const workerJs = text(await build({ ...BROWSER, entryPoints: ['sim/playground/ui/worker.ts'] }));
const appJs = text(await build({ ...BROWSER, entryPoints: ['sim/playground/ui/main.ts'], define: { __WORKER_SOURCE__: JSON.stringify(workerJs) } }));
if (/<\/script/i.test(appJs)) throw new Error('the playground bundle holds "</script": it cannot be inlined');
// In a <script type="application/json"> nothing may close the element: every "<" becomes \u003c (still valid JSON).
const embeddedJson = JSON.stringify(embeddedData()).replace(/</g, '\\u003c');
const page = readFileSync('sim/playground/ui/page.html', 'utf8')
  .replace('/*STYLE*/', () => readFileSync('sim/playground/ui/style.css', 'utf8'))
  .replace('/*EMBEDDED*/', () => embeddedJson)
  .replace('/*APP*/', () => appJs);
mkdirSync('dist/playground', { recursive: true });
writeFileSync('dist/playground/index.html.tmp', page);
renameSync('dist/playground/index.html.tmp', 'dist/playground/index.html');
writeFileSync('dist/playground/bundle.json', `${JSON.stringify({ htmlBytes: Buffer.byteLength(page), appBytes: Buffer.byteLength(appJs), workerBytes: Buffer.byteLength(workerJs), embeddedBytes: Buffer.byteLength(embeddedJson) })}\n`);
