// RunStatus: the state of a run, kept in its output directory so that a finished,
// failed, interrupted or killed run can be told apart from a complete one.
//  - status.json (written atomically by rank 0, or by a rank that fails alone):
//      {"state": "running" | "completed" | "failed" | "interrupted", "message", "signal",
//       "simulated_time_s", "start_time", "end_time", "ranks", "pid", "host",
//       "command_line"}
//    A run killed by SIGKILL (or a power cut) leaves "running" with its lock released.
//  - .lock: an fcntl write lock held by rank 0 for the run's life (released by the
//    kernel however the process ends); a second run into the same directory is refused
//    with the pid holding it.
// SIGTERM and SIGINT only set a flag (async-signal-safe); the time loop polls it
// collectively between macro steps (interruption_signal) and ends the run with
// RunInterrupted after writing the current state. A second signal kills at once.
#pragma once

#include <mpi.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace ferrotherm
{
// Thrown on every rank together when the run was asked to stop by a signal.
class RunInterrupted : public std::runtime_error
{
public:
  RunInterrupted(int signal, double time);
  int signal_number;
  double simulated_time;
};

// Installs the SIGTERM/SIGINT handlers (the first signal sets the flag, a second one
// has its default effect).
void install_interruption_handlers();

// Collective: the signal received by any rank since the start (0 if none).
int interruption_signal(MPI_Comm comm);

// "SIGTERM", "SIGINT", ... for a signal number.
std::string signal_name(int signal);

// Collective: the output directory can be created and written, and no running run
// holds it; otherwise an InputError naming Output/Output directory on every rank.
void check_output_directory(const std::string &directory, MPI_Comm comm);

class RunStatus
{
public:
  RunStatus(MPI_Comm comm, const std::vector<std::string> &command_line);
  ~RunStatus();
  RunStatus(const RunStatus &) = delete;
  RunStatus &operator=(const RunStatus &) = delete;

  // Collective, once rank 0 has created `directory`: takes the lock (InputError on every
  // rank if another run holds it) and writes the state "running".
  void start(const std::string &directory);
  bool started() const { return !output_directory.empty(); }
  const std::string &directory() const { return output_directory; }

  // Rank 0 (no communication):
  void completed(double simulated_time);
  void interrupted(int signal, double simulated_time, const std::string &message);
  // Any rank that fails (rank 0 for errors of every rank, another rank for its own).
  void failed(const std::string &message);

private:
  MPI_Comm comm;
  std::vector<std::string> command;
  std::string output_directory;
  std::string start_time;
  int lock_descriptor = -1;

  void write(const std::string &state, const std::string &message, int signal,
             double simulated_time) const;
};
} // namespace ferrotherm
