/**
 * vaekit — the library API. `import { VAE, train, loadBuiltin } from 'vaekit'`.
 */
export { BACKEND_CHOICES, type BackendChoice, initBackend } from './backend/index.js';
export { type ErrorDetails, InputError, NumericalError, VaekitError } from './core/errors.js';
export { type FlagMeta, flag } from './core/flags.js';
export { Rng } from './core/random.js';
export type {
  Batch,
  LossWithMetrics,
  NamedWeight,
  Objective,
  OptimizerSpec,
  StepContext,
  StepResult,
  Trainable,
  TrainingStage,
} from './core/trainable.js';
export {
  batches,
  type EpochOptions,
  epochBatches,
  epochPermutation,
  type ImageBatch,
} from './data/batches.js';
export { type Binarization, binarizeDataset } from './data/binarize.js';
export { BUILTIN_DATASETS, loadBuiltin } from './data/builtin.js';
export type { Dataset, DatasetSplit } from './data/dataset.js';
export { type IdxArray, type IdxData, readIdx, writeIdx } from './data/idx.js';
export { loadIdxDir, loadIdxPair } from './data/idxdataset.js';
export type { ImageFolderOptions } from './data/imagefolder.js';
export { type LoadOptions, loadDataset, loadTrainingData } from './data/load.js';
export { writeShapesFolder } from './data/shapes.js';
export { type ImageSource, type Images, readImages, type TrainingSplit } from './data/source.js';
export { forEachBatch, toBatch } from './data/tensor-batches.js';
export {
  Bernoulli,
  DiagGaussian,
  GaussianLikelihood,
  type Likelihood,
  LogisticMixture,
  standardNormalLogProb,
} from './distributions/index.js';
export { type AisEstimate, type AisModel, type AisOptions, annealedImportanceSampling } from './eval/ais.js';
export {
  Classifier,
  type ClassifierInfo,
  classifierConfigSchema,
  defaultClassifierDir,
  loadClassifier,
  saveClassifier,
  trainClassifier,
} from './eval/classifier.js';
export {
  type BoundEstimate,
  evaluateModel,
  type ModelEvalOptions,
  type ModelEvaluation,
} from './eval/evaluate-model.js';
export { type FeatureStats, featureStats, frechetDistance } from './eval/frechet.js';
export {
  type GapEstimate,
  type GapOptions,
  inferenceGaps,
  type MeanWithError,
  meanWithError,
} from './eval/gaps.js';
export {
  ACTIVITY_THRESHOLD,
  encodePosteriors,
  klPerDimension,
  type LatentDiagnostics,
  type LatentRecord,
  latentDiagnostics,
  mutualInformation,
  type Posteriors,
  posteriorMeanVariance,
} from './eval/latent.js';
export {
  type ImportanceSamplingOptions,
  importanceSampledLogLikelihood,
  type LogLikelihoodEstimate,
} from './eval/log-likelihood.js';
export {
  OPTIMISE_DEFAULTS,
  type OptimisedPosterior,
  type OptimisePosteriorOptions,
  optimisePosterior,
} from './eval/optimal-posterior.js';
export {
  type Box,
  boxAround,
  cellCentres,
  type PlaneGaussian,
  type PosteriorGrid,
  posteriorGrid,
} from './eval/posterior-grid.js';
export { type PrecisionRecall, precisionRecall } from './eval/precision-recall.js';
export {
  type EvalReport,
  type GapReport,
  readTrainingHistory,
  type TrainingHistory,
  writeEvalReport,
} from './eval/report.js';
export { drawSamples, type SampleQuality, sampleQuality } from './eval/sample-quality.js';
export { exampleFeeds, maxRelativeError } from './export/feeds.js';
export {
  type BinaryOp,
  convOutSide,
  convPads,
  GraphBuilder,
  type GraphPort,
  IMAGE_DOC,
  IMAGE_SHAPE_DOC,
  type InputKind,
  MEAN_DOC,
  type Node as GraphNode,
  type Padding,
  type UnaryOp,
  type Value as GraphValue,
} from './export/graph.js';
export { activate, lowerLayer, lowerSequential } from './export/layers.js';
export { type OnnxMeta, writeOnnx } from './export/onnx.js';
export { runGraph } from './export/run-graph.js';
export { writeTfjsGraph } from './export/tfjs-graph.js';
export {
  type CheckpointContents,
  disposeCheckpoint,
  findCheckpoint,
  type LoadedCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from './io/checkpoint.js';
export { type NpyArray, type NpyData, readNpy, writeNpy } from './io/npy.js';
export { encodeImageGrid, type GridOptions, writeImageGrid } from './io/png.js';
export { type CVAEConfig, cvaeConfigSchema } from './models/cvae/config.js';
export { ConditionalVAE } from './models/cvae/cvae.js';
export {
  type AdversarialConfig,
  ganConfigSchema,
  wganConfigSchema,
  wganGpConfigSchema,
} from './models/gan/config.js';
export { GAN } from './models/gan/gan.js';
export { type HVAEConfig, hvaeConfigSchema } from './models/hvae/config.js';
export { HierarchicalVAE } from './models/hvae/hvae.js';
export type { DataInfo, ModelKind, ModelSize } from './models/kind.js';
export { defineModel } from './models/kind.js';
export {
  type LikelihoodConfig,
  LikelihoodHead,
  likelihoodConfigSchema,
  likelihoodFields,
} from './models/likelihood.js';
export {
  asConditional,
  asExportable,
  asGaussianLatent,
  asLikelihoodModel,
  asLocalInference,
  asReconstructing,
  type Conditional,
  type Exportable,
  type ExportPart,
  type GaussianLatent,
  type GenerativeModel,
  type MetricSpec,
  type MetricUnit,
  type ModelCapabilities,
  type Reconstructing,
} from './models/model.js';
export { type NetworkConfig, networkSchema } from './models/network-config.js';
export {
  buildModel,
  capabilitiesOf,
  describeModel,
  MODEL_KINDS,
  MODEL_TYPES,
  type ModelConfig,
  modelConfigSchema,
  modelKind,
} from './models/registry.js';
export type { Conditioning } from './models/vae/conditioning.js';
export {
  type PosteriorConfig,
  posteriorSchema,
  REFINE_LR,
  type VAEConfig,
  vaeConfigSchema,
} from './models/vae/config.js';
export { type IafConfig, IafPosterior } from './models/vae/iaf.js';
export { VAE } from './models/vae/vae.js';
export { Made, type MadeOutput } from './nn/made.js';
export type { ImageShape } from './nn/networks.js';
export {
  discriminatorLoss,
  gradientPenalty,
  nonSaturatingGeneratorLoss,
  wassersteinCriticLoss,
  wassersteinGeneratorLoss,
} from './objectives/gan.js';
export { type KlSchedule, klScheduleSchema, klWeight } from './objectives/kl-schedule.js';
export {
  type Decode,
  diagonalGaussianFamily,
  elboSums,
  gaussianLatentTerms,
  iwaeBound,
  type LatentGroupTerms,
  type LatentModel,
  type LatentObjectiveOptions,
  type LatentSampling,
  type LatentTerms,
  type LocalLatentModel,
  latentLoss,
  logImportanceWeights,
  logMeanExp,
  type PosteriorFamily,
  repeatRows,
} from './objectives/latent.js';
export { detached, type LocalSampling, localElbo, localElboAndGradient } from './objectives/local-elbo.js';
export {
  backpropagateRefinement,
  REFINE_CHECK_SAMPLES,
  type Refinement,
  type RefinementStep,
  type RefineOptions,
  refinePosterior,
} from './objectives/refine.js';
export { type ComparisonOptions, type ComparisonRow, compareRun, writeSideBySide } from './run/compare.js';
export { type RunConfig, runConfigSchema } from './run/config.js';
export { evaluateRun, type RunEvalOptions, type RunGapOptions } from './run/evaluate-run.js';
export {
  checkExportFolder,
  type ExportedPart,
  type ExportFormat,
  type ExportOptions,
  exportParts,
  exportRun,
} from './run/export-run.js';
export { latentLogger } from './run/latent-log.js';
export { type LoadedRun, loadRun } from './run/load-run.js';
export { metricsLog } from './run/metrics-log.js';
export { writeReconstructionGrid, writeSampleGrid } from './run/pictures.js';
export { parseStepLines, type StepLine, type StepsLogOptions, stepsLog } from './run/steps-log.js';
export {
  type TrainRunOptions,
  type TrainRunResult,
  type TrainRunStart,
  trainRun,
} from './run/train-run.js';
export { type TrainConfig, trainConfigSchema } from './train/config.js';
export { bitsPerDim, evaluateDataset } from './train/evaluate.js';
export {
  type EpochRecord,
  restoreCheckpoint,
  type TrainCallbacks,
  type TrainEvent,
  type TrainOptions,
  type TrainState,
  train,
} from './train/loop.js';
export { DataParallel, type DataParallelOptions, withWorkers } from './train/parallel/data-parallel.js';
export type { ReplicaSpec, WireTensor } from './train/parallel/protocol.js';
export {
  applyGradients,
  computeGradients,
  type Gradients,
  gradientStep,
  makeOptimizers,
  trainStep,
} from './train/step.js';
export { localTrainer, type Trainer } from './train/trainer.js';
export { type Explorer, type ExplorerOptions, startExplorer } from './web/server.js';
