// lvsi_radiomics: pyradiomics' command line (`pyradiomics image|batch [mask]
// [Options]`), with lvsi's extraction: the same options, output files and
// failure semantics (docs/radiomics.md, "Command line").
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lvsi/lvsi.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace {

// One output value: text as pyradiomics prints it (str()), or a feature's
// number; `literal` says the text is a Python literal (diagnostics).
struct Value {
  std::string text;
  std::optional<double> number;
  bool literal = false;
};
using Case = std::vector<std::pair<std::string, Value>>;

Value Text(std::string s) { return {std::move(s), std::nullopt, false}; }

std::string Str(const Value& v) { return v.number ? lvsi::FormatPythonFloat(*v.number) : v.text; }

// ------------------------------------------------------------ logging

// pyradiomics' levels: verbosity 1..5 is CRITICAL..DEBUG on standard error;
// --logging-level for the log file.
lvsi::LogLevel LevelOfName(const std::string& name) {
  if (name == "DEBUG" || name == "NOTSET") return lvsi::LogLevel::kDebug;
  if (name == "INFO") return lvsi::LogLevel::kInfo;
  if (name == "WARNING") return lvsi::LogLevel::kWarning;
  return lvsi::LogLevel::kError;  // ERROR, CRITICAL
}

lvsi::LogLevel LevelOfVerbosity(int v) {
  return v >= 5 ? lvsi::LogLevel::kDebug : v == 4 ? lvsi::LogLevel::kInfo : v == 3 ? lvsi::LogLevel::kWarning
                                                                                   : lvsi::LogLevel::kError;
}

char Letter(lvsi::LogLevel level) {
  switch (level) {
    case lvsi::LogLevel::kTrace:
    case lvsi::LogLevel::kDebug: return 'D';
    case lvsi::LogLevel::kInfo: return 'I';
    case lvsi::LogLevel::kWarning: return 'W';
    default: return 'E';
  }
}

class Logging {
 public:
  Logging(lvsi::LogLevel console, lvsi::LogLevel file_level, const std::string& file)
      : console_(console), file_level_(file_level) {
    if (!file.empty()) {
      file_.open(file, std::ios::app);
      if (!file_) throw lvsi::OutputError(file, "cannot open the log file");
    }
    lvsi::SetLogLevel(std::min(console_, file_ ? file_level_ : console_));
    lvsi::SetLogSink([this](lvsi::LogLevel level, const std::string& message) { Write(level, message); });
  }
  ~Logging() { lvsi::SetLogSink(nullptr); }
  void Write(lvsi::LogLevel level, const std::string& message) {
    char stamp[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    const std::string line = "[" + std::string(stamp) + "] " + Letter(level) + ": lvsi: " + message + "\n";
    std::lock_guard<std::mutex> lock(mutex_);
    if (level >= console_) std::cerr << line;
    if (file_ && level >= file_level_) file_ << line << std::flush;
  }

 private:
  lvsi::LogLevel console_, file_level_;
  std::ofstream file_;
  std::mutex mutex_;
};

void Info(const std::string& m) { lvsi::Log(lvsi::LogLevel::kInfo, m); }
void Warn(const std::string& m) { lvsi::Log(lvsi::LogLevel::kWarning, m); }
void Error(const std::string& m) { lvsi::Log(lvsi::LogLevel::kError, m); }

// ------------------------------------------------------------ settings

// `-s NAME:VALUE`: a list setting takes comma-separated values, a boolean
// 1/0 as well as true/false (pyradiomics' parsing of overrides).
void ApplyOverride(lvsi::radiomics::ExtractionParameters& p, const std::string& setting) {
  const auto colon = setting.find(':');
  if (colon == std::string::npos)
    throw lvsi::InvalidArgument("setting override '" + setting + "' is not NAME:VALUE");
  const std::string key = setting.substr(0, colon);
  std::string value = setting.substr(colon + 1);
  static const std::set<std::string> kLists = {"distances", "resampledPixelSpacing", "resegmentRange", "sigma"};
  static const std::set<std::string> kBooleans = {"normalize", "force2D", "preCrop", "correctMask", "additionalInfo",
                                                  "symmetricalGLCM", "resegmentShape", "gradientUseSpacing"};
  if (kLists.count(key)) value = "[" + value + "]";
  if (kBooleans.count(key) && (value == "1" || value == "0")) value = value == "1" ? "true" : "false";
  p.ApplySetting(key, value);
}

// ------------------------------------------------------------ output

// Python's json.dumps of a string (ensure_ascii).
std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (std::size_t n = 0; n < s.size(); ++n) {
    const unsigned char c = static_cast<unsigned char>(s[n]);
    char buf[16];
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c >= 0x80) {
      // UTF-8 to \uXXXX (surrogate pairs beyond the BMP).
      unsigned cp = c;
      int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
      if (extra) cp &= (0x3Fu >> extra);
      for (int k = 0; k < extra && n + 1 < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[++n]) & 0x3F);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      }
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string JsonNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return lvsi::FormatPythonFloat(v);
}

// A Python literal (a diagnostics value) as json.dump writes the object it
// denotes: tuples and lists as arrays, dicts as objects, None/True/False,
// numbers and quoted strings; `indent` spaces deep.  False when the text is
// not such a literal.
class LiteralToJson {
 public:
  LiteralToJson(const std::string& text, int indent) : s_(text), indent_(indent) {}
  bool Convert(std::string* out) {
    try {
      std::string r = ParseValue(indent_);
      Space();
      if (pos_ != s_.size()) return false;
      *out = std::move(r);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

 private:
  void Space() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }
  [[noreturn]] static void Fail() { throw std::runtime_error("not a literal"); }
  std::string Pad(int n) const { return std::string(static_cast<std::size_t>(n), ' '); }
  std::string ParseValue(int depth) {
    Space();
    if (pos_ >= s_.size()) Fail();
    const char c = s_[pos_];
    if (c == '(' || c == '[') return ParseSequence(c == '(' ? ')' : ']', depth);
    if (c == '{') return ParseDict(depth);
    if (c == '\'' || c == '"') return JsonString(ParseQuoted());
    std::size_t end = pos_;
    while (end < s_.size() && s_[end] != ',' && s_[end] != ')' && s_[end] != ']' && s_[end] != '}' && s_[end] != ':')
      ++end;
    std::string word = s_.substr(pos_, end - pos_);
    while (!word.empty() && word.back() == ' ') word.pop_back();
    pos_ = end;
    if (word == "None") return "null";
    if (word == "True") return "true";
    if (word == "False") return "false";
    if (word == "nan") return "NaN";
    if (word == "inf") return "Infinity";
    if (word == "-inf") return "-Infinity";
    double v;
    if (word.empty() || !lvsi::ParseDouble(word, &v)) Fail();
    return word;  // Python's repr, as json.dump writes numbers
  }
  std::string ParseQuoted() {
    const char q = s_[pos_++];
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != q) {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      out += s_[pos_++];
    }
    if (pos_ >= s_.size()) Fail();
    ++pos_;
    return out;
  }
  std::string ParseSequence(char close, int depth) {
    ++pos_;
    std::vector<std::string> items;
    Space();
    while (pos_ < s_.size() && s_[pos_] != close) {
      items.push_back(ParseValue(depth + 2));
      Space();
      if (pos_ < s_.size() && s_[pos_] == ',') ++pos_;
      Space();
    }
    if (pos_ >= s_.size()) Fail();
    ++pos_;
    if (items.empty()) return "[]";
    std::string out = "[";
    for (std::size_t k = 0; k < items.size(); ++k) out += (k ? ",\n" : "\n") + Pad(depth + 2) + items[k];
    return out + "\n" + Pad(depth) + "]";
  }
  std::string ParseDict(int depth) {
    ++pos_;
    std::vector<std::pair<std::string, std::string>> items;
    Space();
    while (pos_ < s_.size() && s_[pos_] != '}') {
      Space();
      if (s_[pos_] != '\'' && s_[pos_] != '"') Fail();
      const std::string key = ParseQuoted();
      Space();
      if (pos_ >= s_.size() || s_[pos_] != ':') Fail();
      ++pos_;
      items.emplace_back(key, ParseValue(depth + 2));
      Space();
      if (pos_ < s_.size() && s_[pos_] == ',') ++pos_;
      Space();
    }
    if (pos_ >= s_.size()) Fail();
    ++pos_;
    if (items.empty()) return "{}";
    std::string out = "{";
    for (std::size_t k = 0; k < items.size(); ++k)
      out += (k ? ",\n" : "\n") + Pad(depth + 2) + JsonString(items[k].first) + ": " + items[k].second;
    return out + "\n" + Pad(depth) + "}";
  }
  const std::string& s_;
  int indent_;
  std::size_t pos_ = 0;
};

std::string JsonValue(const Value& v, int depth) {
  if (v.number) return JsonNumber(*v.number);
  if (v.literal) {
    std::string out;
    if (LiteralToJson(v.text, depth).Convert(&out)) return out;
  }
  return JsonString(v.text);
}

// json.dump(results, indent=2): a list of one object per case.
std::string Json(const std::vector<Case>& cases) {
  if (cases.empty()) return "[]";
  std::string out = "[";
  for (std::size_t c = 0; c < cases.size(); ++c) {
    out += (c ? ",\n  {" : "\n  {");
    for (std::size_t k = 0; k < cases[c].size(); ++k)
      out += (k ? ",\n    " : "\n    ") + JsonString(cases[c][k].first) + ": " + JsonValue(cases[c][k].second, 4);
    out += cases[c].empty() ? "}" : "\n  }";
  }
  return out + "\n]";
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t n = 0; n < fields.size(); ++n) line += (n ? "," : "") + lvsi::CsvEscape(fields[n]);
  return line + "\n";
}

// The output of all cases, as pyradiomics' _processOutput: the header is
// the first case's keys, then the other cases' further keys sorted.
std::string Output(std::vector<Case> cases, const std::string& format, const std::string& format_path,
                   const fs::path& relative_start, bool skip_nans) {
  std::vector<std::string> header;
  std::set<std::string> first, more;
  if (!cases.empty())
    for (const auto& [k, v] : cases[0]) {
      header.push_back(k);
      first.insert(k);
    }
  for (std::size_t c = 1; c < cases.size(); ++c)
    for (const auto& [k, v] : cases[c])
      if (!first.count(k)) more.insert(k);
  header.insert(header.end(), more.begin(), more.end());
  std::string text;
  for (std::size_t c = 0; c < cases.size(); ++c) {
    Case& kase = cases[c];
    if (skip_nans)
      kase.erase(std::remove_if(kase.begin(), kase.end(),
                                [&](const auto& kv) {
                                  const bool nan = kv.second.number && std::isnan(*kv.second.number);
                                  if (nan) lvsi::Log(lvsi::LogLevel::kDebug, "Case " + std::to_string(c + 1) + ", feature " +
                                                                                 kv.first + " computed NaN, removing from results");
                                  return nan;
                                }),
                 kase.end());
    for (auto& [k, v] : kase) {
      if (k != "Image" && k != "Mask") continue;
      const fs::path p(v.text);
      if (format_path == "absolute") v.text = fs::absolute(p).lexically_normal().string();
      else if (format_path == "relative") v.text = fs::absolute(p).lexically_normal().lexically_relative(fs::absolute(relative_start)).string();
      else v.text = p.filename().string();
    }
    if (format == "csv") {
      if (c == 0) text += CsvLine(header);
      std::map<std::string, std::string> by_key;
      for (const auto& [k, v] : kase) by_key[k] = Str(v);
      std::vector<std::string> row;
      for (const auto& h : header) row.push_back(by_key.count(h) ? by_key[h] : "");
      text += CsvLine(row);
    } else if (format == "txt") {
      for (const auto& [k, v] : kase) text += "Case-" + std::to_string(c + 1) + "_" + k + ": " + Str(v) + "\n";
    }
  }
  if (format == "json") text = Json(cases);
  return text;
}

// Appends to `path` (pyradiomics opens --out for appending), or writes to
// standard output.
void Append(const std::string& text, const std::string& path) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return;
  }
  // All or nothing: a write that fails (a full disk) is cut back off, so
  // the file keeps what it held before.
  const bool existed = fs::exists(path);
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw lvsi::OutputError(path, std::string("cannot open to append the results: ") + std::strerror(errno));
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  std::size_t written = 0;
  std::string failure;
  while (written < text.size() && failure.empty()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno != EINTR) failure = std::strerror(errno);
    if (n > 0) written += static_cast<std::size_t>(n);
  }
  if (failure.empty() && regular && ::fsync(fd) != 0) failure = std::strerror(errno);
  if (!failure.empty() && regular) {
    if (::ftruncate(fd, st.st_size) != 0) failure += " (and the file could not be cut back to its old size)";
  }
  ::close(fd);
  if (!failure.empty()) {
    if (!existed) ::unlink(path.c_str());
    throw lvsi::OutputError(path, "cannot append the results: " + failure + (regular ? "; the file is as it was" : ""));
  }
}

// -od: one features_<case>.csv per case (header and row), read back instead
// of extracting again when it exists.
std::optional<Case> ReadCaseFile(const std::string& path) {
  if (!fs::exists(path)) return std::nullopt;
  const lvsi::CsvDocument doc = lvsi::ReadCsv(path);
  if (doc.rows.size() != 1 || doc.rows[0].size() != doc.header.size()) return std::nullopt;
  Case c;
  for (std::size_t n = 0; n < doc.header.size(); ++n) {
    Value v = Text(doc.rows[0][n]);
    v.literal = doc.header[n].rfind("diagnostics_", 0) == 0;
    c.emplace_back(doc.header[n], v);
  }
  return c;
}

void WriteCaseFile(const Case& c, const std::string& path) {
  std::vector<std::string> keys, values;
  for (const auto& [k, v] : c) {
    keys.push_back(k);
    values.push_back(Str(v));
  }
  lvsi::WriteFileAtomically(path, CsvLine(keys) + CsvLine(values));
}

// ------------------------------------------------------------ cases

struct Input {
  std::vector<std::pair<std::string, std::string>> columns;  // every input column, in order (Image, Mask resolved)
  std::string image, mask;
  std::optional<int> label, label_channel;
};

// The SHA-1 of a file's content (a folder: of its files' names, sizes and
// times); a cache key, not a security digest.
std::string ContentDigest(const std::string& path) {
  std::error_code ec;
  std::string text;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec)) {
      std::error_code ec2;
      text += e.path().filename().string() + " " + std::to_string(e.is_regular_file(ec2) ? e.file_size(ec2) : 0) + " " +
              std::to_string(fs::last_write_time(e.path(), ec2).time_since_epoch().count()) + "\n";
    }
  } else {
    try {
      text = lvsi::ReadTextFile(path);
    } catch (const lvsi::Error&) {
      text = "(unreadable)";
    }
  }
  return lvsi::Sha1Hex(text);
}

// What determines a case's row of -od: the settings, its input columns and
// the contents of its image and mask.
std::string CaseKey(const Input& in, const std::string& settings_text) {
  std::string key = settings_text;
  for (const auto& [column, value] : in.columns) key += column + "=" + value + "\n";
  return key + "image " + ContentDigest(in.image) + "\nmask " + ContentDigest(in.mask) + "\n";
}

// One case: its input columns, then diagnostics and features; a failed case
// keeps its input columns only and logs why.
// The extractor of one case: the parameters with the case's Label and
// Label_channel columns.
lvsi::radiomics::FeatureExtractor CaseExtractor(const Input& in, const lvsi::radiomics::ExtractionParameters& params,
                                               int threads) {
  lvsi::radiomics::ExtractionParameters p = params;
  if (in.label) p.ApplySetting("label", std::to_string(*in.label));
  if (in.label_channel) p.ApplySetting("label_channel", std::to_string(*in.label_channel));
  lvsi::radiomics::FeatureExtractor extractor(p);
  extractor.set_threads(threads);
  return extractor;
}

Case Extract(std::size_t index, const Input& in, const lvsi::radiomics::ExtractionParameters& params, int threads) {
  Case c;
  for (const auto& [k, v] : in.columns) c.emplace_back(k, Text(v));
  try {
    Info("Processing case " + std::to_string(index));
    const auto start = std::chrono::steady_clock::now();
    const lvsi::radiomics::ExtractionResult r = CaseExtractor(in, params, threads).ExecuteFiles(in.image, in.mask);
    for (const auto& [k, v] : r.diagnostics) c.emplace_back(k, Value{v, std::nullopt, true});
    for (const auto& [k, v] : r.features) c.emplace_back(k, Value{"", v, false});
    Info("Case " + std::to_string(index) + " processed in " +
         std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()) + " s");
  } catch (const std::exception& e) {
    Error("Feature extraction failed! Case " + std::to_string(index) + " (" + in.image + "): " + lvsi::DescribeError(e));
  }
  return c;
}

// One case voxel-based: its input columns, the diagnostics, then each
// feature's map written to `dir` as Case-<index>_<feature>.<ext> (as
// pyradiomics' voxel command line names them), its path in the row.
Case ExtractVoxel(std::size_t index, const Input& in, const lvsi::radiomics::ExtractionParameters& params, int threads,
                  const std::string& dir, const std::string& ext, const std::vector<std::string>& inputs) {
  Case c;
  for (const auto& [k, v] : in.columns) c.emplace_back(k, Text(v));
  try {
    Info("Processing case " + std::to_string(index) + " (voxel-based)");
    const auto start = std::chrono::steady_clock::now();
    const lvsi::radiomics::VoxelResult r = CaseExtractor(in, params, threads).ExecuteVoxelFiles(in.image, in.mask);
    for (const auto& [k, v] : r.diagnostics) c.emplace_back(k, Value{v, std::nullopt, true});
    for (const auto& [name, map] : r.maps) {
      const std::string target = (fs::path(dir) / ("Case-" + std::to_string(index) + "_" + name + ext)).string();
      lvsi::CheckOutputIsNotInput(target, inputs);
      lvsi::io::WriteImage(map, target);
      c.emplace_back(name, Text(target));
    }
    Info("Case " + std::to_string(index) + " processed in " +
         std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()) + " s (" +
         std::to_string(r.maps.size()) + " maps of " + std::to_string(r.voxel_count) + " voxels)");
  } catch (const std::exception& e) {
    Error("Feature extraction failed! Case " + std::to_string(index) + " (" + in.image + "): " + lvsi::DescribeError(e));
  }
  return c;
}

// A failed case keeps its input columns only (a voxel case's results are
// map paths, text like the columns).
bool Failed(const Case& c, const Input& in) { return c.size() <= in.columns.size(); }

std::optional<int> IntCell(const std::string& text, const std::string& column, const std::string& file, std::size_t line) {
  long long v = 0;
  if (text.empty()) return std::nullopt;
  if (!lvsi::ParseInteger(text, &v) || v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
    throw lvsi::FormatError(file, "line " + std::to_string(line) + ": column " + column +
                                      " must be a whole number, got '" + text + "'");
  return static_cast<int>(v);
}

// The cases of a batch file (its rows, paths relative to its folder, which
// becomes `relative_start`), or the one image and mask; nullopt, with the
// reason logged, for an input pyradiomics cannot use either.
std::optional<std::vector<Input>> ReadCases(const std::string& input, const std::string& mask, fs::path* relative_start) {
  std::vector<Input> cases;
  if (input.size() >= 4 && input.substr(input.size() - 4) == ".csv") {
    *relative_start = fs::absolute(input).parent_path();
    const lvsi::CsvDocument batch = lvsi::ReadCsv(input);
    if (batch.ColumnIndex("Image") < 0 || batch.ColumnIndex("Mask") < 0) {
      Error("Required column \"Image\" and \"Mask\" not present in " + input + ", unable to extract features...");
      return std::nullopt;
    }
    for (std::size_t r = 0; r < batch.rows.size(); ++r) {
      Input in;
      for (std::size_t k = 0; k < batch.header.size(); ++k)
        in.columns.emplace_back(batch.header[k], k < batch.rows[r].size() ? batch.rows[r][k] : "");
      for (auto& [key, value] : in.columns) {
        if (key == "Image" || key == "Mask") {
          if (!value.empty() && !fs::path(value).is_absolute())
            value = fs::absolute(*relative_start / value).lexically_normal().string();
          (key == "Image" ? in.image : in.mask) = value;
        }
        if (key == "Label") in.label = IntCell(value, key, input, batch.line_numbers[r]);
        if (key == "Label_channel") in.label_channel = IntCell(value, key, input, batch.line_numbers[r]);
      }
      if (in.image.empty() || in.mask.empty()) {
        Warn("Batch L" + std::to_string(r + 2) + ": Missing required Image or Mask, skipping this case...");
        continue;
      }
      cases.push_back(std::move(in));
    }
    return cases;
  }
  if (mask.empty()) {
    Error("Input is not recognized as batch, no mask specified, cannot compute result!");
    return std::nullopt;
  }
  Input in;
  in.columns = {{"Image", input}, {"Mask", mask}};
  in.image = input;
  in.mask = mask;
  cases.push_back(std::move(in));
  return cases;
}

// --validate: the parameter file parses, every image and mask exists.
bool Validate(const std::vector<Input>& cases, const std::string& param) {
  std::size_t errored = 0;
  if (!param.empty()) {
    try {
      lvsi::radiomics::ReadParameterFile(param);
    } catch (const lvsi::Error& e) {
      Error(std::string("Parameter validation failed! ") + e.what());
      ++errored;
    }
  }
  for (std::size_t n = 0; n < cases.size(); ++n) {
    const std::string which = " for case (" + std::to_string(n + 1) + "/" + std::to_string(cases.size()) + ") does not exist!";
    const bool bad_image = !fs::is_regular_file(cases[n].image) && !fs::is_directory(cases[n].image);
    const bool bad_mask = !fs::is_regular_file(cases[n].mask) && !fs::is_directory(cases[n].mask);
    if (bad_image) Error("Image path" + which);
    if (bad_mask) Error("Mask path" + which);
    errored += bad_image || bad_mask;
  }
  Info("Validation complete, errors found in " + std::to_string(errored) + " case(s)");
  std::cerr << "lvsi_radiomics: validation found errors in " << errored << " case(s)\n";
  return errored == 0;
}

// none does, or `output` is standard output or does not exist yet).
// With LVSI_REPORT_PEAK_MEMORY set, prints this process's peak resident
// memory (VmHWM, which unlike getrusage excludes the parent's pages from
// before exec) to standard error at exit; bench_radiomics reads it.
struct PeakMemoryReport {
  ~PeakMemoryReport() {
    if (!std::getenv("LVSI_REPORT_PEAK_MEMORY")) return;
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return;
    char line[256];
    while (std::fgets(line, sizeof line, f))
      if (std::strncmp(line, "VmHWM:", 6) == 0) std::fprintf(stderr, "lvsi_radiomics: peak memory %s", line + 6);
    std::fclose(f);
  }
};

// IBSI mode (--format ibsi): one case, the parameter file's ibsi: section,
// IBSI's table written to -o (replaced whole, atomically) or standard
// output.  Label overrides: -l N or -s label:N.
int ExtractIbsi(const std::vector<Input>& cases, const std::string& input, const std::string& mask,
                const std::string& param, const std::vector<std::string>& overrides, std::optional<int> label,
                const std::string& out, bool validate) {
  if (param.empty()) throw lvsi::InvalidArgument("--format ibsi needs a parameter file with an ibsi: section (-p)");
  if (cases.size() != 1 || mask.empty())
    throw lvsi::InvalidArgument("--format ibsi extracts one case (an image and its mask), not a batch");
  lvsi::radiomics::ibsi::Settings s = lvsi::radiomics::ibsi::ReadSettings(param);
  for (const auto& o : overrides) {
    const auto colon = o.find(':');
    if (colon == std::string::npos || o.substr(0, colon) != "label")
      throw lvsi::InvalidArgument("--setting '" + o + "': IBSI mode takes its settings from the parameter file (" +
                                  param + "); only label:N may be given here");
    long long value = 0;
    if (!lvsi::ParseInteger(o.substr(colon + 1), &value) || value < 1 || value > std::numeric_limits<int>::max())
      throw lvsi::InvalidArgument("--setting '" + o + "': label must be a positive whole number");
    label = static_cast<int>(value);
  }
  if (label) {
    if (*label < 1) throw lvsi::InvalidArgument("label " + std::to_string(*label) + " must be positive");
    s.label = *label;
  }
  lvsi::CheckOutputIsNotInput(out, {input, mask, param, cases[0].image, cases[0].mask});
  // (The parameter file is read above; validation checks the inputs.)
  if (validate) return Validate(cases, "") ? 0 : static_cast<int>(lvsi::ExitStatus::kInput);
  Info("IBSI mode: " + cases[0].image + ", " + cases[0].mask + " with " + param);
  std::vector<lvsi::radiomics::ibsi::Feature> features;
  try {
    features = lvsi::radiomics::ibsi::ExtractFiles(cases[0].image, cases[0].mask, s);
  } catch (const lvsi::InvalidArgument& e) {  // a setting the data make unusable: the file that gives it
    throw lvsi::InvalidArgument(param + ": " + e.what());
  }
  const std::string table = lvsi::radiomics::ibsi::TableCsv(features);
  if (out.empty() || out == "-") {
    std::fwrite(table.data(), 1, table.size(), stdout);
    std::fflush(stdout);
  } else {
    lvsi::WriteFileAtomically(out, table);
  }
  Info("Finished IBSI mode: " + std::to_string(features.size()) + " feature values");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  PeakMemoryReport peak_memory_report;
  CLI::App app{"lvsi_radiomics " + lvsi::Version() +
               ": pyradiomics' command line with lvsi's extraction.\nusage: lvsi_radiomics image|batch [mask] [Options]"};
  app.set_version_flag("--version", "lvsi_radiomics " + lvsi::Version());
  std::string input, mask, param, out, out_dir, format = "txt", format_path = "absolute", mode = "segment";
  std::string logging_level = "WARNING", log_file;
  std::vector<std::string> settings;
  int jobs = 1, verbosity = 3;
  std::optional<int> label;
  bool validate = false, skip_nans = false, unix_path = false;
  app.add_option("input", input, "image file (single mode) or CSV batch file (batch mode)")->required();
  app.add_option("mask", mask, "mask file of the image (single mode only)");
  app.add_option("-p,--param", param, "parameter file (YAML) with the settings of the extraction");
  app.add_option("-s,--setting", settings, "\"SETTING_NAME:VALUE\" overriding the parameter file (repeatable)");
  app.add_option("-j,--jobs", jobs, "(batch mode) cases extracted in parallel")->check(CLI::Range(1, 4096));
  app.add_flag("--validate", validate, "check the parameter file and that the input files exist, extract nothing");
  app.add_option("-o,--out", out, "file to append the output to (default: standard output)");
  app.add_option("--out-dir", out_dir,
                 "(-od) segment mode: folder for one features_<case>.csv per case, finished cases are reused; "
                 "voxel mode: folder of the feature maps (default: the current folder)");
  std::string voxel_format = "nrrd";
  app.add_option("--voxel-format", voxel_format, "file format of the voxel mode's feature maps")
      ->check(CLI::IsMember({"nrrd", "nii.gz", "nii", "mha"}));
  app.add_option("-m,--mode", mode, "extraction mode")->check(CLI::IsMember({"segment", "voxel"}));
  app.add_flag("--skip-nans", skip_nans, "leave out features whose value is NaN");
  app.add_option("-f,--format", format,
                 "output format: txt (Case-N_name: value lines), json, csv; ibsi: IBSI mode, the parameter file's "
                 "ibsi: section, written as IBSI's table (family,feature,ibsi_code,aggregation,value)")
      ->check(CLI::IsMember({"csv", "json", "txt", "ibsi"}));
  app.add_option("--format-path", format_path, "(-fp) Image and Mask paths in the output")
      ->check(CLI::IsMember({"absolute", "relative", "basename"}));
  app.add_flag("--unix-path", unix_path, "(-up) use / in paths (always so on this platform)");
  app.add_option("--logging-level", logging_level, "level of the log file")
      ->check(CLI::IsMember({"NOTSET", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}));
  app.add_option("--log-file", log_file, "file to append the log to");
  app.add_option("-v,--verbosity", verbosity,
                 "messages on standard error: 1 critical .. 3 warning (default) .. 5 debug; -v alone: 4 (info)")
      ->check(CLI::Range(1, 5))
      ->expected(0, 1);
  app.add_option("-l,--label", label, "(deprecated, use -s label:N) label value of the ROI");
  // pyradiomics' two-letter short options (-od, -fp, -up), which CLI11
  // cannot declare, become their long names.
  std::vector<std::string> args;
  for (int n = argc - 1; n >= 1; --n) {
    std::string a = argv[n];
    for (const auto& [shortname, longname] : {std::pair<std::string, std::string>{"-od", "--out-dir"},
                                              {"-fp", "--format-path"}, {"-up", "--unix-path"}})
      if (a == shortname || a.rfind(shortname + "=", 0) == 0) a = longname + a.substr(shortname.size());
    args.push_back(a);  // (CLI11 takes the arguments in reverse order)
  }
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(lvsi::ExitStatus::kUsage);  // argparse's status, too
  }
  // -v without a number: INFO (argparse's const=4).
  if (app.count("-v")) {
    const auto& given = app["-v"]->results();
    if (given.empty() || given.front().empty()) verbosity = 4;
  }

  // The log file is opened first: it must not be an input (the batch
  // file's images and masks are checked against -o below).
  try {
    lvsi::CheckOutputIsNotInput(log_file, {input, mask, param});
  } catch (const lvsi::OutputError& e) {
    std::cerr << "lvsi_radiomics: the log file " << e.what() << "\n";
    return static_cast<int>(lvsi::ExitStatus::kOutput);
  }
  try {
    Logging logging(LevelOfVerbosity(verbosity), LevelOfName(logging_level), log_file);
    Info("Starting lvsi_radiomics (version: " + lvsi::Version() + ")");

    // The cases: a CSV batch, or an image and its mask.
    fs::path relative_start = fs::current_path();
    const std::optional<std::vector<Input>> read = ReadCases(input, mask, &relative_start);
    if (!read) return static_cast<int>(lvsi::ExitStatus::kInput);
    const std::vector<Input>& cases = *read;
    if (validate && format != "ibsi") return Validate(cases, param) ? 0 : static_cast<int>(lvsi::ExitStatus::kInput);
    if (format == "ibsi") return ExtractIbsi(cases, input, mask, param, settings, label, out, validate);

    lvsi::radiomics::ExtractionParameters params = param.empty() ? lvsi::radiomics::ExtractionParameters::Defaults()
                                                                 : lvsi::radiomics::ReadParameterFile(param);
    for (const auto& s : settings) ApplyOverride(params, s);
    if (label) {
      Warn("Argument \"label\" is deprecated. To specify a custom label, use argument \"setting\" as follows: "
           "\"--setting=label:N\", where N is the a label value.");
      params.ApplySetting("label", std::to_string(*label));
    }
    try {
      lvsi::radiomics::FeatureExtractor check(params);  // invalid settings stop here, before any case
    } catch (const lvsi::InvalidArgument& e) {
      throw lvsi::InvalidArgument((param.empty() ? std::string("settings") : param) + ": " + e.what());
    }
    // An output (or the log) that names an input would be appended to it:
    // refused before anything is written.
    std::vector<std::string> inputs{input, param};
    for (const Input& c : cases) {
      inputs.push_back(c.image);
      inputs.push_back(c.mask);
    }
    lvsi::CheckOutputIsNotInput(out, inputs);
    if (!out_dir.empty()) fs::create_directories(out_dir);
    const bool voxel = mode == "voxel";

    std::vector<Case> results(cases.size());
    const int workers = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(jobs), cases.size()));
    Info("Input valid, starting extraction from " + std::to_string(cases.size()) + " case(s) with " +
         std::to_string(workers) + " worker(s)...");
    const std::string settings_text = "lvsi " + lvsi::Version() + "\n" + params.ToYaml();
    lvsi::ParallelFor(0, cases.size(), [&](std::size_t n) {
      if (voxel) {
        results[n] = ExtractVoxel(n + 1, cases[n], params, workers > 1 ? 1 : 0, out_dir.empty() ? "." : out_dir,
                                  "." + voxel_format, inputs);
        return;
      }
      const std::string number = std::to_string(n + 1);
      const std::string file = out_dir.empty() ? "" : (fs::path(out_dir) / ("features_" + number + ".csv")).string();
      // A case file is reused only with its key (beside it, hidden): the
      // same settings, lvsi version, input columns and image and mask
      // contents.  Anything else is extracted again.
      const std::string key_file = out_dir.empty() ? "" : (fs::path(out_dir) / (".features_" + number + ".key")).string();
      const std::string key = out_dir.empty() ? "" : CaseKey(cases[n], settings_text);
      if (!file.empty()) {
        std::error_code ec;
        if (fs::exists(key_file, ec) && lvsi::ReadTextFile(key_file) == key)
          if (auto done = ReadCaseFile(file)) {
            Info("Patient " + number + " already processed, reading results...");
            results[n] = std::move(*done);
            return;
          }
        fs::remove(key_file, ec);
      }
      // One case at a time uses every core for its classes; parallel cases
      // one core each.
      results[n] = Extract(n + 1, cases[n], params, workers > 1 ? 1 : 0);
      if (!file.empty()) {
        WriteCaseFile(results[n], file);
        lvsi::WriteFileAtomically(key_file, key);
      }
    }, workers);
    std::size_t failed = 0;
    for (std::size_t n = 0; n < results.size(); ++n) failed += Failed(results[n], cases[n]);
    if (!results.empty()) Append(Output(results, format, format_path, relative_start, skip_nans), out);
    Info(std::string("Finished ") + (voxel ? "voxel" : "segment") + "-based extraction: " +
         std::to_string(results.size() - failed) + " of " +
         std::to_string(results.size()) + " case(s) extracted");
    // pyradiomics exits 0 even when cases fail; lvsi exits 4 so that
    // scripts and schedulers notice (the failed cases are in the output).
    return failed ? static_cast<int>(lvsi::ExitStatus::kPartial) : 0;
  } catch (const std::exception& e) {
    Error("Error extracting features! " + lvsi::DescribeError(e));
    return static_cast<int>(lvsi::ExitStatusOf(e));
  }
}
