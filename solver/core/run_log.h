// RunLog: the screen output of rank 0, copied to log.txt in the output directory.
// Text written before the output directory exists is kept and written when the file
// is attached, so a run that fails during set-up creates no output directory. The final
// error or interruption message is recorded in the file too (record).
#pragma once

#include <fstream>
#include <memory>
#include <ostream>
#include <string>

namespace ferrotherm
{
class RunLog
{
public:
  explicit RunLog(bool active);
  ~RunLog();
  std::ostream &stream();
  // `append`: continue the log of the run that a restart resumes.
  void attach_file(const std::string &path, bool append = false);
  // Writes `text` to log.txt only (it was printed on the screen already), if attached.
  void record(const std::string &text);

private:
  class Buffer;
  std::unique_ptr<Buffer> buffer;
  std::unique_ptr<std::ostream> out;
};
} // namespace ferrotherm
