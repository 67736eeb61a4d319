/**
 * The native addon's binaries, for the run-time loader (src/backend/native.ts), the install script and the
 * prebuild script alike: the digest of the sources a binary is built from, a look at a file before it is
 * loaded (dlopen of a truncated shared object kills the process with SIGBUS, and of another architecture's
 * says "No such file"), and the prebuilt binary that fits this platform (node-gyp-build's rules: platform,
 * architecture, libc).
 */
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
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
const BITS32 = new Set(['ia32', 'arm']);

/**
 * Why `file` cannot be loaded on this machine — not a file, not an ELF shared object of this machine's
 * class, byte order and architecture, cut short (its headers or a loadable segment past its end) — or null
 * when it looks whole. On Linux only (elsewhere the system loader's word is taken). A quick look, with a
 * message that names the cause; probeProblem settles whether it loads.
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
    if (read < 52 || head.readUInt32BE(0) !== 0x7f454c46) return 'is not an ELF shared object';
    const wide = head[4] === 2;
    const little = head[5] === 1;
    const bits = BITS32.has(process.arch) ? 32 : 64;
    // Node's one big-endian Linux is s390x (its ppc64 is ppc64le)
    const order = process.arch === 's390x' ? false : os.endianness() === 'LE';
    if ((wide ? 64 : 32) !== bits || little !== order)
      return `is a ${wide ? 64 : 32}-bit ${little ? 'little' : 'big'}-endian ELF file, and this machine is ${bits}-bit ${order ? 'little' : 'big'}-endian`;
    const u16 = (at) => (little ? head.readUInt16LE(at) : head.readUInt16BE(at));
    const word = (buffer, at) =>
      wide
        ? Number(little ? buffer.readBigUInt64LE(at) : buffer.readBigUInt64BE(at))
        : little
          ? buffer.readUInt32LE(at)
          : buffer.readUInt32BE(at);
    const machine = u16(18);
    const expected = MACHINES[process.arch];
    if (expected !== undefined && machine !== expected) {
      const name = Object.keys(MACHINES).find((a) => MACHINES[a] === machine) ?? `ELF machine ${machine}`;
      return `is built for ${name}, and this is ${process.arch}`;
    }
    const cut = (end) => `is cut short (${stat.size} bytes, its headers describe ${end})`;
    // e_shoff, e_shentsize·e_shnum: the section headers come last, and a file cut short loses them first
    const [shoff, shentsize, shnum] = wide
      ? [word(head, 40), u16(58), u16(60)]
      : [word(head, 32), u16(46), u16(48)];
    if (shoff + shentsize * shnum > stat.size) return cut(shoff + shentsize * shnum);
    // every loadable segment (PT_LOAD) must lie in the file: dlopen maps them, and a missing page is a SIGBUS
    const [phoff, phentsize, phnum] = wide
      ? [word(head, 32), u16(54), u16(56)]
      : [word(head, 28), u16(42), u16(44)];
    if (phoff + phentsize * phnum > stat.size) return cut(phoff + phentsize * phnum);
    const table = Buffer.alloc(phentsize * phnum);
    fs.readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) {
      const at = i * phentsize;
      const type = little ? table.readUInt32LE(at) : table.readUInt32BE(at);
      if (type !== 1) continue; // PT_LOAD
      const [offset, size] = wide
        ? [word(table, at + 8), word(table, at + 32)]
        : [word(table, at + 4), word(table, at + 16)];
      if (offset + size > stat.size) return cut(offset + size);
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** The addon in `file`, whatever its name (process.dlopen: require would read a name without .node as JavaScript). */
function loadAddon(file) {
  const module = { exports: {} };
  process.dlopen(module, file);
  return module.exports;
}

/**
 * Why `file` does not load here, tried in a child process (a damaged binary can crash or hang the process
 * that loads it), or null when it loads and answers. A success is remembered in the temporary folder for
 * that file's version (path, size, time, inode) and this Node, so the child runs once per binary.
 */
function probeProblem(file, timeoutMs = 30_000) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    return `cannot be opened (${e.code})`;
  }
  const version = [path.resolve(file), stat.size, stat.mtimeMs, stat.ino, process.version, process.arch];
  const marker = path.join(
    os.tmpdir(),
    `vaekit-native-ok-${createHash('sha256').update(version.join('|')).digest('hex').slice(0, 24)}`,
  );
  if (fs.existsSync(marker)) return null;
  const script = `const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(file)});
    if (typeof m.exports.threads !== 'function') process.exit(3);
    m.exports.threads();`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: timeoutMs });
  if (r.error?.code === 'ETIMEDOUT') return `did not load within ${timeoutMs / 1000} s`;
  if (r.status === 3) return "loads but is not vaekit's addon (it has no threads())";
  if (r.status !== 0) {
    const line = (r.stderr ?? '').split('\n').find((l) => /Error/.test(l));
    return `does not load (${(line ?? `ended by ${r.signal ?? `exit ${r.status}`}`).trim()})`;
  }
  try {
    fs.writeFileSync(marker, '');
  } catch {
    // a read-only temporary folder: the child runs again next time
  }
  return null;
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
  let files;
  try {
    files = fs.readdirSync(path.join(base, tuple.name));
  } catch {
    return null; // not a folder, or unreadable: no prebuilt binary here
  }
  const winner = files
    .map(gyp.parseTags)
    .filter(gyp.matchTags('node', process.versions.modules))
    .sort(gyp.compareTags('node'))[0];
  return winner ? path.join(base, tuple.name, winner.file) : null;
}

/** Why `file` cannot serve as the addon here (the quick look, then a load in a child), or null. */
function servingProblem(file) {
  return binaryProblem(file) ?? probeProblem(file);
}

/**
 * The prebuilt binary to try here ({ file }), or why the one there is not tried ({ why }: built from other
 * sources than native/ holds, as in a clone whose kernels changed since `npm pack`), or null when there is
 * none for this platform. Whether it loads is servingProblem's to say.
 */
function prebuiltCandidate(dir = root) {
  const file = prebuiltBinary(dir);
  if (!file) return null;
  if (!prebuiltMatchesSources(dir)) {
    const target = `${process.platform}-${process.arch}`;
    return { why: `the prebuilt binary for ${target} was built from other sources than native/ holds` };
  }
  return { file };
}

/** The addon built from source under `dir` (build/Release), or null when there is none. */
function builtBinary(dir = root) {
  const file = path.join(dir, 'build', 'Release', 'vaekit_native.node');
  return fs.existsSync(file) ? file : null;
}

module.exports = {
  root,
  sourcesDigest,
  SOURCES_FILE,
  prebuiltMatchesSources,
  binaryProblem,
  probeProblem,
  servingProblem,
  loadAddon,
  prebuiltBinary,
  prebuiltCandidate,
  builtBinary,
};
