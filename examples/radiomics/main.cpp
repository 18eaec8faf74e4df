// lvsi_radiomics: pyradiomics-compatible feature extraction from the shell.
#include <CLI/CLI.hpp>
#include <lvsi/lvsi.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

namespace fs = std::filesystem;

namespace {

struct CaseOutput {
  std::string image, mask;
  std::optional<lvsi::radiomics::ExtractionResult> result;
  std::string error;
};

std::vector<std::string> Header(const lvsi::radiomics::ExtractionResult& r) {
  std::vector<std::string> h{"Image", "Mask"};
  for (const auto& [k, v] : r.diagnostics) h.push_back(k);
  for (const auto& [k, v] : r.features) h.push_back(k);
  return h;
}

std::string Row(const CaseOutput& c) {
  std::string line = lvsi::CsvEscape(c.image) + "," + lvsi::CsvEscape(c.mask);
  for (const auto& [k, v] : c.result->diagnostics) line += "," + lvsi::CsvEscape(v);
  for (const auto& [k, v] : c.result->features) line += "," + lvsi::FormatDouble(v);
  return line + "\n";
}

std::string ToJson(const CaseOutput& c) {
  nlohmann::ordered_json j;
  j["Image"] = c.image;
  j["Mask"] = c.mask;
  for (const auto& [k, v] : c.result->diagnostics) j[k] = v;
  for (const auto& [k, v] : c.result->features) j[k] = std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr;
  return j.dump(2) + "\n";
}

void Emit(const std::string& text, const std::string& out) {
  if (out.empty() || out == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    lvsi::WriteFileAtomically(out, text);
  }
}

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

}  // namespace

int main(int argc, char** argv) {
  PeakMemoryReport peak_memory_report;
  CLI::App app{"lvsi_radiomics " + lvsi::Version() +
               ": pyradiomics-compatible radiomics features (single case or batch)"};
  app.set_version_flag("--version", "lvsi_radiomics " + lvsi::Version());
  std::vector<std::string> inputs;
  std::string param, format = "csv", out;
  int jobs = 0;
  std::optional<int> label;
  app.add_option("inputs", inputs, "IMAGE MASK, or BATCH.csv (columns Image,Mask[,Label])")->required();
  app.add_option("-p,--param", param, "pyradiomics parameter file (YAML)")->check(CLI::ExistingFile);
  app.add_option("-f,--format", format, "output format for one case: csv or json")
      ->check(CLI::IsMember({"csv", "json"}));
  app.add_option("-o,--out", out, "output file (default: standard output)");
  app.add_option("-j,--jobs", jobs, "parallel cases in batch mode (0: all cores)")->check(CLI::NonNegativeNumber);
  app.add_option("-l,--label", label, "label value of the ROI (overrides the parameter file)");
  CLI11_PARSE(app, argc, argv);

  lvsi::SetLogLevel(lvsi::LogLevel::kWarning);
  try {
    lvsi::radiomics::ExtractionParameters params = param.empty()
                                                       ? lvsi::radiomics::ExtractionParameters::Defaults()
                                                       : lvsi::radiomics::ReadParameterFile(param);
    if (label) params.settings.label = *label;
    if (inputs.size() == 2) {
      lvsi::radiomics::FeatureExtractor extractor(params);
      extractor.set_threads(0);
      CaseOutput c{inputs[0], inputs[1], extractor.ExecuteFiles(inputs[0], inputs[1]), ""};
      if (format == "json") {
        Emit(ToJson(c), out);
      } else {
        std::string text;
        const auto header = Header(*c.result);
        for (std::size_t n = 0; n < header.size(); ++n) text += (n ? "," : "") + lvsi::CsvEscape(header[n]);
        Emit(text + "\n" + Row(c), out);
      }
      return 0;
    }
    if (inputs.size() != 1) {
      std::cerr << "lvsi_radiomics: give IMAGE MASK or one BATCH.csv\n";
      return 1;
    }
    if (out.empty()) {
      std::cerr << "lvsi_radiomics: batch mode needs -o OUT.csv\n";
      return 1;
    }
    const lvsi::CsvDocument batch = lvsi::ReadCsv(inputs[0]);
    const long ci = batch.ColumnIndex("Image"), cm = batch.ColumnIndex("Mask"), cl = batch.ColumnIndex("Label");
    if (ci < 0 || cm < 0) throw lvsi::FormatError(inputs[0], "batch file needs columns Image and Mask");
    const fs::path base = fs::absolute(inputs[0]).parent_path();
    auto resolve = [&](const std::string& p) { return fs::path(p).is_absolute() ? p : (base / p).string(); };
    std::vector<CaseOutput> cases(batch.rows.size());
    auto progress = lvsi::TerminalProgress();
    std::mutex mutex;
    std::size_t done = 0;
    lvsi::ParallelFor(0, cases.size(), [&](std::size_t n) {
      CaseOutput& c = cases[n];
      c.image = batch.rows[n][static_cast<std::size_t>(ci)];
      c.mask = batch.rows[n][static_cast<std::size_t>(cm)];
      try {
        lvsi::radiomics::ExtractionParameters p = params;
        if (cl >= 0 && !batch.rows[n][static_cast<std::size_t>(cl)].empty())
          p.settings.label = std::stoi(batch.rows[n][static_cast<std::size_t>(cl)]);
        c.result = lvsi::radiomics::FeatureExtractor(p).ExecuteFiles(resolve(c.image), resolve(c.mask));
      } catch (const std::exception& e) {
        c.error = e.what();
      }
      std::lock_guard<std::mutex> lock(mutex);
      progress({"radiomics", ++done, cases.size(), c.image});
    }, jobs);
    std::string text, errors = "Case,Image,Mask,Error\n";
    std::size_t failed = 0;
    for (std::size_t n = 0; n < cases.size(); ++n) {
      const auto& c = cases[n];
      if (!c.result) {
        ++failed;
        errors += std::to_string(n + 1) + "," + lvsi::CsvEscape(c.image) + "," + lvsi::CsvEscape(c.mask) + "," +
                  lvsi::CsvEscape(c.error) + "\n";
        std::cerr << "lvsi_radiomics: case " << n + 1 << " (" << c.image << ") failed: " << c.error << "\n";
        continue;
      }
      if (text.empty()) {
        const auto header = Header(*c.result);
        for (std::size_t k = 0; k < header.size(); ++k) text += (k ? "," : "") + lvsi::CsvEscape(header[k]);
        text += "\n";
      }
      text += Row(c);
    }
    lvsi::WriteFileAtomically(out, text);
    if (failed) lvsi::WriteFileAtomically(out + ".errors.csv", errors);
    std::cerr << "lvsi_radiomics: " << cases.size() - failed << " of " << cases.size() << " cases extracted"
              << (failed ? ", errors in " + out + ".errors.csv" : "") << "\n";
    return failed ? 2 : 0;
  } catch (const lvsi::Error& e) {
    std::cerr << "lvsi_radiomics: " << e.what() << "\n";
    return 1;
  }
}
