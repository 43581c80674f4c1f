import { z } from 'zod';

/** The colour tags of a video stream, as ffprobe names them. */
export const colourTagsSchema = z.object({
  color_transfer: z.string().optional(),
  color_primaries: z.string().optional(),
  color_space: z.string().optional(),
});
export type ColourTags = z.infer<typeof colourTagsSchema>;

/** HDR transfer functions: PQ (SMPTE ST 2084) and HLG (ARIB STD-B67). */
const HDR_TRANSFERS = new Set(['smpte2084', 'arib-std-b67']);

/** What the tags say about dynamic range and gamut. */
export function describeColour(tags: ColourTags): {
  hdr: boolean;
  transfer: 'pq' | 'hlg' | null;
  wideGamut: boolean;
  tags: ColourTags;
} {
  const t = tags.color_transfer ?? '';
  const wideGamut = tags.color_primaries === 'bt2020' || (tags.color_space ?? '').startsWith('bt2020');
  return {
    hdr: HDR_TRANSFERS.has(t) || wideGamut,
    transfer: t === 'smpte2084' ? 'pq' : t === 'arib-std-b67' ? 'hlg' : null,
    wideGamut,
    tags,
  };
}

/**
 * The filters that turn a PQ or HLG picture into SDR BT.709 (linear light, BT.709 primaries, Hable
 * curve), for the poster, strip and proxy; null for SDR. Missing primaries or matrix tags are taken as
 * BT.2020's, which is what PQ and HLG video uses (zscale refuses to guess).
 */
export function toneMapFilter(tags: ColourTags): string | null {
  const t = tags.color_transfer;
  if (t !== 'smpte2084' && t !== 'arib-std-b67') return null;
  const pin = tags.color_primaries && tags.color_primaries !== 'unknown' ? tags.color_primaries : 'bt2020';
  const min = tags.color_space && tags.color_space !== 'unknown' ? tags.color_space : 'bt2020nc';
  return [
    `zscale=tin=${t}:pin=${pin}:min=${min}:t=linear:npl=100`,
    'format=gbrpf32le',
    'zscale=p=bt709',
    'tonemap=tonemap=hable:desat=0',
    'zscale=t=bt709:m=bt709:r=tv',
    'format=yuv420p',
  ].join(',');
}
