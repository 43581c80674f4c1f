import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseTimeline } from '../../timeline/index.js';
import { renderWireframe } from './wireframe.js';

const timeline = (width: number, height: number) =>
  parseTimeline({
    output: { width, height, fps: 30 },
    tracks: [
      {
        clips: [
          {
            type: 'image',
            src: '/nowhere/photo.png',
            start: 0,
            duration: 2,
            transform: { scale: 0.5, x: 0.25 },
          },
          { type: 'video', src: '/nowhere/clip.mp4', start: 1 },
        ],
      },
      { clips: [{ type: 'text', text: 'A title', start: 0.5, duration: 1 }] },
    ],
  });

describe('renderWireframe', () => {
  it('keeps the output aspect within 480 px and adds the timing bar below', async () => {
    for (const [w, h, size] of [
      [1920, 1080, [480, 270 + 28]],
      [1080, 1920, [270, 480 + 28]],
      [100, 4000, [12, 480 + 28]],
    ] as const) {
      const r = await renderWireframe(timeline(w, h), 1, 'png');
      const meta = await sharp(r.bytes).metadata();
      expect([r.width, r.height]).toEqual(size);
      expect([meta.width, meta.height]).toEqual(size);
    }
  });

  it('draws boxes for the clips showing (media not needed), safe areas and the playhead', async () => {
    const tl = timeline(1920, 1080);
    const at = async (t: number) => {
      const r = await renderWireframe(tl, t, 'png');
      return sharp(r.bytes).raw().toBuffer({ resolveWithObject: true });
    };
    const a = await at(0.2);
    const b = await at(1.2);
    // Different clips show and the playhead moved: the pictures differ.
    expect(Buffer.compare(a.data, b.data)).not.toBe(0);
    // The title-safe area (90 %: from 24, 13.5 at 480 × 270) is outlined in yellow near its corner.
    let yellow = 0;
    for (let y = 10; y < 20; y++)
      for (let x = 20; x < 40; x++) {
        const o = (y * a.info.width + x) * a.info.channels;
        const [r, g, bl] = [a.data[o]!, a.data[o + 1]!, a.data[o + 2]!];
        if (r > bl + 40 && g > bl + 40) yellow++;
      }
    expect(yellow).toBeGreaterThan(3);
  });

  it('writes the reason across a degraded frame', async () => {
    const tl = timeline(1920, 1080);
    const plain = await renderWireframe(tl, 1, 'png');
    const degraded = await renderWireframe(tl, 1, 'png', 'TIMELINE_MEDIA_MISSING: /nowhere/photo.png\nmore');
    expect(Buffer.compare(plain.bytes, degraded.bytes)).not.toBe(0);
  });
});
