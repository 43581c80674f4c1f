import { describe, expect, it } from 'vitest';
import { buildAudioMixArgs } from './audio-args.js';
import { assignLanes, buildAudioFilterGraph } from './audio-graph.js';
import type { AudioPlan, AudioSegment } from './audio-plan.js';
import { atempoChain, duckFilter, num } from './segment-filters.js';

function seg(over: Partial<AudioSegment> = {}): AudioSegment {
  return {
    key: 't0.c0',
    trackId: 'track0',
    path: '/m/a.wav',
    start: 0,
    duration: 1,
    trimStart: 0,
    speed: 1,
    volume: 1,
    fadeIn: 0,
    fadeInFrom: 0,
    fadeInTo: 1,
    fadeOut: 0,
    fadeOutFrom: 1,
    fadeOutTo: 0,
    loop: false,
    sourceDuration: 1,
    ...over,
  };
}

const fmt = { sampleRate: 48_000, layout: 'stereo' as const };
const graphOf = (segments: AudioSegment[], duration = 4) =>
  buildAudioFilterGraph({ duration, segments }, fmt);

describe('atempoChain', () => {
  it('splits speeds outside 0.5..2 into factors atempo handles well', () => {
    expect(atempoChain(1)).toEqual([]);
    expect(atempoChain(1.5)).toEqual([1.5]);
    expect(atempoChain(4)).toEqual([2, 2]);
    expect(atempoChain(3)).toEqual([2, 1.5]);
    expect(atempoChain(0.25)).toEqual([0.5, 0.5]);
    for (const speed of [0.1, 0.3, 0.7, 2.5, 7, 16]) {
      const chain = atempoChain(speed);
      expect(chain.every((f) => f >= 0.5 - 1e-9 && f <= 2 + 1e-9)).toBe(true);
      expect(chain.reduce((a, b) => a * b, 1)).toBeCloseTo(speed, 9);
    }
  });
});

describe('num', () => {
  it('prints plain decimals', () => {
    expect([num(1), num(0.5), num(1 / 3), num(1e-9), num(2000)]).toEqual([
      '1',
      '0.5',
      '0.333333',
      '0',
      '2000',
    ]);
  });
});

describe('buildAudioFilterGraph', () => {
  it('trims, converts, sets the volume and places a segment to the sample', () => {
    const g = graphOf([seg({ start: 1, duration: 0.5, trimStart: 0.25, volume: 0.5 })]);
    expect(g).toContain(
      '[0:a:0]atrim=start=0.25,asetpts=PTS-0.25/TB,aresample=48000:first_pts=0:min_hard_comp=0.01,aformat=',
    );
    expect(g).toContain('aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo');
    expect(g).toContain('atrim=end_sample=24000,apad=whole_len=24000,volume=0.5[b0]');
    expect(g).toContain('anullsrc=r=48000:cl=stereo,atrim=end_sample=48000[lane0g0]');
    expect(g).toContain('[lane0g0][b0]concat=n=2:v=0:a=1[lane0]');
    expect(g).toMatch(/\[lane0\]apad=whole_len=192000,atrim=end_sample=192000\[aout\]$/);
  });

  it('loops decoded samples when a looping segment outlasts its source', () => {
    expect(graphOf([seg({ loop: true, trimStart: 0.5 })])).toContain(
      '[0:a:0]atrim=end=1,aformat=sample_fmts=s16,aloop=loop=-1:size=2147483647,asetpts=N/SR/TB,' +
        'atrim=start=0.5,asetpts=N/SR/TB,aresample=48000,aformat=',
    );
    expect(graphOf([seg({ loop: true, sourceDuration: null })])).toContain('aloop=');
    expect(graphOf([seg({ loop: true, sourceDuration: 5, trimStart: 1, duration: 2 })])).not.toContain(
      'aloop=',
    );
    expect(graphOf([seg()])).toContain('[0:a:0]aresample=48000:first_pts=0:min_hard_comp=0.01,aformat=');
  });

  it('chains atempo for the speed', () => {
    expect(graphOf([seg({ speed: 4 })])).toContain('atempo=2,atempo=2,asetpts=N/SR/TB');
    expect(graphOf([seg({ speed: 0.75 })])).toContain('atempo=0.75,');
  });

  it('fades in and out by sample counts at the ends of the segment', () => {
    const g = graphOf([seg({ duration: 2, fadeIn: 0.5, fadeOut: 0.25 })]);
    expect(g).toContain('afade=t=in:ss=0:ns=24000,afade=t=out:ss=84000:ns=12000[b0]');
  });

  it('continues a fade a range cut with a per-sample ramp', () => {
    const g = graphOf([
      seg({ duration: 2, fadeIn: 0.5, fadeInFrom: 0.5, fadeOut: 1, fadeOutFrom: 0.5, fadeOutTo: 0.25 }),
    ]);
    expect(g).toContain("aeval=exprs='val(ch)*(0.5+0.5*min(1,max(0,(t-0)/0.5)))':c=same");
    expect(g).toContain("aeval=exprs='val(ch)*(if(lt(t,1),1,0.5-0.25*min(1,max(0,(t-1)/1))))':c=same");
  });

  it('chains segments that do not overlap into lanes and mixes the lanes without normalisation', () => {
    const g = graphOf([
      seg(),
      seg({ key: 't1.c0', trackId: 'track1', start: 2 }),
      seg({ key: 't1.c1', trackId: 'track1', start: 0.5 }),
    ]);
    expect(g).toContain('anullsrc=r=48000:cl=stereo,atrim=end_sample=48000[lane0g1]');
    expect(g).toContain('[b0][lane0g1][b1]concat=n=3:v=0:a=1[lane0]');
    expect(g).toContain('[lane1g0][b2]concat=n=2:v=0:a=1[lane1]');
    expect(g).toContain('[lane0][lane1]amix=inputs=2:normalize=0:dropout_transition=0,apad=whole_len=192000');
    expect(g).toContain('[2:a:0]');
  });

  it('ducks a segment under the key track as heard before its own ducking', () => {
    const duck = { track: 'voice', level: 0.25, attack: 0.05, release: 2 };
    const music = seg({ duration: 4, trackId: 'music', duck });
    const v1 = seg({ key: 't1.c0', trackId: 'voice', start: 1 });
    const v2 = seg({ key: 't1.c1', trackId: 'voice', start: 2.5, duration: 0.5 });
    const g = graphOf([music, v1, v2]);
    expect(g).toContain('[b1]asplit=2[bm1][bk1]');
    expect(g).toContain('[key0l0g0][bk1][key0l0g2][bk2]concat=n=4:v=0:a=1[key0l0]');
    expect(g).toContain('[key0l0]apad=whole_len=192000[key0_0]');
    expect(g).toContain('[key0_0]atrim=start_sample=0:end_sample=192000,asetpts=N/SR/TB[sc0]');
    expect(g).toContain('[b0][sc0]sidechaincompress=threshold=0.000976563:ratio=20');
    expect(g).toContain('attack=50:release=2000:mix=0.75[d0]');
    expect(g).toContain('[lane1g0][bm1][lane1g2][bm2]concat=n=4:v=0:a=1[lane1]');
    expect(g).toContain('[d0][lane1]amix=inputs=2');
  });

  it('splits the key when several segments duck under the same track', () => {
    const duck = { track: 'voice', level: 0.3, attack: 0.1, release: 0.5 };
    const g = graphOf([
      seg({ trackId: 'music', duck }),
      seg({ key: 't0.c1', trackId: 'music', start: 2, duck }),
      seg({ key: 't1.c0', trackId: 'voice', start: 0.5 }),
    ]);
    expect(g).toContain('apad=whole_len=192000,asplit=2[key0_0][key0_1]');
    expect(g).toContain('[key0_1]atrim=start_sample=96000:end_sample=144000,asetpts=N/SR/TB[sc1]');
  });

  it('ignores ducking under its own track, an absent track or at level 1', () => {
    for (const duck of [
      { track: 'track0', level: 0.3, attack: 0.1, release: 0.5 },
      { track: 'nobody', level: 0.3, attack: 0.1, release: 0.5 },
      { track: 'track1', level: 1, attack: 0.1, release: 0.5 },
    ]) {
      const g = graphOf([seg({ duck }), seg({ key: 't1.c0', trackId: 'track1' })]);
      expect(g).not.toContain('sidechaincompress');
    }
  });

  it('gives silence of the right length for an empty plan', () => {
    expect(graphOf([], 2.5)).toBe('anullsrc=r=48000:cl=stereo,atrim=end_sample=120000[aout]');
  });

  it('drops segments shorter than a sample and keeps input numbering dense', () => {
    const g = graphOf([seg({ duration: 1e-6 }), seg({ key: 't0.c1', path: '/m/b.wav' })]);
    expect(g).toContain('[0:a:0]');
    expect(g).not.toContain('[1:a:0]');
  });
});

describe('assignLanes', () => {
  it('shares a lane between pieces that do not overlap, in time order', () => {
    const spans = [
      { start: 100, end: 200 },
      { start: 0, end: 100 },
      { start: 50, end: 150 },
      { start: 150, end: 300 },
      { start: 200, end: 250 },
    ];
    expect(assignLanes(spans)).toEqual([
      [1, 0, 4],
      [2, 3],
    ]);
    expect(assignLanes([])).toEqual([]);
  });
});

describe('duckFilter', () => {
  it('clamps attack and release to what ffmpeg accepts', () => {
    expect(duckFilter({ level: 0, attack: 5, release: 10 })).toContain('attack=2000:release=9000:mix=1');
  });
});

describe('buildAudioMixArgs', () => {
  const plan: AudioPlan = {
    duration: 3,
    segments: [
      seg({ trimStart: 0.5, duration: 2 }),
      seg({ key: 't1.c0', path: '/m/loop.wav', loop: true, speed: 2 }),
    ],
  };

  it('opens one input per segment, reading only what is needed unless it loops', () => {
    const args = buildAudioMixArgs(plan, { outPath: '/o/mix.wav' })!;
    expect(args.slice(0, 6)).toEqual(['-t', '3', '-i', '/m/a.wav', '-i', '/m/loop.wav']);
    expect(args.slice(-12)).toEqual([
      '-map',
      '[aout]',
      '-c:a',
      'pcm_s16le',
      '-ar',
      '48000',
      '-ac',
      '2',
      '-f',
      'wav',
      '-y',
      '/o/mix.wav',
    ]);
    expect(args[args.indexOf('-filter_complex') + 1]).toContain('[aout]');
  });

  it('writes AAC, mono, another rate, or reads the graph from a script', () => {
    const args = buildAudioMixArgs(plan, {
      outPath: '/o/mix.m4a',
      codec: 'aac',
      bitrateKbps: 128,
      channels: 1,
      sampleRate: 44_100,
      filterScriptPath: '/o/graph.txt',
    })!;
    expect(args.join(' ')).toContain(
      '-filter_complex_script /o/graph.txt -map [aout] -c:a aac -b:a 128k -ar 44100 -ac 1 -f mp4',
    );
  });

  it('returns silence for an empty plan, or null when asked not to', () => {
    const empty: AudioPlan = { duration: 1, segments: [] };
    expect(buildAudioMixArgs(empty, { outPath: '/o/x.wav' })?.slice(0, 2)).toEqual([
      '-filter_complex',
      'anullsrc=r=48000:cl=stereo,atrim=end_sample=48000[aout]',
    ]);
    expect(buildAudioMixArgs(empty, { outPath: '/o/x.wav', silenceWhenEmpty: false })).toBeNull();
  });

  it('refuses impossible options', () => {
    expect(() => buildAudioMixArgs(plan, { outPath: 'x', sampleRate: 12.5 })).toThrow(/sampleRate/);
    expect(() => buildAudioMixArgs({ duration: 0, segments: [] }, { outPath: 'x' })).toThrow(/duration/);
  });
});
