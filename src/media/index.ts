export {
  type EncoderInfo,
  type FilterInfo,
  hasEncoder,
  hasFilter,
  listEncoders,
  listFilters,
} from './capabilities.js';
export {
  type RunFfprobeOptions,
  runFfmpeg,
  runFfprobe,
  type SpawnFfmpegOptions,
  spawnFfmpeg,
} from './ffmpeg-process.js';
export { type Ffmpeg, type FindFfmpegOptions, findFfmpeg, MIN_FFMPEG_MAJOR } from './find-ffmpeg.js';
export type { ProcessFailureDetails } from './media-errors.js';
export { type ProbeOptions, probe } from './probe.js';
export type { AudioInfo, MediaInfo, StreamInfo, VideoInfo } from './probe-info.js';
export type { FfmpegProgress } from './progress.js';
export { DEFAULT_PROTOCOLS, isRefusedInputFormat, withInputProtocols } from './protocols.js';
export type { FfmpegProcess, FfmpegResult, ProcessStatus } from './tool-process.js';
