/** The data layer: readers, built-in datasets, binarisation and batching. */
export * from './batches.js';
export * from './binarize.js';
export * from './builtin.js';
export * from './dataset.js';
export * from './idx.js';
export * from './idxdataset.js';
export * from './imagefolder.js';
export * from './load.js';
export * from './resize.js';
export * from './shapes.js';
export * from './source.js';
