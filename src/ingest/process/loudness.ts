/** EBU R128 loudness of a sound. */
export interface Loudness {
  /** Integrated loudness, LUFS (null for silence: below the absolute gate). */
  integratedLufs: number | null;
  /** Loudness range, LU. */
  rangeLu: number | null;
  /** Highest true peak over all channels, dBTP (null for digital silence). */
  truePeakDbtp: number | null;
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Reads what `ebur128=peak=true:metadata=1,ametadata=mode=print:file=…` wrote: a block of
 * `lavfi.r128.*=value` lines per frame. The last frame's I and LRA are the whole sound's (they are
 * running values); true peaks are the highest seen in any frame, linear, turned into dBTP.
 */
export function parseEbur128Metadata(text: string): Loudness {
  let integrated: number | null = null;
  let range: number | null = null;
  let peak = 0;
  for (const line of text.split('\n')) {
    const m = /^lavfi\.r128\.([A-Za-z_0-9.]+)=(.+)$/.exec(line.trim());
    if (!m) continue;
    const value = Number(m[2]);
    if (!Number.isFinite(value)) continue;
    if (m[1] === 'I') integrated = value;
    else if (m[1] === 'LRA') range = value;
    else if (m[1] === 'true_peak' || m[1]?.startsWith('true_peaks_ch')) peak = Math.max(peak, value);
  }
  // ebur128 reports −70 LUFS (its gate) for silence.
  return {
    integratedLufs: integrated === null || integrated <= -70 ? null : round(integrated),
    rangeLu: range === null ? null : round(range),
    truePeakDbtp: peak > 0 ? round(20 * Math.log10(peak)) : null,
  };
}
