#include "lvsi/core/csv.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "lvsi/core/error.h"

namespace lvsi {

long CsvDocument::ColumnIndex(std::string_view name) const noexcept {
  for (std::size_t c = 0; c < header.size(); ++c)
    if (header[c] == name) return static_cast<long>(c);
  return -1;
}

CsvDocument ParseCsv(std::string_view text, const std::string& source) {
  CsvDocument doc;
  doc.source = source;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);

  std::vector<std::string> record;
  std::string field;
  std::size_t line = 1, record_line = 1;
  bool in_quotes = false, field_quoted = false, record_has_content = false;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    field_quoted = false;
  };
  auto end_record = [&] {
    end_field();
    const bool blank = !record_has_content;
    if (!blank) {
      if (doc.header.empty()) {
        doc.header = std::move(record);
      } else {
        if (record.size() != doc.header.size())
          throw FormatError(source, "line " + std::to_string(record_line) + ": " +
                                        std::to_string(record.size()) + " fields, header has " +
                                        std::to_string(doc.header.size()));
        doc.rows.push_back(std::move(record));
        doc.line_numbers.push_back(record_line);
      }
    }
    record.clear();
    record_has_content = false;
  };
  for (std::size_t n = 0; n < text.size(); ++n) {
    const char ch = text[n];
    if (in_quotes) {
      if (ch == '"') {
        if (n + 1 < text.size() && text[n + 1] == '"') {
          field += '"';
          ++n;
        } else {
          in_quotes = false;
        }
      } else {
        if (ch == '\n') ++line;
        field += ch;
      }
      continue;
    }
    switch (ch) {
      case '"':
        if (!field.empty() && !field_quoted)
          throw FormatError(source, "line " + std::to_string(line) +
                                        ": quote inside an unquoted field");
        in_quotes = true;
        field_quoted = true;
        record_has_content = true;
        break;
      case ',':
        record_has_content = true;
        end_field();
        break;
      case '\r':
        break;
      case '\n':
        end_record();
        ++line;
        record_line = line;
        break;
      default:
        field += ch;
        if (ch != ' ' && ch != '\t') record_has_content = true;
    }
  }
  if (in_quotes)
    throw FormatError(source, "line " + std::to_string(record_line) + ": unterminated quote");
  if (record_has_content || !field.empty() || !record.empty()) end_record();
  if (doc.header.empty()) throw FormatError(source, "empty CSV file (no header row)");
  return doc;
}

void CheckOutputIsNotInput(const std::string& output, const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (output.empty() || output == "-" || !fs::exists(output, ec)) return;
  for (const std::string& input : inputs)
    if (!input.empty() && input != "-" && fs::exists(input, ec) && fs::equivalent(output, input, ec))
      throw OutputError(output, "is the input " + input + "; writing it would destroy that input (choose another file)");
}

std::string ReadTextFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw IoError(path, "is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path, ec)) throw IoError(path, "file does not exist");
    throw IoError(path, std::string("cannot open: ") + std::strerror(errno));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw IoError(path, "read failed");
  return buffer.str();
}

CsvDocument ReadCsv(const std::string& path) { return ParseCsv(ReadTextFile(path), path); }

std::string CsvEscape(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char ch : field) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
  return out;
}

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, res.ptr);
}

// Python's repr() of a float, as pyradiomics' diagnostics print it: the
// shortest digits that read back to the value, positional for decimal
// exponents -4..15 (with ".0" when whole), else d.ddde+XX.
std::string FormatPythonFloat(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const std::string sci(buf, res.ptr);  // [-]d[.ddd]e[+-]XX
  const std::size_t e = sci.find('e');
  const int exponent = std::stoi(sci.substr(e + 1));
  const bool negative = sci[0] == '-';
  std::string digits;
  for (std::size_t n = negative ? 1 : 0; n < e; ++n)
    if (sci[n] != '.') digits += sci[n];
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char tail[16];
    std::snprintf(tail, sizeof tail, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + tail;
  }
  if (exponent < 0) return out + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  const std::size_t whole = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= whole) return out + digits + std::string(whole - digits.size(), '0') + ".0";
  return out + digits.substr(0, whole) + "." + digits.substr(whole);
}

bool ParseDouble(std::string_view text, double* value) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return false;
  auto lower_equals = [&](std::string_view word) {
    if (text.size() != word.size()) return false;
    for (std::size_t n = 0; n < word.size(); ++n)
      if (std::tolower(static_cast<unsigned char>(text[n])) != word[n]) return false;
    return true;
  };
  if (lower_equals("nan") || lower_equals("na")) {
    *value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (lower_equals("inf") || lower_equals("+inf") || lower_equals("infinity")) {
    *value = std::numeric_limits<double>::infinity();
    return true;
  }
  if (lower_equals("-inf") || lower_equals("-infinity")) {
    *value = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (text.front() == '+') text.remove_prefix(1);
  double v = 0.0;
  auto res = std::from_chars(text.data(), text.data() + text.size(), v);
  if (res.ec != std::errc() || res.ptr != text.data() + text.size()) return false;
  *value = v;
  return true;
}

bool ParseInteger(std::string_view text, long long* value) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);
  long long v = 0;
  const auto res = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || res.ec != std::errc() || res.ptr != text.data() + text.size()) return false;
  *value = v;
  return true;
}

namespace {

// Writes all of `content` to `fd`; the reason when a write fails ("" when
// none does).
std::string WriteAll(int fd, std::string_view content) {
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::strerror(errno);
    }
    written += static_cast<std::size_t>(n);
  }
  return "";
}

// Writes `content` to an existing file that is not a regular one (a
// device such as /dev/null or /dev/stdout, a FIFO): renaming a temporary
// file over it would replace the device or pipe with a plain file.
void WriteInPlace(const std::string& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw OutputError(path, std::string("cannot open for writing: ") + std::strerror(errno));
  if (const std::string failed = WriteAll(fd, content); !failed.empty()) {
    ::close(fd);
    throw OutputError(path, "write failed: " + failed);
  }
  if (::close(fd) != 0) throw OutputError(path, std::string("close failed: ") + std::strerror(errno));
}

}  // namespace

void WriteFileAtomically(const std::string& path, std::string_view content) {
  namespace fs = std::filesystem;
  static std::atomic<unsigned> counter{0};
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);  // follows symbolic links
  if (!ec && fs::exists(status) && !fs::is_regular_file(status) && !fs::is_directory(status))
    return WriteInPlace(path, content);
  // A symbolic link keeps being one: the file it names is replaced.
  fs::path target(path);
  if (fs::is_symlink(fs::symlink_status(path, ec))) {
    const fs::path resolved = fs::weakly_canonical(path, ec);
    if (!ec) target = resolved;
  }
  const fs::path tmp = target.parent_path() /
                       ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()) +
                        "." + std::to_string(counter++));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw OutputError(path, std::string("cannot create file: ") + std::strerror(errno));
  if (const std::string failed = WriteAll(fd, content); !failed.empty()) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw OutputError(path, "write failed: " + failed);
  }
  const bool synced = ::fsync(fd) == 0;
  const std::string sync_failure = synced ? "" : std::strerror(errno);
  if (::close(fd) != 0 || !synced) {
    const std::string reason = synced ? std::strerror(errno) : sync_failure;
    ::unlink(tmp.c_str());
    throw OutputError(path, "flush failed: " + reason);
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw OutputError(path, "rename failed: " + reason);
  }
}

}  // namespace lvsi
