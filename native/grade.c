// Reelforge colour-grading kernels: a compiled Y'CbCr -> Y'CbCr 3D LUT with vignette on an I420 frame,
// and film grain on its luma plane. Integer arithmetic only, mirroring
// src/engine/grade/js-grade-kernels.ts byte for byte (a test compares the two on random frames).
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define N 33
#define N2 (N * N)
#define N3 (N2 * N)

// Signed >> must be arithmetic (a floor division, as in JavaScript). C leaves it to the compiler;
// every compiler Node supports (gcc, clang, MSVC) documents it so.
_Static_assert((-7 >> 1) == -4, "arithmetic right shift required");

// Tetrahedral interpolation in a cell of the LUT: with the fractions (eighths) sorted hi >= mid >= lo,
// the value is (8-hi)*c0 + (hi-mid)*c1 + (mid-lo)*c2 + lo*c3 along the path from the cell's corner to
// the far corner that steps along the axes in order of decreasing fraction. The path and weights for
// every (fy, fu, fv) are precomputed, so a look-up has no data-dependent branches. When fractions tie,
// the vertex whose weight is then zero differs from the JavaScript kernel's choice but the sum does not.
#define OY 1
#define OU N
#define OV N2
typedef struct {
  uint16_t o1, o2;
  uint8_t w0, w1, w2, w3;
} tetra_t;

// Index: fy | fu << 3 | fv << 6.
static void tetra_table(tetra_t *T) {
  // Bits: fy >= fu, fu >= fv, fy >= fv. Orderings 3 and 4 cannot occur.
  static const uint16_t V1[8] = {OV, OV, OU, 0, 0, OY, OU, OY};
  static const uint16_t V2[8] = {OV + OU, OV + OY, OU + OV, 0, 0, OY + OV, OU + OY, OY + OU};
  for (int i = 0; i < 512; i++) {
    const int fy = i & 7, fu = (i >> 3) & 7, fv = i >> 6;
    int hi = fy > fu ? fy : fu, lo = fy < fu ? fy : fu;
    hi = hi > fv ? hi : fv;
    lo = lo < fv ? lo : fv;
    const int mid = fy + fu + fv - hi - lo;
    const int k = (fy >= fu) | ((fu >= fv) << 1) | ((fy >= fv) << 2);
    tetra_t t = {V1[k], V2[k], (uint8_t)(8 - hi), (uint8_t)(hi - mid), (uint8_t)(mid - lo), (uint8_t)lo};
    T[i] = t;
  }
}

// The LUT plane's value in the cell at `b`, rounded to a code value.
static inline int tetra_at(const uint16_t *b, const tetra_t *t) {
  const int s = t->w0 * b[0] + t->w1 * b[t->o1] + t->w2 * b[t->o2] + t->w3 * b[OY + OU + OV];
  const int r = (s + 64) >> 7;
  return r > 255 ? 255 : r;
}

static inline int toward(int value, int base, int g) { return (value * g + base * (4096 - g) + 2048) >> 12; }

static void grade_frame(uint8_t *F, int w, int h, const uint16_t *lut, const uint16_t *vy, const uint16_t *vc) {
  if (!lut && !vy && !vc) return;
  tetra_t T[512];
  tetra_table(T);
  const int cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  uint8_t *U = F + (size_t)w * h;
  uint8_t *V = U + (size_t)cw * ch;
  for (int cy = 0; cy < ch; cy++) {
    const size_t r0 = (size_t)2 * cy * w;
    const int has_r1 = 2 * cy + 1 < h;
    const size_t r1 = r0 + w;
    for (int cx = 0; cx < cw; cx++) {
      const size_t ci = (size_t)cy * cw + cx;
      const int x0 = 2 * cx;
      const int has_x1 = x0 + 1 < w;
      const int u = U[ci], v = V[ci];
      // The (u, v) part of the cell and of the table index, shared by the block's five look-ups.
      const uint16_t *cell = lut ? lut + ((v >> 3) * N + (u >> 3)) * N : NULL;
      const int uv = ((u & 7) << 3) | ((v & 7) << 6);
      int nu = u, nv = v;
      if (lut) {
        int sum = F[r0 + x0], count = 1;
        if (has_x1) sum += F[r0 + x0 + 1], count++;
        if (has_r1) {
          sum += F[r1 + x0], count++;
          if (has_x1) sum += F[r1 + x0 + 1], count++;
        }
        const int mean = count == 4 ? (sum + 2) >> 2 : count == 2 ? (sum + 1) >> 1 : sum;
        const tetra_t *t = &T[uv | (mean & 7)];
        nu = tetra_at(cell + N3 + (mean >> 3), t);
        nv = tetra_at(cell + 2 * N3 + (mean >> 3), t);
      }
      if (vc) {
        nu = toward(nu, 128, vc[ci]);
        nv = toward(nv, 128, vc[ci]);
      }
      U[ci] = (uint8_t)nu;
      V[ci] = (uint8_t)nv;
      for (int k = 0; k < 4; k++) {
        if ((k >= 2 && !has_r1) || ((k & 1) && !has_x1)) continue;
        const size_t p = (k < 2 ? r0 : r1) + x0 + (k & 1);
        int yl = F[p];
        if (lut) yl = tetra_at(cell + (yl >> 3), &T[uv | (yl & 7)]);
        if (vy) yl = toward(yl, 16, vy[p]);
        F[p] = (uint8_t)yl;
      }
    }
  }
}

static inline uint32_t hash32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

// Row iy of the grain grid, interpolated horizontally to every pixel column: noise values (sums of four
// random bytes, -510..510) times 256.
static void noise_row(int32_t *out, int32_t *nodes, int gw, int w, const int32_t *xi, const int32_t *xw, int iy,
                      uint32_t seed) {
  const uint32_t key = hash32(((uint32_t)iy * 0x85ebca77U) ^ seed);
  for (int ix = 0; ix < gw; ix++) {
    const uint32_t hh = hash32(((uint32_t)ix * 0x9e3779b1U) ^ key);
    nodes[ix] = (int32_t)((hh & 255) + ((hh >> 8) & 255) + ((hh >> 16) & 255) + (hh >> 24)) - 510;
  }
  for (int x = 0; x < w; x++) {
    const int32_t a = nodes[xi[x]], b = nodes[xi[x] + 1];
    out[x] = a * 256 + (b - a) * xw[x];
  }
}

static int grain_plane(uint8_t *Y, int w, int h, uint32_t seed, int step, const int32_t *gains) {
  const int gw = (((w - 1) * step) >> 16) + 2;
  int32_t *buf = malloc(sizeof(int32_t) * ((size_t)gw + (size_t)w * 4));
  if (!buf) return 0;
  int32_t *nodes = buf, *top = buf + gw, *bot = top + w, *xi = bot + w, *xw = xi + w;
  for (int x = 0; x < w; x++) {
    const int fx = x * step;
    xi[x] = fx >> 16;
    xw[x] = (fx >> 8) & 255;
  }
  int cur = -2;
  for (int y = 0; y < h; y++) {
    const int fy = y * step;
    const int iy = fy >> 16, wy = (fy >> 8) & 255;
    if (iy == cur + 1) {
      int32_t *t = top;
      top = bot;
      bot = t;
      noise_row(bot, nodes, gw, w, xi, xw, iy + 1, seed);
    } else if (iy != cur) {
      noise_row(top, nodes, gw, w, xi, xw, iy, seed);
      noise_row(bot, nodes, gw, w, xi, xw, iy + 1, seed);
    }
    cur = iy;
    uint8_t *row = Y + (size_t)y * w;
    for (int x = 0; x < w; x++) {
      const int32_t n = (top[x] * 256 + (bot[x] - top[x]) * wy) >> 8;
      const int yv = row[x];
      const int delta = (n * gains[yv] + 8388608) >> 24;
      // Grain never pushes a legal value out of the legal range (16-235).
      const int lo = yv < 16 ? yv : 16, hi = yv > 235 ? yv : 235;
      int r = yv + delta;
      r = r < lo ? lo : r;
      row[x] = (uint8_t)(r > hi ? hi : r);
    }
  }
  free(buf);
  return 1;
}

// A typed array's data and element count, or NULL when the value is null/undefined or of another type.
static void *typed(napi_env env, napi_value v, napi_typedarray_type want, size_t *len) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t == napi_null || t == napi_undefined) return NULL;
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return NULL;
  napi_typedarray_type type;
  size_t length = 0, off = 0;
  void *data = NULL;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &off) != napi_ok || type != want) return NULL;
  *len = length;
  return data;
}

static int is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && (t == napi_null || t == napi_undefined);
}

static int get_int(napi_env env, napi_value v) {
  int32_t r = 0;
  napi_get_value_int32(env, v, &r);
  return r;
}

// gradeFrame(frame: Uint8Array, w, h, lut: Uint16Array | null, vy: Uint16Array | null, vc: Uint16Array | null)
static napi_value js_grade_frame(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "gradeFrame: expected 6 arguments");
    return NULL;
  }
  size_t flen = 0, llen = 0, ylen = 0, clen = 0;
  uint8_t *frame = typed(env, argv[0], napi_uint8_array, &flen);
  const int w = get_int(env, argv[1]), h = get_int(env, argv[2]);
  const uint16_t *lut = typed(env, argv[3], napi_uint16_array, &llen);
  const uint16_t *vy = typed(env, argv[4], napi_uint16_array, &ylen);
  const uint16_t *vc = typed(env, argv[5], napi_uint16_array, &clen);
  const size_t cs = (size_t)((w + 1) >> 1) * ((h + 1) >> 1);
  if (!frame || w <= 0 || h <= 0 || (!lut && !is_nullish(env, argv[3])) || (!vy && !is_nullish(env, argv[4])) ||
      (!vc && !is_nullish(env, argv[5]))) {
    napi_throw_type_error(env, NULL, "gradeFrame: expected (Uint8Array, w, h, Uint16Array|null ×3)");
    return NULL;
  }
  if (flen < (size_t)w * h + 2 * cs || (lut && llen < 3 * (size_t)N3) || (vy && ylen < (size_t)w * h) ||
      (vc && clen < cs)) {
    napi_throw_range_error(env, NULL, "gradeFrame: buffer sizes do not match the dimensions");
    return NULL;
  }
  grade_frame(frame, w, h, lut, vy, vc);
  return NULL;
}

// grainPlane(y: Uint8Array, w, h, seed: uint32, step, gains: Int32Array(256))
static napi_value js_grain_plane(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "grainPlane: expected 6 arguments");
    return NULL;
  }
  size_t ylen = 0, glen = 0;
  uint8_t *y = typed(env, argv[0], napi_uint8_array, &ylen);
  const int w = get_int(env, argv[1]), h = get_int(env, argv[2]);
  uint32_t seed = 0;
  napi_get_value_uint32(env, argv[3], &seed);
  const int step = get_int(env, argv[4]);
  const int32_t *gains = typed(env, argv[5], napi_int32_array, &glen);
  if (!y || !gains || w <= 0 || h <= 0 || step <= 0) {
    napi_throw_type_error(env, NULL, "grainPlane: expected (Uint8Array, w, h, seed, step, Int32Array)");
    return NULL;
  }
  if (ylen < (size_t)w * h || glen < 256) {
    napi_throw_range_error(env, NULL, "grainPlane: buffer sizes do not match the dimensions");
    return NULL;
  }
  if (!grain_plane(y, w, h, seed, step, gains)) napi_throw_error(env, NULL, "grainPlane: out of memory");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"gradeFrame", NULL, js_grade_frame, NULL, NULL, NULL, napi_default, NULL},
      {"grainPlane", NULL, js_grain_plane, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
