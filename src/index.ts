/**
 * vaekit — the library API. `import { VAE, train, loadBuiltin } from 'vaekit'`.
 */
export { BACKEND_CHOICES, type BackendChoice, initBackend } from './backend/index.js';
export { InputError, NumericalError, VaekitError } from './core/errors.js';
export { Rng } from './core/random.js';
export type { StepContext, Trainable } from './core/trainable.js';
export { batches, epochBatches, epochPermutation } from './data/batches.js';
export { type Binarization, binarizeDataset } from './data/binarize.js';
export { BUILTIN_DATASETS, loadBuiltin } from './data/builtin.js';
export type { Dataset, DatasetSplit } from './data/dataset.js';
export { readIdx, writeIdx } from './data/idx.js';
export { loadIdxDir, loadIdxPair } from './data/idxdataset.js';
export { loadDataset, loadTrainingData } from './data/load.js';
export { writeShapesFolder } from './data/shapes.js';
export { type ImageSource, readImages } from './data/source.js';
export {
  Bernoulli,
  DiagGaussian,
  GaussianLikelihood,
  type Likelihood,
  standardNormalLogProb,
} from './distributions/index.js';
export {
  Classifier,
  type ClassifierInfo,
  classifierConfigSchema,
  defaultClassifierDir,
  loadClassifier,
  saveClassifier,
  trainClassifier,
} from './eval/classifier.js';
export { evaluateModel, type ModelEvaluation } from './eval/evaluate-model.js';
export { type FeatureStats, featureStats, frechetDistance } from './eval/frechet.js';
export {
  ACTIVITY_THRESHOLD,
  encodePosteriors,
  klPerDimension,
  type LatentDiagnostics,
  latentDiagnostics,
  mutualInformation,
  posteriorMeanVariance,
} from './eval/latent.js';
export { importanceSampledLogLikelihood, type LogLikelihoodEstimate } from './eval/log-likelihood.js';
export { type PrecisionRecall, precisionRecall } from './eval/precision-recall.js';
export { type EvalReport, readTrainingHistory, writeEvalReport } from './eval/report.js';
export { drawSamples, type SampleQuality, sampleQuality } from './eval/sample-quality.js';
export { findCheckpoint, loadCheckpoint, saveCheckpoint } from './io/checkpoint.js';
export { readNpy, writeNpy } from './io/npy.js';
export { encodeImageGrid, writeImageGrid } from './io/png.js';
export { buildModel } from './models/build.js';
export { type VAEConfig, vaeConfigSchema } from './models/config.js';
export { GAN } from './models/gan.js';
export {
  ADVERSARIAL_TYPES,
  type AdversarialConfig,
  ganConfigSchema,
  wganConfigSchema,
  wganGpConfigSchema,
} from './models/gan-config.js';
export type { LatentVariableModel } from './models/latent-model.js';
export { VAE } from './models/vae.js';
export { type ElboOptions, type ElboTerms, elboTerms } from './objectives/elbo.js';
export {
  discriminatorLoss,
  gradientPenalty,
  nonSaturatingGeneratorLoss,
  wassersteinCriticLoss,
  wassersteinGeneratorLoss,
} from './objectives/gan.js';
export { iwaeBound, logImportanceWeights, logMeanExp } from './objectives/iwae.js';
export { type KlSchedule, klWeight } from './objectives/kl-schedule.js';
export { type ComparisonRow, compareRun, writeSideBySide } from './run/compare.js';
export { type RunConfig, runConfigSchema } from './run/config.js';
export { encodeMeans } from './run/encode.js';
export { evaluateRun } from './run/evaluate-run.js';
export { type LatentRecord, latentLogger } from './run/latent-log.js';
export { loadRun } from './run/load-run.js';
export { writeReconstructionGrid, writeSampleGrid } from './run/pictures.js';
export { trainRun } from './run/train-run.js';
export { type TrainConfig, trainConfigSchema } from './train/config.js';
export { bitsPerDim, evaluateDataset } from './train/evaluate.js';
export { type EpochRecord, type TrainCallbacks, type TrainState, train } from './train/loop.js';
export { DataParallel, type DataParallelOptions, withWorkers } from './train/parallel/data-parallel.js';
export { type Explorer, type ExplorerOptions, startExplorer } from './web/server.js';
