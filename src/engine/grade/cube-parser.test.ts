import { describe, expect, it } from 'vitest';
import { isReelforgeError, type ReelforgeError } from '../../errors.js';
import { type CubeLut, parseCube, sampleCube } from './cube-parser.js';

/** The text of an identity .cube of `size` points, with optional header lines and an entry transform. */
function identityCube(
  size: number,
  header: string[] = [],
  map = (r: number, g: number, b: number) => [r, g, b],
) {
  const lines = [...header, `LUT_3D_SIZE ${size}`];
  for (let b = 0; b < size; b++) {
    for (let g = 0; g < size; g++) {
      for (let r = 0; r < size; r++) {
        lines.push(
          map(r / (size - 1), g / (size - 1), b / (size - 1))
            .map((v) => v.toFixed(6))
            .join(' '),
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The problems parseCube reports for `text`, as "line N: message" strings. */
function problems(text: string): string[] {
  try {
    parseCube(text, 'test.cube');
  } catch (e) {
    expect(isReelforgeError(e, 'LUT_INVALID')).toBe(true);
    const err = e as ReelforgeError;
    expect(err.status).toBe(422);
    expect(err.retryable).toBe(false);
    return (err.meta.details as { line?: number; message: string }[]).map((p) =>
      p.line === undefined ? p.message : `line ${p.line}: ${p.message}`,
    );
  }
  throw new Error('expected parseCube to throw');
}

describe('parseCube: valid files', () => {
  it('reads the header and the table, red changing fastest', () => {
    const lut = parseCube(identityCube(2, ['TITLE "Identity"', '# made by hand']));
    expect(lut.title).toBe('Identity');
    expect(lut.size).toBe(2);
    expect(lut.domainMin).toEqual([0, 0, 0]);
    expect(lut.domainMax).toEqual([1, 1, 1]);
    expect([...lut.data.slice(0, 6)]).toEqual([0, 0, 0, 1, 0, 0]);
    expect(lut.data.length).toBe(8 * 3);
  });

  it('accepts CRLF and CR line endings, a BOM, blank lines, comments and DOMAIN keywords', () => {
    const text = identityCube(3, ['\uFEFF# header', '', 'DOMAIN_MIN 0 0 0', 'DOMAIN_MAX 1 1 1  # inclusive']);
    expect(parseCube(text.replace(/\n/g, '\r\n')).size).toBe(3);
    expect(parseCube(text.replace(/\n/g, '\r')).size).toBe(3);
    expect(parseCube(text.replace('LUT_3D_SIZE 3', '\n\nLUT_3D_SIZE 3\n\n')).size).toBe(3);
  });

  it('accepts Resolve’s LUT_3D_INPUT_RANGE and wider domains, and exponents', () => {
    const lut = parseCube(
      identityCube(2, ['LUT_3D_INPUT_RANGE -0.5 1.5'], (r, g, b) => [
        r * 2 - 0.5,
        g * 2 - 0.5,
        b * 2 - 0.5,
      ]).replace('1.500000 -0.500000 -0.500000', '1.5e0 -5E-1 -0.5'),
    );
    expect(lut.domainMin).toEqual([-0.5, -0.5, -0.5]);
    expect(lut.domainMax).toEqual([1.5, 1.5, 1.5]);
    expect(lut.data[3]).toBe(1.5);
  });

  it('accepts an unquoted title', () => {
    expect(parseCube(identityCube(2, ['TITLE Film look #3'])).title).toBe('Film look #3');
  });
});

describe('parseCube: malformed files', () => {
  const good = identityCube(2);
  const lines = good.split('\n');
  /** `good` with line `n` (1-based) replaced. */
  const withLine = (n: number, text: string) => lines.map((l, i) => (i === n - 1 ? text : l)).join('\n');

  it('reports a short row with its line number', () => {
    expect(problems(withLine(4, '0.5 0.5'))).toEqual(['line 4: expected 3 numbers, got 2']);
  });

  it('reports a long row and a non-number', () => {
    expect(problems(withLine(3, '1 0 0 1'))).toEqual(['line 3: expected 3 numbers, got 4']);
    expect(problems(withLine(3, '1 abc 0'))).toEqual(['line 3: expected 3 numbers, got "abc"']);
    expect(problems(withLine(3, '1 nan 0'))).toEqual(['line 3: expected 3 numbers, got "nan"']);
    expect(problems(withLine(3, '0x1 0 0'))).toEqual(['line 3: expected 3 numbers, got "0x1"']);
  });

  it('reports values outside the domain', () => {
    expect(problems(withLine(9, '1.7 1 1'))).toEqual(['line 9: value 1.7 outside DOMAIN 0..1']);
    expect(problems(withLine(2, '-0.2 0 0'))).toEqual(['line 2: value -0.2 outside DOMAIN 0..1']);
    const perChannel = `DOMAIN_MAX 1 2 1\n${withLine(9, '1 1 1.5')}`;
    expect(problems(perChannel)).toEqual(['line 10: value 1.5 (blue) outside DOMAIN 0..1']);
  });

  it('reports a missing or extra entry with the expected count', () => {
    const big = identityCube(33).split('\n');
    big.splice(5000, 1);
    expect(problems(big.join('\n'))).toEqual(['expected 35937 entries for LUT_3D_SIZE 33, got 35936']);
    expect(problems(`${good}0 0 0\n`)).toEqual(['expected 8 entries for LUT_3D_SIZE 2, got 9']);
  });

  it('rejects 1D LUTs', () => {
    expect(problems('LUT_1D_SIZE 4\n0 0 0\n0.3 0.3 0.3\n0.6 0.6 0.6\n1 1 1\n')).toEqual([
      'line 1: LUT_1D_SIZE is not supported: only 3D LUTs (LUT_3D_SIZE) can be used',
      'LUT_3D_SIZE is missing',
    ]);
  });

  it('checks LUT_3D_SIZE', () => {
    expect(problems('0 0 0\n')).toEqual(['LUT_3D_SIZE is missing']);
    expect(problems('')).toEqual(['LUT_3D_SIZE is missing']);
    expect(problems(good.replace('LUT_3D_SIZE 2', 'LUT_3D_SIZE 1'))).toEqual([
      'line 1: LUT_3D_SIZE must be an integer from 2 to 256, got "1"',
    ]);
    expect(problems(good.replace('LUT_3D_SIZE 2', 'LUT_3D_SIZE 300'))[0]).toBe(
      'line 1: LUT_3D_SIZE must be an integer from 2 to 256, got "300"',
    );
    expect(problems(good.replace('LUT_3D_SIZE 2', 'LUT_3D_SIZE 2.5'))[0]).toMatch(/got "2.5"/);
    expect(problems(`LUT_3D_SIZE 2\n${good}`)).toEqual(['line 2: LUT_3D_SIZE given twice (first on line 1)']);
  });

  it('wants keywords before the table', () => {
    expect(problems(`${good}TITLE "late"\n`)).toEqual([
      'line 10: TITLE must come before the table data (which starts on line 2)',
    ]);
  });

  it('checks the domain', () => {
    expect(problems(`DOMAIN_MIN 0 0\n${good}`)).toEqual(['line 1: DOMAIN_MIN expects 3 numbers, got "0 0"']);
    expect(problems(`DOMAIN_MIN 0 1 0\n${good}`)).toContain(
      'DOMAIN_MIN must be below DOMAIN_MAX for every channel, got 0 1 0 and 1 1 1',
    );
    expect(problems(`LUT_3D_INPUT_RANGE 0\n${good}`)).toEqual([
      'line 1: LUT_3D_INPUT_RANGE expects 2 numbers, got "0"',
    ]);
  });

  it('names unknown keywords', () => {
    expect(problems(`LUT_IN_VIDEO_RANGE\n${good}`)).toEqual(['line 1: unknown keyword "LUT_IN_VIDEO_RANGE"']);
  });

  it('collects every problem, reports the first twenty and counts the rest', () => {
    const text = identityCube(4).replace(/^0\.000000 /gm, 'x ');
    let err: ReelforgeError | undefined;
    try {
      parseCube(text, 'looks/broken.cube');
    } catch (e) {
      err = e as ReelforgeError;
    }
    expect(err?.code).toBe('LUT_INVALID');
    expect(err?.message).toMatch(/^looks\/broken\.cube: not a usable \.cube LUT \(16 problems\):\nline 2: /);
    expect(err?.meta.details).toHaveLength(16);
    const many = identityCube(8).replace(/^0\.000000 /gm, 'x ');
    expect(() => parseCube(many)).toThrow(/\(64 problems\)[\s\S]*… and 44 more$/);
  });

  it('survives binary garbage', () => {
    const junk = String.fromCharCode(...Array.from({ length: 2000 }, (_, i) => (i * 7919) % 256));
    expect(problems(junk).length).toBeGreaterThan(0);
  });
});

describe('sampleCube', () => {
  const out = new Float64Array(3);
  const swap = parseCube(identityCube(5, [], (r, g, b) => [b, g, r]));

  it('reproduces an identity LUT exactly, also beyond its domain', () => {
    const id: CubeLut = parseCube(identityCube(3));
    for (const [r, g, b] of [
      [0.1, 0.5, 0.9],
      [0.33, 0.33, 0.8],
      [1.2, -0.1, 0.5],
    ] as const) {
      sampleCube(id, r, g, b, out);
      expect(out[0]).toBeCloseTo(r, 6);
      expect(out[1]).toBeCloseTo(g, 6);
      expect(out[2]).toBeCloseTo(b, 6);
    }
  });

  it('interpolates between entries', () => {
    sampleCube(swap, 0.2, 0.4, 0.7, out);
    expect([...out].map((v) => Number(v.toFixed(5)))).toEqual([0.7, 0.4, 0.2]);
  });
});
