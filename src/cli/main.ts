import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { InputError, NumericalError } from '../core/errors.js';
import { compareCommand } from './compare.js';
import { encodeCommand } from './encode.js';
import { evalCommand } from './eval.js';
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
  ]) {
    p.addCommand(c.exitOverride().showHelpAfterError('(add --help for usage)'));
  }
  return p;
}

/**
 * Runs the CLI and returns the exit code: 0 success, 2 bad input (InputError or a usage error),
 * 3 training diverged, 1 anything else (a bug: the stack is printed).
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0
        ? 0
        : 2;
    }
    if (e instanceof InputError) {
      process.stderr.write(`vaekit: error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof NumericalError) {
      process.stderr.write(`vaekit: ${e.message}\n`);
      return 3;
    }
    process.stderr.write(`vaekit: internal error: ${(e as Error)?.stack ?? e}\n`);
    return 1;
  }
}
