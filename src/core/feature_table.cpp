#include "lvsi/core/feature_table.h"

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"

namespace lvsi {
namespace {

void CheckUnique(const std::vector<std::string>& names, const char* what) {
  std::unordered_set<std::string> seen;
  for (const auto& n : names)
    if (!seen.insert(n).second) throw InvalidArgument(std::string("duplicate ") + what + " '" + n + "'");
}

std::string JoinNames(const std::vector<std::string>& names, std::size_t max = 20) {
  std::string s;
  for (std::size_t n = 0; n < names.size() && n < max; ++n) s += (n ? ", " : "") + names[n];
  if (names.size() > max) s += ", ... (" + std::to_string(names.size()) + " in all)";
  return s;
}

}  // namespace

FeatureTable::FeatureTable(std::vector<std::string> row_ids, std::vector<std::string> column_names,
                           Eigen::MatrixXd values)
    : row_ids_(std::move(row_ids)), column_names_(std::move(column_names)), values_(std::move(values)) {
  if (static_cast<std::size_t>(values_.rows()) != row_ids_.size() ||
      static_cast<std::size_t>(values_.cols()) != column_names_.size())
    throw InvalidArgument("feature table: values are " + std::to_string(values_.rows()) + "x" +
                          std::to_string(values_.cols()) + " but there are " +
                          std::to_string(row_ids_.size()) + " row ids and " +
                          std::to_string(column_names_.size()) + " column names");
  CheckUnique(row_ids_, "row id");
  CheckUnique(column_names_, "column name");
}

std::optional<std::size_t> FeatureTable::FindColumn(const std::string& name) const {
  auto it = std::find(column_names_.begin(), column_names_.end(), name);
  if (it == column_names_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - column_names_.begin());
}

std::optional<std::size_t> FeatureTable::FindRow(const std::string& id) const {
  auto it = std::find(row_ids_.begin(), row_ids_.end(), id);
  if (it == row_ids_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - row_ids_.begin());
}

Eigen::VectorXd FeatureTable::Column(const std::string& name) const {
  auto c = FindColumn(name);
  if (!c) throw InvalidArgument("feature table has no column '" + name + "'");
  return values_.col(static_cast<Eigen::Index>(*c));
}

double FeatureTable::At(const std::string& row_id, const std::string& column) const {
  auto r = FindRow(row_id);
  if (!r) throw InvalidArgument("feature table has no row '" + row_id + "'");
  auto c = FindColumn(column);
  if (!c) throw InvalidArgument("feature table has no column '" + column + "'");
  return values_(static_cast<Eigen::Index>(*r), static_cast<Eigen::Index>(*c));
}

void FeatureTable::AppendRow(const std::string& id,
                             const std::vector<std::pair<std::string, double>>& named_values) {
  if (FindRow(id)) throw InvalidArgument("feature table already has a row '" + id + "'");
  if (row_ids_.empty() && column_names_.empty()) {
    std::vector<std::string> names;
    for (const auto& nv : named_values) names.push_back(nv.first);
    CheckUnique(names, "column name");
    column_names_ = std::move(names);
    values_.resize(0, static_cast<Eigen::Index>(column_names_.size()));
  }
  std::unordered_map<std::string, double> given;
  for (const auto& nv : named_values) given[nv.first] = nv.second;
  std::vector<std::string> missing, extra;
  std::unordered_set<std::string> known(column_names_.begin(), column_names_.end());
  for (const auto& c : column_names_)
    if (!given.count(c)) missing.push_back(c);
  for (const auto& nv : named_values)
    if (!known.count(nv.first)) extra.push_back(nv.first);
  if (!missing.empty() || !extra.empty() || given.size() != named_values.size())
    throw InvalidArgument("row '" + id + "' does not match the table's columns; missing: [" +
                          JoinNames(missing) + "], extra: [" + JoinNames(extra) + "]");
  const Eigen::Index r = values_.rows();
  values_.conservativeResize(r + 1, Eigen::NoChange);
  for (std::size_t c = 0; c < column_names_.size(); ++c)
    values_(r, static_cast<Eigen::Index>(c)) = given[column_names_[c]];
  row_ids_.push_back(id);
}

FeatureTable FeatureTable::SelectColumns(const std::vector<std::string>& names) const {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t c = 0; c < column_names_.size(); ++c) index[column_names_[c]] = c;
  std::vector<std::string> missing;
  for (const auto& n : names)
    if (!index.count(n)) missing.push_back(n);
  if (!missing.empty())
    throw InvalidArgument("feature table lacks " + std::to_string(missing.size()) +
                          " required column(s): " + JoinNames(missing));
  Eigen::MatrixXd out(values_.rows(), static_cast<Eigen::Index>(names.size()));
  for (std::size_t c = 0; c < names.size(); ++c)
    out.col(static_cast<Eigen::Index>(c)) = values_.col(static_cast<Eigen::Index>(index[names[c]]));
  FeatureTable t(row_ids_, names, std::move(out));
  t.metadata_ = metadata_;
  return t;
}

FeatureTable FeatureTable::SelectRows(const std::vector<std::size_t>& indices) const {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(indices.size()), values_.cols());
  std::vector<std::string> ids;
  for (std::size_t r = 0; r < indices.size(); ++r) {
    if (indices[r] >= rows())
      throw InvalidArgument("row index " + std::to_string(indices[r]) + " out of range");
    out.row(static_cast<Eigen::Index>(r)) = values_.row(static_cast<Eigen::Index>(indices[r]));
    ids.push_back(row_ids_[indices[r]]);
  }
  FeatureTable t(std::move(ids), column_names_, std::move(out));
  t.metadata_ = metadata_;
  return t;
}

FeatureTable FeatureTable::JoinColumns(const FeatureTable& other) const {
  std::vector<std::string> names = column_names_;
  names.insert(names.end(), other.column_names_.begin(), other.column_names_.end());
  Eigen::MatrixXd out(values_.rows(), static_cast<Eigen::Index>(names.size()));
  std::vector<std::string> absent;
  for (std::size_t r = 0; r < rows(); ++r) {
    auto o = other.FindRow(row_ids_[r]);
    if (!o) {
      absent.push_back(row_ids_[r]);
      continue;
    }
    out.row(static_cast<Eigen::Index>(r)) << values_.row(static_cast<Eigen::Index>(r)),
        other.values_.row(static_cast<Eigen::Index>(*o));
  }
  if (!absent.empty() || other.rows() != rows())
    throw InvalidArgument("cannot join tables with different rows; absent from the second: [" +
                          JoinNames(absent) + "]");
  FeatureTable t(row_ids_, std::move(names), std::move(out));
  t.metadata_ = metadata_;
  for (const auto& kv : other.metadata_) t.metadata_.insert(kv);
  return t;
}

FeatureTable FeatureTable::AppendRows(const FeatureTable& other) const {
  if (other.column_names_ != column_names_)
    throw InvalidArgument("cannot append rows: the tables have different columns");
  std::vector<std::string> ids = row_ids_;
  ids.insert(ids.end(), other.row_ids_.begin(), other.row_ids_.end());
  Eigen::MatrixXd out(values_.rows() + other.values_.rows(), values_.cols());
  out << values_, other.values_;
  FeatureTable t(std::move(ids), column_names_, std::move(out));
  t.metadata_ = metadata_;
  return t;
}

void FeatureTable::PrefixColumns(const std::string& prefix) {
  for (auto& n : column_names_) n = prefix + n;
}

std::string FeatureTable::ToCsv(const std::string& id_header) const {
  std::string out = CsvEscape(id_header);
  for (const auto& c : column_names_) out += "," + CsvEscape(c);
  out += "\n";
  for (std::size_t r = 0; r < rows(); ++r) {
    out += CsvEscape(row_ids_[r]);
    for (std::size_t c = 0; c < cols(); ++c)
      out += "," + FormatDouble(values_(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)));
    out += "\n";
  }
  return out;
}

void FeatureTable::WriteCsv(const std::string& path, const std::string& id_header) const {
  WriteFileAtomically(path, ToCsv(id_header));
}

FeatureTable FeatureTable::ReadCsv(const std::string& path,
                                   const std::vector<std::string>& skip_columns) {
  const CsvDocument doc = lvsi::ReadCsv(path);
  if (doc.header.empty()) throw FormatError(path, "no columns");
  std::vector<std::size_t> keep;
  std::vector<std::string> names;
  for (std::size_t c = 1; c < doc.header.size(); ++c) {
    if (std::find(skip_columns.begin(), skip_columns.end(), doc.header[c]) != skip_columns.end())
      continue;
    keep.push_back(c);
    names.push_back(doc.header[c]);
  }
  Eigen::MatrixXd values(static_cast<Eigen::Index>(doc.rows.size()),
                         static_cast<Eigen::Index>(keep.size()));
  std::vector<std::string> ids;
  for (std::size_t r = 0; r < doc.rows.size(); ++r) {
    ids.push_back(doc.rows[r][0]);
    for (std::size_t k = 0; k < keep.size(); ++k) {
      double v = 0.0;
      const std::string& cell = doc.rows[r][keep[k]];
      if (cell.empty()) {
        v = std::numeric_limits<double>::quiet_NaN();
      } else if (!ParseDouble(cell, &v)) {
        throw FormatError(path, "line " + std::to_string(doc.line_numbers[r]) + ", column '" +
                                    names[k] + "': '" + cell + "' is not a number");
      }
      values(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(k)) = v;
    }
  }
  try {
    return FeatureTable(std::move(ids), std::move(names), std::move(values));
  } catch (const InvalidArgument& e) {
    throw FormatError(path, e.what());
  }
}

}  // namespace lvsi
