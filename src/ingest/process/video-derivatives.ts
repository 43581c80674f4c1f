import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { runFfmpeg } from '../../media/index.js';
import type { DerivativeFile } from '../../storage/derivative-store.js';
import type { ProcessContext } from './process-context.js';
import { planStrip, stripVtt } from './thumbnail-strip.js';
import { toneMapFilter } from './video-colour.js';
import type { VideoMetadata } from './video-metadata.js';

/** The proxy's shape: small, every few frames a keyframe, so the preview system can seek cheaply. */
export const PROXY = { maxWidth: 854, maxHeight: 480, keyint: 6, crf: 28, preset: 'veryfast' } as const;
const POSTER_LONG_SIDE = 1280;
/** Longer than this, the thumbnail strip is taken from keyframes only. */
export const KEYFRAMES_ONLY_AFTER_SEC = 300;

const seconds = (n: number) => n.toFixed(3);

/** Tone mapping to SDR when the video is PQ or HLG (so stills and proxy look right), else null. */
export function toneMapOf(meta: VideoMetadata): string | null {
  return toneMapFilter({
    color_transfer: meta.colour.transfer ?? undefined,
    color_primaries: meta.colour.primaries ?? undefined,
    color_space: meta.colour.space ?? undefined,
  });
}

/** The filters joined, the tone mapping (if any) inserted where `null` stands. */
const chain = (filters: readonly (string | null)[], toneMap: string | null) =>
  filters.flatMap((f) => (f === null ? (toneMap ? [toneMap] : []) : [f])).join(',');

/** Where to look for a poster, as fractions of the duration: 10 %, then later if that frame is black. */
export const POSTER_AT = [0.1, 0.25, 0.5] as const;
/** A frame whose brightest channel averages below this (of 255) counts as black. */
const BLACK_MEAN = 16;

async function isBlack(path: string): Promise<boolean> {
  // From the bytes, not the path: libvips caches by file name, and each try rewrites the same file.
  const { channels } = await sharp(await readFile(path)).stats();
  return Math.max(...channels.slice(0, 3).map((c) => c.mean)) < BLACK_MEAN;
}

/**
 * A JPEG still at 10 % of the video (past a fade from black); if that frame is black, at 25 %, then at
 * 50 %. Rotation applied, at most 1280 px on its long side.
 */
export async function makePoster(ctx: ProcessContext, meta: VideoMetadata): Promise<DerivativeFile> {
  const duration = meta.durationSec !== null && meta.durationSec > 0 ? meta.durationSec : 0;
  const path = join(ctx.work, 'poster.jpg');
  const scale = `scale=w='min(${POSTER_LONG_SIDE},iw)':h='min(${POSTER_LONG_SIDE},ih)':force_original_aspect_ratio=decrease`;
  let at = 0;
  let tries = 0;
  for (const fraction of duration > 0 ? POSTER_AT : [0]) {
    at = duration * fraction;
    tries++;
    await runFfmpeg(
      ctx.ff,
      [
        ...[
          '-ss',
          seconds(at),
          '-i',
          ctx.input,
          '-map',
          '0:v:0',
          '-vf',
          chain([null, scale], toneMapOf(meta)),
        ],
        ...['-frames:v', '1', '-q:v', '3', '-update', '1', '-y', path],
      ],
      { signal: ctx.signal, log: ctx.log },
    );
    if (!(await isBlack(path))) break;
  }
  return {
    name: 'poster.jpg',
    kind: 'poster',
    mime: 'image/jpeg',
    path,
    meta: { atSec: Number(seconds(at)), tries, toneMapped: toneMapOf(meta) !== null },
  };
}

/** One JPEG sprite of tiles and a WebVTT file whose cues point into it (`sprite.jpg#xywh=…`). */
export async function makeThumbnailStrip(
  ctx: ProcessContext,
  meta: VideoMetadata,
): Promise<DerivativeFile[]> {
  const duration = meta.durationSec ?? 0;
  const plan = planStrip(duration, meta.displayWidth, meta.displayHeight);
  const sprite = join(ctx.work, 'sprite.jpg');
  // Tone mapping after the fps filter: only the sampled frames pay for it.
  const vf = chain(
    [
      `fps=1/${plan.intervalSec.toFixed(6)}:round=down`,
      null,
      `scale=${plan.tileWidth}:${plan.tileHeight}:force_original_aspect_ratio=decrease`,
      `pad=${plan.tileWidth}:${plan.tileHeight}:(ow-iw)/2:(oh-ih)/2`,
      'setsar=1',
      `tile=${plan.columns}x${plan.rows}`,
    ],
    toneMapOf(meta),
  );
  await runFfmpeg(
    ctx.ff,
    [
      // On long videos decode keyframes only: tiles land on the nearest keyframe, and a two-hour film
      // is not decoded in full for 100 thumbnails.
      ...(duration > KEYFRAMES_ONLY_AFTER_SEC ? ['-skip_frame', 'nokey'] : []),
      '-i',
      ctx.input,
      '-map',
      '0:v:0',
      '-vf',
      vf,
      '-frames:v',
      '1',
      '-q:v',
      '4',
      '-update',
      '1',
      '-y',
      sprite,
    ],
    { signal: ctx.signal, log: ctx.log },
  );
  const vttPath = join(ctx.work, 'thumbnails.vtt');
  await writeFile(vttPath, stripVtt(plan, 'sprite.jpg', duration));
  const layout = {
    tiles: plan.tiles,
    columns: plan.columns,
    rows: plan.rows,
    tileWidth: plan.tileWidth,
    tileHeight: plan.tileHeight,
    intervalSec: plan.intervalSec,
  };
  return [
    { name: 'sprite.jpg', kind: 'sprite', mime: 'image/jpeg', path: sprite, meta: layout },
    {
      name: 'thumbnails.vtt',
      kind: 'thumbnails',
      mime: 'text/vtt',
      path: vttPath,
      meta: { sprite: 'sprite.jpg', tiles: plan.tiles },
    },
  ];
}

/** ffmpeg arguments of the proxy encode (pure, for tests and the docs); a tone-mapped proxy is tagged BT.709. */
export function proxyArgs(
  input: string,
  output: string,
  hasAudio: boolean,
  toneMap: string | null,
): string[] {
  const scale =
    `scale=w='min(${PROXY.maxWidth},iw)':h='min(${PROXY.maxHeight},ih)'` +
    ':force_original_aspect_ratio=decrease:force_divisible_by=2';
  return [
    '-i',
    input,
    '-map',
    '0:v:0',
    ...(hasAudio ? ['-map', '0:a:0'] : []),
    '-vf',
    chain([null, scale, 'format=yuv420p'], toneMap),
    ...(toneMap ? ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709'] : []),
    '-c:v',
    'libx264',
    '-preset',
    PROXY.preset,
    '-crf',
    String(PROXY.crf),
    '-tune',
    'fastdecode',
    // A keyframe every few frames and no B-frames: any frame decodes after at most keyint − 1 others.
    '-g',
    String(PROXY.keyint),
    '-keyint_min',
    String(PROXY.keyint),
    '-sc_threshold',
    '0',
    '-bf',
    '0',
    ...(hasAudio ? ['-c:a', 'aac', '-b:a', '96k', '-ac', '2'] : ['-an']),
    '-sn',
    '-dn',
    '-map_metadata',
    '-1',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    '-y',
    output,
  ];
}

/** An H.264 proxy of at most 854×480 with a keyframe every 6 frames, faststart, for the preview system. */
export async function makeProxy(
  ctx: ProcessContext,
  meta: VideoMetadata,
  onFraction?: (f: number) => void,
): Promise<DerivativeFile> {
  const path = join(ctx.work, 'proxy.mp4');
  const total = meta.durationSec ?? 0;
  const toneMap = toneMapOf(meta);
  await runFfmpeg(ctx.ff, proxyArgs(ctx.input, path, meta.hasAudio, toneMap), {
    signal: ctx.signal,
    log: ctx.log,
    onProgress: (p) => {
      if (total > 0) onFraction?.(Math.min(1, p.outTimeSec / total));
    },
  });
  return {
    name: 'proxy.mp4',
    kind: 'proxy',
    mime: 'video/mp4',
    path,
    meta: {
      codec: 'h264',
      keyframeInterval: PROXY.keyint,
      maxWidth: PROXY.maxWidth,
      maxHeight: PROXY.maxHeight,
      toneMapped: toneMap !== null,
    },
  };
}
