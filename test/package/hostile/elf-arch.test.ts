/**
 * Attack on native/binary.cjs's binaryProblem on Node's other Linux architectures. MACHINES lists ia32,
 * arm, s390x …, and the README sends "other CPUs" to a build from source, but the look refuses every file
 * that is not a 64-bit little-endian ELF before it checks the machine: on linux-arm (armv7l, Raspberry Pi
 * OS 32-bit, an official Node 20 build) the addon built from source is a 32-bit ELF, and on linux-s390x
 * (also official) a big-endian one, so the loader never takes the build that the install script just made
 * and reports "build/Release is not a 64-bit little-endian ELF shared object": the wasm kernels alone.
 * (And on ia32 an ARM32 file is not called "built for arm", it is called "not 64-bit".)
 *
 * Seen (process.arch faked, headers of a valid ELF32 LE ARM and ELF64 BE s390x shared object):
 * "is not a 64-bit little-endian ELF shared object" for both. Expected: null — this machine's own format.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repo } from './fixture.js';

const skip = process.platform !== 'linux' ? 'the ELF look runs on Linux only' : false;
const dir = mkdtempSync(join(tmpdir(), 'vk-a4-arch-'));

/** An ELF header of a shared object: class 1|2, data 1 (LE) | 2 (BE), machine; no section headers. */
function elf(bits: 32 | 64, little: boolean, machine: number): Buffer {
  const b = Buffer.alloc(4096);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = bits === 32 ? 1 : 2;
  b[5] = little ? 1 : 2;
  b[6] = 1;
  const u16 = (v: number, o: number) => (little ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  u16(3, 16); // ET_DYN
  u16(machine, 18);
  if (bits === 32) {
    u16(52, 40); // e_ehsize
    u16(40, 46); // e_shentsize, e_shoff 0, e_shnum 0
  } else {
    u16(64, 52);
    u16(64, 58);
  }
  return b;
}

/** binaryProblem(file) with process.arch faked to `arch`. */
function look(arch: string, file: string): string {
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `Object.defineProperty(process, 'arch', { value: ${JSON.stringify(arch)} });
       console.log(JSON.stringify(require(${JSON.stringify(join(repo, 'native', 'binary.cjs'))}).binaryProblem(${JSON.stringify(file)})));`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('on linux-arm (armv7l) its own 32-bit ARM build is not refused', { skip }, () => {
  const f = join(dir, 'arm.node');
  writeFileSync(f, elf(32, true, 40));
  // observed: "is not a 64-bit little-endian ELF shared object"
  assert.equal(look('arm', f), null);
});

test('on linux-s390x its own big-endian build is not refused', { skip }, () => {
  const f = join(dir, 's390x.node');
  writeFileSync(f, elf(64, false, 22));
  // observed: "is not a 64-bit little-endian ELF shared object"
  assert.equal(look('s390x', f), null);
});
