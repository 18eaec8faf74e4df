#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/deepfeatures/resnet.h"

namespace lvsi::deepfeatures {

std::vector<float> ReadNpyFloat32(const std::string& path, std::vector<long>* shape) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path, std::filesystem::exists(path) ? "cannot open" : "file does not exist");
  std::error_code ec;
  const std::size_t file_bytes = static_cast<std::size_t>(std::filesystem::file_size(path, ec));
  if (ec) throw IoError(path, "cannot read its size: " + ec.message());
  char magic[6];
  unsigned char version[2];
  in.read(magic, 6);
  in.read(reinterpret_cast<char*>(version), 2);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) throw FormatError(path, "not a NumPy .npy file");
  std::size_t header_len = 0;
  if (version[0] == 1) {
    unsigned char h[2];
    in.read(reinterpret_cast<char*>(h), 2);
    header_len = h[0] | (h[1] << 8);
  } else {
    unsigned char h[4];
    in.read(reinterpret_cast<char*>(h), 4);
    header_len = h[0] | (h[1] << 8) | (h[2] << 16) | (static_cast<std::size_t>(h[3]) << 24);
  }
  if (header_len > file_bytes) throw FormatError(path, "truncated .npy header");
  std::string header(header_len, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_len));
  if (!in) throw FormatError(path, "truncated .npy header");
  if (header.find("'descr': '<f4'") == std::string::npos)
    throw FormatError(path, "the array is not little-endian float32 ('<f4')");
  if (header.find("'fortran_order': False") == std::string::npos) throw FormatError(path, "the array is not in C order");
  const auto open = header.find('('), close = header.find(')');
  if (open == std::string::npos || close == std::string::npos) throw FormatError(path, "no shape in the .npy header");
  shape->clear();
  std::size_t count = 1;
  std::string dims = header.substr(open + 1, close - open - 1);
  std::size_t pos = 0;
  while (pos < dims.size()) {
    const auto comma = dims.find(',', pos);
    const std::string item = dims.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (item.find_first_not_of(" ") != std::string::npos) {
      long long d = 0;
      if (!ParseInteger(item, &d) || d < 0)
        throw FormatError(path, "the .npy header's shape has '" + item + "', not a dimension >= 0");
      // The data are uncompressed: a shape larger than the file is a lie,
      // found before anything is allocated.
      if (d > 0 && count > file_bytes / sizeof(float) / static_cast<std::size_t>(d))
        throw FormatError(path, "the .npy header claims shape (" + dims + "), more values than the file's " +
                                    std::to_string(file_bytes) + " bytes hold");
      shape->push_back(static_cast<long>(d));
      count *= static_cast<std::size_t>(d);
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  std::vector<float> values(count);
  in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(count * sizeof(float)));
  if (static_cast<std::size_t>(in.gcount()) != count * sizeof(float))
    throw FormatError(path, "truncated: " + std::to_string(count) + " float32 values expected");
  std::size_t bad = 0;
  for (float v : values) bad += !std::isfinite(v);
  if (bad) throw DataError(path, std::to_string(bad) + " value(s) are NaN or infinite");
  return values;
}

void WriteNpyFloat32(const std::string& path, const std::vector<float>& values, const std::vector<long>& shape) {
  std::size_t count = 1;
  std::string dims;
  for (long d : shape) {
    if (d < 0) throw InvalidArgument("WriteNpyFloat32: negative dimension for " + path);
    count *= static_cast<std::size_t>(d);
    dims += std::to_string(d) + ", ";
  }
  if (count != values.size())
    throw InvalidArgument("WriteNpyFloat32: " + std::to_string(values.size()) + " values do not fill the shape (" +
                          dims + ") for " + path);
  if (shape.size() != 1 && !dims.empty()) dims.resize(dims.size() - 2);
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Magic (6) + version (2) + length (2) + header + newline: a multiple of 64.
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string content("\x93NUMPY\x01\x00", 8);
  content += static_cast<char>(header.size() & 0xff);
  content += static_cast<char>((header.size() >> 8) & 0xff);
  content += header;
  content.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  WriteFileAtomically(path, content);
}

}  // namespace lvsi::deepfeatures
