#include "lvsi/core/sha1.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define LVSI_SHA1_NI 1
#endif

namespace lvsi {
namespace {

std::uint32_t Rotl(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

#ifdef LVSI_SHA1_NI
// The x86 SHA extensions: four rounds per instruction (about ten times the
// portable code's speed), for the CPUs that have them.
bool CpuHasSha() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19))) return false;  // SSSE3, SSE4.1
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  return (b >> 29) & 1u;  // SHA
}

// (LVSI_SIMD=baseline selects the portable code, as for lvsi's other kernels.)
bool UseShaExtensions() {
  static const bool cpu = CpuHasSha();
  const char* simd = std::getenv("LVSI_SIMD");
  return cpu && !(simd && std::strcmp(simd, "baseline") == 0);
}

// Groups of four rounds: the message words of group g are MSG[g % 4]; E
// alternates between E0 and E1; the schedule for group g + 1..3 is
// advanced as the words are used.
#define LVSI_SHA1_GROUP(E_USE, E_OTHER, W, W1, W2, W3, F)   \
  E_USE = _mm_sha1nexte_epu32(E_USE, W);                      \
  E_OTHER = abcd;                                             \
  W1 = _mm_sha1msg2_epu32(W1, W);                             \
  abcd = _mm_sha1rnds4_epu32(abcd, E_USE, F);                 \
  W3 = _mm_sha1msg1_epu32(W3, W);                             \
  W2 = _mm_xor_si128(W2, W);

__attribute__((target("sha,sse4.1,ssse3"))) void BlocksNi(std::uint32_t* h, const unsigned char* p,
                                                         std::size_t blocks) {
  const __m128i mask = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
  __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)), 0x1B);
  __m128i e0 = _mm_set_epi32(static_cast<int>(h[4]), 0, 0, 0), e1;
  for (; blocks > 0; --blocks, p += 64) {
    const __m128i abcd_saved = abcd, e0_saved = e0;
    __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), mask);
    __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)), mask);
    __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32)), mask);
    __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48)), mask);
    // Rounds 0-15: the block's own words.
    e0 = _mm_add_epi32(e0, m0);
    e1 = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
    e1 = _mm_sha1nexte_epu32(e1, m1);
    e0 = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);
    m0 = _mm_sha1msg1_epu32(m0, m1);
    e0 = _mm_sha1nexte_epu32(e0, m2);
    e1 = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
    m1 = _mm_sha1msg1_epu32(m1, m2);
    m0 = _mm_xor_si128(m0, m2);
    e1 = _mm_sha1nexte_epu32(e1, m3);
    e0 = abcd;
    m0 = _mm_sha1msg2_epu32(m0, m3);
    abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);
    m2 = _mm_sha1msg1_epu32(m2, m3);
    m1 = _mm_xor_si128(m1, m3);
    // Rounds 16-79.
    LVSI_SHA1_GROUP(e0, e1, m0, m1, m2, m3, 0)  // 16-19
    LVSI_SHA1_GROUP(e1, e0, m1, m2, m3, m0, 1)  // 20-23
    LVSI_SHA1_GROUP(e0, e1, m2, m3, m0, m1, 1)
    LVSI_SHA1_GROUP(e1, e0, m3, m0, m1, m2, 1)
    LVSI_SHA1_GROUP(e0, e1, m0, m1, m2, m3, 1)
    LVSI_SHA1_GROUP(e1, e0, m1, m2, m3, m0, 1)  // 36-39
    LVSI_SHA1_GROUP(e0, e1, m2, m3, m0, m1, 2)  // 40-43
    LVSI_SHA1_GROUP(e1, e0, m3, m0, m1, m2, 2)
    LVSI_SHA1_GROUP(e0, e1, m0, m1, m2, m3, 2)
    LVSI_SHA1_GROUP(e1, e0, m1, m2, m3, m0, 2)
    LVSI_SHA1_GROUP(e0, e1, m2, m3, m0, m1, 2)  // 56-59
    LVSI_SHA1_GROUP(e1, e0, m3, m0, m1, m2, 3)  // 60-63
    LVSI_SHA1_GROUP(e0, e1, m0, m1, m2, m3, 3)
    LVSI_SHA1_GROUP(e1, e0, m1, m2, m3, m0, 3)
    LVSI_SHA1_GROUP(e0, e1, m2, m3, m0, m1, 3)
    LVSI_SHA1_GROUP(e1, e0, m3, m0, m1, m2, 3)  // 76-79
    e0 = _mm_sha1nexte_epu32(e0, e0_saved);
    abcd = _mm_add_epi32(abcd, abcd_saved);
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h), _mm_shuffle_epi32(abcd, 0x1B));
  h[4] = static_cast<std::uint32_t>(_mm_extract_epi32(e0, 3));
}
#undef LVSI_SHA1_GROUP
#endif

}  // namespace

Sha1::Sha1() : h_{0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u} {}

void Sha1::Block(const unsigned char* p) {
  std::uint32_t w[80];
  for (int t = 0; t < 16; ++t)
    w[t] = std::uint32_t(p[4 * t]) << 24 | std::uint32_t(p[4 * t + 1]) << 16 | std::uint32_t(p[4 * t + 2]) << 8 |
           std::uint32_t(p[4 * t + 3]);
  for (int t = 16; t < 80; ++t) w[t] = Rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
  for (int t = 0; t < 80; ++t) {
    std::uint32_t f, k;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5A827999u;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ED9EBA1u;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8F1BBCDCu;
    } else {
      f = b ^ c ^ d;
      k = 0xCA62C1D6u;
    }
    const std::uint32_t temp = Rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = Rotl(b, 30);
    b = a;
    a = temp;
  }
  h_[0] += a;
  h_[1] += b;
  h_[2] += c;
  h_[3] += d;
  h_[4] += e;
}

void Sha1::Add(const void* data, std::size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  total_ += bytes;
  if (pending_size_ > 0) {
    const std::size_t take = std::min(bytes, sizeof pending_ - pending_size_);
    std::memcpy(pending_ + pending_size_, p, take);
    pending_size_ += take;
    p += take;
    bytes -= take;
    if (pending_size_ < sizeof pending_) return;
#ifdef LVSI_SHA1_NI
    if (UseShaExtensions()) BlocksNi(h_.data(), pending_, 1);
    else Block(pending_);
#else
    Block(pending_);
#endif
    pending_size_ = 0;
  }
#ifdef LVSI_SHA1_NI
  if (bytes >= 64 && UseShaExtensions()) {
    BlocksNi(h_.data(), p, bytes / 64);
    p += bytes / 64 * 64;
    bytes %= 64;
  }
#endif
  for (; bytes >= 64; p += 64, bytes -= 64) Block(p);
  std::memcpy(pending_, p, bytes);
  pending_size_ = bytes;
}

std::string Sha1::HexDigest() {
  const std::uint64_t bits = total_ * 8;
  const unsigned char one = 0x80, zero = 0;
  Add(&one, 1);
  while (pending_size_ != 56) Add(&zero, 1);
  unsigned char length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
  Add(length, 8);
  char hex[41];
  for (int i = 0; i < 5; ++i) std::snprintf(hex + 8 * i, 9, "%08x", h_[i]);
  return std::string(hex, 40);
}

std::string Sha1Hex(std::string_view bytes) {
  Sha1 digest;
  digest.Add(bytes);
  return digest.HexDigest();
}

}  // namespace lvsi
