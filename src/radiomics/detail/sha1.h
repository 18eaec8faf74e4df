#pragma once
// SHA-1 (FIPS 180-4), for the diagnostics' image and mask hashes: the
// digests SimpleITK's Hash() gives, which pyradiomics reports.  Not for
// security.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace lvsi::radiomics::detail {

class Sha1 {
 public:
  Sha1();
  /// Appends `bytes` bytes to the message.
  void Add(const void* data, std::size_t bytes);
  /// The digest of everything added, as 40 lower-case hex digits.  Call once.
  std::string HexDigest();

 private:
  void Block(const unsigned char* block);
  std::array<std::uint32_t, 5> h_;
  unsigned char pending_[64];
  std::size_t pending_size_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace lvsi::radiomics::detail
