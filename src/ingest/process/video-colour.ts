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
