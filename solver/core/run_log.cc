// RunLog (see run_log.h).
#include "core/run_log.h"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <streambuf>

namespace ferrotherm
{
class RunLog::Buffer : public std::streambuf
{
public:
  explicit Buffer(bool active) : active(active) {}
  void attach(const std::string &path, bool append)
  {
    file.open(path, append ? std::ios::app : std::ios::out);
    if (!file)
      throw std::runtime_error("cannot write the file '" + path +
                               "': " + std::strerror(errno));
    file << pending;
    pending.clear();
  }
  void write_to_file(const std::string &text)
  {
    if (file.is_open())
      file << text << std::flush;
  }

protected:
  int overflow(int c) override
  {
    if (c == EOF || !active)
      return c;
    std::cout.put(static_cast<char>(c));
    if (file.is_open())
      file.put(static_cast<char>(c));
    else
      pending.push_back(static_cast<char>(c));
    return c;
  }
  int sync() override
  {
    std::cout.flush();
    if (file.is_open())
      file.flush();
    return 0;
  }

private:
  bool active;
  std::ofstream file;
  std::string pending;
};

RunLog::RunLog(bool active)
    : buffer(std::make_unique<Buffer>(active)),
      out(std::make_unique<std::ostream>(buffer.get()))
{
}

RunLog::~RunLog() { out->flush(); }

std::ostream &RunLog::stream() { return *out; }

void RunLog::attach_file(const std::string &path, bool append)
{
  buffer->attach(path, append);
}

void RunLog::record(const std::string &text)
{
  out->flush();
  buffer->write_to_file(text);
}
} // namespace ferrotherm
