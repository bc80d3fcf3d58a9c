#!/usr/bin/env node
/**
 * The `systolab` bin (copied to dist/systolab.cjs by scripts/bundle.mjs): runs the CLI bundle dist/cli.cjs with the V8
 * code cache the build made for it, dist/cli.cjs.cache. Node 20 caches no compiled code between runs by itself (its
 * compile cache is Node 22's), and compiling the bundle, then the functions a command calls, is a third of a short
 * command's time (docs/performance.md, start-up).
 *
 * The cache only saves compiling: V8 takes it only when it was made by this V8 with these flags for a source of this
 * length, and compiles the source as usual otherwise (`cachedDataRejected`); the launcher also ignores a cache older
 * than the bundle (the bundle edited or rebuilt since). What runs, and so every result, is the bundle's code either way.
 *
 * SYSTOLAB_MAKE_CODE_CACHE=1 (the build) runs without the cache and writes a new one as the process exits, holding
 * the functions that run compiled.
 */
'use strict';
const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const bundle = join(__dirname, 'cli.cjs');
const cacheFile = `${bundle}.cache`;
const making = process.env.SYSTOLAB_MAKE_CODE_CACHE === '1';

/** The cache's bytes when it may belong to this bundle, else undefined (then V8 compiles the source). */
function readCache() {
  if (making) return undefined;
  try {
    return statSync(cacheFile).mtimeMs >= statSync(bundle).mtimeMs ? readFileSync(cacheFile) : undefined;
  } catch {
    return undefined; // no cache: a build without one, or a checkout where it was deleted
  }
}

// CommonJS's wrapper (the source starts on its first line, so stack traces keep the bundle's line numbers) with one
// more parameter: the import() the bundle calls for ES-module packages (vega, piscina …). A function V8 restores from a
// code cache cannot call import() itself in Node 20, so it calls this file's, which resolves from the same folder.
const wrapped = `(function (exports, require, module, __filename, __dirname, __systolabImport) {${readFileSync(bundle, 'utf8')}\n})`;
const script = new Script(wrapped, { filename: bundle, cachedData: readCache() });
if (making) {
  process.on('exit', () => {
    writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
    renameSync(`${cacheFile}.tmp`, cacheFile);
  });
}
const module_ = { exports: {} };
script.runInThisContext()(module_.exports, Module.createRequire(bundle), module_, bundle, dirname(bundle), (specifier) => import(specifier));
