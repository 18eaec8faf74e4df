// See detail/dicom_structure.h.  DICOM PS3.5 section 7 (data elements,
// explicit and implicit VR) and 7.5 (nesting of sequences and items).
#include "detail/dicom_structure.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string_view>

#include "lvsi/core/error.h"

namespace lvsi::io::detail {
namespace {

constexpr std::uint32_t kUndefined = 0xFFFFFFFFu;
constexpr int kMaxDepth = 64;
constexpr std::uint16_t kItemGroup = 0xFFFE;
constexpr std::uint16_t kItem = 0xE000, kItemEnd = 0xE00D, kSequenceEnd = 0xE0DD;

std::string TagText(std::uint16_t group, std::uint16_t element) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "(%04X,%04X)", group, element);
  return buf;
}

// The value representations of PS3.5 table 6.2-1; `long_form` for those
// whose explicit-VR length field has 32 bits.
bool KnownVr(std::string_view vr, bool* long_form) {
  static constexpr std::string_view kShort[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO",
                                                "LT", "PN", "SH", "SL", "SS", "ST", "TM", "UI", "UL", "US"};
  static constexpr std::string_view kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                               "SV", "UC", "UN", "UR", "UT", "UV"};
  for (auto v : kShort)
    if (vr == v) return *long_form = false, true;
  for (auto v : kLong)
    if (vr == v) return *long_form = true, true;
  return false;
}

class Walker {
 public:
  Walker(const std::string& path, const std::string& bytes) : path_(path), bytes_(bytes) {}

  void File() {
    std::size_t pos = 132;
    // File meta information: explicit VR little endian, group 0002, first
    // its group length (0002,0000), which must end the group at an element
    // boundary inside the file (GDCM asserts otherwise; DICOM requires it).
    std::string syntax;
    std::size_t group_end = 0;
    std::int64_t last = -1;
    if (bytes_.size() < 140 || U16(132, false) != 0x0002 || U16(134, false) != 0x0000)
      Fail(132, "the file meta information does not start with its group length (0002,0000)");
    while (pos + 4 <= bytes_.size() && U16(pos, false) == 0x0002) {
      const std::size_t start = pos;
      Element(&pos, bytes_.size(), true, false, 0, &last);
      const std::uint16_t element = U16(start + 2, false);
      if (element == 0x0010) syntax = Value(start, pos, true);
      if (element == 0x0000) {
        const std::string length = Value(start, pos, true);
        if (length.size() != 4) Fail(start, "the file meta group length (0002,0000) is not 4 bytes");
        const std::uint32_t n = U32(pos - 4, false);
        if (n > bytes_.size() - pos)
          Fail(start, "the file meta group claims " + std::to_string(n) + " bytes, but only " +
                          std::to_string(bytes_.size() - pos) + " follow");
        group_end = pos + n;
      }
    }
    if (pos != group_end)
      Fail(pos, "the file meta group ends at byte " + std::to_string(pos) + ", not at byte " +
                    std::to_string(group_end) + " as its group length (0002,0000) says");
    while (!syntax.empty() && (syntax.back() == '\0' || syntax.back() == ' ')) syntax.pop_back();
    if (syntax.empty()) Fail(132, "the file meta information has no TransferSyntaxUID (0002,0010)");
    if (syntax == "1.2.840.10008.1.2.1.99") return;  // deflated: no element stream to walk
    const bool explicit_vr = syntax != "1.2.840.10008.1.2";
    const bool big = syntax == "1.2.840.10008.1.2.2";
    while (pos < bytes_.size()) Element(&pos, bytes_.size(), explicit_vr, big, 0, &last);
  }

 private:
  [[noreturn]] void Fail(std::size_t at, const std::string& what) const {
    throw FormatError(path_, "malformed DICOM at byte " + std::to_string(at) + ": " + what);
  }
  void Need(std::size_t pos, std::size_t n, std::size_t end, const char* what) const {
    if (pos > end || end - pos < n) Fail(pos, std::string("the file ends inside ") + what);
  }
  std::uint16_t U16(std::size_t p, bool big) const {
    const auto b0 = static_cast<std::uint8_t>(bytes_[p]), b1 = static_cast<std::uint8_t>(bytes_[p + 1]);
    return big ? static_cast<std::uint16_t>(b0 << 8 | b1) : static_cast<std::uint16_t>(b1 << 8 | b0);
  }
  std::uint32_t U32(std::size_t p, bool big) const {
    const std::uint32_t a = U16(p, big), b = U16(p + 2, big);
    return big ? (a << 16 | b) : (b << 16 | a);
  }
  // The value of the element that starts at `start` and ends at `end`.
  std::string Value(std::size_t start, std::size_t end, bool explicit_vr) const {
    std::size_t header = 8;
    bool long_form = false;
    if (explicit_vr && KnownVr(std::string_view(bytes_).substr(start + 4, 2), &long_form) && long_form) header = 12;
    return start + header <= end ? bytes_.substr(start + header, end - start - header) : std::string();
  }

  // One data element at *pos, within [*pos, end); *pos moves past it.
  // `*last` is the previous element's tag in the same data set: tags ascend.
  void Element(std::size_t* pos, std::size_t end, bool explicit_vr, bool big, int depth, std::int64_t* last) {
    const std::size_t at = *pos;
    Need(at, 8, end, "a data element's header");
    const std::uint16_t group = U16(at, big), element = U16(at + 2, big);
    const std::string tag = TagText(group, element);
    if (group == kItemGroup) Fail(at, "item tag " + tag + " outside a sequence");
    const std::int64_t number = std::int64_t{group} << 16 | element;
    if (number <= *last) Fail(at, "element " + tag + " is out of order (tags must ascend)");
    *last = number;
    std::uint32_t length;
    bool sequence = false, undefined_allowed = false;
    std::string_view vr;
    std::size_t p = at;
    if (explicit_vr) {
      vr = std::string_view(bytes_).substr(at + 4, 2);
      bool long_form = false;
      if (!KnownVr(vr, &long_form))
        Fail(at, "element " + tag + " has no valid value representation ('" + Printable(vr) + "')");
      if (long_form) {
        Need(at, 12, end, "a data element's header");
        length = U32(at + 8, big);
        p = at + 12;
      } else {
        length = U16(at + 6, big);
        p = at + 8;
      }
      sequence = vr == "SQ";
      undefined_allowed = sequence || vr == "UN" || vr == "OB" || vr == "OW";
    } else {
      length = U32(at + 4, big);
      p = at + 8;
      undefined_allowed = true;  // only sequences have undefined length in implicit VR
    }
    if (length == kUndefined) {
      if (!undefined_allowed) Fail(at, "element " + tag + " (" + std::string(vr) + ") has an undefined length");
      if (depth >= kMaxDepth) Fail(at, "sequences nested deeper than " + std::to_string(kMaxDepth));
      // Encapsulated pixel data holds fragments; an undefined-length UN
      // holds an implicit-VR sequence (PS3.5 6.2.2).
      const bool fragments = explicit_vr && (vr == "OB" || vr == "OW");
      *pos = Items(p, end, /*defined_end=*/0, fragments, explicit_vr && vr != "UN", big, depth + 1, tag);
      return;
    }
    if (length > end - p)
      Fail(at, "element " + tag + " claims " + std::to_string(length) + " bytes, but only " +
                   std::to_string(end - p) + " follow");
    const std::size_t value_end = p + length;
    // A sequence of defined length, or (implicit VR, where the dictionary
    // alone tells) a value that starts as a sequence's first item does.
    const bool looks_like_items =
        !explicit_vr && length >= 8 && U16(p, big) == kItemGroup && U16(p + 2, big) == kItem;
    if ((sequence || looks_like_items) && length > 0) {
      if (depth >= kMaxDepth) Fail(at, "sequences nested deeper than " + std::to_string(kMaxDepth));
      Items(p, value_end, value_end, false, explicit_vr, big, depth + 1, tag);
    }
    *pos = value_end;
  }

  // The items of a sequence from `pos`: up to `defined_end` when the
  // sequence's length is defined (non-zero), else up to its delimiter.
  // Returns the position after the sequence.
  std::size_t Items(std::size_t pos, std::size_t end, std::size_t defined_end, bool fragments, bool explicit_vr,
                    bool big, int depth, const std::string& tag) {
    while (defined_end == 0 || pos < defined_end) {
      Need(pos, 8, end, ("sequence " + tag).c_str());
      const std::uint16_t group = U16(pos, big), element = U16(pos + 2, big);
      const std::uint32_t length = U32(pos + 4, big);
      if (group != kItemGroup || (element != kItem && element != kSequenceEnd))
        Fail(pos, "sequence " + tag + " holds " + TagText(group, element) + " where an item or its end belongs");
      if (element == kSequenceEnd) {
        if (defined_end != 0) Fail(pos, "sequence " + tag + " has a defined length and a delimiter");
        if (length != 0) Fail(pos, "the delimiter of sequence " + tag + " has a non-zero length");
        return pos + 8;
      }
      pos += 8;
      if (length == kUndefined) {
        if (fragments) Fail(pos - 8, "a pixel data fragment of undefined length");
        std::int64_t last = -1;
        while (true) {
          Need(pos, 8, end, ("an item of sequence " + tag).c_str());
          if (U16(pos, big) == kItemGroup && U16(pos + 2, big) == kItemEnd) {
            if (U32(pos + 4, big) != 0) Fail(pos, "an item delimiter of sequence " + tag + " has a non-zero length");
            pos += 8;
            break;
          }
          Element(&pos, end, explicit_vr, big, depth, &last);
        }
        continue;
      }
      if (length > end - pos)
        Fail(pos - 8, "an item of sequence " + tag + " claims " + std::to_string(length) + " bytes, but only " +
                          std::to_string(end - pos) + " follow");
      const std::size_t item_end = pos + length;
      std::int64_t last = -1;
      if (!fragments)
        while (pos < item_end) Element(&pos, item_end, explicit_vr, big, depth, &last);
      pos = item_end;
    }
    if (pos != defined_end) Fail(pos, "the items of sequence " + tag + " overrun its length");
    return pos;
  }

  static std::string Printable(std::string_view s) {
    std::string out;
    for (char c : s) out += (c >= 0x20 && c < 0x7F) ? c : '?';
    return out;
  }

  const std::string& path_;
  const std::string& bytes_;
};

}  // namespace

void CheckDicomStructure(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path, "cannot open file");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw IoError(path, "cannot read file");
  if (bytes.size() < 132 || bytes.compare(128, 4, "DICM") != 0)
    throw FormatError(path, "not a DICOM file (no \"DICM\" at byte 128)");
  Walker(path, bytes).File();
}

}  // namespace lvsi::io::detail
