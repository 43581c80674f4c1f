import { makeTestImage } from '../../../test/helpers/media-fixtures.js';
import { makeTempDir } from '../../../test/helpers/paths.js';
import { findFfmpeg } from '../../media/index.js';
import { parseTimeline } from '../../timeline/index.js';
import { FrameService, type Quality } from './index.js';
import { renderWireframe } from './wireframe.js';

const dir = makeTempDir('tmpbench');
const a = await makeTestImage(dir, { w: 1920, h: 1080, pattern: 'testsrc2' });
const b = await makeTestImage(dir, { w: 1920, h: 1080, color: 'blue' });
const ff = await findFfmpeg();
const tl = parseTimeline({
  output: { width: 1920, height: 1080, fps: 30 },
  tracks: [
    {
      clips: [
        { type: 'image', src: a, start: 0, duration: 5, camera: { from: { zoom: 1 }, to: { zoom: 1.3 } } },
        { type: 'image', src: b, start: 4, duration: 5, transitionIn: { type: 'crossfade', duration: 1 } },
      ],
    },
    { clips: [{ type: 'text', text: 'Hello preview', start: 0, duration: 9 }] },
  ],
});
const svc = new FrameService({ ffmpeg: ff, workers: 2 });
const pct = (xs: number[], p: number) =>
  [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
for (const q of ['wireframe', 'preview', 'high', 'full'] as Quality[]) {
  await svc.render({ timeline: tl, time: 0, quality: q, format: 'jpeg' });
  const ms: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const r = await svc.render({
      timeline: tl,
      time: (i * 0.29) % 9,
      quality: q,
      format: 'jpeg',
      noCache: true,
    });
    ms.push(performance.now() - t0);
    if (r.degraded) console.log(r.degraded);
  }
  console.log(q, 'p50', pct(ms, 0.5).toFixed(1), 'p95', pct(ms, 0.95).toFixed(1));
}
const ms: number[] = [];
for (let i = 0; i < 50; i++) {
  const t0 = performance.now();
  renderWireframe(tl, i * 0.1, 'jpeg');
  ms.push(performance.now() - t0);
}
console.log('wireframe direct p50', pct(ms, 0.5).toFixed(2), 'p95', pct(ms, 0.95).toFixed(2));
const c: number[] = [];
for (let i = 0; i < 50; i++) {
  const t0 = performance.now();
  await svc.render({ timeline: tl, time: 1, quality: 'preview', format: 'jpeg' });
  c.push(performance.now() - t0);
}
console.log('cached p95', pct(c, 0.95).toFixed(3));
await svc.close();
