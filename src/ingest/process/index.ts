/**
 * Processing of an asset after its upload completed, as one durable `asset-process` job: image
 * variants, video poster / thumbnail strip / proxy / metadata, audio waveform and loudness, PDF pages.
 */
export {
  ASSET_PROCESS_JOB,
  type AssetProcessingDeps,
  type AssetProcessPayload,
  type AssetProcessResult,
  assetProcessPayloadSchema,
  createAssetProcessingHandler,
  enqueueAssetProcessing,
  processingJobId,
  removeStaleWorkFolders,
} from './asset-process-job.js';
