#pragma once
/// \file
/// Writing and reading feature tables as JSON (CSV lives on FeatureTable).

#include <string>

#include "lvsi/core/feature_table.h"
#include "lvsi/io/export.h"

namespace lvsi::io {

/// Writes `{"metadata": {...}, "columns": [...], "rows": [{"id": ...,
/// "values": {name: value}}]}`; NaN and infinities are written as null (JSON
/// has no NaN), finite doubles exactly.  Atomic; throws IoError.
LVSI_IO_EXPORT void WriteFeatureTableJson(const FeatureTable& table, const std::string& path);

/// Reads a table written by WriteFeatureTableJson (null -> NaN).  Throws
/// FormatError naming the file and the problem.
LVSI_IO_EXPORT FeatureTable ReadFeatureTableJson(const std::string& path);

/// Writes CSV or JSON by the extension of `path` (.csv, .json).
LVSI_IO_EXPORT void WriteFeatureTable(const FeatureTable& table, const std::string& path);
/// Reads CSV or JSON by the extension of `path`.
LVSI_IO_EXPORT FeatureTable ReadFeatureTable(const std::string& path);

}  // namespace lvsi::io
