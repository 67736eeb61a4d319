/**
 * The native addon's binaries, for the run-time loader (src/backend/native.ts), the install script and the
 * prebuild script alike: the digest of the sources a binary is built from, a look at a file before it is
 * loaded (dlopen of a truncated shared object kills the process with SIGBUS, and of another architecture's
 * says "No such file"), and the prebuilt binary that fits this platform (node-gyp-build's rules: platform,
 * architecture, libc).
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

/** SHA-256 of binding.gyp and native/*.cc, *.h under `dir`: what a binary is built from. */
function sourcesDigest(dir = root) {
  const hash = createHash('sha256');
  const files = fs
    .readdirSync(path.join(dir, 'native'))
    .filter((f) => /\.(cc|h)$/.test(f))
    .sort()
    .map((f) => path.join('native', f));
  for (const f of ['binding.gyp', ...files]) hash.update(`${f}\0`).update(fs.readFileSync(path.join(dir, f)));
  return hash.digest('hex');
}

/** The file beside the prebuilt binaries that names the sources they were built from. */
const SOURCES_FILE = 'SOURCES.sha256';

/** Whether the prebuilt binaries under `dir` were built from the sources beside them. */
function prebuiltMatchesSources(dir = root) {
  try {
    return fs.readFileSync(path.join(dir, 'prebuilds', SOURCES_FILE), 'utf8').trim() === sourcesDigest(dir);
  } catch {
    return false;
  }
}

/** ELF machine numbers of Node's architectures. */
const MACHINES = { x64: 62, arm64: 183, ia32: 3, arm: 40, ppc64: 21, s390x: 22, riscv64: 243, loong64: 258 };

/**
 * Why `file` cannot be loaded on this machine — not a file, not an ELF shared object, another architecture's,
 * cut short — or null when it looks whole. On Linux only (elsewhere the system loader's word is taken).
 */
function binaryProblem(file) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    return `cannot be opened (${e.code})`;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return 'is not a file';
    if (process.platform !== 'linux') return null;
    const head = Buffer.alloc(64);
    const read = fs.readSync(fd, head, 0, 64, 0);
    if (read < 64 || head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1)
      return 'is not a 64-bit little-endian ELF shared object';
    const machine = head.readUInt16LE(18);
    const expected = MACHINES[process.arch];
    if (expected !== undefined && machine !== expected) {
      const name = Object.keys(MACHINES).find((a) => MACHINES[a] === machine) ?? `ELF machine ${machine}`;
      return `is built for ${name}, and this is ${process.arch}`;
    }
    // the section headers come last: a file cut short loses them first
    const end = Number(head.readBigUInt64LE(40)) + head.readUInt16LE(58) * head.readUInt16LE(60);
    if (end > stat.size) return `is cut short (${stat.size} bytes, its header describes ${end})`;
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** The prebuilt binary under `dir`/prebuilds for this platform, architecture and libc, or null. */
function prebuiltBinary(dir = root) {
  const gyp = require('node-gyp-build');
  const base = path.join(dir, 'prebuilds');
  let tuples;
  try {
    tuples = fs.readdirSync(base);
  } catch {
    return null;
  }
  const tuple = tuples
    .map(gyp.parseTuple)
    .filter(gyp.matchTuple(process.platform, process.arch))
    .sort(gyp.compareTuples)[0];
  if (!tuple) return null;
  const winner = fs
    .readdirSync(path.join(base, tuple.name))
    .map(gyp.parseTags)
    .filter(gyp.matchTags('node', process.versions.modules))
    .sort(gyp.compareTags('node'))[0];
  return winner ? path.join(base, tuple.name, winner.file) : null;
}

module.exports = { root, sourcesDigest, SOURCES_FILE, prebuiltMatchesSources, binaryProblem, prebuiltBinary };
