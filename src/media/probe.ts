import { stat } from 'node:fs/promises';
import { isReelforgeError } from '../errors.js';
import type { Logger } from '../log.js';
import { runFfprobe } from './ffmpeg-process.js';
import type { Ffmpeg } from './find-ffmpeg.js';
import { mediaUnreadable, type ProcessFailureDetails, protocolRefused } from './media-errors.js';
import { ffprobeOutputSchema, type MediaInfo, toMediaInfo } from './probe-info.js';
import { isRefusedInputFormat } from './protocols.js';
import { relevantStderrLine } from './tail-buffer.js';

/** Options for probe(). */
export interface ProbeOptions {
  signal?: AbortSignal;
  log?: Logger;
}

const PROBE_ARGS = ['-print_format', 'json', '-show_format', '-show_streams'];

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/**
 * Describes a local media file with ffprobe: container, duration, the main video and audio streams.
 * Refuses playlists and concat lists (MEDIA_PROTOCOL_REFUSED) and reports files ffprobe cannot read,
 * or that hold no audio or video, as MEDIA_UNREADABLE.
 */
export async function probe(ff: Ffmpeg, file: string, opts: ProbeOptions = {}): Promise<MediaInfo> {
  let stdout: string;
  try {
    stdout = await runFfprobe(ff, [...PROBE_ARGS, '-i', file], { signal: opts.signal, log: opts.log });
  } catch (e) {
    if (!isReelforgeError(e, 'FFPROBE_FAILED')) throw e;
    const details = e.meta.details as Partial<ProcessFailureDetails> | undefined;
    const line = relevantStderrLine(details?.stderrTail ?? '') || e.message;
    throw mediaUnreadable(file, line.startsWith(`${file}: `) ? line.slice(file.length + 2) : line, e);
  }
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (e) {
    throw mediaUnreadable(file, 'ffprobe printed output that is not JSON', e);
  }
  const parsed = ffprobeOutputSchema.safeParse(json);
  if (!parsed.success) {
    throw mediaUnreadable(
      file,
      `unexpected ffprobe output (${parsed.error.issues[0]?.message ?? 'invalid'})`,
    );
  }
  const formatName = parsed.data.format.format_name;
  if (isRefusedInputFormat(formatName)) {
    throw protocolRefused(`"${file}" is a playlist or list of other files (format ${formatName})`, {
      path: file,
      formatName,
    });
  }
  const size = parsed.data.format.size === undefined ? await fileSize(file) : 0;
  const info = toMediaInfo(parsed.data, file, size);
  if (!info.video && !info.audio)
    throw mediaUnreadable(file, `no audio or video stream (format ${formatName})`);
  return info;
}
