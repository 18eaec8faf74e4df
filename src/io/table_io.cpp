#include "lvsi/io/table_io.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"

namespace lvsi::io {
namespace {
bool HasExtension(const std::string& path, const std::string& ext) {
  return std::filesystem::path(path).extension() == ext;
}
}  // namespace

void WriteFeatureTableJson(const FeatureTable& table, const std::string& path) {
  nlohmann::ordered_json doc;
  doc["metadata"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : table.metadata()) doc["metadata"][k] = v;
  doc["columns"] = table.column_names();
  auto rows = nlohmann::ordered_json::array();
  for (std::size_t r = 0; r < table.rows(); ++r) {
    nlohmann::ordered_json row;
    row["id"] = table.row_ids()[r];
    auto values = nlohmann::ordered_json::object();
    for (std::size_t c = 0; c < table.cols(); ++c) {
      const double v = table.values()(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c));
      values[table.column_names()[c]] = std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr;
    }
    row["values"] = std::move(values);
    rows.push_back(std::move(row));
  }
  doc["rows"] = std::move(rows);
  WriteFileAtomically(path, doc.dump(1) + "\n");
}

FeatureTable ReadFeatureTableJson(const std::string& path) {
  const std::string text = ReadTextFile(path);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(path, std::string("not valid JSON: ") + e.what());
  }
  try {
    std::vector<std::string> columns = doc.at("columns").get<std::vector<std::string>>();
    const auto& rows = doc.at("rows");
    Eigen::MatrixXd values(static_cast<Eigen::Index>(rows.size()),
                           static_cast<Eigen::Index>(columns.size()));
    std::vector<std::string> ids;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      ids.push_back(rows[r].at("id").get<std::string>());
      const auto& vals = rows[r].at("values");
      for (std::size_t c = 0; c < columns.size(); ++c) {
        const auto& cell = vals.at(columns[c]);
        values(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) =
            cell.is_null() ? std::numeric_limits<double>::quiet_NaN() : cell.get<double>();
      }
    }
    FeatureTable table(std::move(ids), std::move(columns), std::move(values));
    if (doc.contains("metadata"))
      for (auto it = doc["metadata"].begin(); it != doc["metadata"].end(); ++it)
        table.metadata()[it.key()] = it.value().is_string() ? it.value().get<std::string>()
                                                            : it.value().dump();
    return table;
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(path, std::string("not an lvsi feature table: ") + e.what());
  } catch (const InvalidArgument& e) {
    throw FormatError(path, e.what());
  }
}

void WriteFeatureTable(const FeatureTable& table, const std::string& path) {
  if (HasExtension(path, ".json")) return WriteFeatureTableJson(table, path);
  if (HasExtension(path, ".csv")) return table.WriteCsv(path);
  throw FormatError(path, "unsupported table format (expected .csv or .json)");
}

FeatureTable ReadFeatureTable(const std::string& path) {
  if (HasExtension(path, ".json")) return ReadFeatureTableJson(path);
  if (HasExtension(path, ".csv")) return FeatureTable::ReadCsv(path);
  throw FormatError(path, "unsupported table format (expected .csv or .json)");
}

}  // namespace lvsi::io
