/**
 * The machine a benchmark ran on, from /proc/cpuinfo (Linux; elsewhere from os.cpus()), and its peak
 * single-precision rate: cores × FLOP/cycle of the widest vector ISA × clock.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';

export interface CpuInfo {
  model: string;
  /** The vector flags that set the peak: avx512f, avx2, fma, avx. */
  flags: string[];
  cores: number;
  ghz: number;
  /** Where the clock comes from. */
  clockSource: string;
  flopPerCycle: number;
  /** How FLOP/cycle was chosen. */
  flopReason: string;
  peakGflops: number;
}

const VECTOR_FLAGS = ['avx512f', 'avx2', 'fma', 'avx'];

function field(text: string, name: string): string | undefined {
  return new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
}

/** The highest clock the kernel reports: cpufreq's maximum when there is one, else the fastest core now. */
function clock(cpuinfo: string): { ghz: number; source: string } {
  const max = '/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq';
  if (existsSync(max)) return { ghz: Number(readFileSync(max, 'utf8')) / 1e6, source: 'cpufreq max' };
  const mhz = [...cpuinfo.matchAll(/^cpu MHz\s*:\s*([\d.]+)/gm)].map((m) => Number(m[1]));
  if (mhz.length > 0) return { ghz: Math.max(...mhz) / 1000, source: '/proc/cpuinfo "cpu MHz" now' };
  return { ghz: (cpus()[0]?.speed ?? 0) / 1000, source: 'os.cpus()' };
}

/**
 * FP32 FLOP per cycle per core: lanes × 2 (fused multiply-add) × FMA pipes. Two pipes is assumed
 * (every AVX2 core since Haswell and Zen 2; Intel server AVX-512 cores; AMD Zen 5, family 26, whose
 * pipes are 512 bits wide); AMD's first AVX-512 (Zen 4, family 25) runs a 512-bit op as two 256-bit
 * halves, so it peaks as AVX2 does.
 */
function flopPerCycle(flags: Set<string>, amdFamily: number | null): { value: number; reason: string } {
  if (flags.has('avx512f') && (amdFamily == null || amdFamily >= 26))
    return { value: 64, reason: '16 lanes × FMA × 2 pipes (AVX-512)' };
  if (flags.has('avx512f'))
    return { value: 32, reason: '16 lanes × FMA × 1 (AMD Zen 4 AVX-512: 2 × 256-bit halves)' };
  if (flags.has('avx2') && flags.has('fma')) return { value: 32, reason: '8 lanes × FMA × 2 pipes (AVX2)' };
  if (flags.has('avx')) return { value: 16, reason: '8 lanes × (add + mul) (AVX)' };
  return { value: 8, reason: '4 lanes × (add + mul) (SSE)' };
}

export function cpuInfo(): CpuInfo {
  const text = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const flags = new Set((field(text, 'flags') ?? '').split(/\s+/));
  const amdFamily = field(text, 'vendor_id') === 'AuthenticAMD' ? Number(field(text, 'cpu family')) : null;
  const { ghz, source } = clock(text);
  const cores = availableParallelism();
  const f = flopPerCycle(flags, amdFamily);
  return {
    model: `${field(text, 'model name') ?? cpus()[0]?.model ?? 'unknown CPU'}${amdFamily == null ? '' : ` (family ${amdFamily}, model ${field(text, 'model')})`}`,
    flags: VECTOR_FLAGS.filter((x) => flags.has(x)),
    cores,
    ghz,
    clockSource: source,
    flopPerCycle: f.value,
    flopReason: f.reason,
    peakGflops: cores * f.value * ghz,
  };
}
