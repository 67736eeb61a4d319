import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { InputError, NumericalError } from '../core/errors.js';
import { compareCommand } from './compare.js';
import { encodeCommand } from './encode.js';
import { evalCommand } from './eval.js';
import { exportCommand } from './export.js';
import { reconstructCommand } from './reconstruct.js';
import { sampleCommand } from './sample.js';
import { serveCommand } from './serve.js';
import { trainCommand } from './train.js';
import { trainClassifierCommand } from './train-classifier.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function program(): Command {
  const p = new Command('vaekit')
    .description(
      'Deep generative models in TypeScript: train, sample and inspect variational autoencoders.\n\n' +
        'Quick start:\n' +
        '  vaekit train                              # MLP VAE on the 10,000 embedded MNIST digits\n' +
        '  vaekit sample runs/<name>                 # PNG grid of samples from the prior\n' +
        '  vaekit reconstruct runs/<name>            # test images next to their reconstructions\n' +
        '  vaekit encode runs/<name> -o z.csv        # latent means of the test set\n' +
        '  vaekit eval runs/<name> [--limit 100]     # ELBO vs importance-sampled log p(x), collapse, report\n' +
        '  vaekit train-classifier --dataset mnist   # feature classifier for eval’s sample-quality metrics\n' +
        '  vaekit compare runs/a runs/b …            # same metrics + side-by-side samples for any models\n' +
        '  vaekit serve runs/<name>                  # explore the latent space in your browser',
    )
    .version(version)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const c of [
    trainCommand(),
    sampleCommand(),
    reconstructCommand(),
    encodeCommand(),
    serveCommand(),
    compareCommand(),
    evalCommand(),
    trainClassifierCommand(),
    exportCommand(version),
  ]) {
    p.addCommand(c.exitOverride().showHelpAfterError('(add --help for usage)'));
  }
  return p;
}

/** Error codes of the file system that mean "this path cannot be used", whatever the path was. */
const PATH_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a path through something that is not a folder',
  EISDIR: 'a folder where a file was expected',
  ELOOP: 'a loop of symbolic links',
  EACCES: 'no permission',
  EPERM: 'an operation not permitted',
  ENAMETOOLONG: 'a name too long',
  EEXIST: 'something already there',
  EROFS: 'a read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota exceeded',
  EMFILE: 'too many open files',
};

/** The file system's limits, which a write meets whatever its path: the machine's state, not a bug. */
const MACHINE_LIMITS = new Set(['ENOSPC', 'EDQUOT', 'EMFILE']);

/**
 * A file-system failure on a path the command was given (an `-o` into a missing folder, a symlink loop)
 * is the user's input: an InputError naming the path. Other errors are not translated.
 */
export function asInputError(e: unknown): InputError | null {
  if (e instanceof InputError) return e;
  const err = e as (NodeJS.ErrnoException & { dest?: string }) | undefined;
  if (!err || typeof err !== 'object' || typeof err.code !== 'string') return null;
  const what = PATH_ERRORS[err.code];
  if (!what) return null;
  if (typeof err.path !== 'string') {
    // a full disk or quota, met by a write through an open file (whose error names no path), is no bug either
    if (!MACHINE_LIMITS.has(err.code)) return null;
    return new InputError(
      {
        where: `a write (${err.syscall ?? 'write'})`,
        expected: 'room for the output',
        found: `${what} (${err.code})`,
      },
      { cause: e },
    );
  }
  const path = err.dest ? `${err.path} → ${err.dest}` : err.path;
  return new InputError(
    { where: path, expected: `a usable path (${err.syscall ?? 'access'})`, found: `${what} (${err.code})` },
    { cause: e },
  );
}

/**
 * Where the trace of an unexpected error goes: `$VAEKIT_CRASH_DIR` or the system's temporary folder.
 * Returns the log's path, or null when it could not be written.
 */
export function writeCrashLog(e: unknown, argv: string[]): string | null {
  const dir = process.env.VAEKIT_CRASH_DIR || tmpdir();
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const path = join(dir, `vaekit-crash-${stamp}-${process.pid}.log`);
  const text = [
    `vaekit ${version}, Node ${process.version}, ${process.platform}-${process.arch}`,
    `command: ${argv.slice(2).join(' ')}`,
    `cwd: ${process.cwd()}`,
    '',
    describe(e, true),
    '',
  ].join('\n');
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, text, { flag: 'wx' });
    return path;
  } catch {
    return null;
  }
}

/** An error as one line (`short`), or with its stack and causes. */
function describe(e: unknown, full = false): string {
  if (!(e instanceof Error)) return String(e);
  if (!full) return `${e.name}: ${e.message.split('\n')[0]}`.slice(0, 300);
  let out = e.stack ?? `${e.name}: ${e.message}`;
  for (let c = e.cause, depth = 0; c !== undefined && depth < 5; c = (c as Error)?.cause, depth++)
    out += `\ncaused by: ${c instanceof Error ? (c.stack ?? c.message) : String(c)}`;
  return out;
}

/**
 * The exit code of an error, after saying what happened on stderr: 2 bad input (InputError, a usage
 * error, a file-system failure on a given path), 3 training diverged, 1 anything else — a bug: one line
 * and the path of a crash log with the trace; a stack trace never reaches the user.
 */
export function reportError(e: unknown, argv: string[]): number {
  if (e instanceof CommanderError) {
    return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? 0 : 2;
  }
  const input = asInputError(e);
  if (input) {
    process.stderr.write(`vaekit: error: ${input.message}\n`);
    return 2;
  }
  if (e instanceof NumericalError) {
    process.stderr.write(`vaekit: ${e.message}\n`);
    return 3;
  }
  const log = writeCrashLog(e, argv);
  process.stderr.write(
    `vaekit: internal error: ${describe(e)}\n` +
      (log
        ? `  this is a bug in vaekit; the details are in ${log}\n`
        : '  this is a bug in vaekit (the crash log could not be written)\n'),
  );
  return 1;
}

/**
 * Runs the CLI and returns the exit code: 0 success, 2 bad input (InputError or a usage error),
 * 3 training diverged, 1 anything else (a bug: one line and a crash log, see reportError).
 * An error thrown outside the command's own promise (an event handler, a timer) ends the process the
 * same way.
 */
export async function main(argv: string[]): Promise<number> {
  const fatal = (e: unknown) => process.exit(reportError(e, argv));
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  try {
    await program().parseAsync(argv);
    return 0;
  } catch (e) {
    return reportError(e, argv);
  } finally {
    process.off('uncaughtException', fatal);
    process.off('unhandledRejection', fatal);
  }
}
