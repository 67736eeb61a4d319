import { Command, Option } from 'commander';
import type { BackendChoice } from '../backend/index.js';
import type { ExportPart } from '../models/model.js';
import { checkExportFolder, type ExportFormat, exportParts, exportRun } from '../run/export-run.js';
import { readRunConfig } from '../run/run-dir.js';
import { backendOption, checkpointOption, openRun } from './common.js';

export function exportCommand(version: string): Command {
  return new Command('export')
    .description(
      'Write a trained model as ONNX or TensorFlow.js graphs that run without vaekit (onnxruntime in Python or the ' +
        'browser; plain @tensorflow/tfjs), with a model-card.json that says what goes in and comes out.',
    )
    .argument('<run-dir>', 'a run directory, e.g. runs/vae-mnist-…')
    .addOption(new Option('--format <format>', 'file format').choices(['onnx', 'tfjs']).makeOptionMandatory())
    .addOption(
      new Option(
        '--part <part>',
        "decoder: z (or the HVAE's noise, a GAN's z) → image E[x|z]; encoder: image → mu, logvar of q(z|x) (VAE, CVAE); all: every part the model has",
      )
        .choices(['decoder', 'encoder', 'all'])
        .default('decoder'),
    )
    .requiredOption(
      '-o, --out <dir>',
      'folder to create (it must not exist): <part>.onnx or <part>/model.json, and model-card.json',
    )
    .addOption(checkpointOption())
    .addOption(backendOption())
    .addHelpText(
      'after',
      `
Inputs and outputs are float32, images NHWC in [0, 1]; the batch size is free. Each graph is checked
against the model on example inputs before anything is written, and the folder appears whole or not at all.

Examples:
  vaekit export runs/vae-mnist --format onnx --part all -o exports/vae-onnx
  vaekit export runs/vae-mnist --format tfjs -o exports/vae-tfjs     # then tf.loadGraphModel('…/decoder/model.json')`,
    )
    .action(
      async (
        dir: string,
        f: {
          format: ExportFormat;
          part: ExportPart | 'all';
          out: string;
          checkpoint: 'best' | 'latest';
          backend?: BackendChoice;
        },
      ) => {
        checkExportFolder(f.out);
        exportParts(readRunConfig(dir).model.type, f.part);
        const run = await openRun(dir, f);
        const parts = exportRun(dir, run, {
          format: f.format,
          part: f.part,
          out: f.out,
          checkpoint: f.checkpoint,
          version,
        });
        for (const p of parts) {
          const ports = (list: typeof p.inputs) =>
            list.map((q) => `${q.name} [${q.shape.join(', ')}]`).join(', ');
          process.stdout.write(
            `${p.part}: ${ports(p.inputs)} → ${ports(p.outputs)}; ${p.files.join(', ')} (matches the model to ${p.checkedError.toExponential(1)})\n`,
          );
        }
        process.stdout.write(`wrote ${f.format} export of ${dir} to ${f.out} (see model-card.json)\n`);
        run.model.dispose();
      },
    );
}
