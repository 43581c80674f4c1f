/**
 * Grading micro-benchmark (`npx tsx bench/grade.bench.ts`): the per-frame cost of the colour grade on
 * a 1920×1080 I420 frame with the native and the JavaScript kernels, and the one-time cost of
 * compiling a grade (per parameter change in a preview). Per-frame costs are CPU time of this
 * (single-threaded) work, so that other load on a shared machine does not inflate them.
 *   --runs N (default 30)
 */
import { createGrade, loadGradeKernels } from '../src/engine/grade/index.js';
import { gradeSchema, paramsSchema, type Timeline } from '../src/timeline/schema.js';
import { machine, median, numberOption, printTable, spreadPct } from './lib/report.js';

const runs = numberOption('runs', 30);
const W = 1920;
const H = 1080;

/** A frame with smooth gradients and some texture, so LUT look-ups hit many cells. */
function testFrame(): Uint8Array {
  const f = new Uint8Array(W * H * 1.5);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) f[y * W + x] = (16 + ((x * 219) / W + ((x * y) % 13))) | 0;
  const cw = W / 2;
  for (let y = 0; y < H / 2; y++)
    for (let x = 0; x < cw; x++) {
      f[W * H + y * cw + x] = (64 + (x * 128) / cw) | 0;
      f[W * H * 1.25 + y * cw + x] = (64 + (y * 256) / H) | 0;
    }
  return f;
}

const timeline = (grade: object, look = 'teal-orange'): Timeline =>
  ({ params: paramsSchema.parse({ look }), grade: gradeSchema.parse(grade) }) as Timeline;

const cases: [string, Timeline][] = [
  ['look (3D LUT)', timeline({})],
  [
    'look + lift/gamma/gain + curves',
    timeline({ gamma: 1.2, lift: 0.02, curves: { master: [[0.5, 0.55]] } }),
  ],
  ['look + vignette', timeline({ vignette: {} })],
  ['grain only', timeline({ grain: {} }, 'neutral')],
  ['everything', timeline({ gamma: 1.2, vignette: {}, grain: {}, vibrance: 0.3 })],
];

const frame = testFrame();
const work = new Uint8Array(frame.length);
const rows: (string | number)[][] = [['case', 'kernels', 'median CPU ms/frame', 'spread %', 'frames/s']];
const results: Record<string, Record<string, number>> = {};
for (const [name, t] of cases) {
  for (const prefer of ['native', 'javascript'] as const) {
    const kernels = loadGradeKernels(prefer);
    if (kernels.name !== prefer) continue;
    const grade = await createGrade(t, { baseDir: '.', width: W, height: H, kernels });
    if (!grade) throw new Error(`${name}: neutral grade`);
    const n = prefer === 'native' ? runs : Math.max(5, Math.round(runs / 3));
    const times: number[] = [];
    for (let i = -3; i < n; i++) {
      work.set(frame);
      const c0 = process.cpuUsage();
      grade.apply(work, i);
      const c = process.cpuUsage(c0);
      if (i >= 0) times.push((c.user + c.system) / 1000);
    }
    const m = median(times);
    rows.push([name, prefer, m.toFixed(2), spreadPct(times).toFixed(0), (1000 / m).toFixed(0)]);
    results[name] = { ...results[name], [prefer]: Number(m.toFixed(3)) };
  }
}

// Preparing: what a preview pays when a grade parameter changes (warm, so after the JIT has run).
async function prepare(name: string, grade: (i: number) => object, look: string, w: number, h: number) {
  const times: number[] = [];
  for (let i = 0; i < 12; i++) {
    const c0 = process.cpuUsage();
    await createGrade(timeline(grade(i), look), { baseDir: '.', width: w, height: h });
    const c = process.cpuUsage(c0);
    if (i >= 4) times.push((c.user + c.system) / 1000);
  }
  rows.push([name, '-', median(times).toFixed(2), spreadPct(times).toFixed(0), '-']);
  return Number(median(times).toFixed(3));
}
const prepareMs = {
  lut: await prepare(
    'prepare: compile look + gamma + curves',
    (i) => ({ gamma: 1 + i / 100, curves: { master: [[0.5, 0.55]] } }),
    'vintage',
    W,
    H,
  ),
  vignette1080: await prepare(
    'prepare: vignette maps 1080p',
    (i) => ({ vignette: { amount: 0.2 + i / 100 } }),
    'neutral',
    W,
    H,
  ),
  vignette480: await prepare(
    'prepare: vignette maps 480p',
    (i) => ({ vignette: { amount: 0.2 + i / 100 } }),
    'neutral',
    854,
    480,
  ),
};

console.log(`grade benchmark, ${W}×${H} I420, ${machine()}`);
printTable(rows);
console.log(JSON.stringify({ width: W, height: H, perFrameCpuMs: results, prepareCpuMs: prepareMs }));
