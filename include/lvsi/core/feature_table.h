#pragma once
/// \file
/// FeatureTable: a matrix of features with named columns and row ids.

#include <Eigen/Core>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lvsi/core/export.h"

namespace lvsi {

/// A dense table of double-valued features: one row per case (row ids,
/// e.g. patient ids), one column per feature (unique names), values in an
/// Eigen matrix.  Missing values are NaN.  The table also carries free-form
/// metadata (provenance: versions, settings) as string pairs.
class LVSI_CORE_EXPORT FeatureTable {
 public:
  FeatureTable() = default;
  /// Builds a table; throws InvalidArgument when the shapes disagree or
  /// names repeat.
  FeatureTable(std::vector<std::string> row_ids, std::vector<std::string> column_names,
               Eigen::MatrixXd values);

  std::size_t rows() const noexcept { return row_ids_.size(); }
  std::size_t cols() const noexcept { return column_names_.size(); }
  const std::vector<std::string>& row_ids() const noexcept { return row_ids_; }
  const std::vector<std::string>& column_names() const noexcept { return column_names_; }
  const Eigen::MatrixXd& values() const noexcept { return values_; }
  /// Mutable access to the values (the shape must not be changed).
  Eigen::MatrixXd& mutable_values() noexcept { return values_; }

  /// Column index of a feature, if present.
  std::optional<std::size_t> FindColumn(const std::string& name) const;
  /// Row index of a row id, if present.
  std::optional<std::size_t> FindRow(const std::string& id) const;
  /// Column by name; throws InvalidArgument naming the missing column.
  Eigen::VectorXd Column(const std::string& name) const;
  /// Value at (row id, column); throws InvalidArgument when either is absent.
  double At(const std::string& row_id, const std::string& column) const;

  /// Appends a row.  The first row of an empty table defines the columns;
  /// later rows must give values for the same columns (in any order), or
  /// InvalidArgument lists the missing and extra names.
  void AppendRow(const std::string& id,
                 const std::vector<std::pair<std::string, double>>& named_values);
  /// The given columns in the given order; throws InvalidArgument listing
  /// every name that is absent.
  FeatureTable SelectColumns(const std::vector<std::string>& names) const;
  /// The given rows (by index) in the given order.
  FeatureTable SelectRows(const std::vector<std::size_t>& indices) const;
  /// Columns of `other` appended to this table's, rows matched by id
  /// (every id must be in both); column names must not repeat.
  FeatureTable JoinColumns(const FeatureTable& other) const;
  /// Rows of `other` appended (same columns in the same order).
  FeatureTable AppendRows(const FeatureTable& other) const;
  /// Prefixes every column name with `prefix` (e.g. "t2w_").
  void PrefixColumns(const std::string& prefix);

  /// Provenance metadata (key -> value), written to JSON outputs.
  std::map<std::string, std::string>& metadata() noexcept { return metadata_; }
  const std::map<std::string, std::string>& metadata() const noexcept { return metadata_; }

  /// CSV text: header `id_header,<columns...>`, one line per row; doubles
  /// in their shortest exact form so ReadCsv gives back identical bits.
  std::string ToCsv(const std::string& id_header = "case_id") const;
  /// Writes ToCsv() atomically to `path`; throws IoError.
  void WriteCsv(const std::string& path, const std::string& id_header = "case_id") const;
  /// Reads a table written by WriteCsv (or any CSV whose first column holds
  /// ids and whose other columns are numbers).  Columns named in
  /// `skip_columns` are ignored.  Throws FormatError naming the file, line
  /// and column of any cell that is not a number.
  static FeatureTable ReadCsv(const std::string& path,
                              const std::vector<std::string>& skip_columns = {});

 private:
  std::vector<std::string> row_ids_;
  std::vector<std::string> column_names_;
  Eigen::MatrixXd values_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace lvsi
