import { basename, extname, resolve } from 'node:path';
import { Option } from 'commander';
import { defaultOutputName, formatFromPath, type RenderResult, renderVideo } from '../../engine/index.js';
import { ReelforgeError } from '../../errors.js';
import { findFfmpeg } from '../../media/index.js';
import {
  formatCodecs,
  formatProblem,
  hardwareNames,
  type OutputFormat,
  outputFormatNames,
  type QualityProfileName,
  qualityProfileNames,
  type Timeline,
  validateTimeline,
  videoCodecNames,
} from '../../timeline/index.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { loadTimelineFile } from '../load-timeline.js';
import { intIn, parseScale, parseSeconds } from '../option-values.js';
import { formatBytes, ProgressBar } from '../progress-bar.js';

/** Exit code after Ctrl-C, as shells report a process ended by SIGINT (128 + 2). */
export const EXIT_CANCELLED = 130;

interface RenderCommandOptions {
  output?: string;
  profile?: QualityProfileName;
  scale?: number;
  from?: number;
  to?: number;
  json?: boolean;
  quiet?: boolean;
  format?: OutputFormat;
  codec?: Timeline['output']['codec'];
  hardware?: Timeline['output']['hardware'];
  chunks?: number;
  workers?: number;
}

/** The output: `-o`, else `<timeline name>.<ext>` (a `-frames` or `-hls` folder for those formats) here. */
export function defaultOutputPath(timelineFile: string, format: OutputFormat): string {
  return defaultOutputName(basename(timelineFile, extname(timelineFile)), format);
}

/**
 * The timeline's output with the command line's choices: `--format`, else the extension of `-o`
 * (`clip.webm`), else `output.format`; `--codec` and `--hardware`. A codec the new format cannot hold is
 * dropped for the format's default; any other conflict is an error naming the option.
 */
export function outputWithOptions(
  timeline: Timeline,
  opts: Pick<RenderCommandOptions, 'format' | 'codec' | 'hardware' | 'output'>,
): Timeline {
  const o = timeline.output;
  const format = opts.format ?? (opts.output ? formatFromPath(opts.output) : null) ?? o.format;
  const keepCodec = o.codec !== undefined && formatCodecs[format].includes(o.codec);
  const codec = opts.codec ?? (keepCodec ? o.codec : undefined);
  const output = { ...o, format, codec, hardware: opts.hardware ?? o.hardware };
  const checked = validateTimeline({ ...timeline, output });
  if (!checked.ok) {
    const given = [
      opts.format && `--format ${opts.format}`,
      opts.codec && `--codec ${opts.codec}`,
      !opts.format && format !== o.format && `-o ${opts.output}`,
    ].filter(Boolean);
    throw new ReelforgeError(
      'USAGE',
      `${given.join(' ') || 'options'}: ${checked.problems.map(formatProblem).join('; ')}`,
      {
        status: 400,
        retryable: false,
      },
    );
  }
  return checked.timeline;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The summary printed after a render. */
export function renderSummary(shown: string, r: RenderResult): string {
  const t = r.timings;
  const fps = t.total > 0 ? r.frames / (t.total / 1000) : 0;
  const reused = r.reusedFrames > 0 ? `, ${r.reusedFrames} unchanged frames reused` : '';
  const s = r.settings;
  const files = r.files > 1 ? `${r.files} files, ` : '';
  const hw = r.hardware ? `, ${r.hardware} hardware` : '';
  const encoders = [r.videoEncoder, r.audioEncoder].filter(Boolean).join(' + ');
  const chunks = r.chunks > 1 ? `, ${r.chunks} chunks` : '';
  return [
    `rendered ${shown} (${files}${formatBytes(r.bytes)})`,
    `  video    ${r.width}x${r.height}, ${r.fps} fps, ${r.frames} frames, ${r.durationSec.toFixed(2)} s`,
    `  format   ${r.format}: ${encoders}${hw}`,
    `  quality  ${s.profile} (crf ${s.crf}, preset ${s.preset}, audio ${s.audioBitrateKbps} kbit/s)`,
    `  time     ${seconds(t.total)} at ${fps.toFixed(1)} fps${reused}${chunks}`,
    `           prepare ${seconds(t.prepare)}, audio ${seconds(t.audio)}, video ${seconds(t.video)}, finalize ${seconds(t.finalize)}`,
    `  kernels  ${r.kernels}`,
    '',
  ].join('\n');
}

async function runRender(ctx: CliContext, file: string, opts: RenderCommandOptions): Promise<number> {
  const controller = new AbortController();
  // The first Ctrl-C cancels cleanly; `once` lets a second one end the process at once.
  const onSigint = () => controller.abort(new Error('interrupted (SIGINT)'));
  process.once('SIGINT', onSigint);
  const bar = opts.quiet
    ? null
    : new ProgressBar({ write: ctx.err, tty: ctx.errIsTTY === true, columns: process.stderr.columns });
  try {
    const loaded = await loadTimelineFile(file);
    // The output's extension picks the format, so `-o clip.mov` makes a QuickTime file.
    const timeline = outputWithOptions(loaded.timeline, opts);
    const shown = opts.output ?? defaultOutputPath(file, timeline.output.format);
    const outPath = resolve(shown);
    if (outPath === loaded.path)
      throw new ReelforgeError('USAGE', `--output ${shown}: would overwrite the timeline file itself`, {
        status: 400,
      });
    const ff = await findFfmpeg(ctx.config().media);
    controller.signal.throwIfAborted();
    const result = await renderVideo(timeline, {
      ff,
      baseDir: loaded.baseDir,
      outPath,
      // This process only renders: let the encoder have the CPU first.
      yieldToEncoder: true,
      profile: opts.profile,
      scale: opts.scale,
      from: opts.from,
      to: opts.to,
      chunks: opts.chunks,
      workers: opts.workers,
      signal: controller.signal,
      log: ctx.logger(),
      onProgress: bar ? (p) => bar.update(p) : undefined,
    });
    bar?.finish();
    if (opts.json) ctx.out(`${JSON.stringify(result, null, 2)}\n`);
    else if (!opts.quiet) ctx.out(renderSummary(shown, result));
    return 0;
  } catch (e) {
    bar?.finish();
    if (controller.signal.aborted) {
      ctx.err('render cancelled\n');
      return EXIT_CANCELLED;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** `reelforge render <timeline.json>`: a timeline to a video file, with progress and a summary. */
export const registerRenderCommand: RegisterCommands = (program, ctx) => {
  program
    .command('render')
    .description('render a timeline to a video (MP4, MOV, MKV, WebM), a GIF, images, HLS or sound only')
    .argument('<timeline>', 'timeline JSON file; relative media paths are resolved from its folder')
    .option(
      '-o, --output <path>',
      'file to write (its extension picks the format: .mp4 .mov .mkv .webm .gif .m4a .mp3 .opus .wav), or the folder of an image sequence or HLS (default: <timeline name>.mp4 here)',
    )
    .addOption(
      new Option('--format <format>', 'output format, instead of output.format').choices(outputFormatNames),
    )
    .addOption(new Option('--codec <codec>', 'video codec, instead of output.codec').choices(videoCodecNames))
    .addOption(
      new Option('--hardware <kind>', 'hardware encoding, instead of output.hardware').choices(hardwareNames),
    )
    .option(
      '--chunks <n>',
      'render in this many time-range chunks, in separate processes (default 1)',
      intIn(1, 1000),
    )
    .option(
      '--workers <n>',
      'chunk processes at once (default: chunks, at most the CPU count)',
      intIn(1, 256),
    )
    .addOption(
      new Option('--profile <name>', 'quality profile, instead of output.profile').choices(
        qualityProfileNames,
      ),
    )
    .option('--scale <factor>', 'render at a fraction of the output size, 0.05 to 1 (drafts)', parseScale)
    .option('--from <seconds>', 'render from this time on', parseSeconds)
    .option('--to <seconds>', 'render up to this time (default: the end)', parseSeconds)
    .option('--json', 'print the result as JSON instead of a summary')
    .option('-q, --quiet', 'print nothing but errors')
    .action(ctx.action((file: string, opts: RenderCommandOptions) => runRender(ctx, file, opts)));
};
