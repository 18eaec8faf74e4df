#include "lvsi/io/manifest.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <set>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"

namespace lvsi::io {
namespace fs = std::filesystem;
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

}  // namespace

bool CohortManifest::IsNumericClinical(const std::string& name) const {
  bool any = false;
  for (const auto& c : cases) {
    auto it = c.clinical.find(name);
    if (it == c.clinical.end() || it->second.empty()) continue;
    double v;
    if (!ParseDouble(it->second, &v)) return false;
    any = true;
  }
  return any;
}

bool CohortManifest::HasSecondReader(const std::string& m) const {
  bool any = false;
  for (const auto& c : cases) {
    auto it = c.sequences.find(m);
    if (it == c.sequences.end()) continue;
    if (it->second.mask_r2.empty()) return false;
    any = true;
  }
  return any;
}

bool ManifestSettings::IsValid(std::string* why) const {
  for (const auto& s : required_sequences)
    if (s.empty()) return Invalid(why, "a required sequence has an empty name");
  return true;
}

CohortManifest ReadManifest(const std::string& path, const ManifestSettings& options) {
  CheckValid(options, "ReadManifest");
  const CsvDocument doc = ReadCsv(path);
  const fs::path base = fs::absolute(fs::path(path)).parent_path();
  std::vector<std::string> problems;

  CohortManifest m;
  m.path = path;
  const long id_col = doc.ColumnIndex("case_id");
  const long label_col = doc.ColumnIndex("label");
  const long split_col = doc.ColumnIndex("split");
  if (id_col < 0) problems.push_back("line 1: required column 'case_id' is missing");
  if (label_col < 0) problems.push_back("line 1: required column 'label' is missing");
  m.has_split = split_col >= 0;

  // Classify columns: <m>_image, <m>_mask, <m>_mask_r2, or clinical.
  std::map<std::string, std::array<long, 3>> seq_cols;  // image, mask, mask_r2
  std::set<std::string> seen_columns;
  for (std::size_t c = 0; c < doc.header.size(); ++c) {
    const std::string& h = doc.header[c];
    if (!seen_columns.insert(h).second) problems.push_back("line 1: column '" + h + "' repeats");
  }
  for (std::size_t c = 0; c < doc.header.size(); ++c) {
    const std::string& h = doc.header[c];
    const long col = static_cast<long>(c);
    if (col == id_col || col == label_col || col == split_col) continue;
    std::string seq;
    int slot = -1;
    if (EndsWith(h, "_mask_r2")) {
      seq = h.substr(0, h.size() - 8);
      slot = 2;
    } else if (EndsWith(h, "_image")) {
      seq = h.substr(0, h.size() - 6);
      slot = 0;
    } else if (EndsWith(h, "_mask")) {
      seq = h.substr(0, h.size() - 5);
      slot = 1;
    }
    if (slot < 0) {
      m.clinical_columns.push_back(h);
      continue;
    }
    auto it = seq_cols.find(seq);
    if (it == seq_cols.end()) {
      it = seq_cols.emplace(seq, std::array<long, 3>{-1, -1, -1}).first;
      m.sequences.push_back(seq);
    }
    it->second[static_cast<std::size_t>(slot)] = col;
  }
  for (const auto& seq : m.sequences) {
    const auto& cols = seq_cols[seq];
    if (cols[0] < 0) problems.push_back("line 1: sequence '" + seq + "' has no column '" + seq + "_image'");
    if (cols[1] < 0) problems.push_back("line 1: sequence '" + seq + "' has no column '" + seq + "_mask'");
  }
  if (m.sequences.empty())
    problems.push_back("line 1: no image columns (expected <sequence>_image and <sequence>_mask)");
  for (const auto& req : options.required_sequences)
    if (!seq_cols.count(req))
      problems.push_back("line 1: required sequence '" + req + "' has no columns");
  if (!problems.empty()) throw ManifestError(path, problems);

  auto resolve = [&](const std::string& cell) {
    fs::path p(cell);
    return (p.is_absolute() ? p : base / p).lexically_normal().string();
  };
  std::map<std::string, std::size_t> id_lines;
  for (std::size_t r = 0; r < doc.rows.size(); ++r) {
    const auto& row = doc.rows[r];
    ManifestCase c;
    c.line = doc.line_numbers[r];
    c.case_id = Trim(row[static_cast<std::size_t>(id_col)]);
    // "line 7 (case P012)": the line to edit and the patient it concerns.
    const std::string where =
        "line " + std::to_string(doc.line_numbers[r]) + (c.case_id.empty() ? "" : " (case " + c.case_id + ")");
    if (c.case_id.empty()) {
      problems.push_back(where + ": empty case_id");
    } else if (auto [it, fresh] = id_lines.emplace(c.case_id, c.line); !fresh) {
      problems.push_back(where + ": duplicate case_id '" + c.case_id + "' (first on line " +
                         std::to_string(it->second) + ")");
    }
    const std::string label = Trim(row[static_cast<std::size_t>(label_col)]);
    if (label == "0" || label == "1") {
      c.label = label == "1" ? 1 : 0;
    } else {
      problems.push_back(where + ": label must be 0 or 1, got '" + label + "'");
    }
    if (split_col >= 0) {
      c.split = Trim(row[static_cast<std::size_t>(split_col)]);
      if (c.split != "train" && c.split != "validation")
        problems.push_back(where + ": split must be 'train' or 'validation', got '" + c.split + "'");
    }
    for (const auto& seq : m.sequences) {
      const auto& cols = seq_cols[seq];
      const std::string image = Trim(row[static_cast<std::size_t>(cols[0])]);
      const std::string mask = Trim(row[static_cast<std::size_t>(cols[1])]);
      const std::string mask_r2 = cols[2] >= 0 ? Trim(row[static_cast<std::size_t>(cols[2])]) : "";
      if (image.empty() && mask.empty() && mask_r2.empty()) {
        if (std::find(options.required_sequences.begin(), options.required_sequences.end(), seq) !=
            options.required_sequences.end())
          problems.push_back(where + ": required sequence '" + seq + "' is missing");
        continue;
      }
      if (image.empty()) problems.push_back(where + ": " + seq + "_image is empty");
      if (mask.empty()) problems.push_back(where + ": " + seq + "_mask is empty");
      SequenceFiles files;
      if (!image.empty()) files.image = resolve(image);
      if (!mask.empty()) files.mask = resolve(mask);
      if (!mask_r2.empty()) files.mask_r2 = resolve(mask_r2);
      if (options.check_files_exist) {
        std::error_code ec;
        const std::pair<const char*, const std::string*> checks[] = {
            {"_image", &files.image}, {"_mask", &files.mask}, {"_mask_r2", &files.mask_r2}};
        for (const auto& [suffix, file] : checks)
          if (!file->empty() && !fs::exists(*file, ec))
            problems.push_back(where + ": " + seq + suffix + " file does not exist: " + *file);
      }
      c.sequences[seq] = std::move(files);
    }
    for (const auto& col : m.clinical_columns) {
      const long idx = doc.ColumnIndex(col);
      c.clinical[col] = Trim(row[static_cast<std::size_t>(idx)]);
    }
    m.cases.push_back(std::move(c));
  }
  if (doc.rows.empty()) problems.push_back("the manifest has no cases");
  if (!problems.empty()) throw ManifestError(path, problems);
  return m;
}

void WriteManifest(const CohortManifest& manifest, const std::string& path) {
  const fs::path base = fs::absolute(fs::path(path)).parent_path();
  auto relative = [&](const std::string& file) {
    if (file.empty()) return file;
    const fs::path rel = fs::absolute(fs::path(file)).lexically_normal().lexically_relative(base);
    if (rel.empty() || *rel.begin() == "..") return file;
    return rel.string();
  };
  std::vector<std::string> header{"case_id", "label"};
  if (manifest.has_split) header.push_back("split");
  for (const auto& seq : manifest.sequences) {
    header.push_back(seq + "_image");
    header.push_back(seq + "_mask");
    if (manifest.HasSecondReader(seq)) header.push_back(seq + "_mask_r2");
  }
  for (const auto& col : manifest.clinical_columns) header.push_back(col);
  std::string out;
  for (std::size_t n = 0; n < header.size(); ++n) out += (n ? "," : "") + CsvEscape(header[n]);
  out += "\n";
  for (const auto& c : manifest.cases) {
    std::vector<std::string> cells{c.case_id, std::to_string(c.label)};
    if (manifest.has_split) cells.push_back(c.split);
    for (const auto& seq : manifest.sequences) {
      auto it = c.sequences.find(seq);
      const SequenceFiles empty;
      const SequenceFiles& f = it == c.sequences.end() ? empty : it->second;
      cells.push_back(relative(f.image));
      cells.push_back(relative(f.mask));
      if (manifest.HasSecondReader(seq)) cells.push_back(relative(f.mask_r2));
    }
    for (const auto& col : manifest.clinical_columns) {
      auto it = c.clinical.find(col);
      cells.push_back(it == c.clinical.end() ? "" : it->second);
    }
    for (std::size_t n = 0; n < cells.size(); ++n) out += (n ? "," : "") + CsvEscape(cells[n]);
    out += "\n";
  }
  WriteFileAtomically(path, out);
}

}  // namespace lvsi::io
