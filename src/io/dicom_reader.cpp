// lvsi_dicom_reader: lvsi_io's DICOM reader process (see dicom_loader.cpp).
// Started by lvsi_io with a Unix socket on descriptor 3; answers requests
// until the socket closes.  Not a program for users.
#include <malloc.h>
#include <sys/resource.h>

#include <cstdint>
#include <cstdio>
#include <exception>

#include "detail/dicom_api.h"
#include "detail/dicom_wire.h"

namespace wire = lvsi::io::detail::wire;

namespace {

template <typename Read>
void Answer(wire::Sink& out, Read read) {
  try {
    const auto result = read();
    out.Plain(std::uint8_t{0});
    wire::Put(out, result);
  } catch (const wire::Broken&) {
    throw;
  } catch (...) {
    wire::PutError(out, std::current_exception());
  }
}

}  // namespace

int main(int argc, char**) {
  if (argc != 1) {
    std::fprintf(stderr, "lvsi_dicom_reader is started by lvsi itself and takes no arguments\n");
    return 2;
  }
  // A crash on a damaged file is reported by lvsi_io; no core file in the
  // caller's folder.
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  // Freed buffers stay in this process's heap for the next read: mapping and
  // unmapping a series' buffers each time cost more than the socket.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, -1);
  const lvsi::io::detail::DicomApi& api = *lvsi_io_dicom_api();
  constexpr int kSocket = 3;
  wire::Source in(kSocket);
  wire::Sink out(kSocket);
  try {
    while (true) {
      const auto op = in.Plain<wire::Op>();
      const std::string a = in.Text();
      const std::string b = in.Text();
      switch (op) {
        case wire::Op::kReadInfo: Answer(out, [&] { return api.read_info(a, b); }); break;
        case wire::Op::kReadImage: Answer(out, [&] { return api.read_image(a, b); }); break;
        case wire::Op::kListSeries: Answer(out, [&] { return api.list_series(a); }); break;
        case wire::Op::kParseRtStruct: Answer(out, [&] { return api.parse_rtstruct(a); }); break;
        case wire::Op::kReadOtherInfo: Answer(out, [&] { return api.read_other_info(a); }); break;
        case wire::Op::kReadOther: Answer(out, [&] { return api.read_other(a); }); break;
        default: return 3;
      }
    }
  } catch (const wire::Broken&) {
    return 0;  // lvsi_io closed the socket (its process ended)
  }
}
