// Loads the DICOM plugin (see dicom_api.h) on first use, and reads DICOM
// in a separate process.
//
// GDCM, built with assertions in Debian, aborts the whole process on some
// malformed files (found by tests/fuzz/fuzz_rtstruct), and its image codecs
// are as exposed.  Every reading entry point of the plugin therefore runs in
// lvsi_dicom_reader, a helper process started (posix_spawn, so no fork of a
// threaded process) next to this library's file, which answers requests on
// a Unix socket (detail/dicom_wire.h).  A reader that aborts, crashes or is
// killed becomes a FormatError naming the file, and the calling program goes
// on with a new helper.  Helpers stay up between reads (a process forked
// per read made a DICOM series 3x slower to read: GDCM's and ITK's warm-up
// and the first touch of every buffer were paid each time), one per thread
// reading at once; they end when this process does.  Writers run in process
// (they only see lvsi's own data).
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "detail/dicom_api.h"
#include "detail/dicom_wire.h"
#include "lvsi/core/error.h"

namespace lvsi::io::detail {
namespace {

// ------------------------------------------------------------- the plugin

// The folder of this library's file, where the plugin and the reader are
// installed (build tree and installed tree alike); empty when unknown.
std::string LibraryFolder() {
  Dl_info self{};
  if (dladdr(reinterpret_cast<void*>(&Dicom), &self) && self.dli_fname)
    return std::filesystem::path(self.dli_fname).parent_path().string();
  return "";
}

const DicomApi& Plugin() {
  static const DicomApi* api = nullptr;
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    // Next to this library first, then the loader's search path.
    std::vector<std::string> candidates;
    if (const std::string folder = LibraryFolder(); !folder.empty())
      candidates.push_back(folder + "/liblvsi_io_dicom.so");
    candidates.push_back("liblvsi_io_dicom.so");
    for (const auto& path : candidates) {
      void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        if (failure.empty()) failure = dlerror();
        continue;
      }
      using Entry = const DicomApi* (*)();
      auto entry = reinterpret_cast<Entry>(dlsym(handle, "lvsi_io_dicom_api"));
      const DicomApi* candidate = entry ? entry() : nullptr;
      if (candidate && candidate->version == kDicomApiVersion) {
        api = candidate;
        return;
      }
      failure = path + " is not a DICOM plugin of this lvsi version";
    }
  });
  if (!api) throw IoError("liblvsi_io_dicom.so", "DICOM support cannot be loaded: " + failure);
  return *api;
}

// ------------------------------------------------------------ the helpers

extern "C" char** environ;

// What ended a helper that sent no complete reply: the file's fault when
// the reader crashed, not when something outside stopped it.
[[noreturn]] void ThrowDeath(const std::string& subject, int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    const std::string name = abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
    std::error_code ec;
    const char* which = std::filesystem::is_directory(subject, ec) ? "a file of this folder" : "this file";
    if (sig == SIGABRT || sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL)
      throw FormatError(subject, std::string("the DICOM reader (GDCM) crashed on ") + which + " (" + name +
                                     (sig == SIGABRT ? ", an assertion on malformed data" : "") +
                                     "); it is damaged or not a file lvsi can read");
    throw IoError(subject, "the DICOM reader was stopped by " + name + " before it finished");
  }
  throw FormatError(subject, "the DICOM reader ended with status " + std::to_string(WEXITSTATUS(status)) +
                                 " without a result; the input is damaged or not one lvsi can read");
}

struct Helper {
  pid_t pid = -1;
  int socket = -1;
};

class Helpers {
 public:
  // An idle helper, or a new one.
  Helper Acquire(const std::string& subject) {
    while (true) {
      Helper h;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (idle_.empty()) break;
        h = idle_.back();
        idle_.pop_back();
      }
      // An idle helper never writes: a readable or closed socket means it
      // ended (killed from outside).  Replaced.
      pollfd p{h.socket, POLLIN, 0};
      if (::poll(&p, 1, 0) == 0) return h;
      Discard(h);
    }
    return Spawn(subject);
  }
  // A helper that answered, for the next read.
  void Release(Helper h) {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(h);
  }
  // Ends a helper that died or cannot be trusted; its exit status.
  static int Discard(Helper h) {
    ::close(h.socket);
    int status = 0;
    // A helper that crashed is gone once its socket closed; give it a
    // moment to be reaped with its own status before stopping it.
    for (int waited = 0; waited < 200; ++waited) {
      const pid_t r = ::waitpid(h.pid, &status, WNOHANG);
      if (r == h.pid || (r < 0 && errno != EINTR)) return status;
      ::usleep(5000);
    }
    ::kill(h.pid, SIGKILL);
    while (::waitpid(h.pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
  }

 private:
  static Helper Spawn(const std::string& subject) {
    const std::string folder = LibraryFolder();
    const std::string program = (folder.empty() ? std::string(".") : folder) + "/lvsi_dicom_reader";
    if (::access(program.c_str(), X_OK) != 0)
      throw IoError(program, "lvsi's DICOM reader is missing or not executable; reinstall lvsi");
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
      throw IoError(subject, std::string("cannot start the DICOM reader: ") + std::strerror(errno));
    // The helper's end becomes its descriptor 3 (a copy above 3 first, so
    // that dup2 never meets itself and keeps close-on-exec); its standard
    // output goes to standard error, so that nothing it prints mixes with
    // the caller's output.
    const int child_end = ::fcntl(fds[1], F_DUPFD_CLOEXEC, 10);
    ::close(fds[1]);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, child_end, 3);
    posix_spawn_file_actions_adddup2(&actions, 2, 1);
    char* argv[] = {const_cast<char*>(program.c_str()), nullptr};
    pid_t pid = -1;
    const int e = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(child_end);
    if (e != 0) {
      ::close(fds[0]);
      throw IoError(program, std::string("cannot start lvsi's DICOM reader: ") + std::strerror(e));
    }
    return Helper{pid, fds[0]};
  }

  std::mutex mutex_;
  std::vector<Helper> idle_;
};

Helpers& TheHelpers() {
  static Helpers* helpers = new Helpers;  // never destroyed: helpers end with the process
  return *helpers;
}

// One request to a helper; its result, or its lvsi error rethrown here.
template <typename Result>
Result Call(wire::Op op, const std::string& subject, const std::string& a, const std::string& b = {}) {
  for (int attempt = 0;; ++attempt) {
    Helper h = TheHelpers().Acquire(subject);
    try {
      wire::Sink out(h.socket);
      out.Plain(op);
      out.Text(a);
      out.Text(b);
    } catch (const wire::Broken&) {
      // An idle helper that ended (killed from outside): a new one, once.
      const int status = Helpers::Discard(h);
      if (attempt == 0) continue;
      ThrowDeath(subject, status);
    }
    wire::Source in(h.socket);
    bool released = false;  // back in the pool once its whole reply is read
    try {
      if (in.Plain<std::uint8_t>() == 0) {
        Result result{};
        wire::Get(in, &result);
        released = true;
        TheHelpers().Release(h);
        return result;
      }
      const auto error = wire::ErrorReply::Read(in);
      released = true;
      TheHelpers().Release(h);
      error.Throw(subject);
    } catch (const wire::Broken&) {
      ThrowDeath(subject, Helpers::Discard(h));
    } catch (...) {
      // The helper's own error, rethrown here; or a reply that could not be
      // used (a result lvsi refuses), whose helper is not trusted again.
      if (!released) Helpers::Discard(h);
      throw;
    }
  }
}

ImageInfo ReadInfo(const std::string& folder, const std::string& uid) {
  return Call<ImageInfo>(wire::Op::kReadInfo, folder, folder, uid);
}
Image ReadImage(const std::string& folder, const std::string& uid) {
  return Call<Image>(wire::Op::kReadImage, folder, folder, uid);
}
std::vector<DicomSeriesInfo> ListSeries(const std::string& folder) {
  return Call<std::vector<DicomSeriesInfo>>(wire::Op::kListSeries, folder, folder);
}
std::vector<ParsedRoi> ParseRtStruct(const std::string& path) {
  return Call<std::vector<ParsedRoi>>(wire::Op::kParseRtStruct, path, path);
}
ImageInfo ReadOtherInfo(const std::string& path) {
  return Call<ImageInfo>(wire::Op::kReadOtherInfo, path, path);
}
Image ReadOther(const std::string& path) { return Call<Image>(wire::Op::kReadOther, path, path); }

// The writers, in process: the plugin is loaded on the first write.
void WriteSeries(const Image& image, const std::string& folder, const std::string& description) {
  Plugin().write_series(image, folder, description);
}
void WriteRtStruct(const std::string& path, const std::vector<std::pair<std::string, std::vector<Contour>>>& rois) {
  Plugin().write_rtstruct(path, rois);
}

}  // namespace

const DicomApi& Dicom() {
  // LVSI_DICOM_IN_PROCESS=1 reads in this process: for a debugger, and for
  // fuzz_rtstruct, which must see the coverage of the readers.
  static const bool in_process = [] {
    const char* v = std::getenv("LVSI_DICOM_IN_PROCESS");
    return v && std::string(v) == "1";
  }();
  if (in_process) return Plugin();
  static const DicomApi helper{kDicomApiVersion, &ReadInfo,      &ReadImage,     &ListSeries,
                               &WriteSeries,     &ParseRtStruct, &WriteRtStruct, &ReadOtherInfo,
                               &ReadOther};
  return helper;
}

}  // namespace lvsi::io::detail
