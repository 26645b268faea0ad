// Atomic output files and CSV tables (see output_files.h).
#include "core/output_files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace ferrotherm
{
void write_file_atomically(const std::string &path, const std::string &content)
{
  const std::string temporary = path + ".tmp";
  // POSIX calls, so that the system's cause (e.g. "No space left on device") is known.
  auto fail = [&](const std::string &action, int fd)
  {
    const std::string cause = std::strerror(errno);
    if (fd >= 0)
      close(fd);
    unlink(temporary.c_str());
    throw std::runtime_error("cannot " + action + " the file '" + temporary +
                             "': " + cause);
  };
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    fail("create", -1);
  std::size_t written = 0;
  while (written < content.size())
  {
    const ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fail("write", fd);
    written += static_cast<std::size_t>(n);
  }
  if (close(fd) != 0)
    fail("write", -1);
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
  {
    const std::string cause = std::strerror(errno);
    unlink(temporary.c_str());
    throw std::runtime_error("cannot rename '" + temporary + "' to '" + path +
                             "': " + cause);
  }
}

void append_to_file(const std::string &path, const std::string &text)
{
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const bool ok =
      fd >= 0 && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const std::string cause = std::strerror(errno);
  if (fd >= 0)
    close(fd);
  if (!ok)
    throw std::runtime_error("cannot append to the file '" + path + "': " + cause);
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
    if (mkdir(partial.c_str(), 0755) == 0)
      continue;
    const int cause = errno;
    struct stat status;
    if (cause != EEXIST)
      throw std::runtime_error("cannot create the directory '" + partial +
                               "': " + std::strerror(cause));
    if (stat(partial.c_str(), &status) != 0 || !S_ISDIR(status.st_mode))
      throw std::runtime_error("cannot create the directory '" + path + "': '" +
                               partial.substr(0, partial.size() - 1) +
                               "' exists and is not a directory");
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
