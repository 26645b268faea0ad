// ferrotherm: command-line entry point.
//   ferrotherm case.prm [--set "Section/Entry=value"]...
//   ferrotherm --validate case.prm [--set ...]
//   ferrotherm --print-parameters [prm|json|md|xml] [case.prm]
//   ferrotherm --list-plugins [case.prm]
// Bad input of any kind ends with one message naming the file, line or parameter and a
// non-zero exit code; under MPI the failing rank aborts the whole job (no deadlock).
// Once the output directory exists, the run's state is kept in its status.json (see
// core/run_status.h) and the error message is also written to log.txt; SIGTERM/SIGINT
// end the run after the current macro step with exit code 128 + signal.
#include "core/input_error.h"
#include "core/parsed_function.h"
#include "core/run_context.h"
#include "core/run_log.h"
#include "core/run_status.h"
#include "core/simulator.h"
#include "core/text_parsing.h"
#include "models/coils/coil.h"
#include "models/heating/specific_loss_power.h"
#include "models/magnets/static_magnet.h"
#include "models/meshes/mesh_generator.h"
#include "models/perfusion/perfusion_model.h"
#include "physics/em/electromagnetic_model.h"
#include "physics/em/vector_potential_reference.h"
#include "physics/immune/immune_model.h"
#include "physics/transport/iron_model.h"
#include "postprocess/postprocessor.h"

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <cctype>
#include <dlfcn.h>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace dealii;
using namespace ferrotherm;

namespace
{
const char *usage = R"(Usage:
  ferrotherm case.prm [--set "Section/Entry=value"]...   run a treatment simulation
  ferrotherm --validate case.prm [--set ...]             check the input, run nothing
  ferrotherm --print-parameters [prm|json|md|xml] [case.prm]
                                                         all parameters with defaults and docs
  ferrotherm --list-plugins [case.prm]                   registered plugin names
  ferrotherm --help
Options are applied after the file; relative input paths are resolved against the
directory of case.prm; the output directory is relative to the working directory.
)";

struct CommandLine
{
  std::string mode = "run"; // run | validate | print | plugins | help
  std::string format = "prm";
  std::string parameter_file;
  std::vector<std::string> overrides;
};

CommandLine parse_command_line(int argc, char **argv)
{
  CommandLine line;
  for (int i = 1; i < argc; ++i)
  {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h")
      line.mode = "help";
    else if (arg == "--validate")
      line.mode = "validate";
    else if (arg == "--list-plugins")
      line.mode = "plugins";
    else if (arg == "--print-parameters")
    {
      line.mode = "print";
      const std::string next = i + 1 < argc ? argv[i + 1] : "";
      struct stat status;
      if (next == "prm" || next == "json" || next == "md" || next == "xml")
        line.format = argv[++i];
      else if (!next.empty() && next[0] != '-' &&
               next.find_first_of("./") == std::string::npos &&
               stat(next.c_str(), &status) != 0)
        throw InputError("command line: --print-parameters: unknown format '" + next +
                         "' (expected prm, json, md or xml)\n" + usage);
    }
    else if (arg == "--set")
    {
      if (i + 1 >= argc)
        throw InputError("command line: --set needs \"Section/Entry=value\"");
      line.overrides.push_back(argv[++i]);
    }
    else if (arg.compare(0, 6, "--set=") == 0)
      line.overrides.push_back(arg.substr(6));
    else if (!arg.empty() && arg[0] == '-')
      throw InputError("command line: unknown option '" + arg + "'\n" + usage);
    else if (line.parameter_file.empty())
      line.parameter_file = arg;
    else
      throw InputError("command line: more than one parameter file ('" +
                       line.parameter_file + "', '" + arg + "')");
  }
  if ((line.mode == "run" || line.mode == "validate") && line.parameter_file.empty())
    throw InputError(std::string("command line: no parameter file given\n") + usage);
  return line;
}

// The message of a deal.II exception on one line (runs of blanks collapsed).
std::string exception_text(const ExceptionBase &error)
{
  std::ostringstream text;
  error.print_info(text);
  std::string line;
  for (const char c : text.str())
    if (!std::isspace(static_cast<unsigned char>(c)))
      line += c;
    else if (!line.empty() && line.back() != ' ')
      line += ' ';
  return trim(line);
}

// Reads `file` into prm (a leading UTF-8 byte order mark is ignored), translating
// deal.II's parser exceptions into InputError. A directory or a file without any
// statement is an error: it would silently run the default case.
void parse_parameter_file(ParameterHandler &prm, const std::string &file,
                          bool skip_undefined)
{
  struct stat status;
  if (stat(file.c_str(), &status) == 0 && S_ISDIR(status.st_mode))
    throw InputError(file + ": is a directory, not a parameter file");
  std::ifstream in(file);
  if (!in)
    throw InputError(file + ": cannot open the parameter file");
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  strip_byte_order_mark(text);
  bool has_statement = false;
  for (const auto &line : split(text, '\n'))
    has_statement = has_statement || (!line.empty() && line[0] != '#');
  if (!has_statement)
    throw InputError(file + ": the parameter file is empty (no 'set' or 'subsection' "
                            "line); write the parameters that differ from the defaults "
                            "(see ferrotherm --print-parameters)");
  std::istringstream input(text);
  try
  {
    prm.parse_input(input, file, "", skip_undefined);
  }
  catch (const ExceptionBase &error)
  {
    throw InputError("parameter file " + exception_text(error));
  }
}

// Applies "Section/Sub/Entry=value".
void apply_override(ParameterHandler &prm, const std::string &assignment)
{
  const auto equal = assignment.find('=');
  if (equal == std::string::npos)
    throw InputError("--set '" + assignment + "': expected \"Section/Entry=value\"");
  const std::vector<std::string> path = split(assignment.substr(0, equal), '/');
  const std::string value = trim(assignment.substr(equal + 1));
  for (unsigned int k = 0; k + 1 < path.size(); ++k)
    prm.enter_subsection(path[k]);
  try
  {
    prm.set(path.back(), value);
  }
  catch (const ParameterHandler::ExcEntryUndeclared &)
  {
    throw InputError("--set '" + assignment + "': there is no parameter '" +
                     assignment.substr(0, equal) +
                     "' (see ferrotherm --print-parameters)");
  }
  catch (const ExceptionBase &error)
  {
    throw InputError("--set '" + assignment + "': " + exception_text(error));
  }
  for (unsigned int k = 0; k + 1 < path.size(); ++k)
    prm.leave_subsection();
}

// Loads `Additional shared libraries` (from the file and the overrides) so that their
// plugins are registered before the full parameter set is declared.
void load_plugin_libraries(const CommandLine &line, const std::string &input_directory)
{
  if (line.parameter_file.empty())
    return;
  ParameterHandler pre;
  pre.declare_entry("Additional shared libraries", "", Patterns::Anything());
  parse_parameter_file(pre, line.parameter_file, true);
  for (const auto &assignment : line.overrides)
    if (assignment.compare(0, 28, "Additional shared libraries=") == 0)
      apply_override(pre, assignment);
  const std::string list = pre.get("Additional shared libraries");
  if (trim(list).empty())
    return;
  for (const auto &library : split(list, ','))
  {
    const std::string path = resolve_input_path(library, input_directory);
    if (dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr)
      throw InputError("Additional shared libraries: cannot load '" + path +
                       "': " + dlerror());
  }
}

std::string directory_of(const std::string &file)
{
  char *resolved = realpath(file.c_str(), nullptr);
  if (resolved == nullptr)
    return ".";
  std::string path(resolved);
  free(resolved);
  return path.substr(0, path.find_last_of('/'));
}

// ParameterHandler's JSON keys encode characters other than letters and digits as
// "_xx" (hex); this restores the names users write.
std::string demangle(const std::string &name)
{
  std::string result;
  for (unsigned int i = 0; i < name.size(); ++i)
    if (name[i] == '_' && i + 2 < name.size() + 0 && std::isxdigit(name[i + 1]) &&
        std::isxdigit(name[i + 2]))
    {
      result += static_cast<char>(std::stoi(name.substr(i + 1, 2), nullptr, 16));
      i += 2;
    }
    else
      result += name[i];
  return result;
}

// Markdown reference of every parameter, from the JSON description.
void print_markdown(const boost::property_tree::ptree &tree, const std::string &section,
                    std::ostream &out)
{
  std::vector<std::pair<std::string, const boost::property_tree::ptree *>> entries,
      subsections;
  for (const auto &child : tree)
  {
    const std::string name = demangle(child.first);
    if (child.second.get_child_optional("value"))
      entries.emplace_back(name, &child.second);
    else
      subsections.emplace_back(name, &child.second);
  }
  if (!entries.empty())
  {
    out << "\n## " << (section.empty() ? "(top level)" : section) << "\n\n"
        << "| Parameter | Default | Description |\n|---|---|---|\n";
    for (const auto &entry : entries)
    {
      std::string doc = entry.second->get<std::string>("documentation", "");
      std::string cleaned;
      for (const char c : doc)
        cleaned += (c == '\n') ? std::string("<br>")
                               : (c == '|' ? std::string("\\|") : std::string(1, c));
      out << "| " << entry.first << " | `"
          << entry.second->get<std::string>("default_value", "") << "` | " << cleaned
          << " |\n";
    }
  }
  for (const auto &subsection : subsections)
    print_markdown(*subsection.second,
                   section.empty() ? subsection.first : section + "/" + subsection.first,
                   out);
}

void print_plugins(std::ostream &out)
{
  auto list = [&](const std::string &family, const std::vector<std::string> &names)
  {
    out << family << ":";
    for (const auto &name : names)
      out << " '" << name << "'";
    out << "\n";
  };
  list("Mesh/Model", PluginRegistry<MeshGenerator>::instance().names());
  list("Electromagnetics/Model",
       PluginRegistry<ElectromagneticModel>::instance().names());
  list("Electromagnetics/Coil/Model", PluginRegistry<Coil>::instance().names());
  list("Electromagnetics/Full eddy current/Reference solution/Model",
       PluginRegistry<VectorPotentialReference>::instance().names());
  list("Transport/Model", PluginRegistry<IronModel>::instance().names());
  list("Magnet/Magnet N/Model", PluginRegistry<StaticMagnet>::instance().names());
  list("Heating/Model", PluginRegistry<SpecificLossPower>::instance().names());
  list("Immune/Model", PluginRegistry<ImmuneModel>::instance().names());
  list("perfusion_model (tissue database)",
       PluginRegistry<PerfusionModel>::instance().names());
  list("Postprocess/List of postprocessors",
       PluginRegistry<Postprocessor>::instance().names());
}

int run(int argc, char **argv, MPI_Comm comm, RunLog &log, RunStatus &status)
{
  const CommandLine line = parse_command_line(argc, argv);
  const bool root = Utilities::MPI::this_mpi_process(comm) == 0;
  if (line.mode == "help")
  {
    if (root)
      std::cout << usage;
    return 0;
  }
  const std::string input_directory =
      line.parameter_file.empty() ? "." : directory_of(line.parameter_file);
  load_plugin_libraries(line, input_directory);

  if (line.mode == "plugins")
  {
    if (root)
      print_plugins(std::cout);
    return 0;
  }

  ParameterHandler prm;
  Simulator::declare_parameters(prm);
  if (line.mode == "print")
  {
    if (!line.parameter_file.empty())
      parse_parameter_file(prm, line.parameter_file, false);
    if (root)
    {
      if (line.format == "prm")
        prm.print_parameters(std::cout, ParameterHandler::PRM);
      else if (line.format == "json")
        prm.print_parameters(std::cout, ParameterHandler::JSON);
      else if (line.format == "xml")
        prm.print_parameters(std::cout, ParameterHandler::XML);
      else
      {
        std::stringstream json;
        prm.print_parameters(json, ParameterHandler::JSON);
        boost::property_tree::ptree tree;
        boost::property_tree::read_json(json, tree);
        std::cout << "# Ferrotherm parameters\n\nGenerated by `ferrotherm "
                     "--print-parameters md`."
                  << " SI units; temperatures in deg C.\n";
        print_markdown(tree, "", std::cout);
      }
    }
    return 0;
  }

  parse_parameter_file(prm, line.parameter_file, false);
  for (const auto &assignment : line.overrides)
    apply_override(prm, assignment);

  RunContext context;
  context.input_directory = input_directory;
  context.function_constants =
      parse_function_constants(prm.get("Function constants"), "Function constants");

  Simulator simulator(comm, prm, context, log.stream(), line.mode == "validate", &status);
  if (line.mode == "validate")
  {
    if (root)
      std::cout << line.parameter_file << ": valid\n"
                << simulator.describe() << std::endl;
    return 0;
  }
  install_interruption_handlers();
  if (root)
  {
    log.attach_file(simulator.output_directory() + "/log.txt", simulator.resuming());
    std::ifstream original(line.parameter_file);
    std::ostringstream copy;
    copy << original.rdbuf();
    for (const auto &assignment : line.overrides)
      copy << "\n# command line: --set \"" << assignment << "\"";
    write_file_atomically(simulator.output_directory() + "/original.prm",
                          copy.str() + "\n");
  }
  simulator.run();
  if (root)
    status.completed(simulator.schedule().end_time());
  return 0;
}

// Prints the error once, records it in log.txt and status.json (if the output directory
// exists) and ends the run: the rank that failed aborts the job, so no rank waits
// forever in a collective operation. Most errors occur on every rank: rank 0 reports
// them at once and aborts; another rank reports only if it is still alive 2 s later,
// i.e. when the error was its own.
int fail(const std::string &message, bool input_error, RunLog &log, RunStatus &status)
{
  const unsigned int rank = Utilities::MPI::this_mpi_process(MPI_COMM_WORLD);
  const unsigned int n_ranks = Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD);
  if (rank != 0)
    std::this_thread::sleep_for(std::chrono::seconds(2));
  const std::string text =
      std::string("ferrotherm: ") + (input_error ? "input error: " : "error: ") +
      (rank != 0 ? "[rank " + std::to_string(rank) + "] " : std::string()) + message;
  std::cerr << text << std::endl;
  if (status.started())
    try
    {
      status.failed(message);
      if (rank == 0)
        log.record(text + "\n");
      else
        append_to_file(status.directory() + "/log.txt", text + "\n");
    }
    catch (const std::exception &error)
    {
      std::cerr << "ferrotherm: error: cannot record the failure: " << error.what()
                << std::endl;
    }
  if (n_ranks > 1)
    MPI_Abort(MPI_COMM_WORLD, 1);
  return 1;
}

// All ranks stop together (the signal flag is reduced over the ranks).
int interrupted(const RunInterrupted &interruption, RunLog &log, RunStatus &status)
{
  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) != 0)
    return 128 + interruption.signal_number;
  const std::string message =
      std::string(interruption.what()) +
      "; the output files hold the state at that time (status.json: interrupted)";
  std::cerr << "ferrotherm: " << message << std::endl;
  log.record("ferrotherm: " + message + "\n");
  try
  {
    status.interrupted(interruption.signal_number, interruption.simulated_time,
                       interruption.what());
  }
  catch (const std::exception &error)
  {
    std::cerr << "ferrotherm: error: cannot record the interruption: " << error.what()
              << std::endl;
  }
  return 128 + interruption.signal_number;
}
} // namespace

int main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  RunLog log(Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0);
  RunStatus status(MPI_COMM_WORLD, std::vector<std::string>(argv, argv + argc));
  try
  {
    return run(argc, argv, MPI_COMM_WORLD, log, status);
  }
  catch (const RunInterrupted &interruption)
  {
    return interrupted(interruption, log, status);
  }
  catch (const InputError &error)
  {
    return fail(error.what(), true, log, status);
  }
  catch (const ExceptionBase &error)
  {
    return fail(exception_text(error), false, log, status);
  }
  catch (const std::exception &error)
  {
    return fail(error.what(), false, log, status);
  }
  catch (...)
  {
    return fail("unknown exception", false, log, status);
  }
}
