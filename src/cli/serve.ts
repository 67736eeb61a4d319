import { Command, Option } from 'commander';
import { isLoopback, startExplorer } from '../web/server.js';
import { intArg } from './args.js';
import { checkpointOption } from './common.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'Serve the latent-space explorer and training dashboard of a run (or several, compared) to your browser.\n' +
        'The page rebuilds the model from the run with TensorFlow.js (WebGL, else WebAssembly, else plain\n' +
        'JavaScript) and shows:\n' +
        '  sliders for the most informative latent dimensions, decoded live;\n' +
        '  your own image, drawn on a pad or dropped as a PNG/JPEG, encoded and reconstructed; reconstructions;\n' +
        "  a 2-D map of the test images' latent means (first two principal directions; z0 × z1 for a 2-D latent),\n" +
        '  hover a point for its image, and a decoded grid over it;\n' +
        '  interpolation between two test images, linear or spherical;\n' +
        '  samples from the prior with a temperature control;\n' +
        '  training curves step by step (steps.jsonl) with the test loss of each epoch (metrics.jsonl), live while\n' +
        '  a run trains (start it in another terminal), with smoothing, a log scale and zoom.\n' +
        'Give several run directories to compare them: their curves on one chart, one colour per run, and their\n' +
        'samples side by side (same seed and temperature); the first run is the one the other panels show.\n' +
        'The address bar keeps the view (checkpoint, z, temperature, seed, interpolation pair): copy it to share it.\n' +
        "Every panel saves as PNG. The page follows the system's light or dark scheme and fits a phone.\n" +
        "Read-only: only the runs' config, metrics, step logs, current checkpoints and a sample of the first run's\n" +
        'test images are served.\n\n' +
        'Examples:\n' +
        '  vaekit serve runs/vae-mnist-20261127-031500        # then open the printed URL; Ctrl-C stops\n' +
        '  vaekit serve runs/beta1 runs/beta4 runs/iwae5      # three runs compared; runs/beta1 is the main one',
    )
    .argument(
      '<run-dirs...>',
      'one or more run directories, e.g. runs/vae-mnist-…; the first is the main run',
    )
    .option('-p, --port <n>', 'TCP port (0 to 65535); 0 picks a free one', intArg(0, 65535), 8080)
    .addOption(
      new Option(
        '--host <address>',
        'interface to listen on; anything but loopback exposes the run to your network',
      ).default('127.0.0.1'),
    )
    .option(
      '--test-images <n>',
      'test images sent to the page for the map and interpolation',
      intArg(2),
      1000,
    )
    .option('--seed <n>', "first seed of the page's samples and random interpolation pairs", intArg(0), 0)
    .addOption(checkpointOption())
    .action(
      async (
        dirs: string[],
        f: { port: number; host: string; testImages: number; seed: number; checkpoint: 'best' | 'latest' },
      ) => {
        const explorer = await startExplorer({
          runDirs: dirs,
          host: f.host,
          port: f.port,
          checkpoint: f.checkpoint,
          testImages: f.testImages,
        });
        if (!isLoopback(f.host)) {
          process.stderr.write(`vaekit: warning: listening on ${f.host}: other machines can read this run\n`);
        }
        const url = f.seed === 0 ? explorer.url : `${explorer.url}?seed=${f.seed}`;
        process.stdout.write(`vaekit explorer for ${dirs.join(', ')}: ${url}\n(Ctrl-C to stop)\n`);
        await new Promise<void>((resolve) => {
          for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
        });
        await explorer.close();
      },
    );
}
