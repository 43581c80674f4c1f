/** Rendering as jobs: the `render` job handler and the service the API uses to start and follow renders. */
export { createRenderJobHandler, type RenderJobDeps, renderProgressSteps } from './render-job.js';
export {
  type RenderJobResult,
  type RenderOutputOptions,
  type RenderPayload,
  renderOutputSchema,
  renderPayloadSchema,
} from './render-payload.js';
export { type RenderRequest, type RenderStatus, Renders, type RendersDeps } from './renders.js';
