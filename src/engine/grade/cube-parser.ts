import { ReelforgeError } from '../../errors.js';

/** A parsed Adobe/Resolve `.cube` 3D LUT. */
export interface CubeLut {
  title: string | null;
  /** Points per axis, 2–256. */
  size: number;
  domainMin: readonly [number, number, number];
  domainMax: readonly [number, number, number];
  /** size³ RGB triples, red changing fastest, then green, then blue (the file's order). */
  data: Float32Array;
}

/** One thing wrong with a `.cube` file; `line` is 1-based when the problem belongs to a line. */
export interface CubeProblem {
  line?: number;
  message: string;
}

const MAX_SIZE = 256;
/** Problems kept in the error (a corrupt file could have millions); the count covers all of them. */
const MAX_REPORTED = 20;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const CHANNELS = ['red', 'green', 'blue'] as const;

type Triple = [number, number, number];

/**
 * Parses the text of a `.cube` file (TITLE, LUT_3D_SIZE, DOMAIN_MIN/MAX or LUT_3D_INPUT_RANGE, `#`
 * comments, blank lines, any line ending). Every problem is collected with its line number and thrown
 * together as LUT_INVALID; `name` (the file as the user wrote it) starts the message.
 */
export function parseCube(text: string, name = '.cube file'): CubeLut {
  const problems: CubeProblem[] = [];
  let count = 0;
  const problem = (message: string, line?: number) => {
    count++;
    if (problems.length < MAX_REPORTED) problems.push(line === undefined ? { message } : { line, message });
  };

  let title: string | null = null;
  let size = 0;
  let domainMin: Triple = [0, 0, 0];
  let domainMax: Triple = [1, 1, 1];
  const seen = new Map<string, number>();
  let data = new Float32Array(3 * 4096);
  let entries = 0;
  /** Table rows, well-formed or not: a malformed row is reported once, not again as a missing entry. */
  let rows = 0;
  let firstDataLine = 0;
  let tooMany = false;

  const once = (keyword: string, line: number): boolean => {
    const first = seen.get(keyword);
    if (first !== undefined) {
      problem(`${keyword} given twice (first on line ${first})`, line);
      return false;
    }
    seen.set(keyword, line);
    if (firstDataLine) {
      problem(`${keyword} must come before the table data (which starts on line ${firstDataLine})`, line);
      return false;
    }
    return true;
  };
  const numbers = (keyword: string, tokens: string[], want: number, line: number): number[] | null => {
    if (tokens.length !== want || !tokens.every((t) => NUMBER.test(t))) {
      problem(`${keyword} expects ${want} number${want > 1 ? 's' : ''}, got "${tokens.join(' ')}"`, line);
      return null;
    }
    return tokens.map(Number);
  };

  let lineNo = 0;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    let raw = text.slice(pos, end);
    pos = end + 1;
    lineNo++;
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    // Old Mac line endings: one physical line holding several records.
    const records = raw.includes('\r') ? raw.split('\r') : [raw];
    for (const record of records) {
      const hash = record.indexOf('#');
      const body = (record.startsWith('TITLE') || hash < 0 ? record : record.slice(0, hash)).trim();
      if (body === '') continue;
      const tokens = body.split(/\s+/);
      const head = tokens[0]!;
      if (/^[A-Z][A-Z0-9_]*$/.test(head)) {
        const args = tokens.slice(1);
        switch (head) {
          case 'TITLE': {
            if (!once(head, lineNo)) break;
            const m = /^TITLE\s+"([^"]*)"\s*$/.exec(body) ?? /^TITLE\s+(.*)$/.exec(body);
            title = m?.[1] ?? '';
            break;
          }
          case 'LUT_3D_SIZE': {
            if (!once(head, lineNo)) break;
            const n = args.length === 1 && /^\d+$/.test(args[0]!) ? Number(args[0]) : Number.NaN;
            if (!(n >= 2 && n <= MAX_SIZE)) {
              problem(
                `LUT_3D_SIZE must be an integer from 2 to ${MAX_SIZE}, got "${args.join(' ')}"`,
                lineNo,
              );
            } else size = n;
            break;
          }
          case 'DOMAIN_MIN':
          case 'DOMAIN_MAX': {
            if (!once(head, lineNo)) break;
            const v = numbers(head, args, 3, lineNo);
            if (v) (head === 'DOMAIN_MIN' ? domainMin : domainMax).splice(0, 3, ...v);
            break;
          }
          case 'LUT_3D_INPUT_RANGE': {
            // Resolve's spelling of one domain for all three channels.
            if (!once(head, lineNo)) break;
            const v = numbers(head, args, 2, lineNo);
            if (v) {
              domainMin = [v[0]!, v[0]!, v[0]!];
              domainMax = [v[1]!, v[1]!, v[1]!];
            }
            break;
          }
          case 'LUT_1D_SIZE':
          case 'LUT_1D_INPUT_RANGE':
            problem(`${head} is not supported: only 3D LUTs (LUT_3D_SIZE) can be used`, lineNo);
            break;
          default:
            problem(`unknown keyword "${head}"`, lineNo);
        }
        continue;
      }
      if (!firstDataLine) firstDataLine = lineNo;
      rows++;
      if (tokens.length !== 3) {
        problem(`expected 3 numbers, got ${tokens.length}`, lineNo);
        continue;
      }
      const bad = tokens.find((t) => !NUMBER.test(t));
      if (bad !== undefined) {
        problem(`expected 3 numbers, got "${bad}"`, lineNo);
        continue;
      }
      if (rows > MAX_SIZE ** 3) {
        if (!tooMany) problem(`more than ${MAX_SIZE ** 3} entries`, lineNo);
        tooMany = true;
        continue;
      }
      if (data.length < (entries + 1) * 3) {
        const bigger = new Float32Array(data.length * 2);
        bigger.set(data);
        data = bigger;
      }
      for (let c = 0; c < 3; c++) {
        const v = Number(tokens[c]);
        const lo = domainMin[c]!;
        const hi = domainMax[c]!;
        const slack = (hi - lo) * 1e-4;
        if (v < lo - slack || v > hi + slack) {
          const uniform = domainMin.every((m) => m === lo) && domainMax.every((m) => m === hi);
          const where = uniform ? '' : ` (${CHANNELS[c]})`;
          problem(`value ${tokens[c]}${where} outside DOMAIN ${lo}..${hi}`, lineNo);
        }
        data[entries * 3 + c] = v;
      }
      entries++;
    }
  }

  for (let c = 0; c < 3; c++) {
    if (!(domainMin[c]! < domainMax[c]!)) {
      problem(
        `DOMAIN_MIN must be below DOMAIN_MAX for every channel, got ${domainMin.join(' ')} and ${domainMax.join(' ')}`,
      );
      break;
    }
  }
  if (!seen.has('LUT_3D_SIZE')) problem('LUT_3D_SIZE is missing');
  else if (size > 0 && rows !== size ** 3 && !tooMany) {
    problem(`expected ${size ** 3} entries for LUT_3D_SIZE ${size}, got ${rows}`);
  }

  if (count > 0) {
    const more = count > problems.length ? `\n… and ${count - problems.length} more` : '';
    const listed = problems.map((p) => (p.line === undefined ? p.message : `line ${p.line}: ${p.message}`));
    throw new ReelforgeError(
      'LUT_INVALID',
      `${name}: not a usable .cube LUT (${count === 1 ? '1 problem' : `${count} problems`}):\n${listed.join('\n')}${more}`,
      { status: 422, retryable: false, details: problems },
    );
  }
  return { title, size, domainMin, domainMax, data: data.slice(0, entries * 3) };
}

/**
 * Looks up an RGB value in the LUT by tetrahedral interpolation, writing into `out`. Inputs outside
 * the domain take the value at the domain's edge plus how far they lie beyond it, so an identity LUT
 * stays an identity for every input and grades of out-of-gamut colours stay continuous.
 */
export function sampleCube(lut: CubeLut, r: number, g: number, b: number, out: Float64Array): void {
  const n = lut.size;
  const d = lut.data;
  const coord = (v: number, c: number): number => {
    const lo = lut.domainMin[c]!;
    const hi = lut.domainMax[c]!;
    const t = ((v - lo) / (hi - lo)) * (n - 1);
    return Math.min(n - 1, Math.max(0, t));
  };
  const x = coord(r, 0);
  const y = coord(g, 1);
  const z = coord(b, 2);
  const x0 = Math.min(n - 2, Math.floor(x));
  const y0 = Math.min(n - 2, Math.floor(y));
  const z0 = Math.min(n - 2, Math.floor(z));
  const fx = x - x0;
  const fy = y - y0;
  const fz = z - z0;
  const sx = 3;
  const sy = 3 * n;
  const sz = 3 * n * n;
  const base = z0 * sz + y0 * sy + x0 * sx;
  // The tetrahedron holding the point: walk the axes in order of decreasing fraction.
  let a1 = sx;
  let a2 = sx + sy;
  let f0 = fx;
  let f1 = fy;
  let f2 = fz;
  if (fx >= fy) {
    if (fy >= fz) {
      // x, y, z
    } else if (fx >= fz) {
      a2 = sx + sz;
      f1 = fz;
      f2 = fy;
    } else {
      a1 = sz;
      a2 = sz + sx;
      f0 = fz;
      f1 = fx;
      f2 = fy;
    }
  } else if (fz >= fy) {
    a1 = sz;
    a2 = sz + sy;
    f0 = fz;
    f1 = fy;
    f2 = fx;
  } else if (fz >= fx) {
    a1 = sy;
    a2 = sy + sz;
    f0 = fy;
    f1 = fz;
    f2 = fx;
  } else {
    a1 = sy;
    a2 = sy + sx;
    f0 = fy;
    f1 = fx;
    f2 = fz;
  }
  const a3 = sx + sy + sz;
  for (let c = 0; c < 3; c++) {
    const i = base + c;
    const v = (1 - f0) * d[i]! + (f0 - f1) * d[i + a1]! + (f1 - f2) * d[i + a2]! + f2 * d[i + a3]!;
    const lo = lut.domainMin[c]!;
    const hi = lut.domainMax[c]!;
    const inV = c === 0 ? r : c === 1 ? g : b;
    out[c] = v + (inV < lo ? inV - lo : inV > hi ? inV - hi : 0);
  }
}
