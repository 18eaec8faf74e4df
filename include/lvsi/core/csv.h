#pragma once
/// \file
/// RFC 4180 CSV reading and writing, and exact text forms of doubles.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "lvsi/core/export.h"

namespace lvsi {

/// A parsed CSV document: a header row and data rows of text cells.
struct LVSI_CORE_EXPORT CsvDocument {
  std::string source;                          ///< File name (for messages).
  std::vector<std::string> header;             ///< Column names.
  std::vector<std::vector<std::string>> rows;  ///< Cells of each data row.
  std::vector<std::size_t> line_numbers;       ///< 1-based line of each row.

  /// Index of a column, or -1 when absent.
  long ColumnIndex(std::string_view name) const noexcept;
};

/// Parses CSV text (quoted fields, embedded commas, quotes and newlines,
/// CRLF, a UTF-8 byte-order mark).  Blank lines are skipped.  Throws
/// FormatError naming `source` and the line when a row has a different
/// number of fields than the header or a quote is not closed.
LVSI_CORE_EXPORT CsvDocument ParseCsv(std::string_view text, const std::string& source);

/// Reads and parses a CSV file.  Throws IoError when it cannot be read.
LVSI_CORE_EXPORT CsvDocument ReadCsv(const std::string& path);

/// Quotes a field when it contains a comma, quote or line break.
LVSI_CORE_EXPORT std::string CsvEscape(std::string_view field);

/// Python's repr() of a float, as pyradiomics' outputs print values: the
/// shortest digits that read back to the value, positional for decimal
/// exponents -4..15 with ".0" when whole ("3057.0", "0.0001"), else
/// "1e-05" / "1e+16"; "nan", "inf", "-inf".
LVSI_CORE_EXPORT std::string FormatPythonFloat(double value);

/// Shortest decimal text that reads back to exactly the same double
/// ("nan", "inf" and "-inf" for non-finite values).
LVSI_CORE_EXPORT std::string FormatDouble(double value);

/// Parses a double written by FormatDouble, or any decimal/scientific
/// number; accepts nan/NaN/NA/inf/-inf.  Returns false when `text` is not a
/// number (surrounding blanks are ignored).
LVSI_CORE_EXPORT bool ParseDouble(std::string_view text, double* value) noexcept;

/// Parses a whole decimal integer ("42", "-3", "+7"; surrounding blanks
/// ignored).  Returns false for anything else ("4.5", "abc", "", "1e3")
/// and for values outside the range of long long.
LVSI_CORE_EXPORT bool ParseInteger(std::string_view text, long long* value) noexcept;

/// Writes `content` to `path` atomically: a temporary file in the same
/// folder is written, flushed and renamed, so readers never see a
/// half-written file and an existing file survives a failed write.  A
/// symbolic link stays a link (the file it names is replaced); an existing
/// file that is not a regular one (/dev/null, /dev/stdout, a FIFO) is
/// written in place, never replaced.  Throws IoError.
LVSI_CORE_EXPORT void WriteFileAtomically(const std::string& path, std::string_view content);

/// Throws OutputError naming `output` when it is the same file as one of
/// `inputs` (through symbolic or hard links too): writing it would destroy
/// that input.  Empty names, "-" and files that do not exist never clash.
/// Programs call it for each output before they write anything.
LVSI_CORE_EXPORT void CheckOutputIsNotInput(const std::string& output, const std::vector<std::string>& inputs);

/// Reads a whole file.  Throws IoError naming the file.
LVSI_CORE_EXPORT std::string ReadTextFile(const std::string& path);

}  // namespace lvsi
