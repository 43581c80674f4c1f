import { z } from 'zod';
import { defineJobHandler, type JobQueue, type JobSummary } from '../../jobs/index.js';

/** The job type. Job types are `[a-z][a-z0-9_-]*`, so no dot. */
export const ASSET_PROCESS_JOB = 'asset-process';

export const assetProcessPayloadSchema = z.object({
  assetId: z.string().min(1).max(64),
  owner: z.string().min(1).max(256),
});
export type AssetProcessPayload = z.infer<typeof assetProcessPayloadSchema>;

export type AssetProcessingDeps = {};

/** The `asset-process` job handler. */
export function createAssetProcessingHandler(_deps: AssetProcessingDeps) {
  return defineJobHandler({
    type: ASSET_PROCESS_JOB,
    schema: assetProcessPayloadSchema,
    workload: 'io',
    async run() {
      return {};
    },
  });
}

/**
 * Queues processing of an asset. The job id is derived from the asset id, so calling this twice for
 * the same asset returns the same job (idempotent).
 */
export function enqueueAssetProcessing(queue: JobQueue, payload: AssetProcessPayload): Promise<JobSummary> {
  return queue.enqueue({
    type: ASSET_PROCESS_JOB,
    id: `process-${payload.assetId}`,
    payload,
    priority: 'low',
  });
}
