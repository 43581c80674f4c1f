import { z } from 'zod';
import { type Ffmpeg, type MediaInfo, probe, runFfprobe } from '../../media/index.js';
import { colourTagsSchema, describeColour } from './video-colour.js';

/** What the processing job records about a video (stored as `metadata.json`). */
export interface VideoMetadata {
  durationSec: number | null;
  fps: number | null;
  width: number;
  height: number;
  /** Size as shown, rotation applied. */
  displayWidth: number;
  displayHeight: number;
  rotation: number;
  codec: string;
  pixFmt: string | null;
  hdr: boolean;
  /** `pq`, `hlg` or null (SDR). */
  transfer: 'pq' | 'hlg' | null;
  wideGamut: boolean;
  colour: { transfer: string | null; primaries: string | null; space: string | null };
  hasAudio: boolean;
  audio: { codec: string; sampleRate: number; channels: number } | null;
}

const colourOutputSchema = z.object({ streams: z.array(colourTagsSchema).default([]) });

/** probe() plus the colour tags of the first video stream (for HDR), in one description. */
export async function readVideoMetadata(
  ff: Ffmpeg,
  input: string,
  signal: AbortSignal,
): Promise<{ info: MediaInfo; metadata: VideoMetadata } | null> {
  const info = await probe(ff, input, { signal });
  const v = info.video;
  if (!v) return null;
  const raw = await runFfprobe(
    ff,
    [
      '-print_format',
      'json',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=color_transfer,color_primaries,color_space',
      '-i',
      input,
    ],
    { signal },
  );
  const tags = colourOutputSchema.safeParse(JSON.parse(raw)).data?.streams[0] ?? {};
  const colour = describeColour(tags);
  return {
    info,
    metadata: {
      durationSec: info.durationSec,
      fps: v.fps,
      width: v.width,
      height: v.height,
      displayWidth: v.displayWidth,
      displayHeight: v.displayHeight,
      rotation: v.rotation,
      codec: v.codec,
      pixFmt: v.pixFmt,
      hdr: colour.hdr,
      transfer: colour.transfer,
      wideGamut: colour.wideGamut,
      colour: {
        transfer: tags.color_transfer ?? null,
        primaries: tags.color_primaries ?? null,
        space: tags.color_space ?? null,
      },
      hasAudio: info.audio !== null,
      audio: info.audio && {
        codec: info.audio.codec,
        sampleRate: info.audio.sampleRate,
        channels: info.audio.channels,
      },
    },
  };
}
