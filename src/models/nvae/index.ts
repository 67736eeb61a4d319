import { type CellSpec, cellActivations, cellParameters } from '../../nn/nvae/cells.js';
import { type ConvOptions, convParameters } from '../../nn/nvae/conv.js';
import { spectralParameters } from '../../nn/nvae/spectral.js';
import { addSizes, type NetworkSize } from '../../nn/size.js';
import { defineModel } from '../kind.js';
import { likelihoodChannels, likelihoodSize } from '../likelihood.js';
import { nvaeConfigSchema } from './config.js';
import { headConvs, nvaeLayout, nvaeParts, partConvs } from './layout.js';
import { NVAE, NVAE_CAPABILITIES } from './nvae.js';

/** The matrix a kernel's σ_max is taken of: [k²·c_in, c_out], or [k², c] for a depthwise kernel. */
const kernelMatrix = (c: ConvOptions): [number, number] =>
  c.depthwise ? [c.kernel * c.kernel, c.inChannels] : [c.kernel * c.kernel * c.inChannels, c.outChannels];

export const nvaeKind = defineModel({
  type: 'nvae',
  summary:
    'NVAE: spatial latent groups at several scales, NVAE’s residual cells with batch norm, Swish and SE, spectral regularisation',
  schema: nvaeConfigSchema,
  capabilities: NVAE_CAPABILITIES,
  build: (config, data, seed) => new NVAE(config, data.inputShape, seed),
  size: (c, data) => {
    const out = likelihoodChannels(c, data.inputShape[2]);
    const p = nvaeParts(c, data.inputShape, out);
    const layout = nvaeLayout(c, data.inputShape);
    const [ph, pw] = layout.padded;
    const [fh, fw] = layout.scales[0];
    const cells = (specs: CellSpec[], h: number, w: number): NetworkSize => ({
      parameters: specs.reduce((n, s) => n + cellParameters(s), 0),
      activations: specs.reduce((n, s) => n + cellActivations(s, h, w), 0),
    });
    const heads = headConvs(p);
    const size = addSizes(
      { parameters: 0, activations: ph * pw * data.inputShape[2] },
      cells(p.preprocess, ph, pw),
      cells([...p.encoderGroups.flat(), ...p.encoderDowns], fh, fw),
      cells([...p.decoderGroups.flat(), ...p.decoderUps], fh, fw),
      cells(p.postprocess, fh * 2, fw * 2),
      {
        parameters: heads.reduce((n, k) => n + convParameters(k), 0),
        // the heads' outputs counted at the finest latent scale (an estimate)
        activations: ph * pw * (p.stem.outChannels + out) + heads.length * 2 * fh * fw * c.hidden,
      },
      { parameters: p.start.reduce((a, b) => a * b, 1), activations: 0 },
      {
        parameters: c.spectralReg > 0 ? spectralParameters(partConvs(p).map(kernelMatrix)) : 0,
        activations: 0,
      },
      likelihoodSize(c, data.inputShape),
    );
    // measured: training takes about 70 bytes per parameter in all, 54 more than checkModelSize counts
    return { ...size, extraBytes: 54 * size.parameters };
  },
  describe: (c) =>
    `nvae ${c.scales} scales × ${c.groupsPerScale} groups of ${c.latentChannels} channels, width ${c.hidden}, ` +
    `${c.cells} cell${c.cells > 1 ? 's' : ''} per group, ${c.likelihood} likelihood`,
});
