// RunStatus, the output-directory lock and the interruption flag (see run_status.h).
#include "core/run_status.h"

#include "core/input_error.h"
#include "core/output_files.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace ferrotherm
{
namespace
{
volatile std::sig_atomic_t received_signal = 0;

extern "C" void record_signal(int signal) { received_signal = signal; }

const char *const where = "Output/Output directory";

std::string lock_path(const std::string &directory) { return directory + "/.lock"; }

// The pid of another process holding a write lock on the file, or 0.
pid_t lock_holder(int descriptor)
{
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (fcntl(descriptor, F_GETLK, &lock) != 0 || lock.l_type == F_UNLCK)
    return 0;
  return lock.l_pid;
}

std::string in_use_message(const std::string &directory, pid_t pid)
{
  return std::string(where) + ": the directory '" + directory +
         "' is in use by another run (pid " + std::to_string(pid) + ", lock " +
         lock_path(directory) + "); wait for it to end or choose another directory";
}

// Rank 0's part of check_output_directory: the problem, or "".
std::string output_directory_problem(const std::string &directory)
{
  // The deepest part of the path that exists must be a directory we can write in.
  std::string partial = directory[0] == '/' ? "/" : "";
  std::string writable_parent = directory[0] == '/' ? "/" : ".";
  bool complete = true;
  std::istringstream pieces(directory);
  std::string piece;
  while (std::getline(pieces, piece, '/'))
  {
    if (piece.empty())
      continue;
    partial += piece;
    struct stat status;
    if (stat(partial.c_str(), &status) != 0)
    {
      if (errno == ENOENT)
      {
        complete = false;
        break;
      }
      return std::string(where) + ": cannot create '" + directory + "': '" + partial +
             "': " + std::strerror(errno);
    }
    if (!S_ISDIR(status.st_mode))
      return std::string(where) + ": cannot create '" + directory + "': '" + partial +
             "' exists and is not a directory";
    writable_parent = partial;
    partial += "/";
  }
  if (access(writable_parent.c_str(), W_OK | X_OK) != 0)
    return std::string(where) + ": cannot write in '" + writable_parent +
           "': " + std::strerror(errno);
  struct statvfs file_system;
  if (statvfs(writable_parent.c_str(), &file_system) == 0 && file_system.f_blocks > 0 &&
      file_system.f_bavail == 0)
    return std::string(where) + ": cannot write in '" + writable_parent +
           "': " + std::strerror(ENOSPC);
  if (complete)
  {
    const int descriptor = open(lock_path(directory).c_str(), O_RDONLY | O_CLOEXEC);
    if (descriptor >= 0)
    {
      const pid_t holder = lock_holder(descriptor);
      close(descriptor);
      if (holder != 0)
        return in_use_message(directory, holder);
    }
  }
  return "";
}

// Rank 0's message broadcast to every rank.
std::string broadcast(const std::string &message, MPI_Comm comm)
{
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  unsigned long size = message.size();
  MPI_Bcast(&size, 1, MPI_UNSIGNED_LONG, 0, comm);
  std::string result = rank == 0 ? message : std::string(size, ' ');
  MPI_Bcast(&result[0], static_cast<int>(size), MPI_CHAR, 0, comm);
  return result;
}

std::string json_string(const std::string &text)
{
  std::string out = "\"";
  for (const unsigned char c : text)
    if (c == '"' || c == '\\')
      out += std::string("\\") + static_cast<char>(c);
    else if (c == '\n')
      out += "\\n";
    else if (c < 0x20)
    {
      char code[8];
      std::snprintf(code, sizeof(code), "\\u%04x", c);
      out += code;
    }
    else
      out += static_cast<char>(c);
  return out + "\"";
}

std::string utc_now()
{
  const std::time_t now = std::time(nullptr);
  std::tm parts;
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}
} // namespace

RunInterrupted::RunInterrupted(int signal, double time)
    : std::runtime_error(
          [&]()
          {
            std::ostringstream text;
            text << "interrupted by " << signal_name(signal) << " at t = " << time
                 << " s";
            return text.str();
          }()),
      signal_number(signal), simulated_time(time)
{
}

void install_interruption_handlers()
{
  struct sigaction action = {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART | SA_RESETHAND;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

int interruption_signal(MPI_Comm comm)
{
  int local = received_signal, global = 0;
  MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MAX, comm);
  return global;
}

std::string signal_name(int signal)
{
  switch (signal)
  {
  case SIGTERM:
    return "SIGTERM";
  case SIGINT:
    return "SIGINT";
  default:
    return "signal " + std::to_string(signal);
  }
}

void check_output_directory(const std::string &directory, MPI_Comm comm)
{
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  const std::string problem =
      broadcast(rank == 0 ? output_directory_problem(directory) : "", comm);
  if (!problem.empty())
    throw InputError(problem);
}

RunStatus::RunStatus(MPI_Comm comm, const std::vector<std::string> &command_line)
    : comm(comm), command(command_line), start_time(utc_now())
{
}

RunStatus::~RunStatus()
{
  if (lock_descriptor >= 0)
    close(lock_descriptor);
}

void RunStatus::start(const std::string &directory)
{
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  std::string problem;
  if (rank == 0)
  {
    const std::string path = lock_path(directory);
    lock_descriptor = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    struct flock lock = {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    if (lock_descriptor < 0)
      problem = std::string(where) + ": cannot create the lock file '" + path +
                "': " + std::strerror(errno);
    else if (fcntl(lock_descriptor, F_SETLK, &lock) != 0)
    {
      const int cause = errno;
      const pid_t holder = lock_holder(lock_descriptor);
      close(lock_descriptor);
      lock_descriptor = -1;
      problem = (cause == EACCES || cause == EAGAIN) && holder != 0
                    ? in_use_message(directory, holder)
                    : std::string(where) + ": cannot lock '" + path +
                          "': " + std::strerror(cause);
    }
    else
    {
      const std::string pid = std::to_string(getpid()) + "\n";
      if (ftruncate(lock_descriptor, 0) != 0 ||
          pwrite(lock_descriptor, pid.data(), pid.size(), 0) < 0)
        problem = std::string(where) + ": cannot write the lock file '" + path +
                  "': " + std::strerror(errno);
      else
        try
        {
          output_directory = directory;
          write("running", "", 0, 0);
        }
        catch (const std::exception &error)
        {
          output_directory.clear();
          problem = error.what();
        }
    }
  }
  problem = broadcast(problem, comm);
  if (!problem.empty())
    throw InputError(problem);
  output_directory = directory;
}

void RunStatus::completed(double simulated_time)
{
  write("completed", "", 0, simulated_time);
}

void RunStatus::interrupted(int signal, double simulated_time, const std::string &message)
{
  write("interrupted", message, signal, simulated_time);
}

void RunStatus::failed(const std::string &message) { write("failed", message, 0, -1); }

void RunStatus::write(const std::string &state, const std::string &message, int signal,
                      double simulated_time) const
{
  int ranks = 1;
  MPI_Comm_size(comm, &ranks);
  char host[256] = "";
  gethostname(host, sizeof(host) - 1);
  std::ostringstream json;
  json.precision(15);
  json << "{\n  \"state\": " << json_string(state)
       << ",\n  \"message\": " << json_string(message) << ",\n  \"signal\": "
       << (signal ? json_string(signal_name(signal)) : std::string("null"))
       << ",\n  \"simulated_time_s\": ";
  if (simulated_time >= 0)
    json << simulated_time;
  else
    json << "null";
  json << ",\n  \"start_time\": " << json_string(start_time) << ",\n  \"end_time\": "
       << (state == "running" ? std::string("null") : json_string(utc_now()))
       << ",\n  \"ranks\": " << ranks << ",\n  \"pid\": " << getpid()
       << ",\n  \"host\": " << json_string(host) << ",\n  \"command_line\": [";
  for (unsigned int i = 0; i < command.size(); ++i)
    json << (i ? ", " : "") << json_string(command[i]);
  json << "]\n}\n";
  write_file_atomically(output_directory + "/status.json", json.str());
}
} // namespace ferrotherm
