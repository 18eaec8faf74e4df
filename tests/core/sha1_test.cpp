// SHA-1 against the FIPS 180 example messages and the NIST vectors, on the
// x86 SHA extensions (where the CPU has them) and on the portable code.
#include "lvsi/core/sha1.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

namespace lvsi {
namespace {

struct Vector {
  std::string message;
  const char* digest;
};

const Vector kVectors[] = {
    {"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
     "a49b2446a02c645bf419f995b67091253a04a259"},
    {std::string(1000000, 'a'), "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
};

void ExpectVectors() {
  for (const auto& v : kVectors) {
    EXPECT_EQ(Sha1Hex(v.message), v.digest) << v.message.size() << " bytes";
    // The same message added in uneven pieces (across block boundaries).
    Sha1 pieces;
    for (std::size_t at = 0, step = 1; at < v.message.size(); at += step, step = step * 3 % 97 + 1)
      pieces.Add(v.message.data() + at, std::min(step, v.message.size() - at));
    EXPECT_EQ(pieces.HexDigest(), v.digest) << v.message.size() << " bytes in pieces";
  }
}

TEST(Sha1, FipsVectors) { ExpectVectors(); }

TEST(Sha1, FipsVectorsOnThePortableCode) {
  ::setenv("LVSI_SIMD", "baseline", 1);
  ExpectVectors();
  ::unsetenv("LVSI_SIMD");
}

}  // namespace
}  // namespace lvsi
