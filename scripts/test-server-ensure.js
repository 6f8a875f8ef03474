#!/usr/bin/env node
// Provides Temporal's time-skipping test server (Java, io.temporal:temporal-test-server from Maven
// Central) for TestWorkflowEnvironment.createTimeSkipping: the jars are copied by `mvn` into
// ${XDG_CACHE_HOME:-~/.cache}/amtsweg/test-server/<version>/lib, and a small bash wrapper there starts
// it with `<port>` as its only argument, the way the SDK calls an 'existing-path' executable.
// Plain CommonJS with built-ins only (runs before the build); idempotent, reuses what is there.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { cacheRoot } = require('./temporal-ensure');

const TEST_SERVER_VERSION = '1.31.0';
const POM = path.join(__dirname, 'test-server', 'pom.xml');

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const file = dir && path.join(dir, name);
    try {
      if (file && fs.statSync(file).isFile()) {
        fs.accessSync(file, fs.constants.X_OK);
        return file;
      }
    } catch {
      // not here
    }
  }
  return null;
}

class TestServerToolMissing extends Error {}

function missing(tool) {
  return new TestServerToolMissing(
    [
      `'${tool}' is not on PATH; the time-skipping test server (Java) needs java 11+ to run and mvn to fetch it.`,
      "  Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless maven",
      '  elsewhere: any JDK 11+ and Apache Maven 3.6+ on PATH.',
    ].join('\n'),
  );
}

function serverDir(version = TEST_SERVER_VERSION) {
  return path.join(cacheRoot(), 'test-server', version);
}

// Fast start matters: the SDK gives the server 5 s to listen, on a 2-core machine that is busy
// running tests. C1 only, SerialGC (no GC threads to start) and an application class-data-sharing
// archive of the server's own classes (see createClassArchive) take it from ~2-3 s to under 1 s.
// Without the archive, or when it does not match the JVM, it simply starts the slower way.
const JVM_FLAGS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto';

function wrapperScript(libDir, archive) {
  return `#!/usr/bin/env bash
# Temporal time-skipping test server ${TEST_SERVER_VERSION}; written by scripts/test-server-ensure.js.
# Usage: temporal-test-server <port>
set -euo pipefail
cds=()
if [[ -f "${archive}" ]]; then cds=(-XX:SharedArchiveFile="${archive}"); fi
exec java ${JVM_FLAGS} "\${cds[@]}" -cp "${libDir}/*" io.temporal.testserver.TestServer "$@"
`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/**
 * Starts the server once with -XX:ArchiveClassesAtExit, waits until it listens, stops it: the JVM
 * writes the classes it loaded into a CDS archive that later starts map instead of parsing jars.
 * Best effort: a failure here only costs start-up time.
 */
async function createClassArchive(libDir, archive, log) {
  const port = await freePort();
  const tmp = `${archive}.tmp-${process.pid}`;
  const child = spawn('java', [...JVM_FLAGS.split(' '), `-XX:ArchiveClassesAtExit=${tmp}`, '-cp', `${libDir}/*`, 'io.temporal.testserver.TestServer', String(port)], {
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && child.exitCode === null && !(await canConnect(port))) {
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGTERM'); // a normal JVM shutdown, which is when the archive is written
  await exited;
  if (fs.existsSync(tmp) && fs.statSync(tmp).size > 0) {
    fs.renameSync(tmp, archive);
    log(`wrote the class-data archive ${archive}`);
  } else {
    fs.rmSync(tmp, { force: true });
    log('could not write a class-data archive; the server starts without it (slower)');
  }
}

// The jars are fetched again when the pom changes (another version, another dependency).
function pomHash() {
  return crypto.createHash('sha256').update(fs.readFileSync(POM)).update(TEST_SERVER_VERSION).digest('hex').slice(0, 16);
}
const POM_HASH_FILE = '.pom-hash';

/** Copies the server's jars with Maven into a staging dir, then renames it into place. */
function fetchJars(libDir, log) {
  const mvn = onPath('mvn');
  if (!mvn) throw missing('mvn');
  const staging = `${libDir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  log(`resolving io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with Maven (first time only) ...`);
  const started = Date.now();
  const r = spawnSync(
    mvn,
    [
      '-B',
      '-q',
      '-Dstyle.color=never',
      '-f',
      POM,
      `-Dtemporal.test-server.version=${TEST_SERVER_VERSION}`,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${staging}`,
      '-DincludeScope=runtime',
    ],
    // Maven's stdout goes to our stderr: our stdout carries only the wrapper's path.
    { stdio: ['ignore', process.stderr, 'inherit'] },
  );
  if (r.error) throw r.error;
  if (r.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error(`mvn dependency:copy-dependencies failed (exit ${r.status}); see the output above`);
  }
  if (!fs.readdirSync(staging).some((f) => f.startsWith('temporal-test-server-'))) {
    throw new Error(`mvn finished but ${staging} holds no temporal-test-server jar`);
  }
  fs.writeFileSync(path.join(staging, POM_HASH_FILE), pomHash());
  fs.rmSync(libDir, { recursive: true, force: true });
  fs.renameSync(staging, libDir);
  log(`copied ${fs.readdirSync(libDir).filter((f) => f.endsWith('.jar')).length} jars in ${Math.round((Date.now() - started) / 1000)} s -> ${libDir}`);
}

/** Returns the path of the wrapper script; fetches the jars and builds the archive the first time. */
async function ensureTestServer({ log = (m) => console.error(`[test-server-ensure] ${m}`) } = {}) {
  const dir = serverDir();
  const libDir = path.join(dir, 'lib');
  const archive = path.join(dir, 'classes.jsa');
  const wrapper = path.join(dir, 'temporal-test-server');
  if (!onPath('java')) throw missing('java');

  const hashFile = path.join(libDir, POM_HASH_FILE);
  const haveJars = fs.existsSync(hashFile) && fs.readFileSync(hashFile, 'utf8') === pomHash();
  if (!haveJars) {
    fs.mkdirSync(dir, { recursive: true });
    fetchJars(libDir, log);
    fs.rmSync(archive, { force: true }); // built from other jars
  }
  if (!fs.existsSync(archive)) await createClassArchive(libDir, archive, log);
  const script = wrapperScript(libDir, archive);
  // Rewritten only when it differs, so a running server's script is never touched needlessly.
  if (!fs.existsSync(wrapper) || fs.readFileSync(wrapper, 'utf8') !== script) {
    fs.writeFileSync(`${wrapper}.tmp`, script, { mode: 0o755 });
    fs.renameSync(`${wrapper}.tmp`, wrapper);
  }
  log(`using ${wrapper}`);
  return wrapper;
}

module.exports = { ensureTestServer, TestServerToolMissing, TEST_SERVER_VERSION };

if (require.main === module) {
  ensureTestServer().then(
    (wrapper) => console.log(wrapper),
    (e) => {
      console.error(e instanceof TestServerToolMissing ? e.message : `[test-server-ensure] ${e.stack || e}`);
      process.exit(1);
    },
  );
}
