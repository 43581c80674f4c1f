/**
 * The preview frame service: the public surface of src/preview/engine (the contract shared with
 * src/preview/session). Sessions import only from this file.
 */

export { FrameService } from './frame-service.js';
export {
  type CacheStats,
  type FrameFormat,
  type FrameJob,
  type FrameResult,
  type FrameServiceOptions,
  type FrameServiceStats,
  QUALITIES,
  type Quality,
} from './types.js';
