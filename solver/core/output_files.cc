// Atomic output files and CSV tables (see output_files.h).
#include "core/output_files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

namespace ferrotherm
{
void write_file_atomically(const std::string &path, const std::string &content)
{
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    out << content;
    out.close();
    if (!out)
      throw std::runtime_error("cannot write the file '" + temporary + "'");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot rename '" + temporary + "' to '" + path +
                             "': " + std::strerror(errno));
}

void create_directories(const std::string &path)
{
  std::string partial;
  std::istringstream pieces(path);
  std::string piece;
  if (!path.empty() && path[0] == '/')
    partial = "/";
  while (std::getline(pieces, piece, '/'))
  {
    if (piece.empty())
      continue;
    partial += piece + "/";
    if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
      throw std::runtime_error("cannot create the directory '" + partial +
                               "': " + std::strerror(errno));
  }
}

void CsvTable::add_row(const StatisticsRow &row)
{
  if (columns.empty())
    for (const auto &entry : row)
      columns.push_back(entry.first);
  if (row.size() != columns.size())
    throw std::logic_error("CsvTable: a row with " + std::to_string(row.size()) +
                           " columns in a table of " + std::to_string(columns.size()));
  std::vector<double> values;
  for (unsigned int c = 0; c < row.size(); ++c)
  {
    if (row[c].first != columns[c])
      throw std::logic_error("CsvTable: column '" + row[c].first + "' where '" +
                             columns[c] + "' was expected");
    values.push_back(row[c].second);
  }
  rows.push_back(values);
}

std::vector<double> CsvTable::column(const std::string &name) const
{
  std::vector<double> values;
  for (unsigned int c = 0; c < columns.size(); ++c)
    if (columns[c] == name)
      for (const auto &row : rows)
        values.push_back(row[c]);
  return values;
}

std::string CsvTable::to_string() const
{
  std::ostringstream out;
  for (unsigned int c = 0; c < columns.size(); ++c)
    out << (c ? "," : "") << columns[c];
  out << '\n';
  char buffer[64];
  for (const auto &row : rows)
  {
    for (unsigned int c = 0; c < row.size(); ++c)
    {
      std::snprintf(buffer, sizeof(buffer), "%.15g", row[c]);
      out << (c ? "," : "") << buffer;
    }
    out << '\n';
  }
  return out.str();
}
} // namespace ferrotherm
