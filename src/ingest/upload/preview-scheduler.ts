import type { Ffmpeg } from '../../media/index.js';
import { makeEarlyPreview } from './early-preview.js';
import type { UploadSession } from './upload-session.js';

/** Early previews made at once across all uploads. */
const PREVIEW_SLOTS = 2;
/** Bytes after which the first early preview is tried. */
const FIRST_PREVIEW_BYTES = 256 * 1024;

export interface PreviewSchedulerDeps {
  ffmpeg: () => Promise<Ffmpeg>;
  config: { previewEveryBytes: number; previewEveryPercent: number; maxPixels: number };
  /** The upload's (growing) file and where its preview goes. */
  sourceOf(id: string): string;
  outputOf(id: string): string;
  /** A first preview of this upload exists now. */
  onFirstPreview(session: UploadSession): void;
  signal: AbortSignal;
}

/** What an early preview would be made from, or null when this content gives none before completion. */
export function previewKind(session: UploadSession): 'image' | 'video' | null {
  const s = session.sniffed;
  if (!s || !session.checksDone) return null;
  if (s.family === 'image') return 'image';
  if (s.family !== 'video' || session.noEarlyPreview) return null;
  return ['video/mp4', 'video/quicktime', 'video/webm', 'video/x-matroska'].includes(s.mime) ? 'video' : null;
}

/**
 * Decides when to try an early preview of an upload that is still arriving: the first try after
 * 256 KB, then every `previewEveryPercent` % or `previewEveryBytes` (whichever is more), one at a time
 * per upload and two across the server. A video stops at its first preview; an image is redrawn every
 * quarter (each try decodes all that has arrived).
 */
export class PreviewScheduler {
  private running = 0;

  constructor(private readonly deps: PreviewSchedulerDeps) {}

  /** Called as bytes arrive; `settled` when a request's bytes are all on disk (then any growth is enough). */
  consider(session: UploadSession, settled = false): void {
    const kind = previewKind(session);
    if (!kind || session.previewRunning || session.offset >= session.size) return;
    if (kind === 'video' && session.previewUrl) return;
    const { previewEveryBytes, previewEveryPercent } = this.deps.config;
    const share = kind === 'image' && session.previewUrl ? 25 : previewEveryPercent;
    const step = Math.max(previewEveryBytes, (session.size * share) / 100);
    // The first try comes early: an MP4's index and first keyframe are often in its first few hundred KB.
    const due =
      session.previewTriedAt < 0
        ? Math.min(FIRST_PREVIEW_BYTES, step, session.size)
        : session.previewTriedAt + step;
    const grew = settled ? session.offset > session.previewTriedAt : session.offset >= due;
    if (!grew || this.running >= PREVIEW_SLOTS) return;
    session.previewTriedAt = session.offset;
    void this.run(session, kind);
  }

  /** Makes a preview now from what is on disk; true when one was written. */
  async run(session: UploadSession, kind: 'image' | 'video'): Promise<boolean> {
    session.previewRunning = true;
    this.running++;
    try {
      const ok = await makeEarlyPreview(this.deps.ffmpeg, {
        kind,
        source: this.deps.sourceOf(session.id),
        output: this.deps.outputOf(session.id),
        maxPixels: this.deps.config.maxPixels,
        signal: this.deps.signal,
      });
      if (ok && !session.previewUrl && session.stage !== 'failed') this.deps.onFirstPreview(session);
      return ok;
    } finally {
      session.previewRunning = false;
      this.running--;
      // Bytes that arrived meanwhile may already be due for another try (or be all there will be).
      if (session.stage === 'uploading') this.consider(session);
    }
  }
}
