import { basename, extname, resolve } from 'node:path';
import { Option } from 'commander';
import { type RenderResult, renderVideo } from '../../engine/index.js';
import { ReelforgeError } from '../../errors.js';
import { findFfmpeg } from '../../media/index.js';
import { type QualityProfileName, qualityProfileNames, type Timeline } from '../../timeline/index.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { loadTimelineFile } from '../load-timeline.js';
import { parseScale, parseSeconds } from '../option-values.js';
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
}

const containers: Record<string, Timeline['output']['format']> = { '.mp4': 'mp4', '.mov': 'mov' };

/** The output file: `-o`, else `<timeline name>.<format>` in the current folder. */
export function defaultOutputPath(timelineFile: string, format: string): string {
  return `${basename(timelineFile, extname(timelineFile))}.${format}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The summary printed after a render. */
export function renderSummary(shown: string, r: RenderResult): string {
  const t = r.timings;
  const fps = t.total > 0 ? r.frames / (t.total / 1000) : 0;
  const reused = r.reusedFrames > 0 ? `, ${r.reusedFrames} unchanged frames reused` : '';
  const s = r.settings;
  return [
    `rendered ${shown} (${formatBytes(r.bytes)})`,
    `  video    ${r.width}x${r.height}, ${r.fps} fps, ${r.frames} frames, ${r.durationSec.toFixed(2)} s`,
    `  quality  ${s.profile} (crf ${s.crf}, preset ${s.preset}, audio ${s.audioBitrateKbps} kbit/s)`,
    `  time     ${seconds(t.total)} at ${fps.toFixed(1)} fps${reused}`,
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
    const shown = opts.output ?? defaultOutputPath(file, loaded.timeline.output.format);
    const outPath = resolve(shown);
    if (outPath === loaded.path)
      throw new ReelforgeError('USAGE', `--output ${shown}: would overwrite the timeline file itself`, {
        status: 400,
      });
    // The output's extension picks the container, so `-o clip.mov` makes a QuickTime file.
    const format = containers[extname(outPath).toLowerCase()] ?? loaded.timeline.output.format;
    const timeline = { ...loaded.timeline, output: { ...loaded.timeline.output, format } };
    const ff = await findFfmpeg(ctx.config().media);
    controller.signal.throwIfAborted();
    const result = await renderVideo(timeline, {
      ff,
      baseDir: loaded.baseDir,
      outPath,
      profile: opts.profile,
      scale: opts.scale,
      from: opts.from,
      to: opts.to,
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
    .description('render a timeline to a video file (H.264 and AAC in MP4 or MOV)')
    .argument('<timeline>', 'timeline JSON file; relative media paths are resolved from its folder')
    .option(
      '-o, --output <file>',
      'video to write; .mp4 or .mov picks the container (default: <timeline name>.mp4 here)',
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
