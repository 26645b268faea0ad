// Output-file helpers: every result file is written to "<name>.tmp" and renamed, so a
// crash never leaves a truncated file that looks valid; CsvTable holds the rows of
// statistics.csv / probes.csv / errors.csv with a fixed set of columns.
#pragma once

#include "core/state_archive.h"

#include <string>
#include <utility>
#include <vector>

namespace ferrotherm
{
using StatisticsRow = std::vector<std::pair<std::string, double>>;

// Throws std::runtime_error naming the file and the system's cause (strerror).
void write_file_atomically(const std::string &path, const std::string &content);

// Appends to a file (created if missing); throws naming the file and the cause.
void append_to_file(const std::string &path, const std::string &text);

// Creates the directory and its parents; throws naming the path and the system's cause
// (strerror) if impossible.
void create_directories(const std::string &path);

class CsvTable
{
public:
  // The first row fixes the columns; later rows must have the same ones.
  void add_row(const StatisticsRow &row);
  std::string to_string() const;
  void write(const std::string &path) const { write_file_atomically(path, to_string()); }
  bool empty() const { return rows.empty(); }
  const std::vector<std::string> &column_names() const { return columns; }
  const std::vector<double> &last_row() const { return rows.back(); }
  // All values of a column (empty if there is no such column).
  std::vector<double> column(const std::string &name) const;
  // The columns and rows (for a checkpoint).
  void serialize(StateArchive &archive) { archive &columns &rows; }

private:
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
};
} // namespace ferrotherm
