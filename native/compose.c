// Reelforge compositing kernels. Integer arithmetic chosen so that the JavaScript kernels in
// src/engine/kernels/js-kernels.ts produce byte-identical results (both are tested against each other).
// Built with -ffp-contract=off so that double expressions round exactly as in JavaScript.
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define P_M0 0
#define P_OPACITY 6
#define P_X0 7
#define P_AA 11
#define P_WIN 12
#define P_AAV 16
#define P_LEN 17

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Coverage of a destination pixel by the source window, 0..256, from the distance of the sample
// point to the nearest source edge, converted from source to destination pixels per axis (aau, aav:
// a layer stretched more in x than in y still covers its edge pixels fully).
static inline int coverage(double u, double v, const double *w, double aau, double aav) {
  const double l = u - w[0], r = w[2] - u, t = v - w[1], b = w[3] - v;
  double du = (l < r ? l : r) * aau;
  double dv = (t < b ? t : b) * aav;
  double d = du < dv ? du : dv;
  double c = d * 256.0 + 128.0;
  if (c <= 0.0) return 0;
  if (c >= 256.0) return 256;
  return (int)c;
}

static inline int bilinear(const uint8_t *src, int sw, int sh, double u, double v) {
  double uu = u - 0.5, vv = v - 0.5;
  double fx = floor(uu), fy = floor(vv);
  int wx = (int)((uu - fx) * 256.0), wy = (int)((vv - fy) * 256.0);
  int x0 = clampi((int)fx, 0, sw - 1), x1 = clampi((int)fx + 1, 0, sw - 1);
  int y0 = clampi((int)fy, 0, sh - 1), y1 = clampi((int)fy + 1, 0, sh - 1);
  const uint8_t *r0 = src + (size_t)y0 * sw, *r1 = src + (size_t)y1 * sw;
  int a = r0[x0], b = r0[x1], c = r1[x0], d = r1[x1];
  int top = (a << 8) + (b - a) * wx, bot = (c << 8) + (d - c) * wx;
  return ((top << 8) + (bot - top) * wy + 32768) >> 16;
}

static inline int cover_of(double d, double aa) {
  double c = d * aa * 256.0 + 128.0;
  if (c <= 0.0) return 0;
  if (c >= 256.0) return 256;
  return (int)c;
}

// ---- Horizontal filtering of one source row: o[i] = lerp(r[xi0[i]], r[xi1[i]], wxs[i] / 256) · 256 ----

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define REELFORGE_X86 1
#include <immintrin.h>
#else
#define REELFORGE_X86 0
#endif

// For the shuffle path: output pixels in blocks of 8. A block whose source pixels lie within 16 bytes
// of its first one gathers them with two byte shuffles (masks computed once per draw, since every row
// samples the same columns); other blocks (strong minification, the row's right end) take the scalar loop.
typedef struct {
  int blocks;
  int32_t *base;    // first source column of each block, or -1: scalar
  uint8_t *masks;   // 32 bytes per block: the shuffle for xi0, then for xi1 (16-bit lanes, high byte zero)
  int16_t *w;       // wxs as 16-bit lanes
} HPlan;

static void hplan_free(HPlan *pl) { free(pl->base); pl->base = NULL; }

static void hplan_make(HPlan *pl, const int32_t *xi0, const int32_t *xi1, const int32_t *wxs, int n, int sw) {
  pl->blocks = n / 8;
  if (pl->blocks == 0) return;
  // One allocation: bases, then 16-byte aligned masks, then weights.
  const size_t bases = ((size_t)pl->blocks * sizeof(int32_t) + 15) & ~(size_t)15;
  char *mem = malloc(bases + (size_t)pl->blocks * 32 + (size_t)n * sizeof(int16_t) + 16);
  if (!mem) {  // then every row is filtered by the scalar loop
    pl->blocks = 0;
    return;
  }
  pl->base = (int32_t *)mem;
  pl->masks = (uint8_t *)(((uintptr_t)mem + bases + 15) & ~(uintptr_t)15);
  pl->w = (int16_t *)(pl->masks + (size_t)pl->blocks * 32);
  for (int i = 0; i < n; i++) pl->w[i] = (int16_t)wxs[i];
  for (int b = 0; b < pl->blocks; b++) {
    int lo = xi0[8 * b], hi = xi1[8 * b];
    for (int k = 0; k < 8; k++) {
      const int i = 8 * b + k;
      if (xi0[i] < lo) lo = xi0[i];
      if (xi1[i] < lo) lo = xi1[i];
      if (xi0[i] > hi) hi = xi0[i];
      if (xi1[i] > hi) hi = xi1[i];
    }
    if (hi - lo > 15 || lo + 16 > sw) {
      pl->base[b] = -1;
      continue;
    }
    pl->base[b] = lo;
    uint8_t *m = pl->masks + 32 * (size_t)b;
    for (int k = 0; k < 8; k++) {
      m[2 * k] = (uint8_t)(xi0[8 * b + k] - lo);
      m[2 * k + 1] = 0x80;
      m[16 + 2 * k] = (uint8_t)(xi1[8 * b + k] - lo);
      m[16 + 2 * k + 1] = 0x80;
    }
  }
}

#if REELFORGE_X86
// Whether the AVX2 builds of the drawing paths may run: the CPU has AVX2 and REELFORGE_NO_SIMD is unset.
static int use_avx2(void) {
  static int avx2 = -1;
  if (avx2 < 0) {
    __builtin_cpu_init();
    avx2 = __builtin_cpu_supports("avx2") && !getenv("REELFORGE_NO_SIMD");
  }
  return avx2;
}

// a·256 + (b − a)·w lies in 0…65280, so computing it modulo 2^16 (16-bit lanes) gives it exactly.
__attribute__((target("ssse3"))) static inline void hfilter_shuffle(uint16_t *o, const uint8_t *r,
                                                                   const HPlan *pl) {
  for (int b = 0; b < pl->blocks; b++) {
    if (pl->base[b] < 0) continue;
    const __m128i s = _mm_loadu_si128((const __m128i *)(r + pl->base[b]));
    const __m128i a = _mm_shuffle_epi8(s, _mm_load_si128((const __m128i *)(pl->masks + 32 * (size_t)b)));
    const __m128i c = _mm_shuffle_epi8(s, _mm_load_si128((const __m128i *)(pl->masks + 32 * (size_t)b + 16)));
    const __m128i w = _mm_loadu_si128((const __m128i *)(pl->w + 8 * b));
    const __m128i v = _mm_add_epi16(_mm_slli_epi16(a, 8), _mm_mullo_epi16(_mm_sub_epi16(c, a), w));
    _mm_storeu_si128((__m128i *)(o + 8 * b), v);
  }
}
#endif

static inline __attribute__((always_inline)) void hfilter(uint16_t *o, const uint8_t *r, const int32_t *xi0,
                                                          const int32_t *xi1, const int32_t *wxs, int n,
                                                          const HPlan *pl) {
  int i = 0;
#if REELFORGE_X86
  if (pl && pl->blocks > 0) {
    hfilter_shuffle(o, r, pl);
    for (int b = 0; b < pl->blocks; b++) {
      if (pl->base[b] >= 0) continue;
      for (int k = 8 * b; k < 8 * b + 8; k++) o[k] = (uint16_t)((r[xi0[k]] << 8) + (r[xi1[k]] - r[xi0[k]]) * wxs[k]);
    }
    i = 8 * pl->blocks;
  }
#endif
  for (; i < n; i++) o[i] = (uint16_t)((r[xi0[i]] << 8) + (r[xi1[i]] - r[xi0[i]]) * wxs[i]);
}

// Axis-aligned maps (scale and translate: every camera move, fit and slide) take this path. It
// computes exactly the same per-pixel function as the general path, but filters each source row
// horizontally once (into 16-bit intermediates) and combines rows vertically in a loop the compiler
// vectorises. Coverage separates because min commutes with the monotone coverage function.
static inline __attribute__((always_inline)) void axis_blend_body(
    uint8_t *dst, int dw, const uint8_t *src, int sw, int sh, const uint8_t *alpha, const double *p, int x0,
    int y0, int x1, int y1, int simd) {
  const double m0 = p[0], m2 = p[2], m4 = p[4], m5 = p[5], aau = p[P_AA], aav = p[P_AAV];
  const int op = (int)p[P_OPACITY];
  const int n = x1 - x0;
  int32_t *xi0 = malloc(sizeof(int32_t) * n * 4);
  int32_t *xi1 = xi0 + n, *wxs = xi0 + 2 * n, *covx = xi0 + 3 * n;
  uint16_t *rows = malloc(sizeof(uint16_t) * n * 4);
  uint16_t *h[2] = {rows, rows + n}, *ha[2] = {rows + 2 * n, rows + 3 * n};
  int hrow[2] = {-1, -1};
  int cx0 = n, cx1 = 0;  // the columns fully covered horizontally
  HPlan plan = {0};
  for (int i = 0; i < n; i++) {
    const double u = m0 * ((double)(x0 + i) + 0.5) + m2;
    const double l = u - p[P_WIN], r = p[P_WIN + 2] - u;
    const double du = l < r ? l : r;
    covx[i] = cover_of(du, aau);
    const double uu = u - 0.5, fx = floor(uu);
    wxs[i] = (int)((uu - fx) * 256.0);
    xi0[i] = clampi((int)fx, 0, sw - 1);
    xi1[i] = clampi((int)fx + 1, 0, sw - 1);
    if (covx[i] == 256) {
      if (i < cx0) cx0 = i;
      cx1 = i + 1;
    }
  }
#if REELFORGE_X86
  if (simd) hplan_make(&plan, xi0, xi1, wxs, n, sw);
#endif
  for (int y = y0; y < y1; y++) {
    const double yc = (double)y + 0.5;
    const double v = m4 * yc + m5;
    const double t0 = v - p[P_WIN + 1], b0 = p[P_WIN + 3] - v;
    const double dv = t0 < b0 ? t0 : b0;
    const int covy = cover_of(dv, aav);
    if (covy == 0) continue;
    const double vv = v - 0.5, fy = floor(vv);
    const int wy = (int)((vv - fy) * 256.0);
    const int ry[2] = {clampi((int)fy, 0, sh - 1), clampi((int)fy + 1, 0, sh - 1)};
    uint16_t *hr[2], *har[2];
    for (int k = 0; k < 2; k++) {
      int slot = hrow[0] == ry[k] ? 0 : (hrow[1] == ry[k] ? 1 : -1);
      if (slot < 0) {
        // Reuse the slot that does not hold the other row this output row needs.
        const int other = k == 0 ? ry[1] : ry[0];
        slot = hrow[0] == other ? 1 : 0;
        if (k == 1 && hr[0] == h[slot]) slot = 1 - slot;
        const uint8_t *r = src + (size_t)ry[k] * sw;
        uint16_t *o = h[slot];
        hfilter(o, r, xi0, xi1, wxs, n, simd ? &plan : NULL);
        if (alpha) hfilter(ha[slot], alpha + (size_t)ry[k] * sw, xi0, xi1, wxs, n, simd ? &plan : NULL);
        hrow[slot] = ry[k];
      }
      hr[k] = h[slot];
      har[k] = ha[slot];
    }
    uint8_t *row = dst + (size_t)y * dw + x0;
    const uint16_t *t = hr[0], *b = hr[1];
    if (!alpha && covy == 256) {
      // Fully covered columns: a = op there (cov 256), so the blend is the same for every pixel.
      if (op >= 65536) {
        for (int i = cx0; i < cx1; i++) {
          const int top = t[i], bot = b[i];
          row[i] = (uint8_t)(((top << 8) + (bot - top) * wy + 32768) >> 16);
        }
      } else {
        for (int i = cx0; i < cx1; i++) {
          const int top = t[i], bot = b[i];
          const int s = ((top << 8) + (bot - top) * wy + 32768) >> 16;
          const int d = row[i];
          row[i] = (uint8_t)(d + (((s - d) * op + 32768) >> 16));
        }
      }
      for (int i = 0; i < n; i++) {
        if (i == cx0) i = cx1;
        if (i >= n) break;
        const int cov = covx[i];
        if (cov == 0) continue;
        const int top = t[i], bot = b[i];
        const int s = ((top << 8) + (bot - top) * wy + 32768) >> 16;
        const int a = (op * cov) >> 8;
        if (a >= 65536) row[i] = (uint8_t)s;
        else if (a > 0) row[i] = (uint8_t)(row[i] + (((s - row[i]) * a + 32768) >> 16));
      }
      continue;
    }
    const uint16_t *ta = har[0], *ba = har[1];
    for (int i = 0; i < n; i++) {
      const int cov = covx[i] < covy ? covx[i] : covy;
      if (cov == 0) continue;
      const int top = t[i], bot = b[i];
      const int s = ((top << 8) + (bot - top) * wy + 32768) >> 16;
      int a = (op * cov) >> 8;
      if (alpha) {
        const int at = ta[i], ab = ba[i];
        int al = ((at << 8) + (ab - at) * wy + 32768) >> 16;
        al += al >> 7;
        a = (a * al) >> 8;
      }
      if (a >= 65536) row[i] = (uint8_t)s;
      else if (a > 0) row[i] = (uint8_t)(row[i] + (((s - row[i]) * a + 32768) >> 16));
    }
  }
  free(xi0);
  free(rows);
  hplan_free(&plan);
}

// The x range [*xa, *xb) within [x0, x1) where k·(x + ½) + c surely lies in [lo, hi] (with a margin
// for rounding, and one pixel less at each end): a conservative answer, never a wrong one.
static void sure_span(double k, double c, double lo, double hi, int x0, int x1, int *xa, int *xb) {
  const double eps = 1e-3;
  lo += eps;
  hi -= eps;
  double a, b;
  if (k > 0.0) {
    a = (lo - c) / k - 0.5;
    b = (hi - c) / k - 0.5;
  } else if (k < 0.0) {
    a = (hi - c) / k - 0.5;
    b = (lo - c) / k - 0.5;
  } else {
    if (c < lo || c > hi) *xa = *xb = x0;
    return;
  }
  if (!(a <= b)) {  // also NaN
    *xa = *xb = x0;
    return;
  }
  a = ceil(a) + 1.0;
  b = floor(b);  // the last x, inclusive, after giving up one pixel
  if (a > (double)*xa) *xa = a > (double)x1 ? x1 : (int)a;
  if (b + 1.0 < (double)*xb) *xb = b + 1.0 < (double)x0 ? x0 : (int)(b + 1.0);
  if (*xb < *xa) *xb = *xa;
}

// One pixel of the general path: sampled at (u, v), weighted by coverage, alpha and opacity.
static inline __attribute__((always_inline)) void general_pixel(uint8_t *px, const uint8_t *src, int sw, int sh,
                                                                const uint8_t *alpha, const double *p, int op,
                                                                double u, double v, double aau, double aav) {
  const int cov = coverage(u, v, p + P_WIN, aau, aav);
  if (cov == 0) return;
  const int s = bilinear(src, sw, sh, u, v);
  int a = (op * cov) >> 8;
  if (alpha) {
    int al = bilinear(alpha, sw, sh, u, v);
    al += al >> 7;
    a = (a * al) >> 8;
  }
  if (a >= 65536) *px = (uint8_t)s;
  else if (a > 0) *px = (uint8_t)(*px + (((s - *px) * a + 32768) >> 16));
}

// bilinear() where both sample columns and rows lie inside the source (no clamping needed).
static inline __attribute__((always_inline)) int bilinear_inside(const uint8_t *src, int sw, double fx, double fy,
                                                                 int wx, int wy) {
  const uint8_t *r0 = src + (size_t)(int)fy * sw + (int)fx, *r1 = r0 + sw;
  const int a = r0[0], b = r0[1], c = r1[0], d = r1[1];
  const int top = (a << 8) + (b - a) * wx, bot = (c << 8) + (d - c) * wx;
  return ((top << 8) + (bot - top) * wy + 32768) >> 16;
}

#if REELFORGE_X86
static inline uint32_t load_pair(const uint8_t *p) {
  uint16_t v;
  memcpy(&v, p, 2);
  return v;
}

// The sure span of one row, 4 pixels at a time: the scalar arithmetic in 4 lanes (the same double
// operations, truncations and integer steps, so the same bytes). Returns where it stopped.
__attribute__((target("avx2"))) static int interior_avx2(uint8_t *row, int xa, int xb, const uint8_t *src,
                                                         const uint8_t *alpha, int sw, double m0, double ub,
                                                         double m3, double vb, int op) {
  const __m256d vm0 = _mm256_set1_pd(m0), vub = _mm256_set1_pd(ub);
  const __m256d vm3 = _mm256_set1_pd(m3), vvb = _mm256_set1_pd(vb);
  const __m256d half = _mm256_set1_pd(0.5), k256 = _mm256_set1_pd(256.0);
  const __m256d lane = _mm256_set_pd(3.5, 2.5, 1.5, 0.5);
  const __m128i vsw = _mm_set1_epi32(sw), ff = _mm_set1_epi32(255), rnd = _mm_set1_epi32(32768);
  int x = xa;
  for (; x + 4 <= xb; x += 4) {
    const __m256d xc = _mm256_add_pd(_mm256_set1_pd((double)x), lane);  // exactly (double)(x + k) + 0.5
    const __m256d uu = _mm256_sub_pd(_mm256_add_pd(_mm256_mul_pd(vm0, xc), vub), half);
    const __m256d vv = _mm256_sub_pd(_mm256_add_pd(_mm256_mul_pd(vm3, xc), vvb), half);
    const __m256d fx = _mm256_floor_pd(uu), fy = _mm256_floor_pd(vv);
    const __m128i wx = _mm256_cvttpd_epi32(_mm256_mul_pd(_mm256_sub_pd(uu, fx), k256));
    const __m128i wy = _mm256_cvttpd_epi32(_mm256_mul_pd(_mm256_sub_pd(vv, fy), k256));
    const __m128i idx = _mm_add_epi32(_mm_mullo_epi32(_mm256_cvttpd_epi32(fy), vsw), _mm256_cvttpd_epi32(fx));
    int i[4];
    _mm_storeu_si128((__m128i *)i, idx);
    const __m128i t = _mm_set_epi32(load_pair(src + i[3]), load_pair(src + i[2]), load_pair(src + i[1]),
                                    load_pair(src + i[0]));
    const __m128i b = _mm_set_epi32(load_pair(src + i[3] + sw), load_pair(src + i[2] + sw),
                                    load_pair(src + i[1] + sw), load_pair(src + i[0] + sw));
#define RF_BILERP(T, B, OUT)                                                                              \
  do {                                                                                                    \
    const __m128i ta = _mm_and_si128(T, ff), tb = _mm_srli_epi32(T, 8);                                  \
    const __m128i ba = _mm_and_si128(B, ff), bb = _mm_srli_epi32(B, 8);                                  \
    const __m128i top = _mm_add_epi32(_mm_slli_epi32(ta, 8), _mm_mullo_epi32(_mm_sub_epi32(tb, ta), wx)); \
    const __m128i bot = _mm_add_epi32(_mm_slli_epi32(ba, 8), _mm_mullo_epi32(_mm_sub_epi32(bb, ba), wx)); \
    OUT = _mm_srai_epi32(                                                                                 \
        _mm_add_epi32(_mm_add_epi32(_mm_slli_epi32(top, 8), _mm_mullo_epi32(_mm_sub_epi32(bot, top), wy)), \
                      rnd),                                                                               \
        16);                                                                                              \
  } while (0)
    __m128i sv, a = _mm_set1_epi32(op);
    RF_BILERP(t, b, sv);
    if (alpha) {
      const __m128i at = _mm_set_epi32(load_pair(alpha + i[3]), load_pair(alpha + i[2]), load_pair(alpha + i[1]),
                                       load_pair(alpha + i[0]));
      const __m128i ab = _mm_set_epi32(load_pair(alpha + i[3] + sw), load_pair(alpha + i[2] + sw),
                                       load_pair(alpha + i[1] + sw), load_pair(alpha + i[0] + sw));
      __m128i al;
      RF_BILERP(at, ab, al);
      al = _mm_add_epi32(al, _mm_srli_epi32(al, 7));
      a = _mm_srli_epi32(_mm_mullo_epi32(a, al), 8);
    }
#undef RF_BILERP
    // d + ((s − d)·a + 32768) >> 16 is s at a = 65536 and d at a = 0, as the scalar branches give.
    uint32_t d4;
    memcpy(&d4, row + x, 4);
    const __m128i d = _mm_cvtepu8_epi32(_mm_cvtsi32_si128((int)d4));
    const __m128i o =
        _mm_add_epi32(d, _mm_srai_epi32(_mm_add_epi32(_mm_mullo_epi32(_mm_sub_epi32(sv, d), a), rnd), 16));
    const __m128i packed = _mm_packus_epi16(_mm_packus_epi32(o, o), _mm_setzero_si128());
    d4 = (uint32_t)_mm_cvtsi128_si32(packed);
    memcpy(row + x, &d4, 4);
  }
  return x;
}
#endif

// Rotated or skewed maps. Each row has a span where the sample is surely fully covered and inside the
// source: there the coverage and the clamping are skipped, with the very same arithmetic otherwise.
static inline __attribute__((always_inline)) void general_blend_body(uint8_t *dst, int dw, const uint8_t *src,
                                                                     int sw, int sh, const uint8_t *alpha,
                                                                     const double *p, int x0, int y0, int x1,
                                                                     int y1, int simd) {
  const double m0 = p[0], m1 = p[1], m2 = p[2], m3 = p[3], m4 = p[4], m5 = p[5];
  const int op = (int)p[P_OPACITY];
  const double aau = p[P_AA], aav = p[P_AAV];
  const double *w = p + P_WIN;
  // Fully covered: distance to the window ≥ ½ destination pixel; no clamping: ½ ≤ u < sw − ½.
  const double ulo = fmax(w[0] + 0.5 / aau, 0.5), uhi = fmin(w[2] - 0.5 / aau, (double)sw - 0.5);
  const double vlo = fmax(w[1] + 0.5 / aav, 0.5), vhi = fmin(w[3] - 0.5 / aav, (double)sh - 0.5);
  for (int y = y0; y < y1; y++) {
    const double yc = (double)y + 0.5;
    const double ub = m1 * yc + m2, vb = m4 * yc + m5;
    uint8_t *row = dst + (size_t)y * dw;
    int xa = x0, xb = x1;
    if (aau > 0.0 && aav > 0.0) {
      sure_span(m0, ub, ulo, uhi, x0, x1, &xa, &xb);
      sure_span(m3, vb, vlo, vhi, x0, x1, &xa, &xb);
    } else {
      xa = xb = x0;
    }
    for (int x = x0; x < xa; x++) {
      const double xc = (double)x + 0.5;
      general_pixel(row + x, src, sw, sh, alpha, p, op, m0 * xc + ub, m3 * xc + vb, aau, aav);
    }
    int x = xa;
#if REELFORGE_X86
    // Lane indices are 32-bit.
    if (simd && (size_t)sw * (size_t)sh < 0x7fffffffu)
      x = interior_avx2(row, xa, xb, src, alpha, sw, m0, ub, m3, vb, op);
#endif
    for (; x < xb; x++) {
      const double xc = (double)x + 0.5;
      const double u = m0 * xc + ub, v = m3 * xc + vb;
      const double uu = u - 0.5, vv = v - 0.5;
      const double fx = floor(uu), fy = floor(vv);
      const int wx = (int)((uu - fx) * 256.0), wy = (int)((vv - fy) * 256.0);
      const int s = bilinear_inside(src, sw, fx, fy, wx, wy);
      int a = op;
      if (alpha) {
        int al = bilinear_inside(alpha, sw, fx, fy, wx, wy);
        al += al >> 7;
        a = (a * al) >> 8;
      }
      if (a >= 65536) row[x] = (uint8_t)s;
      else if (a > 0) row[x] = (uint8_t)(row[x] + (((s - row[x]) * a + 32768) >> 16));
    }
    for (int x = xb > xa ? xb : xa; x < x1; x++) {
      const double xc = (double)x + 0.5;
      general_pixel(row + x, src, sw, sh, alpha, p, op, m0 * xc + ub, m3 * xc + vb, aau, aav);
    }
  }
}

#if REELFORGE_X86
// Both drawing paths compiled for AVX2, chosen at run time. The axis path's vertical pass runs 8 pixels
// wide and its rows are filtered with byte shuffles; in the general path floor() becomes one instruction
// (AVX2 implies SSE4.1) and the sure span runs 4 pixels at a time. The same bytes as the plain build.
__attribute__((target("avx2"))) static void blend_avx2(uint8_t *dst, int dw, const uint8_t *src, int sw, int sh,
                                                        const uint8_t *alpha, const double *p, int x0, int y0,
                                                        int x1, int y1, int axis) {
  if (axis) axis_blend_body(dst, dw, src, sw, sh, alpha, p, x0, y0, x1, y1, 1);
  else general_blend_body(dst, dw, src, sw, sh, alpha, p, x0, y0, x1, y1, 1);
}
#endif

// dst(x, y) ← blend of src sampled at M·(x + ½, y + ½), weighted by alpha · opacity · edge coverage.
// Axis-aligned maps (scale and translate) take the separable path.
static void affine_blend(uint8_t *dst, int dw, int dh, const uint8_t *src, int sw, int sh,
                         const uint8_t *alpha, const double *p) {
  const int op = (int)p[P_OPACITY];
  const int x0 = clampi((int)p[P_X0], 0, dw), y0 = clampi((int)p[P_X0 + 1], 0, dh);
  const int x1 = clampi((int)p[P_X0 + 2], 0, dw), y1 = clampi((int)p[P_X0 + 3], 0, dh);
  if (op <= 0 || x1 <= x0 || y1 <= y0) return;
  const int axis = p[1] == 0.0 && p[3] == 0.0;
#if REELFORGE_X86
  if (use_avx2()) {
    blend_avx2(dst, dw, src, sw, sh, alpha, p, x0, y0, x1, y1, axis);
    return;
  }
#endif
  if (axis) axis_blend_body(dst, dw, src, sw, sh, alpha, p, x0, y0, x1, y1, 0);
  else general_blend_body(dst, dw, src, sw, sh, alpha, p, x0, y0, x1, y1, 0);
}


// ---- Effect kernels (src/engine/kernels/js-effect-kernels.ts mirrors these exactly) ----

// Motion blur: acc[i] += src[i].
static void accumulate(uint16_t *acc, const uint8_t *src, size_t n) {
  for (size_t i = 0; i < n; i++) acc[i] = (uint16_t)(acc[i] + src[i]);
}

// dst[i] = floor((acc[i] + count/2) / count), by a reciprocal exact for acc < 2^16 and count ≤ 256.
static void resolve_accumulator(const uint16_t *acc, int count, uint8_t *dst, size_t n) {
  const uint64_t m = (16777216u + (uint64_t)count - 1) / (uint64_t)count;
  const uint32_t half = (uint32_t)(count >> 1);
  for (size_t i = 0; i < n; i++) dst[i] = (uint8_t)((((uint64_t)acc[i] + half) * m) >> 24);
}

static void box_rows(const uint16_t *src, uint16_t *dst, int w, int h, int r) {
  const double recip = 1.0 / (double)(2 * r + 1);
  for (int y = 0; y < h; y++) {
    const uint16_t *row = src + (size_t)y * w;
    uint16_t *out = dst + (size_t)y * w;
    int32_t sum = (r + 1) * row[0];
    for (int k = 1; k <= r; k++) sum += row[k < w ? k : w - 1];
    for (int x = 0; x < w; x++) {
      out[x] = (uint16_t)(int32_t)((double)sum * recip + 0.5);
      const int add = x + r + 1, sub = x - r;
      sum += row[add < w ? add : w - 1] - row[sub > 0 ? sub : 0];
    }
  }
}

static void box_columns(const uint16_t *src, uint16_t *dst, int w, int h, int r, int32_t *sums) {
  const double recip = 1.0 / (double)(2 * r + 1);
  for (int x = 0; x < w; x++) sums[x] = (r + 1) * src[x];
  for (int k = 1; k <= r; k++) {
    const uint16_t *row = src + (size_t)(k < h ? k : h - 1) * w;
    for (int x = 0; x < w; x++) sums[x] += row[x];
  }
  for (int y = 0; y < h; y++) {
    uint16_t *out = dst + (size_t)y * w;
    const uint16_t *add = src + (size_t)(y + r + 1 < h ? y + r + 1 : h - 1) * w;
    const uint16_t *sub = src + (size_t)(y - r > 0 ? y - r : 0) * w;
    for (int x = 0; x < w; x++) {
      const int32_t s = sums[x];
      out[x] = (uint16_t)(int32_t)((double)s * recip + 0.5);
      sums[x] = s + add[x] - sub[x];
    }
  }
}

static void box3(uint16_t *a, uint16_t *b, int w, int h, int r, int32_t *sums) {
  box_rows(a, b, w, h, r);
  box_rows(b, a, w, h, r);
  box_rows(a, b, w, h, r);
  box_columns(b, a, w, h, r, sums);
  box_columns(a, b, w, h, r, sums);
  box_columns(b, a, w, h, r, sums);
}

// Three box passes each way; with a weight plane, colours are averaged in proportion to it.
static int blur_plane(uint8_t *dst, const uint8_t *src, const uint8_t *weight, int w, int h, int r) {
  const size_t n = (size_t)w * h;
  if (r <= 0) {
    memmove(dst, src, n);
    return 1;
  }
  uint16_t *a = malloc(sizeof(uint16_t) * n * (weight ? 3 : 2));
  int32_t *sums = malloc(sizeof(int32_t) * (size_t)w);
  if (!a || !sums) {
    free(a);
    free(sums);
    return 0;
  }
  uint16_t *b = a + n;
  if (!weight) {
    for (size_t i = 0; i < n; i++) a[i] = (uint16_t)(src[i] << 4);
    box3(a, b, w, h, r, sums);
    for (size_t i = 0; i < n; i++) {
      const int v = (a[i] + 8) >> 4;
      dst[i] = (uint8_t)(v > 255 ? 255 : v);
    }
  } else {
    uint16_t *wa = b + n;
    for (size_t i = 0; i < n; i++) {
      a[i] = (uint16_t)(src[i] * weight[i]);
      wa[i] = (uint16_t)(weight[i] << 4);
    }
    box3(a, b, w, h, r, sums);
    box3(wa, b, w, h, r, sums);
    for (size_t i = 0; i < n; i++) {
      const uint32_t wt = wa[i];
      if (wt == 0) {
        dst[i] = src[i];
        continue;
      }
      const uint32_t v = ((uint32_t)a[i] * 16 + (wt >> 1)) / wt;
      dst[i] = (uint8_t)(v > 255 ? 255 : v);
    }
  }
  free(a);
  free(sums);
  return 1;
}

static void lerp_plane(uint8_t *dst, const uint8_t *a, const uint8_t *b, int t, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const int x = a[i];
    dst[i] = (uint8_t)(x + (((b[i] - x) * t + 128) >> 8));
  }
}

#define MAX_LEVELS 32

static void mix_levels(uint8_t *dst, size_t n, const uint8_t *const *levels, int count, const uint8_t *map,
                       const uint16_t *lut) {
  const int last = count - 1;
  for (size_t i = 0; i < n; i++) {
    const int p = lut[map[i]];
    const int k = p >> 8, f = p & 255;
    if (k >= last) {
      dst[i] = levels[last][i];
      continue;
    }
    const int x = levels[k][i];
    dst[i] = (uint8_t)(f == 0 ? x : x + (((levels[k + 1][i] - x) * f + 128) >> 8));
  }
}

static void *buffer_data(napi_env env, napi_value v, size_t *len) {
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return NULL;
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &off) != napi_ok) return NULL;
  if (len) *len = length;
  return data;
}

static int get_int(napi_env env, napi_value v) {
  int32_t r = 0;
  napi_get_value_int32(env, v, &r);
  return r;
}

// affineBlend(dst, dw, dh, src, sw, sh, alpha | null, params: Float64Array(16))
static napi_value js_affine_blend(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 8) {
    napi_throw_type_error(env, NULL, "affineBlend: expected 8 arguments");
    return NULL;
  }
  size_t dlen = 0, slen = 0, alen = 0, plen = 0;
  uint8_t *dst = buffer_data(env, argv[0], &dlen);
  int dw = get_int(env, argv[1]), dh = get_int(env, argv[2]);
  const uint8_t *src = buffer_data(env, argv[3], &slen);
  int sw = get_int(env, argv[4]), sh = get_int(env, argv[5]);
  const uint8_t *alpha = buffer_data(env, argv[6], &alen);
  const double *p = buffer_data(env, argv[7], &plen);
  if (!dst || !src || !p || plen < P_LEN || dw <= 0 || dh <= 0 || sw <= 0 || sh <= 0 ||
      dlen < (size_t)dw * dh || slen < (size_t)sw * sh || (alpha && alen < (size_t)sw * sh)) {
    napi_throw_range_error(env, NULL, "affineBlend: buffer sizes do not match the dimensions");
    return NULL;
  }
  affine_blend(dst, dw, dh, src, sw, sh, alpha, p);
  return NULL;
}

// lutPlane(plane, lut: Uint8Array(256)) — in place.
static napi_value js_lut_plane(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t n = 0, ln = 0;
  uint8_t *plane = argc >= 2 ? buffer_data(env, argv[0], &n) : NULL;
  const uint8_t *lut = argc >= 2 ? buffer_data(env, argv[1], &ln) : NULL;
  if (!plane || !lut || ln < 256) {
    napi_throw_type_error(env, NULL, "lutPlane: expected (plane, lut[256])");
    return NULL;
  }
  for (size_t i = 0; i < n; i++) plane[i] = lut[plane[i]];
  return NULL;
}


// rgbaToYuv(rgba, w, h, y, u, v, a | null, a2 | null, tables: Int32Array(9 × 256)); mirrors js-kernels.ts.
static void rgba_to_yuv(const uint8_t *rgba, int w, int h, uint8_t *Y, uint8_t *U, uint8_t *V, uint8_t *A,
                        uint8_t *A2, const int32_t *t) {
  size_t n = (size_t)w * (size_t)h;
  for (size_t i = 0, o = 0; i < n; i++, o += 4) {
    Y[i] = (uint8_t)((1048576 + t[rgba[o]] + t[256 + rgba[o + 1]] + t[512 + rgba[o + 2]] + 32768) >> 16);
    if (A) A[i] = rgba[o + 3];
  }
  int cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  for (int cy = 0; cy < ch; cy++) {
    for (int cx = 0; cx < cw; cx++) {
      int64_t su = 0, sv = 0;
      int sw = 0, count = 0;
      for (int dy = 0; dy < 2; dy++) {
        int py = cy * 2 + dy;
        if (py >= h) continue;
        for (int dx = 0; dx < 2; dx++) {
          int px = cx * 2 + dx;
          if (px >= w) continue;
          size_t o = ((size_t)py * w + px) * 4;
          int al = A ? rgba[o + 3] + 1 : 1;
          int r = rgba[o], g = rgba[o + 1], b = rgba[o + 2];
          su += (int64_t)(t[768 + r] + t[1024 + g] + t[1280 + b]) * al;
          sv += (int64_t)(t[1536 + r] + t[1792 + g] + t[2048 + b]) * al;
          sw += al;
          count++;
        }
      }
      size_t ci = (size_t)cy * cw + cx;
      double qu = floor(128.0 + (double)su / (65536.0 * sw) + 0.5);
      double qv = floor(128.0 + (double)sv / (65536.0 * sw) + 0.5);
      U[ci] = (uint8_t)(qu < 0 ? 0 : qu > 255 ? 255 : qu);
      V[ci] = (uint8_t)(qv < 0 ? 0 : qv > 255 ? 255 : qv);
      if (A2) A2[ci] = (uint8_t)floor((double)(sw - count) / count + 0.5);
    }
  }
}

static napi_value js_rgba_to_yuv(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 9) {
    napi_throw_type_error(env, NULL, "rgbaToYuv: expected 9 arguments");
    return NULL;
  }
  size_t rn = 0, yn = 0, un = 0, vn = 0, an = 0, a2n = 0, tn = 0;
  const uint8_t *rgba = buffer_data(env, argv[0], &rn);
  int w = get_int(env, argv[1]), h = get_int(env, argv[2]);
  uint8_t *Y = buffer_data(env, argv[3], &yn);
  uint8_t *U = buffer_data(env, argv[4], &un);
  uint8_t *V = buffer_data(env, argv[5], &vn);
  uint8_t *A = buffer_data(env, argv[6], &an);
  uint8_t *A2 = buffer_data(env, argv[7], &a2n);
  const int32_t *t = buffer_data(env, argv[8], &tn);
  size_t n = (size_t)(w > 0 ? w : 0) * (size_t)(h > 0 ? h : 0);
  size_t cn = (size_t)((w + 1) >> 1) * (size_t)((h + 1) >> 1);
  if (!rgba || !Y || !U || !V || !t || w <= 0 || h <= 0 || rn < n * 4 || yn < n || un < cn || vn < cn ||
      tn < 9 * 256 || (A && an < n) || (A2 && a2n < cn) || (!A) != (!A2)) {
    napi_throw_range_error(env, NULL, "rgbaToYuv: planes or tables too small for the picture size");
    return NULL;
  }
  rgba_to_yuv(rgba, w, h, Y, U, V, A, A2, t);
  return NULL;
}

// streamBuffer(fd, bytes) → the kernel buffer of a pipe (F_SETPIPE_SZ) or socket (SO_SNDBUF, forced when
// privileged) after the call, or -errno. Node gives a child's stdin as a Unix socket of ~208 KB: a 1080p
// frame then needs the writer to run ~15 times; with a buffer of a frame or more, once.
static napi_value js_stream_buffer(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int result = -EINVAL;
  if (argc >= 2) {
    int fd = get_int(env, argv[0]), bytes = get_int(env, argv[1]);
#ifdef F_SETPIPE_SZ
    result = fcntl(fd, F_SETPIPE_SZ, bytes);
    if (result < 0) result = -errno;
#endif
    if (result < 0) {
      if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof bytes) != 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
      int now = 0;
      socklen_t len = sizeof now;
      result = getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &now, &len) == 0 ? now : -errno;
    }
  }
  napi_value out;
  napi_create_int32(env, result, &out);
  return out;
}

static double get_double(napi_env env, napi_value v) {
  double r = 0;
  napi_get_value_double(env, v, &r);
  return r;
}

// accumulate(acc: Uint16Array, src: Uint8Array)
static napi_value js_accumulate(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t an = 0, sn = 0;
  uint16_t *acc = argc >= 2 ? buffer_data(env, argv[0], &an) : NULL;
  const uint8_t *src = argc >= 2 ? buffer_data(env, argv[1], &sn) : NULL;
  if (!acc || !src) {
    napi_throw_type_error(env, NULL, "accumulate: expected (acc: Uint16Array, src: Uint8Array)");
    return NULL;
  }
  accumulate(acc, src, an < sn ? an : sn);
  return NULL;
}

// resolveAccumulator(acc: Uint16Array, count, dst: Uint8Array)
static napi_value js_resolve_accumulator(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t an = 0, dn = 0;
  const uint16_t *acc = argc >= 3 ? buffer_data(env, argv[0], &an) : NULL;
  uint8_t *dst = argc >= 3 ? buffer_data(env, argv[2], &dn) : NULL;
  if (!acc || !dst) {
    napi_throw_type_error(env, NULL, "resolveAccumulator: expected (acc, count, dst)");
    return NULL;
  }
  const int count = clampi((int)get_double(env, argv[1]), 1, 256);
  resolve_accumulator(acc, count, dst, an < dn ? an : dn);
  return NULL;
}

// blurPlane(dst, src, weight | null, w, h, radius)
static napi_value js_blur_plane(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "blurPlane: expected 6 arguments");
    return NULL;
  }
  size_t dn = 0, sn = 0, wn = 0;
  uint8_t *dst = buffer_data(env, argv[0], &dn);
  const uint8_t *src = buffer_data(env, argv[1], &sn);
  const uint8_t *weight = buffer_data(env, argv[2], &wn);
  const int w = get_int(env, argv[3]), h = get_int(env, argv[4]), r = get_int(env, argv[5]);
  const size_t n = (size_t)w * (size_t)h;
  if (!dst || !src || w <= 0 || h <= 0 || dn < n || sn < n || (weight && wn < n) || dst == src) {
    napi_throw_range_error(env, NULL, "blurPlane: buffer sizes do not match the dimensions");
    return NULL;
  }
  if (!blur_plane(dst, src, weight, w, h, r)) napi_throw_error(env, NULL, "blurPlane: out of memory");
  return NULL;
}

// lerpPlane(dst, a, b, t)
static napi_value js_lerp_plane(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t dn = 0, an = 0, bn = 0;
  uint8_t *dst = argc >= 4 ? buffer_data(env, argv[0], &dn) : NULL;
  const uint8_t *a = argc >= 4 ? buffer_data(env, argv[1], &an) : NULL;
  const uint8_t *b = argc >= 4 ? buffer_data(env, argv[2], &bn) : NULL;
  if (!dst || !a || !b) {
    napi_throw_type_error(env, NULL, "lerpPlane: expected (dst, a, b, t)");
    return NULL;
  }
  size_t n = dn < an ? dn : an;
  n = n < bn ? n : bn;
  lerp_plane(dst, a, b, clampi((int)get_double(env, argv[3]), 0, 256), n);
  return NULL;
}

// mixLevels(dst, levels: Uint8Array[], map: Uint8Array, lut: Uint16Array(256))
static napi_value js_mix_levels(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t dn = 0, mn = 0, ln = 0;
  uint8_t *dst = argc >= 4 ? buffer_data(env, argv[0], &dn) : NULL;
  const uint8_t *map = argc >= 4 ? buffer_data(env, argv[2], &mn) : NULL;
  const uint16_t *lut = argc >= 4 ? buffer_data(env, argv[3], &ln) : NULL;
  uint32_t count = 0;
  bool is_array = false;
  if (argc >= 4) napi_is_array(env, argv[1], &is_array);
  if (is_array) napi_get_array_length(env, argv[1], &count);
  if (!dst || !map || !lut || ln < 256 || mn < dn || count == 0 || count > MAX_LEVELS) {
    napi_throw_range_error(env, NULL, "mixLevels: expected (dst, levels[1..32], map ≥ dst, lut[256])");
    return NULL;
  }
  const uint8_t *levels[MAX_LEVELS];
  for (uint32_t k = 0; k < count; k++) {
    napi_value el;
    size_t en = 0;
    napi_get_element(env, argv[1], k, &el);
    levels[k] = buffer_data(env, el, &en);
    if (!levels[k] || en < dn) {
      napi_throw_range_error(env, NULL, "mixLevels: every level must be a plane at least as large as dst");
      return NULL;
    }
  }
  mix_levels(dst, dn, levels, (int)count, map, lut);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"affineBlend", NULL, js_affine_blend, NULL, NULL, NULL, napi_default, NULL},
      {"lutPlane", NULL, js_lut_plane, NULL, NULL, NULL, napi_default, NULL},
      {"rgbaToYuv", NULL, js_rgba_to_yuv, NULL, NULL, NULL, napi_default, NULL},
      {"streamBuffer", NULL, js_stream_buffer, NULL, NULL, NULL, napi_default, NULL},
      {"accumulate", NULL, js_accumulate, NULL, NULL, NULL, napi_default, NULL},
      {"resolveAccumulator", NULL, js_resolve_accumulator, NULL, NULL, NULL, napi_default, NULL},
      {"blurPlane", NULL, js_blur_plane, NULL, NULL, NULL, napi_default, NULL},
      {"lerpPlane", NULL, js_lerp_plane, NULL, NULL, NULL, napi_default, NULL},
      {"mixLevels", NULL, js_mix_levels, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
