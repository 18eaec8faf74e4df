// Direct NRRD reading for the layout nearly every NRRD file has; see
// nrrd_native.h.  Geometry follows ITK's NrrdImageIO: spacing = norm of each
// space direction, direction = vector / spacing, RAS spaces turned to LPS.
#include "detail/nrrd_native.h"

#include <libdeflate.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>

namespace lvsi::io::detail {
namespace {

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// "(x,y,z)" vectors as in "space directions" and "space origin"; "none"
// gives an empty vector.
bool ParseVectors(const std::string& text, std::vector<std::vector<double>>* out) {
  std::size_t pos = 0;
  while (true) {
    pos = text.find_first_not_of(" \t", pos);
    if (pos == std::string::npos) return true;
    if (text.compare(pos, 4, "none") == 0) {
      out->emplace_back();
      pos += 4;
      continue;
    }
    if (text[pos] != '(') return false;
    const auto close = text.find(')', pos);
    if (close == std::string::npos) return false;
    std::vector<double> v;
    std::string inner = text.substr(pos + 1, close - pos - 1);
    std::replace(inner.begin(), inner.end(), ',', ' ');
    std::istringstream in(inner);
    std::string token;
    while (in >> token) {
      char* end = nullptr;
      const double x = std::strtod(token.c_str(), &end);
      if (end == token.c_str() || *end != '\0' || !std::isfinite(x)) return false;
      v.push_back(x);
    }
    out->push_back(v);
    pos = close + 1;
  }
}

bool TypeOf(const std::string& type, std::string* name, std::size_t* bytes) {
  static const struct { const char* names; const char* lvsi; std::size_t bytes; } kTypes[] = {
      {"|signed char|int8|int8_t|", "int8", 1},
      {"|uchar|unsigned char|uint8|uint8_t|", "uint8", 1},
      {"|short|short int|signed short|signed short int|int16|int16_t|", "int16", 2},
      {"|ushort|unsigned short|unsigned short int|uint16|uint16_t|", "uint16", 2},
      {"|int|signed int|int32|int32_t|", "int32", 4},
      {"|uint|unsigned int|uint32|uint32_t|", "uint32", 4},
      {"|float|", "float32", 4},
      {"|double|", "float64", 8},
  };
  for (const auto& t : kTypes)
    if (std::strstr(t.names, ("|" + type + "|").c_str())) {
      *name = t.lvsi;
      *bytes = t.bytes;
      return true;
    }
  return false;
}

template <typename Stored, typename T>
void Convert(const unsigned char* data, bool swap, Volume<T>* out) {
  const std::size_t n = out->size();
  T* dst = out->data();
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char bytes[sizeof(Stored)];
    std::memcpy(bytes, data + i * sizeof(Stored), sizeof(Stored));
    if (swap) std::reverse(bytes, bytes + sizeof(Stored));
    Stored v;
    std::memcpy(&v, bytes, sizeof(Stored));
    dst[i] = static_cast<T>(v);
  }
}

bool ReadFile(const std::string& path, std::vector<unsigned char>* content) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return false;
  if (std::fseek(f.get(), 0, SEEK_END) != 0) return false;
  const long size = std::ftell(f.get());
  if (size < 0 || std::fseek(f.get(), 0, SEEK_SET) != 0) return false;
  content->resize(static_cast<std::size_t>(size));
  return std::fread(content->data(), 1, content->size(), f.get()) == content->size();
}

}  // namespace

std::optional<NrrdLayout> ParseNrrdHeader(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return std::nullopt;
  std::string line;
  std::size_t offset = 0;
  auto next_line = [&](std::string* out) {
    out->clear();
    int c;
    while ((c = std::fgetc(f.get())) != EOF) {
      ++offset;
      if (c == '\n') return true;
      out->push_back(static_cast<char>(c));
      if (out->size() > 65536) return false;
    }
    return !out->empty();
  };
  if (!next_line(&line) || line.rfind("NRRD000", 0) != 0) return std::nullopt;
  NrrdLayout layout;
  int dimension = 0;
  std::vector<std::size_t> sizes;
  std::vector<std::vector<double>> directions, origin;
  std::string space, type, encoding = "", endian = "little", kinds;
  bool have_space = false;
  while (true) {
    if (!next_line(&line)) return std::nullopt;  // no data after the header
    const std::string trimmed = Trim(line);
    if (trimmed.empty()) break;  // blank line: attached data follow
    if (trimmed[0] == '#') continue;
    const auto colon = trimmed.find(": ");
    if (colon == std::string::npos) {
      if (trimmed.find(":=") != std::string::npos) continue;  // key/value pairs
      return std::nullopt;
    }
    const std::string key = trimmed.substr(0, colon), value = Trim(trimmed.substr(colon + 2));
    if (key == "type") {
      type = value;
    } else if (key == "dimension") {
      dimension = std::atoi(value.c_str());
    } else if (key == "sizes") {
      std::istringstream in(value);
      std::size_t s;
      while (in >> s) sizes.push_back(s);
    } else if (key == "space") {
      space = value;
      have_space = true;
    } else if (key == "space dimension") {
      if (value != "3") return std::nullopt;
    } else if (key == "space directions") {
      if (!ParseVectors(value, &directions)) return std::nullopt;
    } else if (key == "space origin") {
      if (!ParseVectors(value, &origin)) return std::nullopt;
    } else if (key == "encoding") {
      encoding = value;
    } else if (key == "endian") {
      endian = value;
    } else if (key == "kinds") {
      kinds = value;
    } else if (key == "content" || key == "space units" || key == "measurement frame" || key == "labels" ||
               key == "units" || key == "centerings" || key == "centers" || key == "thicknesses") {
      continue;  // descriptive; ITK's geometry does not use them
    } else {
      return std::nullopt;  // data file, skips, spacings, axis mins, ...: leave to ITK
    }
  }
  layout.data_offset = offset;
  if (dimension != 3 || sizes.size() != 3) return std::nullopt;  // 2-D files are left to ITK
  if (!TypeOf(type, &layout.pixel_type, &layout.component_bytes)) return std::nullopt;
  if (encoding == "gzip" || encoding == "gz") layout.gzip = true;
  else if (encoding != "raw") return std::nullopt;
  if (endian != "little" && endian != "big") return std::nullopt;
  layout.big_endian = endian == "big";
  if (!kinds.empty()) {
    std::istringstream in(kinds);
    std::string k;
    while (in >> k)
      if (k != "domain" && k != "space") return std::nullopt;
  }
  // LPS as is; RAS flips x and y (ITK works in LPS).
  double flip[3] = {1, 1, 1};
  if (!have_space) return std::nullopt;
  if (space == "right-anterior-superior" || space == "RAS") flip[0] = flip[1] = -1;
  else if (space != "left-posterior-superior" && space != "LPS") return std::nullopt;
  if (directions.size() != 3 || origin.size() != 1 || origin[0].size() != 3) return std::nullopt;
  Geometry& g = layout.geometry;
  for (int a = 0; a < 3; ++a) {
    g.size[a] = sizes[static_cast<std::size_t>(a)];
    if (g.size[a] == 0) return std::nullopt;
    g.origin[a] = origin[0][static_cast<std::size_t>(a)] * flip[a];
    const auto& v = directions[static_cast<std::size_t>(a)];
    if (v.size() != 3) return std::nullopt;
    double nn = 0;
    for (double x : v) nn += x * x;
    const double norm = std::sqrt(nn);
    if (!(norm > 0)) return std::nullopt;
    g.spacing[a] = norm;
    for (int r = 0; r < 3; ++r)
      g.direction[static_cast<std::size_t>(3 * r + a)] = v[static_cast<std::size_t>(r)] * (1.0 / norm) * flip[r];  // teem scales by 1/norm
  }
  std::string why;
  if (!g.IsValid(&why)) return std::nullopt;
  return layout;
}

template <typename T>
std::optional<Volume<T>> ReadNrrdNative(const std::string& path, const NrrdLayout& layout) {
  std::vector<unsigned char> content;
  if (!ReadFile(path, &content) || content.size() < layout.data_offset) return std::nullopt;
  const std::size_t voxels = layout.geometry.NumVoxels();
  const std::size_t bytes = voxels * layout.component_bytes;
  const unsigned char* data = content.data() + layout.data_offset;
  std::vector<unsigned char> inflated;
  if (layout.gzip) {
    inflated.resize(bytes);
    std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> d(libdeflate_alloc_decompressor(),
                                                                                   &libdeflate_free_decompressor);
    if (!d) return std::nullopt;
    std::size_t in_used = 0, out_size = 0;
    const auto r = libdeflate_gzip_decompress_ex(d.get(), data, content.size() - layout.data_offset, inflated.data(),
                                                 bytes, &in_used, &out_size);
    // One gzip member holding exactly the data; anything else goes to ITK.
    if (r != LIBDEFLATE_SUCCESS || out_size != bytes) return std::nullopt;
    data = inflated.data();
  } else if (content.size() - layout.data_offset < bytes) {
    return std::nullopt;
  }
  Volume<T> out(layout.geometry);
  const bool swap = layout.big_endian;  // this library targets little-endian hosts
  const std::string& t = layout.pixel_type;
  if (t == "int8") Convert<std::int8_t>(data, swap, &out);
  else if (t == "uint8") Convert<std::uint8_t>(data, swap, &out);
  else if (t == "int16") Convert<std::int16_t>(data, swap, &out);
  else if (t == "uint16") Convert<std::uint16_t>(data, swap, &out);
  else if (t == "int32") Convert<std::int32_t>(data, swap, &out);
  else if (t == "uint32") Convert<std::uint32_t>(data, swap, &out);
  else if (t == "float32") Convert<float>(data, swap, &out);
  else Convert<double>(data, swap, &out);
  return out;
}

template std::optional<Volume<double>> ReadNrrdNative<double>(const std::string&, const NrrdLayout&);
template std::optional<Volume<std::int32_t>> ReadNrrdNative<std::int32_t>(const std::string&, const NrrdLayout&);

}  // namespace lvsi::io::detail
