import { Command, Option } from 'commander';
import { isLoopback, startExplorer } from '../web/server.js';
import { intArg } from './args.js';
import { checkpointOption } from './common.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'Serve the latent-space explorer and training dashboard of a run to your browser. The page rebuilds the\n' +
        'model from the run with TensorFlow.js (WebGL, else WebAssembly, else plain JavaScript) and shows:\n' +
        '  sliders for the most informative latent dimensions, decoded live;\n' +
        "  a 2-D map of the test images' latent means (first two principal directions) and a decoded grid over it;\n" +
        '  interpolation between two test images, linear or spherical;\n' +
        '  samples from the prior with a temperature control;\n' +
        '  training curves from metrics.jsonl, updated while a run trains (start it in another terminal).\n' +
        "Read-only: only this run's config, metrics, current checkpoint and a sample of its test images are served.\n\n" +
        'Example:\n' +
        '  vaekit serve runs/vae-mnist-20261127-031500        # then open the printed URL; Ctrl-C stops',
    )
    .argument('<run-dir>', 'a run directory, e.g. runs/vae-mnist-…')
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
        dir: string,
        f: { port: number; host: string; testImages: number; seed: number; checkpoint: 'best' | 'latest' },
      ) => {
        const explorer = await startExplorer({
          runDir: dir,
          host: f.host,
          port: f.port,
          checkpoint: f.checkpoint,
          testImages: f.testImages,
        });
        if (!isLoopback(f.host)) {
          process.stderr.write(`vaekit: warning: listening on ${f.host}: other machines can read this run\n`);
        }
        const url = f.seed === 0 ? explorer.url : `${explorer.url}?seed=${f.seed}`;
        process.stdout.write(`vaekit explorer for ${dir}: ${url}\n(Ctrl-C to stop)\n`);
        await new Promise<void>((resolve) => {
          for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
        });
        await explorer.close();
      },
    );
}
