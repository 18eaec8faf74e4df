#pragma once
// The messages between lvsi_io and its DICOM reader process
// (lvsi_dicom_reader, see dicom_loader.cpp), on a Unix socket.
// Private to lvsi_io and the reader.
//
// A request: an Op byte and two texts (a path and a series UID).  A reply:
// a status byte (0 result, 1 lvsi error), then the result or the error.
// Integers and doubles in the machine's own layout: both ends are built
// together and run on the same machine.

#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <exception>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "detail/dicom_api.h"
#include "lvsi/core/error.h"

namespace lvsi::io::detail::wire {

enum class Op : std::uint8_t { kReadInfo, kReadImage, kListSeries, kParseRtStruct, kReadOtherInfo, kReadOther };

/// The other end closed, died or sent something malformed.
struct Broken {};

class Sink {
 public:
  explicit Sink(int fd) : fd_(fd) {}
  void Bytes(const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      const ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) throw Broken{};
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  }
  template <typename T>
  void Plain(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    Bytes(&v, sizeof v);
  }
  void Text(const std::string& s) {
    Plain<std::uint64_t>(s.size());
    Bytes(s.data(), s.size());
  }

 private:
  int fd_;
};

class Source {
 public:
  explicit Source(int fd) : fd_(fd) {}
  void Bytes(void* data, std::size_t n) {
    char* p = static_cast<char*>(data);
    while (n > 0) {
      const ssize_t r = ::recv(fd_, p, n, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) throw Broken{};
      p += r;
      n -= static_cast<std::size_t>(r);
    }
  }
  template <typename T>
  T Plain() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    Bytes(&v, sizeof v);
    return v;
  }
  /// A count the other end sent, refused beyond `limit`.
  std::size_t Count(std::size_t limit) {
    const auto n = Plain<std::uint64_t>();
    if (n > limit) throw Broken{};
    return static_cast<std::size_t>(n);
  }
  std::string Text() {
    std::string s(Count(std::size_t{1} << 30), '\0');
    Bytes(s.data(), s.size());
    return s;
  }

 private:
  int fd_;
};

// ------------------------------------------------ each result's encoding

inline void Put(Sink& out, const ImageInfo& info) {
  out.Plain(info.geometry);
  out.Text(info.pixel_type);
}
inline void Get(Source& in, ImageInfo* info) {
  info->geometry = in.Plain<Geometry>();
  info->pixel_type = in.Text();
}

inline void Put(Sink& out, const Image& image) {
  out.Plain(image.geometry());
  out.Plain<std::uint64_t>(image.size());
  out.Bytes(image.data(), image.size() * sizeof(double));
}
inline void Get(Source& in, Image* image) {
  const auto g = in.Plain<Geometry>();
  std::vector<double> values(in.Count(kMaxVoxels));
  in.Bytes(values.data(), values.size() * sizeof(double));
  *image = Image(g, std::move(values));
}

inline void Put(Sink& out, const std::vector<DicomSeriesInfo>& list) {
  out.Plain<std::uint64_t>(list.size());
  for (const auto& s : list) {
    out.Text(s.series_uid);
    out.Text(s.description);
    out.Text(s.modality);
    out.Plain<std::uint64_t>(s.num_files);
  }
}
inline void Get(Source& in, std::vector<DicomSeriesInfo>* list) {
  list->resize(in.Count(std::size_t{1} << 24));
  for (auto& s : *list) {
    s.series_uid = in.Text();
    s.description = in.Text();
    s.modality = in.Text();
    s.num_files = in.Plain<std::uint64_t>();
  }
}

inline void Put(Sink& out, const std::vector<ParsedRoi>& rois) {
  out.Plain<std::uint64_t>(rois.size());
  for (const auto& roi : rois) {
    out.Plain<std::int64_t>(roi.info.number);
    out.Text(roi.info.name);
    out.Plain<std::uint64_t>(roi.info.contours);
    out.Plain<std::uint64_t>(roi.contours.size());
    for (const auto& c : roi.contours) {
      out.Plain<std::uint64_t>(c.points.size());
      out.Bytes(c.points.data(), c.points.size() * sizeof c.points[0]);
    }
  }
}
inline void Get(Source& in, std::vector<ParsedRoi>* rois) {
  rois->resize(in.Count(std::size_t{1} << 24));
  for (auto& roi : *rois) {
    roi.info.number = static_cast<int>(in.Plain<std::int64_t>());
    roi.info.name = in.Text();
    roi.info.contours = in.Plain<std::uint64_t>();
    roi.contours.resize(in.Count(std::size_t{1} << 28));
    for (auto& c : roi.contours) {
      c.points.resize(in.Count(std::size_t{1} << 28));
      in.Bytes(c.points.data(), c.points.size() * sizeof c.points[0]);
    }
  }
}

// ------------------------------------------------------------ errors
//
// The lvsi errors a reader throws cross by kind and are rebuilt as the same
// type, with the same path and problem.

enum class Kind : std::uint8_t { kIo, kFormat, kData, kGeometry, kInvalidArgument, kOther, kMemory };

inline void PutError(Sink& out, std::exception_ptr error) {
  Kind kind = Kind::kOther;
  std::string path, problem;
  try {
    std::rethrow_exception(error);
  } catch (const FormatError& e) {
    kind = Kind::kFormat, path = e.path(), problem = e.problem();
  } catch (const IoError& e) {
    kind = Kind::kIo, path = e.path(), problem = e.problem();
  } catch (const DataError& e) {
    kind = Kind::kData, path = e.path(), problem = e.problem();
  } catch (const GeometryError& e) {
    kind = Kind::kGeometry, path = e.path(), problem = e.problem();
  } catch (const InvalidArgument& e) {
    kind = Kind::kInvalidArgument, problem = e.what();
  } catch (const std::bad_alloc&) {
    kind = Kind::kMemory;
  } catch (const std::exception& e) {
    problem = e.what();
  } catch (...) {
    problem = "unknown exception";
  }
  out.Plain(std::uint8_t{1});
  out.Plain(kind);
  out.Text(path);
  out.Text(problem);
}

/// An error read whole from the reader, thrown once the connection is free.
struct ErrorReply {
  Kind kind = Kind::kOther;
  std::string path, problem;

  static ErrorReply Read(Source& in) {
    ErrorReply e;
    e.kind = in.Plain<Kind>();
    e.path = in.Text();
    e.problem = in.Text();
    return e;
  }
  [[noreturn]] void Throw(const std::string& subject) const {
    switch (kind) {
      case Kind::kFormat: throw FormatError(path, problem);
      case Kind::kIo: throw IoError(path, problem);
      case Kind::kData: throw DataError(path, problem);
      case Kind::kGeometry: throw GeometryError(path, problem);
      case Kind::kInvalidArgument: throw InvalidArgument(problem);
      case Kind::kMemory: throw std::bad_alloc();
      case Kind::kOther: break;
    }
    throw FormatError(subject, "the DICOM reader failed: " + problem);
  }
};

}  // namespace lvsi::io::detail::wire
