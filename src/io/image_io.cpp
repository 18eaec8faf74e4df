#include "lvsi/io/image_io.h"

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkVectorImage.h>
#include <itkImageFileWriter.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>

#include <zlib.h>

#include <algorithm>
#include <set>
#include <mutex>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>
#include <unistd.h>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/itk_interop.h"
#include "detail/dicom_api.h"
#include "detail/itk_info.h"
#include "detail/nrrd_native.h"

namespace lvsi::io {
namespace fs = std::filesystem;
namespace {

constexpr const char* kUnsupported =
    "unsupported image format (expected .nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd or a DICOM "
    "folder)";

std::optional<ImageFormat> FormatFromExtension(const std::string& path);

bool EndsWith(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
}

// ITK 5.2's NIfTI reader and writer are not safe on several threads at
// once, even on different files and objects: two threads in
// NiftiImageIO::ReadImageInformation corrupted the heap (seen about once in
// 12 runs reading .nii.gz files on 2 threads).  NIfTI files are therefore
// read and written one at a time in a process; other formats run in
// parallel.
std::unique_lock<std::recursive_mutex> NiftiAlone(const std::string& path) {
  static std::recursive_mutex mutex;
  if (EndsWith(path, ".nii") || EndsWith(path, ".nii.gz") || EndsWith(path, ".hdr") || EndsWith(path, ".img") ||
      EndsWith(path, ".img.gz"))
    return std::unique_lock<std::recursive_mutex>(mutex);
  return {};
}

itk::ImageIOBase::Pointer MakeImageIO(ImageFormat format) {
  switch (format) {
    case ImageFormat::kNifti: return itk::NiftiImageIO::New().GetPointer();
    case ImageFormat::kNrrd: return itk::NrrdImageIO::New().GetPointer();
    case ImageFormat::kMetaImage: return itk::MetaImageIO::New().GetPointer();
    case ImageFormat::kDicomSeries:  // the DICOM plugin reads series
    case ImageFormat::kItk: break;   // and the other formats
  }
  return nullptr;
}

void CheckExists(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw IoError(path, "file does not exist");
}

void CheckNiftiHeader(const std::string& path);

// The fields of a MetaImage header (.mha, .mhd) that lvsi checks, read once,
// up to the line "ElementDataFile", where the header ends.
struct MetaImageHeader {
  bool has_ndims = false, ndims_ok = false;  // NDims given; a number 1..4
  long long ndims = 0;
  bool has_sizes = false;                    // DimSize given
  std::vector<long long> sizes;
  bool channels_ok = true;                   // ElementNumberOfChannels absent or 1..1000
  bool compressed = false;                   // CompressedData = True
  std::uintmax_t compressed_size = 0;        // CompressedDataSize
  bool has_data_file = false;
  std::string data_file;                     // ElementDataFile: LOCAL, a file name, LIST, a pattern
  std::uintmax_t data_offset = 0;            // bytes before the data of a LOCAL file
  std::size_t longest_key = 0;               // longest field name before ElementDataFile
  std::string repeated_key;                  // a field given twice (MetaIO then mixes the two)
};

// MetaIO copies every field name it does not know into a 255-byte buffer
// without a bound (found by fuzz_image: glibc's fortify check aborts).  Real
// field names are under 40 characters.
constexpr std::size_t kMaxMetaImageKey = 200;

// Reads the header as MetaIO's MET_Read does, so that both see the same
// fields: a name runs from the first non-space byte to '=', ':' or the end
// of its line (a C string: it ends at a NUL byte); its value starts after
// the next '=' or ':', even one on a later line (a name without one takes
// the next line's value), and runs to the end of that line.
std::optional<MetaImageHeader> ReadMetaImageHeader(const std::string& path) {
  if (!EndsWith(path, ".mha") && !EndsWith(path, ".mhd")) return std::nullopt;
  MetaImageHeader h;
  std::ifstream in(path, std::ios::binary);
  std::set<std::string> seen;
  constexpr std::size_t kMetaIoNameLimit = 500;  // MetaIO stops reading at a longer name
  const auto is_separator = [](int c) { return c == '=' || c == ':'; };
  for (int c = in.get(); c != EOF;) {
    while (c != EOF && std::isspace(c)) c = in.get();
    std::string name;
    while (c != EOF && !is_separator(c) && c != '\r' && c != '\n' && name.size() < kMetaIoNameLimit) {
      name.push_back(static_cast<char>(c));
      c = in.get();
    }
    if (c == EOF || name.size() >= kMetaIoNameLimit) {
      h.longest_key = std::max(h.longest_key, name.size());
      break;
    }
    std::string key = name.substr(0, name.find('\0'));
    key.erase(key.find_last_not_of(" \t\r\n") + 1);
    h.longest_key = std::max(h.longest_key, key.size());
    while (c != EOF && !is_separator(c)) c = in.get();  // MetaIO's MET_SkipToVal
    while (c != EOF && (is_separator(c) || c == ' ' || c == '\t')) c = in.get();
    if (c == EOF) break;
    std::string value;
    while (c != EOF && c != '\n') {
      value.push_back(static_cast<char>(c));
      c = in.get();
    }
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
    if (!key.empty() && !seen.insert(key).second && h.repeated_key.empty()) h.repeated_key = key;
    std::istringstream values(value);
    if (key == "NDims") {
      h.has_ndims = true;
      h.ndims_ok = (values >> h.ndims) && h.ndims >= 1 && h.ndims <= 4;
    } else if (key == "DimSize") {
      h.has_sizes = true;
      for (long long v; values >> v;) h.sizes.push_back(v);
    } else if (key == "ElementNumberOfChannels") {
      long long channels = 0;
      h.channels_ok = (values >> channels) && channels >= 1 && channels <= 1000;
    } else if (key == "CompressedDataSize") {
      h.compressed_size = std::strtoull(value.c_str(), nullptr, 10);
    } else if (key == "CompressedData") {
      h.compressed = value == "True";
    } else if (key == "ElementDataFile") {
      h.has_data_file = true;
      h.data_file = value;
      std::error_code ec;
      h.data_offset = c == EOF ? fs::file_size(path, ec) : static_cast<std::uintmax_t>(in.tellg());
      break;
    }
    if (c != EOF) c = in.get();  // past the '\n'
  }
  return h;
}

// Refuses a MetaImage header whose DimSize does not give NDims (1..4)
// positive sizes, or whose channel count is not a positive number: ITK's
// reader then writes past the image it allocated (found by fuzz_image).
void CheckMetaImageStructure(const MetaImageHeader& h, const std::string& path) {
  if (h.longest_key > kMaxMetaImageKey)
    throw FormatError(path, "the MetaImage header has a field name of " + std::to_string(h.longest_key) +
                                " characters (at most " + std::to_string(kMaxMetaImageKey) + ")");
  if (!h.repeated_key.empty())
    throw FormatError(path, "the MetaImage header gives the field '" + h.repeated_key.substr(0, 80) + "' twice");
  // A data file pattern ("slice%03d.raw 1 40") or a LIST of slice files:
  // lvsi reads a volume from one data file (MetaIO's pattern reader aborts
  // on malformed patterns, found by fuzz_image).
  if (h.has_data_file && (h.data_file.find('%') != std::string::npos || h.data_file.rfind("LIST", 0) == 0))
    throw FormatError(path, "the MetaImage header's ElementDataFile '" + h.data_file.substr(0, 80) +
                                "' is a pattern or a list of slice files; lvsi reads LOCAL data or one data file");
  if (h.has_ndims && !h.ndims_ok) throw FormatError(path, "the MetaImage header's NDims is not 1..4");
  if (!h.channels_ok) throw FormatError(path, "the MetaImage header's ElementNumberOfChannels is not 1..1000");
  if (!h.has_ndims || !h.has_sizes) return;  // ITK reports what is missing
  if (static_cast<long long>(h.sizes.size()) != h.ndims)
    throw FormatError(path, "the MetaImage header's DimSize has " + std::to_string(h.sizes.size()) + " sizes for NDims " +
                                std::to_string(h.ndims));
  for (long long v : h.sizes)
    if (v < 1) throw FormatError(path, "the MetaImage header's DimSize holds " + std::to_string(v));
}

// Reads the header and rejects images lvsi cannot use as 3-D volumes
// (scalar, or one `component` of a vector image).
void CheckHeader(itk::ImageIOBase* io, const std::string& path, std::optional<int> component = std::nullopt) {
  io->SetFileName(path);
  if (!io->CanReadFile(path.c_str()))
    throw FormatError(path, std::string("not a readable ") + io->GetNameOfClass() + " file");
  CheckNiftiHeader(path);
  const std::optional<MetaImageHeader> meta = ReadMetaImageHeader(path);
  if (meta) CheckMetaImageStructure(*meta, path);
  io->ReadImageInformation();
  detail::CheckVoxelLimit(*io, path);
  const unsigned components = io->GetNumberOfComponents();
  if (components != 1 && !component)
    throw FormatError(path, "has " + std::to_string(components) +
                                " components per voxel; lvsi needs a scalar image (for a segmentation with one "
                                "channel per segment, choose the channel: label_channel)");
  if (component && (*component < 0 || static_cast<unsigned>(*component) >= components))
    throw FormatError(path, "has " + std::to_string(components) + " component(s) per voxel; label_channel " +
                                std::to_string(*component) + " is not one of them (0-based)");
  if (io->GetNumberOfDimensions() > 3) {
    for (unsigned d = 3; d < io->GetNumberOfDimensions(); ++d)
      if (io->GetDimensions(d) > 1)
        throw FormatError(path, "is a " + std::to_string(io->GetNumberOfDimensions()) +
                                    "-D image; lvsi reads 2-D and 3-D images");
  }
  // ITK's NIfTI reader does not notice an uncompressed file that is cut
  // short; check the size against the header (348 bytes at least).
  std::error_code ec;
  const std::uintmax_t image_bytes = io->GetImageSizeInBytes();
  auto check_size = [&](const std::string& file, std::uintmax_t header_bytes,
                        std::uintmax_t data_bytes) {
    const std::uintmax_t bytes = fs::file_size(file, ec);
    if (!ec && bytes < header_bytes + data_bytes)
      throw FormatError(path, "file is truncated (" + std::to_string(bytes) + " bytes of " + file +
                                  ", the header needs " + std::to_string(header_bytes + data_bytes) +
                                  ")");
  };
  if (EndsWith(path, ".nii")) check_size(path, 348, image_bytes);
  if (meta && meta->has_data_file) {
    // The same for MetaImage: data follow the header line
    // "ElementDataFile = LOCAL", or lie in the file that line names;
    // compressed data have their size in CompressedDataSize.
    const std::uintmax_t data_bytes = meta->compressed ? meta->compressed_size : image_bytes;
    const std::string& target = meta->data_file;
    if (target == "LOCAL") {
      check_size(path, meta->data_offset, data_bytes);
    } else if (target.find_first_of(" %") == std::string::npos && target != "LIST") {
      check_size((fs::path(path).parent_path() / target).string(), 0, data_bytes);
    }
  }
  if (EndsWith(path, ".nii.gz")) {
    // Nor a gzip stream cut short: decompress it once and check its length.
    gzFile gz = gzopen(path.c_str(), "rb");
    if (!gz) throw FormatError(path, "cannot open gzip stream");
    std::vector<char> buffer(1 << 16);
    std::uintmax_t total = 0;
    int n = 0;
    while ((n = gzread(gz, buffer.data(), static_cast<unsigned>(buffer.size()))) > 0)
      total += static_cast<std::uintmax_t>(n);
    int err = Z_OK;
    const std::string message = n < 0 ? gzerror(gz, &err) : "";
    gzclose(gz);
    if (n < 0) throw FormatError(path, "corrupt gzip stream: " + message);
    if (total < 348 + image_bytes)
      throw FormatError(path, "file is truncated (" + std::to_string(total) +
                                  " bytes after decompression, the header needs " +
                                  std::to_string(348 + image_bytes) + ")");
  }
}

template <typename TPixel>
typename itk::Image<TPixel, 3>::Pointer ReadItk(const std::string& path) {
  const auto nifti = NiftiAlone(path);
  using ImageType = itk::Image<TPixel, 3>;
  const ImageFormat format = DetectFormat(path);
  try {
    CheckExists(path);
    auto io = MakeImageIO(format);
    CheckHeader(io, path);
    auto reader = itk::ImageFileReader<ImageType>::New();
    reader->SetImageIO(io);
    reader->SetFileName(path);
    reader->Update();
    return reader->GetOutput();
  } catch (const itk::ExceptionObject& e) {
    std::string what = e.GetDescription();
    if (what.empty()) what = e.what();
    throw FormatError(path, "cannot read image: " + what);
  }
}

// Component `component` of a vector image, as a scalar ITK image; `io`
// has read and checked the header (CheckHeader with the component).
template <typename TPixel>
typename itk::Image<TPixel, 3>::Pointer ReadComponentItk(const std::string& path, itk::ImageIOBase* io,
                                                         int component) {
  const auto nifti = NiftiAlone(path);
  using VectorType = itk::VectorImage<TPixel, 3>;
  using ImageType = itk::Image<TPixel, 3>;
  try {
    auto reader = itk::ImageFileReader<VectorType>::New();
    reader->SetImageIO(io);
    reader->SetFileName(path);
    reader->Update();
    const VectorType* vector = reader->GetOutput();
    auto scalar = ImageType::New();
    scalar->SetRegions(vector->GetLargestPossibleRegion());
    scalar->SetSpacing(vector->GetSpacing());
    scalar->SetOrigin(vector->GetOrigin());
    scalar->SetDirection(vector->GetDirection());
    scalar->Allocate();
    const std::size_t voxels = vector->GetLargestPossibleRegion().GetNumberOfPixels();
    const std::size_t stride = vector->GetNumberOfComponentsPerPixel();
    const TPixel* in = vector->GetBufferPointer();
    TPixel* out = scalar->GetBufferPointer();
    for (std::size_t n = 0; n < voxels; ++n) out[n] = in[n * stride + static_cast<std::size_t>(component)];
    return scalar;
  } catch (const itk::ExceptionObject& e) {
    std::string what = e.GetDescription();
    if (what.empty()) what = e.what();
    throw FormatError(path, "cannot read image: " + what);
  }
}

// The header of a NIfTI-1 or NIfTI-2 file (.nii, .nii.gz, the .hdr of a
// pair), read with zlib (which reads uncompressed files too), in either
// byte order.
struct NiftiHeader {
  unsigned char bytes[540] = {};
  bool swap = false;  // the file's byte order is not this machine's
  bool v2 = false;    // NIfTI-2 (540-byte header, 64-bit fields)

  std::uint64_t Raw(std::size_t offset, std::size_t n) const {
    unsigned char b[8] = {};
    for (std::size_t i = 0; i < n; ++i) b[i] = bytes[offset + (swap ? n - 1 - i : i)];
    std::uint64_t v = 0;
    std::memcpy(&v, b, n);
    return v;
  }
  // A real field: float in NIfTI-1, double in NIfTI-2 (each format's offset).
  double Real(std::size_t offset1, std::size_t offset2) const {
    if (v2) {
      const std::uint64_t raw = Raw(offset2, 8);
      double d;
      std::memcpy(&d, &raw, 8);
      return d;
    }
    const std::uint32_t raw = static_cast<std::uint32_t>(Raw(offset1, 4));
    float f;
    std::memcpy(&f, &raw, 4);
    return f;
  }
};

struct GzCloser {
  gzFile f;
  ~GzCloser() { gzclose(f); }
};

// As niftilib reads a header: NIfTI-2 by its magic ("n+2"/"ni2" at byte
// 4), otherwise NIfTI-1's layout whatever sizeof_hdr says; the byte order
// is the one in which dim[0] is 1..7.
std::optional<NiftiHeader> ReadNiftiHeader(gzFile gz) {
  NiftiHeader h;
  const int got = gzread(gz, h.bytes, sizeof h.bytes);
  if (got < 348) return std::nullopt;
  h.v2 = h.bytes[4] == 'n' && (h.bytes[5] == '+' || h.bytes[5] == 'i') && h.bytes[6] == '2' && h.bytes[7] == 0;
  if (h.v2 && got < 540) return std::nullopt;
  auto dim0 = [&] { return h.v2 ? static_cast<long long>(h.Raw(16, 8)) : static_cast<long long>(static_cast<std::int16_t>(h.Raw(40, 2))); };
  if (dim0() < 1 || dim0() > 7) {
    h.swap = true;
    if (dim0() < 1 || dim0() > 7) h.swap = false;
  }
  return h;
}

bool IsNiftiFile(const std::string& path) {
  return EndsWith(path, ".nii") || EndsWith(path, ".nii.gz") || EndsWith(path, ".hdr") || EndsWith(path, ".hdr.gz");
}

// Refuses a NIfTI header whose geometry fields are not finite numbers:
// ITK's reader aborts the process on them (vnl_svd's assert_finite; found
// by fuzz_image).
void CheckNiftiHeader(const std::string& path) {
  if (!IsNiftiFile(path)) return;
  gzFile gz = gzopen(path.c_str(), "rb");
  if (!gz) return;  // ITK reports it
  const GzCloser closer{gz};
  const auto h = ReadNiftiHeader(gz);
  if (!h) return;
  struct Field {
    const char* name;
    std::size_t offset1, offset2, count;
  };
  // An Analyze 7.5 header (no NIfTI magic) has text where NIfTI keeps its
  // orientation: only its voxel sizes are checked.
  const unsigned char* magic = h->v2 ? h->bytes + 4 : h->bytes + 344;
  // (niftilib's rule: "ni" or "n+", a digit 1-9, a zero byte.)
  const bool nifti = magic[0] == 'n' && (magic[1] == '+' || magic[1] == 'i') && magic[2] >= '1' && magic[2] <= '9' &&
                     magic[3] == 0;
  // Beyond 1e9 (mm, or unitless for the quaternion) ITK's single-precision
  // SVD of the orientation overflows and never ends (found by probing after
  // fuzz_image): no real image is 1000 km wide.
  constexpr double kLargest = 1e9;
  for (const Field& f : {Field{"pixdim", 76, 104, 8}, Field{"scl_slope", 112, 176, 1}, Field{"scl_inter", 116, 184, 1},
                         Field{"quatern/qoffset", 256, 352, 6}, Field{"srow", 280, 400, 12}})
    for (std::size_t i = 0; i < f.count && (nifti || f.offset1 == 76); ++i) {
      const double v = h->Real(f.offset1 + 4 * i, f.offset2 + 8 * i);
      const bool scaling = f.offset1 == 112 || f.offset1 == 116;
      if (!std::isfinite(v) || (!scaling && std::abs(v) > kLargest))
        throw FormatError(path, std::string("the NIfTI header's ") + f.name + " holds " + FormatDouble(v) +
                                    (std::isfinite(v) ? ", beyond 1e9" : ", not a finite number"));
    }
}

// The non-finite voxels of a floating-point NIfTI file (index in file
// order, value), read from the file itself: ITK's NIfTI reader (niftilib)
// replaces NaN and infinite floats by 0 without a word.  Empty for other
// data types.  Handles NIfTI-1 and NIfTI-2, .nii and .nii.gz, either byte
// order.
std::vector<std::pair<std::size_t, double>> NiftiNonFinite(const std::string& path) {
  std::vector<std::pair<std::size_t, double>> found;
  if (!EndsWith(path, ".nii") && !EndsWith(path, ".nii.gz")) return found;
  gzFile gz = gzopen(path.c_str(), "rb");
  if (!gz) return found;
  const GzCloser closer{gz};
  const auto header = ReadNiftiHeader(gz);
  if (!header) return found;
  const NiftiHeader& h = *header;
  const int datatype = static_cast<std::int16_t>(h.Raw(h.v2 ? 12 : 70, 2));
  if (datatype != 16 && datatype != 64) return found;  // float32, float64
  const std::size_t bytes = datatype == 16 ? 4 : 8;
  const bool swap = h.swap;
  std::size_t voxels = 1;
  const int dims = h.v2 ? static_cast<int>(static_cast<std::int64_t>(h.Raw(16, 8)))
                        : static_cast<std::int16_t>(h.Raw(40, 2));
  for (int d = 1; d <= std::min(dims, 7); ++d) {
    const long long n = h.v2 ? static_cast<std::int64_t>(h.Raw(16 + 8 * static_cast<std::size_t>(d), 8))
                             : static_cast<std::int16_t>(h.Raw(40 + 2 * static_cast<std::size_t>(d), 2));
    if (n > 0) voxels = CheckedVoxelCount({voxels, static_cast<std::size_t>(n), 1});
  }
  const double offset = h.v2 ? static_cast<double>(static_cast<std::int64_t>(h.Raw(168, 8))) : h.Real(108, 168);
  if (!(offset >= (h.v2 ? 540 : 348)) || offset > 1e9) return found;
  if (gzseek(gz, static_cast<z_off_t>(offset), SEEK_SET) < 0) return found;
  std::vector<unsigned char> buffer(bytes * 65536);
  std::size_t index = 0;
  while (index < voxels) {
    const std::size_t want = std::min<std::size_t>(voxels - index, 65536);
    const int n = gzread(gz, buffer.data(), static_cast<unsigned>(want * bytes));
    if (n <= 0) break;
    const std::size_t count = static_cast<std::size_t>(n) / bytes;
    for (std::size_t k = 0; k < count; ++k, ++index) {
      unsigned char b[8];
      for (std::size_t i = 0; i < bytes; ++i) b[i] = buffer[k * bytes + (swap ? bytes - 1 - i : i)];
      double v;
      if (bytes == 4) {
        float f;
        std::memcpy(&f, b, 4);
        v = f;
      } else {
        std::memcpy(&v, b, 8);
      }
      if (!std::isfinite(v)) found.emplace_back(index, v);
    }
    if (count < want) break;
  }
  return found;
}

template <typename T>
void CheckFinite(const Volume<T>& v, const std::string& path) {
  std::size_t bad = 0;
  for (std::size_t n = 0; n < v.size(); ++n)
    if (!std::isfinite(static_cast<double>(v[n]))) ++bad;
  if (bad)
    throw DataError(path, std::to_string(bad) + " voxel(s) are NaN or infinite");
}

template <typename TPixel, typename T>
void WriteItk(const Volume<T>& volume, const std::string& path, bool compress) {
  const auto nifti = NiftiAlone(path);
  const auto format = FormatFromExtension(path);
  if (!format) throw FormatError(path, kUnsupported);
  static std::atomic<unsigned> counter{0};
  const fs::path target(path);
  std::error_code ec;
  if (!target.parent_path().empty() && !fs::is_directory(target.parent_path(), ec))
    throw OutputError(path, "folder " + target.parent_path().string() + " does not exist");
  // Never rename over a device or a pipe (it would become a plain file).
  const fs::file_status status = fs::status(path, ec);
  if (!ec && fs::exists(status) && !fs::is_regular_file(status))
    throw OutputError(path, "is not a regular file; an image is written to a file");
  // Keep the full extension (.nii.gz) on the temporary file so ITK picks
  // the same writer; the rename makes the write atomic.
  const fs::path tmp = target.parent_path() /
                       (".tmp" + std::to_string(::getpid()) + "_" +
                        std::to_string(counter++) + "_" + target.filename().string());
  try {
    auto image = ToItkImage<TPixel>(volume);
    auto writer = itk::ImageFileWriter<itk::Image<TPixel, 3>>::New();
    writer->SetImageIO(MakeImageIO(*format));
    writer->SetFileName(tmp.string());
    writer->SetInput(image);
    writer->SetUseCompression(compress);
    writer->Update();
  } catch (const itk::ExceptionObject& e) {
    fs::remove(tmp, ec);
    throw OutputError(path, std::string("cannot write image: ") + e.GetDescription());
  }
  // ITK's writers do not all report a failed write (niftilib prints "wrote
  // only 0 of N bytes" and goes on): the file is read back before it takes
  // the target's place, so that a full disk is an error, never a truncated
  // image.
  try {
    itk::ImageIOBase::Pointer check = MakeImageIO(*format);
    CheckHeader(check, tmp.string());
    auto reader = itk::ImageFileReader<itk::Image<TPixel, 3>>::New();
    reader->SetImageIO(check);
    reader->SetFileName(tmp.string());
    reader->Update();
    if (reader->GetOutput()->GetLargestPossibleRegion().GetNumberOfPixels() != volume.size())
      throw FormatError(tmp.string(), "reads back with another size");
  } catch (const std::exception& e) {
    fs::remove(tmp, ec);
    const char* why = dynamic_cast<const itk::ExceptionObject*>(&e) ? static_cast<const itk::ExceptionObject&>(e).GetDescription()
                                                                    : e.what();
    throw OutputError(path, std::string("the written image is incomplete (a full disk?): ") + why);
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw OutputError(path, "cannot move the written image into place: " + ec.message());
  }
}

template <typename T>
void WriteAs(const Volume<T>& v, const std::string& path, const ImageWriteSettings& o) {
  switch (o.pixel_type) {
    case PixelType::kFloat64: return WriteItk<double>(v, path, o.compress);
    case PixelType::kFloat32: return WriteItk<float>(v, path, o.compress);
    case PixelType::kInt16: return WriteItk<std::int16_t>(v, path, o.compress);
    case PixelType::kInt32: return WriteItk<std::int32_t>(v, path, o.compress);
    case PixelType::kUInt8: return WriteItk<std::uint8_t>(v, path, o.compress);
  }
}

}  // namespace

ImageFormat DetectFormat(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return ImageFormat::kDicomSeries;
  if (auto f = FormatFromExtension(path)) return *f;
  if (!fs::exists(path, ec)) throw IoError(path, "file does not exist");
  return ImageFormat::kItk;
}

namespace {
std::optional<ImageFormat> FormatFromExtension(const std::string& path) {
  if (EndsWith(path, ".nii") || EndsWith(path, ".nii.gz")) return ImageFormat::kNifti;
  if (EndsWith(path, ".nrrd") || EndsWith(path, ".nhdr")) return ImageFormat::kNrrd;
  if (EndsWith(path, ".mha") || EndsWith(path, ".mhd")) return ImageFormat::kMetaImage;
  return std::nullopt;
}
}  // namespace

bool ImageReadSettings::IsValid(std::string*) const { return true; }   // every UID and flag is a valid request
bool ImageWriteSettings::IsValid(std::string*) const { return true; }  // every pixel type and flag

ImageInfo ReadImageInfo(const std::string& path, const ImageReadSettings& options) {
  const auto nifti = NiftiAlone(path);
  const ImageFormat format = DetectFormat(path);
  if (format == ImageFormat::kNrrd) {
    CheckExists(path);
    if (const auto layout = detail::ParseNrrdHeader(path)) return ImageInfo{layout->geometry, layout->pixel_type};
  }
  if (format == ImageFormat::kDicomSeries) return detail::Dicom().read_info(path, options.dicom_series_uid);
  if (format == ImageFormat::kItk) return detail::Dicom().read_other_info(path);
  CheckExists(path);
  ImageInfo info;
  try {
    auto io = MakeImageIO(format);
    CheckHeader(io, path);
    info = detail::InfoOf(*io);
  } catch (const itk::ExceptionObject& e) {
    throw FormatError(path, std::string("cannot read image header: ") + e.GetDescription());
  }
  return info;
}

namespace {

// Reads the file in its stored component type and converts once to Out:
// no intermediate double buffer for integer images.
template <typename Out, typename Native>
Volume<Out> ReadAs(const std::string& path) {
  auto itk_image = ReadItk<Native>(path);
  return FromItkImage<Out>(itk_image.GetPointer());
}

template <typename Out>
Volume<Out> ReadConverted(const std::string& path, const std::string& type) {
  return detail::WithPixelType(type, [&](auto native) { return ReadAs<Out, decltype(native)>(path); });
}

}  // namespace

namespace {
// The common NRRD layout without ITK (faster: one read, libdeflate, no
// intermediate image); nullopt leaves the file to ITK.
template <typename T>
std::optional<Volume<T>> ReadNative(const std::string& path, bool labels) {
  if (!EndsWith(path, ".nrrd")) return std::nullopt;
  const auto layout = detail::ParseNrrdHeader(path);
  if (!layout) return std::nullopt;
  if (labels && (layout->pixel_type == "float32" || layout->pixel_type == "float64")) return std::nullopt;
  return detail::ReadNrrdNative<T>(path, *layout);
}
}  // namespace

Image ReadImage(const std::string& path, const ImageReadSettings& options) {
  if (auto native = ReadNative<double>(path, false)) {
    if (!options.allow_non_finite) CheckFinite(*native, path);
    return std::move(*native);
  }
  const ImageFormat format = DetectFormat(path);
  if (format == ImageFormat::kDicomSeries || format == ImageFormat::kItk) {
    Image image = format == ImageFormat::kItk ? detail::Dicom().read_other(path)
                                              : detail::Dicom().read_image(path, options.dicom_series_uid);
    if (!options.allow_non_finite) CheckFinite(image, path);
    return image;
  }
  const std::string type = ReadImageInfo(path, options).pixel_type;
  Image image = ReadConverted<double>(path, type);
  if (format == ImageFormat::kNifti && (type == "float32" || type == "float64")) {
    // Restores what ITK's NIfTI reader turned into zeros, or reports it.
    const auto non_finite = NiftiNonFinite(path);
    if (!non_finite.empty() && !options.allow_non_finite)
      throw DataError(path, std::to_string(non_finite.size()) + " voxel(s) are NaN or infinite");
    for (const auto& [index, value] : non_finite)
      if (index < image.size()) image[index] = value;
  }
  if (!options.allow_non_finite) CheckFinite(image, path);
  return image;
}

LabelImage ReadLabelImage(const std::string& path, const ImageReadSettings& options) {
  if (auto native = ReadNative<std::int32_t>(path, true)) return std::move(*native);
  const ImageFormat format = DetectFormat(path);
  if (options.component && format != ImageFormat::kDicomSeries && format != ImageFormat::kItk) {
    // A segmentation stored as a vector image: one channel, as labels.
    CheckExists(path);
    itk::ImageIOBase::Pointer io = MakeImageIO(format);
    {
      const auto nifti = NiftiAlone(path);
      try {
        CheckHeader(io, path, options.component);
      } catch (const itk::ExceptionObject& e) {
        throw FormatError(path, std::string("cannot read image header: ") + e.GetDescription());
      }
    }
    if (io->GetNumberOfComponents() > 1) {
      const std::string type = detail::InfoOf(*io).pixel_type;
      if (type == "float32" || type == "float64" || type == "int64" || type == "uint64")
        throw FormatError(path, "a segmentation with " + type + " channels; lvsi reads integer channels");
      return detail::WithPixelType(type, [&](auto native) {
        return FromItkImage<std::int32_t>(ReadComponentItk<decltype(native)>(path, io, *options.component).GetPointer());
      });
    }
  }
  // Floating-point label maps (and DICOM series, which the plugin reads as
  // double): NaN labels are caught rather than cast.
  Image values;
  if (format == ImageFormat::kDicomSeries) {
    values = detail::Dicom().read_image(path, options.dicom_series_uid);
  } else if (format == ImageFormat::kItk) {
    values = detail::Dicom().read_other(path);
  } else {
    const std::string type = ReadImageInfo(path, options).pixel_type;
    if (type != "float32" && type != "float64" && type != "int64" && type != "uint64")
      return ReadConverted<std::int32_t>(path, type);
    values = ReadConverted<double>(path, "float64");
    if (format == ImageFormat::kNifti && !NiftiNonFinite(path).empty())
      throw DataError(path, "label map has NaN or infinite voxels");
  }
  const double* in = values.data();
  LabelImage labels(values.geometry());
  for (std::size_t n = 0; n < labels.size(); ++n) {
    if (!std::isfinite(in[n]))
      throw DataError(path, "label map has NaN or infinite voxels");
    // (Truncated as SimpleITK's cast truncates; beyond 32 bits no cast is defined.)
    if (!(in[n] > -2147483649.0 && in[n] < 2147483648.0))
      throw DataError(path, "label map has the value " + std::to_string(in[n]) +
                                ", outside the range of labels (32-bit integers)");
    labels[n] = static_cast<std::int32_t>(in[n]);
  }
  return labels;
}

std::vector<DicomSeriesInfo> ListDicomSeries(const std::string& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw IoError(folder, "DICOM folder does not exist");
  return detail::Dicom().list_series(folder);
}

void WriteImage(const Image& image, const std::string& path, const ImageWriteSettings& options) {
  WriteAs(image, path, options);
}

void WriteLabelImage(const LabelImage& labels, const std::string& path,
                     const ImageWriteSettings& options) {
  WriteAs(labels, path, options);
}

void WriteMask(const Mask& mask, const std::string& path) {
  WriteAs(mask, path, ImageWriteSettings{PixelType::kUInt8, true});
}

void WriteDicomSeries(const Image& image, const std::string& folder, const std::string& series_description) {
  detail::Dicom().write_series(image, folder, series_description);
}

}  // namespace lvsi::io
