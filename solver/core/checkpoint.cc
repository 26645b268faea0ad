// Checkpoint: writing, finding and checking restart snapshots (see checkpoint.h).
#include "core/checkpoint.h"

#include "core/input_error.h"
#include "core/module_state.h"
#include "core/output_files.h"
#include "core/range_check.h"
#include "core/state_transfer.h"
#include "core/text_parsing.h"
#include "core/time_value.h"

#include <deal.II/base/mpi.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace ferrotherm
{
using namespace dealii;

namespace
{
const std::string prefix = "checkpoint-";

bool is_directory(const std::string &path)
{
  struct stat status;
  return stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode);
}

bool is_complete(const std::string &directory)
{
  struct stat status;
  return is_directory(directory) &&
         stat((directory + "/state.bin").c_str(), &status) == 0 &&
         stat((directory + "/mesh").c_str(), &status) == 0;
}

// Sequence numbers of the complete checkpoints in `directory`, ascending.
std::vector<unsigned int> complete_checkpoints(const std::string &directory)
{
  std::vector<unsigned int> numbers;
  DIR *dir = opendir(directory.c_str());
  if (dir == nullptr)
    return numbers;
  while (const dirent *entry = readdir(dir))
  {
    const std::string name = entry->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0 ||
        name.find('.') != std::string::npos)
      continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
      continue;
    if (is_complete(directory + "/" + name))
      numbers.push_back(std::stoul(digits));
  }
  closedir(dir);
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

std::string checkpoint_name(unsigned int sequence)
{
  char name[32];
  std::snprintf(name, sizeof(name), "%06u", sequence);
  return prefix + name;
}

// Removes a directory and the files in it (checkpoints have no subdirectories).
void remove_directory(const std::string &directory)
{
  if (DIR *dir = opendir(directory.c_str()))
  {
    while (const dirent *entry = readdir(dir))
    {
      const std::string name = entry->d_name;
      if (name != "." && name != "..")
        unlink((directory + "/" + name).c_str());
    }
    closedir(dir);
  }
  rmdir(directory.c_str());
}

// "Section/Sub/Entry" -> value of a ShortPRM text.
std::map<std::string, std::string> parameter_values(const std::string &text)
{
  std::map<std::string, std::string> values;
  std::vector<std::string> sections;
  for (const auto &raw : split(text, '\n'))
  {
    const std::string line = trim(raw);
    if (line.compare(0, 11, "subsection ") == 0)
      sections.push_back(trim(line.substr(11)));
    else if (line == "end" && !sections.empty())
      sections.pop_back();
    else if (line.compare(0, 4, "set ") == 0)
    {
      const auto equal = line.find('=');
      if (equal == std::string::npos)
        continue;
      std::string path;
      for (const auto &section : sections)
        path += section + "/";
      values[path + trim(line.substr(4, equal - 4))] = trim(line.substr(equal + 1));
    }
  }
  return values;
}

// Parameters that a restart may change: they decide what is written, not the physics.
bool may_change_at_restart(const std::string &path)
{
  for (const char *section : {"Output/", "Postprocess/", "Checkpoint/"})
    if (path.compare(0, std::strlen(section), section) == 0)
      return true;
  return path == "Treatment schedule/End time";
}
} // namespace

void Checkpoint::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Checkpoint");
  prm.declare_entry("Time interval", "0", Patterns::Anything(),
                    "Simulated time between checkpoints; 0: none by simulated time. "
                    "A checkpoint is written at the end of the first macro step "
                    "(output or schedule interval) after each interval. " +
                        time_syntax);
  prm.declare_entry("Wall-clock interval", "3600", Patterns::Anything(),
                    "Wall-clock time between checkpoints; 0: none by wall-clock time. " +
                        time_syntax);
  prm.declare_entry("At end", "true", Patterns::Bool(),
                    "Write a checkpoint at the end time (a later run may continue it "
                    "with a longer End time).");
  prm.declare_entry("Number kept", "2", Patterns::Integer(1, 1000),
                    "Complete checkpoints kept; older ones are removed once a new one "
                    "is complete.");
  prm.declare_entry(
      "Resume", "no", Patterns::Anything(),
      "no: start at t = 0; auto: continue from the newest complete checkpoint in "
      "<Output directory>/checkpoints (start at t = 0 if there is none); or the path of "
      "a checkpoint directory. Physics parameters must be those of the checkpoint; the "
      "output, postprocessing, checkpoint settings and the End time may differ.");
  prm.leave_subsection();
}

void Checkpoint::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Checkpoint");
  time_interval = parse_time(prm.get("Time interval"), "Checkpoint/Time interval");
  check_range(time_interval, 0, 1e10, "Checkpoint/Time interval", "s");
  wall_clock_interval =
      parse_time(prm.get("Wall-clock interval"), "Checkpoint/Wall-clock interval");
  check_range(wall_clock_interval, 0, 1e10, "Checkpoint/Wall-clock interval", "s");
  write_at_end = prm.get_bool("At end");
  kept = prm.get_integer("Number kept");
  resume = trim(prm.get("Resume"));
  if (resume.empty())
    throw_input_error("Checkpoint/Resume",
                      "must be no, auto or a checkpoint directory, found nothing");
  prm.leave_subsection();
}

std::string Checkpoint::find_resume_directory(const std::string &output_directory,
                                              const std::string &input_directory,
                                              MPI_Comm comm) const
{
  if (resume == "no")
    return "";
  std::string found, problem;
  if (Utilities::MPI::this_mpi_process(comm) == 0)
  {
    if (resume == "auto")
    {
      const auto numbers = complete_checkpoints(output_directory + "/checkpoints");
      if (!numbers.empty())
        found = output_directory + "/checkpoints/" + checkpoint_name(numbers.back());
    }
    else
    {
      found = resolve_input_path(resume, input_directory);
      if (!is_complete(found))
        problem = "'" + found +
                  "' is not a complete checkpoint (a directory with "
                  "mesh and state.bin, as in <Output directory>/checkpoints/)";
    }
  }
  found = Utilities::MPI::broadcast(comm, found, 0);
  problem = Utilities::MPI::broadcast(comm, problem, 0);
  if (!problem.empty())
    throw_input_error("Checkpoint/Resume", problem);
  return found;
}

void Checkpoint::check_parameters(const std::string &stored_parameters,
                                  const std::string &parameters,
                                  const std::string &checkpoint_directory)
{
  const auto stored = parameter_values(stored_parameters);
  const auto current = parameter_values(parameters);
  std::string changes;
  unsigned int n_changes = 0;
  auto note =
      [&](const std::string &path, const std::string &before, const std::string &now)
  {
    if (may_change_at_restart(path) || before == now)
      return;
    if (++n_changes <= 10)
      changes +=
          "\n  " + path + ": '" + before + "' in the checkpoint, '" + now + "' now";
  };
  for (const auto &[path, value] : stored)
  {
    const auto now = current.find(path);
    note(path, value, now == current.end() ? "(no such parameter)" : now->second);
  }
  for (const auto &[path, value] : current)
    if (stored.count(path) == 0)
      note(path, "(no such parameter)", value);
  if (n_changes > 0)
    throw_input_error("Checkpoint/Resume",
                      "the checkpoint " + checkpoint_directory + " was written with " +
                          std::to_string(n_changes) +
                          " different physics parameter(s); only Output, Postprocess, "
                          "Checkpoint and Treatment schedule/End time may change at a "
                          "restart:" +
                          changes);
}

bool Checkpoint::periodic_due(double t, MPI_Comm comm) const
{
  int due = 0;
  if (Utilities::MPI::this_mpi_process(comm) == 0)
  {
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - last_wall)
            .count();
    due = (time_interval > 0 && t >= last_time + time_interval * (1 - 1e-12)) ||
          (wall_clock_interval > 0 && wall >= wall_clock_interval);
  }
  return Utilities::MPI::broadcast(comm, due, 0) != 0;
}

std::string
Checkpoint::write(const parallel::distributed::Triangulation<3> &triangulation,
                  const ModuleState &state, const std::string &parameters, double t,
                  const std::string &output_directory, MPI_Comm comm)
{
  const bool root = Utilities::MPI::this_mpi_process(comm) == 0;
  const std::string directory = output_directory + "/checkpoints";
  const std::string name = checkpoint_name(sequence + 1);
  const std::string temporary = directory + "/" + name + ".tmp";
  std::string problem;
  if (root)
    try
    {
      create_directories(directory);
      if (is_directory(temporary))
        remove_directory(temporary);
      create_directories(temporary);
    }
    catch (const std::exception &error)
    {
      problem = error.what();
    }
  problem = Utilities::MPI::broadcast(comm, problem, 0);
  if (!problem.empty())
    throw std::runtime_error("cannot write the checkpoint: " + problem);

  {
    StateTransfer transfer(state);
    transfer.attach(true);
    triangulation.save(temporary + "/mesh");
  }
  if (root)
    try
    {
      write_file_atomically(temporary + "/state.bin", state.save_records());
      write_file_atomically(temporary + "/parameters.prm", parameters);
      std::ostringstream info;
      info.precision(17);
      info << "time_s " << t << "\nranks " << Utilities::MPI::n_mpi_processes(comm)
           << "\ncells " << triangulation.n_global_active_cells() << "\n";
      write_file_atomically(temporary + "/info.txt", info.str());
      for (const char *file : {"mesh", "mesh.info", "mesh_fixed.data"})
      {
        struct stat status;
        if (stat((temporary + "/" + file).c_str(), &status) != 0)
          throw std::runtime_error("the mesh file '" + temporary + "/" + file +
                                   "' was not written");
      }
      // A checkpoint of this number from a run that was resumed from an earlier one is
      // stale: it is replaced.
      if (is_directory(directory + "/" + name))
        remove_directory(directory + "/" + name);
      if (std::rename(temporary.c_str(), (directory + "/" + name).c_str()) != 0)
        throw std::runtime_error("cannot rename '" + temporary + "' to '" + directory +
                                 "/" + name + "': " + std::strerror(errno));
      const auto numbers = complete_checkpoints(directory);
      for (unsigned int k = 0; k + kept < numbers.size(); ++k)
        remove_directory(directory + "/" + checkpoint_name(numbers[k]));
    }
    catch (const std::exception &error)
    {
      problem = error.what();
    }
  problem = Utilities::MPI::broadcast(comm, problem, 0);
  if (!problem.empty())
    throw std::runtime_error("cannot write the checkpoint: " + problem);
  ++sequence;
  last_time = t;
  last_wall = std::chrono::steady_clock::now();
  return directory + "/" + name;
}

std::string Checkpoint::read_file(const std::string &checkpoint_directory,
                                  const std::string &name)
{
  const std::string path = checkpoint_directory + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError("Checkpoint/Resume: cannot read '" + path + "'");
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

void Checkpoint::load_mesh(const std::string &checkpoint_directory,
                           parallel::distributed::Triangulation<3> &triangulation)
{
  triangulation.load(checkpoint_directory + "/mesh");
}
} // namespace ferrotherm
