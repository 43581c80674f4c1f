import { Option } from 'commander';
import { findFfmpeg, type MediaInfo, probe } from '../../media/index.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { formatBytes } from '../progress-bar.js';

interface ProbeCommandOptions {
  human?: boolean;
}

/** A few lines about a media file for a person: container, length, size, video and audio streams. */
export function describeMedia(info: MediaInfo): string {
  const length = info.durationSec === null ? 'length unknown' : `${info.durationSec.toFixed(2)} s`;
  const lines = [`${info.path}: ${info.formatName}, ${length}, ${formatBytes(info.sizeBytes)}`];
  const v = info.video;
  if (v) {
    const size =
      v.displayWidth === v.width && v.displayHeight === v.height
        ? ''
        : ` (shown ${v.displayWidth}x${v.displayHeight})`;
    const kind = v.isStillImage
      ? 'still image'
      : v.fps === null
        ? 'fps unknown'
        : `${Number(v.fps.toFixed(3))} fps`;
    const extras = [
      kind,
      v.pixFmt,
      v.rotation ? `rotated ${v.rotation}°` : null,
      v.hasAlpha ? 'alpha' : null,
    ];
    lines.push(`  video  ${v.codec} ${v.width}x${v.height}${size}, ${extras.filter(Boolean).join(', ')}`);
  }
  const a = info.audio;
  if (a)
    lines.push(
      `  audio  ${a.codec} ${a.sampleRate} Hz, ${a.channels} ${a.channels === 1 ? 'channel' : 'channels'}`,
    );
  return `${lines.join('\n')}\n`;
}

async function runProbe(ctx: CliContext, file: string, opts: ProbeCommandOptions): Promise<number> {
  const ff = await findFfmpeg(ctx.config().media);
  const info = await probe(ff, file, { log: ctx.logger() });
  ctx.out(opts.human ? describeMedia(info) : `${JSON.stringify(info, null, 2)}\n`);
  return 0;
}

/** `reelforge probe <file>`: what Reelforge sees in a media file. */
export const registerProbeCommand: RegisterCommands = (program, ctx) => {
  program
    .command('probe')
    .description('describe a media file as Reelforge sees it (streams, size, length)')
    .argument('<file>', 'a local image, video or audio file')
    .addOption(new Option('--json', 'print the description as JSON (the default)').conflicts('human'))
    .option('--human', 'print a short summary instead of JSON')
    .action(ctx.action((file: string, opts: ProbeCommandOptions) => runProbe(ctx, file, opts)));
};
