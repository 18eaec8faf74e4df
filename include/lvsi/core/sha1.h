#pragma once
/// \file
/// SHA-1 (FIPS 180-4) of bytes: the content digests lvsi keys its caches
/// with (cohort cases, lvsi_radiomics -od rows, the study's networks) and
/// the image and mask hashes of pyradiomics' diagnostics (SimpleITK's
/// Hash()).  Uses the x86 SHA extensions where the CPU has them.  Not for
/// security.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lvsi/core/export.h"

namespace lvsi {

/// An incremental SHA-1: Add the message in pieces, then HexDigest once.
class LVSI_CORE_EXPORT Sha1 {
 public:
  Sha1();
  /// Appends `bytes` bytes to the message.
  void Add(const void* data, std::size_t bytes);
  /// Appends `text` to the message.
  void Add(std::string_view text) { Add(text.data(), text.size()); }
  /// The digest of everything added, as 40 lower-case hex digits.  Call once.
  std::string HexDigest();

 private:
  void Block(const unsigned char* block);
  std::array<std::uint32_t, 5> h_;
  unsigned char pending_[64];
  std::size_t pending_size_ = 0;
  std::uint64_t total_ = 0;
};

/// The SHA-1 of `bytes`, as 40 lower-case hex digits.
LVSI_CORE_EXPORT std::string Sha1Hex(std::string_view bytes);

}  // namespace lvsi
