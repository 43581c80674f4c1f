import { describe, expect, it } from 'vitest';
import { isReelforgeError } from '../../errors.js';
import { parseTimeline, type TimelineInput } from '../../timeline/index.js';
import { defaultOutputPath, outputWithOptions } from './render.js';

const timeline = (output: Partial<TimelineInput['output']> = {}) =>
  parseTimeline({
    output: { width: 64, height: 64, ...output },
    tracks: [{ clips: [{ type: 'color', color: '#fff', start: 0, duration: 1 }] }],
  });

describe('render options', () => {
  it('names the default output after the timeline, a folder for sequences and HLS', () => {
    expect(defaultOutputPath('shows/promo.json', 'mp4')).toBe('promo.mp4');
    expect(defaultOutputPath('promo.json', 'webm')).toBe('promo.webm');
    expect(defaultOutputPath('promo.json', 'png-sequence')).toBe('promo-frames');
    expect(defaultOutputPath('promo.json', 'hls')).toBe('promo-hls');
  });

  it('picks the format from --format, else from the extension of -o, else the timeline', () => {
    expect(outputWithOptions(timeline(), { format: 'gif' }).output.format).toBe('gif');
    expect(outputWithOptions(timeline(), { output: 'out/clip.webm' }).output).toMatchObject({
      format: 'webm',
    });
    expect(outputWithOptions(timeline({ format: 'mov' }), { output: 'clip.bin' }).output.format).toBe('mov');
    expect(outputWithOptions(timeline(), { output: 'song.MP3' }).output.format).toBe('mp3');
  });

  it('drops a codec the new format cannot hold, and takes --codec and --hardware', () => {
    const tl = timeline({ codec: 'h265' });
    expect(outputWithOptions(tl, { format: 'webm' }).output.codec).toBeUndefined();
    expect(outputWithOptions(tl, { format: 'mkv' }).output.codec).toBe('h265');
    expect(outputWithOptions(tl, { codec: 'av1', hardware: 'off' }).output).toMatchObject({
      codec: 'av1',
      hardware: 'off',
    });
  });

  it('refuses a conflicting choice as USAGE, naming the options and the rule', () => {
    const e = (() => {
      try {
        outputWithOptions(timeline(), { format: 'gif', codec: 'vp9' });
      } catch (err) {
        return err;
      }
    })();
    expect(isReelforgeError(e, 'USAGE')).toBe(true);
    expect((e as Error).message).toBe(
      '--format gif --codec vp9: output.codec: format gif has no codec choice; leave codec out (codecs go with mp4, mov, mkv, webm and hls)',
    );
    expect(() => outputWithOptions(timeline({ format: 'webm', alpha: true }), { output: 'x.mp4' })).toThrow(
      /^-o x\.mp4: output\.alpha: transparency needs format webm with codec vp9, or png-sequence; got mp4 with h264$/,
    );
  });
});
