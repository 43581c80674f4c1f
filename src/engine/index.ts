export { Compositor, type Picture } from './compositor.js';
export {
  buildEncoderArgs,
  buildVideoFileArgs,
  type EncodeSpec,
  encoderArgs,
  rawVideoInputArgs,
  type VideoFileSpec,
  videoCodecArgs,
} from './encode.js';
export { EncoderCatalog, type OutputEncoding } from './encoder-catalog.js';
export {
  chooseVideoEncoder,
  type HardwareKind,
  type HardwareProbe,
  type VideoEncoder,
  type VideoEncoderRequest,
} from './encoders.js';
export { defaultOutputName, type FormatInfo, formatFromPath, formats, type OutputKind } from './formats.js';
export { createGrade, type Grade } from './grade/index.js';
export { type Kernels, loadKernels } from './kernels/kernels.js';
export { type ClipRef, type Layer, layersAt } from './layers.js';
export { RenderCache } from './render-cache.js';
export { encodeFrame, type RenderedFrame, renderFrame } from './render-frame.js';
export {
  type RenderProgress,
  type RenderResult,
  type RenderVideoOptions,
  renderVideo,
} from './render-video.js';
export { Renderer, type RendererOptions, resolveSrc } from './renderer.js';
export { i420ToRgba, type YuvaImage } from './yuv-image.js';
