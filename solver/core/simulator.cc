// Simulator: set-up and treatment clock of a run (see simulator.h).
#include "core/simulator.h"

#include "core/input_error.h"
#include "core/mesh_check.h"
#include "core/parsed_function.h"
#include "core/range_check.h"
#include "core/run_status.h"
#include "core/text_parsing.h"
#include "models/magnets/magnet_arrangement.h"
#include "models/meshes/mesh_generator.h"
#include "physics/em/electromagnetic_model.h"
#include "physics/heat/pennes_heat.h"
#include "physics/immune/immune_model.h"
#include "physics/transport/iron_model.h"
#include "postprocess/postprocessor.h"

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/data_out.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <unistd.h>

namespace ferrotherm
{
using namespace dealii;

void Simulator::declare_parameters(ParameterHandler &prm)
{
  prm.declare_entry(
      "Additional shared libraries", "", Patterns::Anything(),
      "Comma-separated shared libraries (.so) loaded before the parameters are "
      "read; their plugins register themselves and appear in the parameter "
      "documentation.");
  prm.declare_entry("Function constants", "", Patterns::Anything(),
                    "Constants for all expressions, 'name=value, name=value'.");

  prm.enter_subsection("Mesh");
  MeshGenerator::declare_parameters(prm);
  prm.declare_entry("Global refinements", "2", Patterns::Integer(0, 10),
                    "Uniform refinements of the coarse mesh.");
  prm.declare_entry("Target refinements", "0", Patterns::Integer(0, 6),
                    "Additional refinements of the target-tissue cells (hanging nodes).");
  prm.leave_subsection();

  prm.enter_subsection("Tissues");
  prm.declare_entry("Database", "$FERROTHERM_DATA/tissues.csv", Patterns::Anything(),
                    "Tissue property table (CSV; see prm/tissues.csv for the columns).");
  prm.declare_entry("Dielectric parameter table",
                    "$FERROTHERM_DATA/gabriel-cole-cole-parameters.tsv",
                    Patterns::Anything(),
                    "Gabriel et al. (1996) Cole-Cole parameters, for 'gabriel:<tissue>' "
                    "entries of the database.");
  prm.declare_entry("Target tissues", "tumour", Patterns::Anything(),
                    "Comma-separated tissue names treated as the target (T90, CEM43T90, "
                    "damaged fraction); may be empty.");
  prm.declare_entry(
      "Property overrides", "", Patterns::Anything(),
      "Per-tissue overrides of database values, e.g. "
      "'tumour: perfusion_rate=0.002, metabolic_heat=20; muscle: density=1050'.");
  prm.leave_subsection();

  prm.enter_subsection("Electromagnetics");
  ElectromagneticModel::declare_parameters(prm);
  prm.leave_subsection();

  prm.enter_subsection("Transport");
  IronModel::declare_parameters(prm);
  prm.leave_subsection();
  MagnetArrangement::declare_parameters(prm);

  prm.enter_subsection("Immune");
  ImmuneModel::declare_parameters(prm);
  prm.leave_subsection();

  PennesHeat::declare_parameters(prm);
  TreatmentSchedule::declare_parameters(prm);

  prm.enter_subsection("Output");
  prm.declare_entry("Output directory", "output", Patterns::Anything(),
                    "Directory of all results (relative to the working directory).");
  prm.declare_entry("Output interval", "60", Patterns::Double(0),
                    "Simulated time between outputs [s] (statistics, probes, "
                    "solution), in (0, 1e8].");
  prm.leave_subsection();

  prm.enter_subsection("Postprocess");
  Postprocessor::declare_parameters(prm);
  prm.leave_subsection();
}

Simulator::Simulator(MPI_Comm comm, ParameterHandler &prm, const RunContext &context,
                     std::ostream &screen, bool validate_only, RunStatus *status)
    : comm(comm), pcout(screen, Utilities::MPI::this_mpi_process(comm) == 0),
      run_context(context), validate_only(validate_only), run_warnings(pcout),
      tria(comm, Triangulation<3>::limit_level_difference_at_vertices),
      run_status(status),
      timer(MPI_COMM_SELF, pcout, TimerOutput::never, TimerOutput::wall_times)
{
  parse_parameters(prm);
  check_output_directory(output_path, comm);
  {
    TimerOutput::Scope scope(timer, "set-up: mesh");
    build_mesh();
  }
  em->initialize(*this);
  iron->initialize(*this);
  heat->initialize(*this);
  immune->initialize(*this);

  {
    TimerOutput::Scope scope(timer, "set-up: DoFs and mapping");
    space = std::make_unique<ScalarSpace>(tria, heat->finite_element_degree());
    space->setup();
  }
  check_expressions_are_finite();
  if (!validate_only)
  {
    TimerOutput::Scope scope(timer, "set-up: physics (assembly, initial state)");
    em->setup();
    iron->setup();
    heat->setup();
    immune->setup();
  }
  {
    TimerOutput::Scope scope(timer, "set-up: postprocessors");
    for (auto &postprocessor : postprocessors)
      postprocessor->initialize(*this);
  }
  if (validate_only)
    return;

  if (Utilities::MPI::this_mpi_process(comm) == 0)
    create_directories(output_path);
  if (run_status != nullptr)
    run_status->start(output_path);
  if (Utilities::MPI::this_mpi_process(comm) == 0)
  {
    std::ostringstream parameters;
    prm.print_parameters(parameters, ParameterHandler::ShortPRM);
    write_file_atomically(output_path + "/parameters.prm", parameters.str());
  }
  MPI_Barrier(comm);
}

Simulator::~Simulator() = default;

void Simulator::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Mesh");
  mesh_generator = PluginRegistry<MeshGenerator>::instance().create(prm.get("Model"));
  mesh_generator->parse_parameters(prm, run_context);
  global_refinements = prm.get_integer("Global refinements");
  target_refinements = prm.get_integer("Target refinements");
  prm.leave_subsection();

  prm.enter_subsection("Electromagnetics");
  em = PluginRegistry<ElectromagneticModel>::instance().create(prm.get("Model"));
  const double frequency =
      parse_double(prm.get("Frequency"), "Electromagnetics/Frequency");
  if (!(frequency > 0))
    throw_input_error("Electromagnetics/Frequency",
                      "must be positive, found " + prm.get("Frequency"));
  check_range(frequency, 0, 1e8, "Electromagnetics/Frequency", "Hz",
              LowerBound::exclusive);
  em->set_frequency(frequency);
  em->parse_parameters(prm, run_context);
  prm.leave_subsection();

  prm.enter_subsection("Tissues");
  tissue_database = TissueDatabase::read(
      resolve_input_path(prm.get("Database"), run_context.input_directory),
      resolve_input_path(prm.get("Dielectric parameter table"),
                         run_context.input_directory),
      frequency);
  tissue_database.apply_overrides(prm.get("Property overrides"),
                                  "Tissues/Property overrides");
  target_names.clear();
  if (!trim(prm.get("Target tissues")).empty())
    for (const auto &name : split(prm.get("Target tissues"), ','))
    {
      if (tissue_database.find_name(name) == nullptr)
        throw_input_error("Tissues/Target tissues",
                          "no tissue named '" + name + "' in the tissue database");
      target_names.push_back(name);
    }
  prm.leave_subsection();

  prm.enter_subsection("Transport");
  iron = PluginRegistry<IronModel>::instance().create(prm.get("Model"));
  iron->parse_parameters(prm, run_context);
  prm.leave_subsection();

  heat = std::make_unique<PennesHeat>();
  heat->parse_parameters(prm, run_context);
  prm.enter_subsection("Immune");
  const std::string immune_model = prm.get("Model");
  immune = PluginRegistry<ImmuneModel>::instance().create(immune_model);
  immune->parse_parameters(prm, run_context);
  prm.leave_subsection();
  if (immune_model != "none" && heat->is_steady())
    throw_input_error("Immune/Model", "the immune layer needs a transient run (Heat/Time "
                                      "stepping is steady)");
  treatment_schedule.parse_parameters(prm);
  if (!heat->is_steady() && !(treatment_schedule.end_time() > 0))
    throw_input_error("Treatment schedule/End time",
                      "must be positive for transient runs");
  if (!heat->is_steady())
    warn_about_sessions_outside_the_run();

  prm.enter_subsection("Output");
  output_path = trim(prm.get("Output directory"));
  if (output_path.empty())
    throw_input_error("Output/Output directory", "must not be empty");
  output_interval = prm.get_double("Output interval");
  if (!(output_interval > 0))
    throw_input_error("Output/Output interval", "must be positive");
  check_range(output_interval, 0, 1e8, "Output/Output interval", "s",
              LowerBound::exclusive);
  constexpr double max_outputs = 1e6;
  if (!heat->is_steady() && treatment_schedule.end_time() / output_interval > max_outputs)
    throw_input_error("Output/Output interval",
                      format_number(output_interval) + " s gives " +
                          format_number(treatment_schedule.end_time() / output_interval) +
                          " outputs over the End time, more than " +
                          format_number(max_outputs) + "; choose a longer interval");
  prm.leave_subsection();

  prm.enter_subsection("Postprocess");
  postprocessors.clear();
  const std::string list = prm.get("List of postprocessors");
  std::set<std::string> listed;
  if (!trim(list).empty())
    for (const auto &name : split(list, ','))
    {
      if (!listed.insert(name).second)
        throw_input_error("Postprocess/List of postprocessors",
                          "'" + name + "' is listed twice (its columns would repeat)");
      postprocessors.push_back(PluginRegistry<Postprocessor>::instance().create(name));
      postprocessors.back()->parse_parameters(prm, run_context);
    }
  prm.leave_subsection();
}

void Simulator::warn_about_sessions_outside_the_run()
{
  const double end = treatment_schedule.end_time();
  for (const auto &session : treatment_schedule.sessions())
  {
    std::ostringstream text;
    text << "Treatment schedule/AMF sessions: the session " << session.first << "-"
         << session.second << " s ";
    std::string kind;
    if (session.first >= end)
    {
      kind = "AMF session after the end";
      text << "starts at or after the End time (" << end << " s) and is not applied";
    }
    else if (session.second > end * (1 + 1e-12))
    {
      kind = "AMF session cut at the end";
      text << "is cut at the End time (" << end << " s)";
    }
    else
      continue;
    run_warnings.warn(kind, text.str());
  }
}

void Simulator::build_mesh()
{
  mesh_generator->create_coarse_mesh(tria);
  check_coarse_mesh(tria, mesh_generator->source());
  named_boundaries = mesh_generator->boundary_names();

  // Every rank holds all coarse cells: the label check needs no communication.
  mesh_labels.clear();
  for (const auto &cell : tria.cell_iterators_on_level(0))
    mesh_labels.insert(cell->material_id());
  label_tissues.clear();
  std::string missing;
  for (const unsigned int label : mesh_labels)
  {
    label_tissues[label] = tissue_database.find_label(label);
    if (label_tissues[label] == nullptr)
      missing += (missing.empty() ? "" : ", ") + std::to_string(label);
  }
  if (!missing.empty())
  {
    std::string in_mesh, known;
    for (const unsigned int label : mesh_labels)
      in_mesh += (in_mesh.empty() ? "" : ", ") + std::to_string(label);
    for (const auto &tissue : tissue_database.all())
      known += (known.empty() ? "" : ", ") + std::to_string(tissue.label) + " (" +
               tissue.name + ")";
    throw_input_error("Tissues/Database",
                      "the mesh has the labels " + in_mesh +
                          " but the database has no tissue for label(s) " + missing +
                          "; the database defines " + known);
  }
  targets.clear();
  for (const auto &name : target_names)
  {
    const Tissue *tissue = tissue_database.find_name(name);
    if (mesh_labels.count(tissue->label) == 0)
      throw_input_error("Tissues/Target tissues",
                        "the target tissue '" + name + "' (label " +
                            std::to_string(tissue->label) + ") is not in the mesh");
    targets.insert(tissue->label);
  }

  check_memory_estimate();
  tria.refine_global(mesh_generator->built_in_refinements() + global_refinements);
  for (unsigned int r = 0; r < target_refinements; ++r)
  {
    for (const auto &cell : tria.active_cell_iterators())
      if (cell->is_locally_owned() && targets.count(cell->material_id()))
        cell->set_refine_flag();
    tria.execute_coarsening_and_refinement();
  }
}

void Simulator::check_memory_estimate() const
{
  // Every coarse cell becomes 8^refinements cells (a target cell 8^more); a cell carries
  // about degree^3 temperature DoFs, and a DoF a few kB: the mesh, the rows of the
  // matrices and preconditioners, the vectors of every layer (measured: 4.3 kB (Q1) and
  // 4.7 kB (Q2) per DoF beyond the 180 MB of an empty run, tests/errors/base.prm with
  // 78737 DoFs). 4 kB is used, so only what cannot fit is refused.
  const double bytes_per_dof = 4e3;
  const unsigned int refinements =
      mesh_generator->built_in_refinements() + global_refinements;
  double cells = 0;
  unsigned int coarse_cells = 0;
  for (const auto &cell : tria.cell_iterators_on_level(0))
  {
    ++coarse_cells;
    cells += std::pow(
        8.0,
        refinements + (targets.count(cell->material_id()) > 0 ? target_refinements : 0));
  }
  const unsigned int degree = heat->finite_element_degree();
  const double dofs = cells * std::pow(degree, 3);
  const double bytes = dofs * bytes_per_dof;

  // The physical memory of every node of the run, counted once per node.
  MPI_Comm node;
  MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  const bool first_on_node = Utilities::MPI::this_mpi_process(node) == 0;
  MPI_Comm_free(&node);
  const double memory = Utilities::MPI::sum(
      first_on_node ? double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGE_SIZE))
                    : 0.0,
      comm);
  if (bytes > memory)
  {
    std::ostringstream text;
    text << std::setprecision(2) << global_refinements << " refinements";
    if (mesh_generator->built_in_refinements() > 0)
      text << " (plus " << mesh_generator->built_in_refinements()
           << " of the mesh model)";
    if (target_refinements > 0)
      text << " and " << target_refinements << " Target refinements";
    text << " of " << coarse_cells << " coarse cells give about " << cells
         << " cells and " << dofs << " temperature DoFs (Q" << degree
         << "), which need about " << bytes / 1e9 << " GB of memory ("
         << bytes_per_dof / 1e3 << " kB per DoF); the machine has " << memory / 1e9
         << " GB. Use fewer refinements (each one multiplies the memory "
         << "by 8) or more nodes";
    throw_input_error("Mesh/Global refinements", text.str());
  }
}

void Simulator::check_expressions_are_finite() const
{
  std::vector<Point<3>> points;
  const auto &vertices = tria.get_vertices();
  const auto &used = tria.get_used_vertices();
  for (unsigned int v = 0; v < vertices.size(); ++v)
    if (used[v])
      points.push_back(vertices[v]);
  const std::string problem =
      first_non_finite_expression(points, {0.0, treatment_schedule.end_time()});
  // The first problem found by any rank, on every rank.
  for (const auto &message : Utilities::MPI::all_gather(comm, problem))
    if (!message.empty())
      throw InputError(message);
}

std::set<types::boundary_id> Simulator::boundary_ids_in_mesh() const
{
  std::set<types::boundary_id> ids;
  for (const auto &cell : tria.cell_iterators_on_level(0))
    for (const unsigned int f : cell->face_indices())
      if (cell->face(f)->at_boundary())
        ids.insert(cell->face(f)->boundary_id());
  return ids;
}

std::vector<std::pair<unsigned int, double>>
Simulator::nodal_weights(const std::set<unsigned int> &labels) const
{
  FieldVector weights = space->make_field_vector();
  FEValues<3> fe_values(*space->mapping, space->fe, space->cell_quadrature,
                        update_values | update_JxW_values);
  const unsigned int n = space->fe.n_dofs_per_cell();
  Vector<double> cell_weights(n);
  std::vector<types::global_dof_index> indices(n);
  for (const auto &cell : space->dof_handler.active_cell_iterators())
  {
    if (!cell->is_locally_owned() || labels.count(cell->material_id()) == 0)
      continue;
    fe_values.reinit(cell);
    cell_weights = 0;
    for (unsigned int q = 0; q < fe_values.n_quadrature_points; ++q)
      for (unsigned int i = 0; i < n; ++i)
        cell_weights(i) += fe_values.shape_value(i, q) * fe_values.JxW(q);
    cell->get_dof_indices(indices);
    for (unsigned int i = 0; i < n; ++i)
      weights(indices[i]) += cell_weights(i);
  }
  weights.compress(VectorOperation::add);
  std::vector<std::pair<unsigned int, double>> result;
  for (unsigned int i = 0; i < weights.locally_owned_size(); ++i)
    if (weights.local_element(i) > 0)
      result.emplace_back(i, weights.local_element(i));
  return result;
}

void Simulator::add_module_output(DataOut<3> &data_out)
{
  em->add_output(data_out);
  iron->add_output(data_out);
  heat->add_output(data_out);
  immune->add_output(data_out);
}

bool Simulator::is_steady() const { return heat->is_steady(); }

double Simulator::field_scale(double t_old, double t_new) const
{
  if (is_steady())
    return treatment_schedule.sessions().empty() ? 0.0 : 1.0;
  return treatment_schedule.field_scale(t_old, t_new);
}

std::string Simulator::describe() const
{
  std::ostringstream text;
  text << "mesh: " << tria.n_global_active_cells() << " cells, "
       << space->dof_handler.n_dofs() << " temperature DoFs";
  text << ", refinements: " << global_refinements << " global";
  if (target_refinements)
    text << " + " << target_refinements << " in the target";
  text << "\ntissues:";
  for (const unsigned int label : mesh_labels)
    text << " " << label << "=" << label_tissues[label]->name;
  text << "\nfields:";
  for (const auto &field : field_registry.entries())
    text << " " << field.first << " [" << field.second.unit << "] from "
         << field.second.provider << ";";
  text << "\nend time " << treatment_schedule.end_time() << " s";
  return text.str();
}

void Simulator::run()
{
  const auto wall_start = std::chrono::steady_clock::now();
  auto wall_seconds = [&]()
  {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start)
        .count();
  };
  pcout << "Ferrotherm: " << tria.n_global_active_cells() << " cells, "
        << space->dof_handler.n_dofs() << " temperature DoFs (Q" << space->fe.degree
        << "), " << Utilities::MPI::n_mpi_processes(comm) << " MPI rank(s), "
        << linear_algebra_backend() << std::endl;

  const double end = treatment_schedule.end_time();
  if (heat->is_steady())
  {
    {
      TimerOutput::Scope scope(timer, "steady solve");
      em->advance(0, end);
      iron->advance(0, end);
      heat->advance(0, end);
    }
    write_output(end, wall_seconds());
  }
  else
  {
    write_output(0, 0);
    double t = 0;
    double next_output = output_interval;
    while (t < end * (1 - 1e-12))
    {
      const double t_next =
          std::min({next_output, treatment_schedule.next_event_after(t), end});
      {
        TimerOutput::Scope scope(timer, "time steps");
        em->advance(t, t_next);
        iron->advance(t, t_next);
        heat->advance(t, t_next);
        immune->advance(t, t_next);
      }
      t = t_next;
      // SIGTERM/SIGINT on any rank: write the current state and stop on every rank.
      const int signal = interruption_signal(comm);
      if (signal || t >= next_output * (1 - 1e-12) || t >= end * (1 - 1e-12))
      {
        write_output(t, wall_seconds());
        next_output = (std::floor(t / output_interval + 1e-9) + 1) * output_interval;
      }
      if (signal)
      {
        print_summary(wall_seconds());
        throw RunInterrupted(signal, t);
      }
    }
  }
  print_summary(wall_seconds());
}

void Simulator::write_output(double time, double wall)
{
  TimerOutput::Scope scope(timer, "output and postprocessing");
  StatisticsRow row;
  row.emplace_back("time_s", time);
  em->add_statistics(row);
  iron->add_statistics(row);
  heat->add_statistics(row);
  immune->add_statistics(row);
  for (auto &postprocessor : postprocessors)
    postprocessor->execute(time, row);
  row.emplace_back("warnings", run_warnings.total());
  row.emplace_back("wall_time_s", wall);
  statistics.add_row(row);
  if (Utilities::MPI::this_mpi_process(comm) == 0)
    statistics.write(output_path + "/statistics.csv");

  const double end = treatment_schedule.end_time();
  std::ostringstream line;
  line << std::fixed << std::setprecision(1) << "t = " << time << " s";
  if (end > 0 && !heat->is_steady())
  {
    const double fraction = time / end;
    line << " (" << std::setprecision(0) << 100 * fraction << "%)" << std::setprecision(1)
         << " | wall " << wall << " s";
    if (fraction > 0 && fraction < 1)
      line << " | left ~" << wall * (1 - fraction) / fraction << " s";
  }
  else
    line << " | wall " << wall << " s";
  line << " | " << heat->progress_summary();
  pcout << line.str() << std::endl;
}

void Simulator::print_summary(double wall_seconds) const
{
  const auto &columns = statistics.column_names();
  const auto &values = statistics.last_row();
  auto value_of = [&](const std::string &name)
  {
    for (unsigned int c = 0; c < columns.size(); ++c)
      if (columns[c] == name)
        return values[c];
    return std::nan("");
  };
  std::ostringstream text;
  text << std::setprecision(4);
  text << "\nSummary at t = " << value_of("time_s") << " s (wall " << std::setprecision(3)
       << wall_seconds << " s):\n"
       << std::setprecision(4);
  auto peak_of = [&](const std::string &name)
  {
    const std::vector<double> column = statistics.column(name);
    return column.empty() ? std::nan("")
                          : *std::max_element(column.begin(), column.end());
  };
  text << "  peak temperature           " << peak_of("T_max_C") << " C (at the end "
       << value_of("T_max_C") << " C)\n";
  if (!targets.empty())
  {
    text << "  peak target T90            " << peak_of("target_T90_C")
         << " C (at the end " << value_of("target_T90_C") << " C)\n";
    text << "  target T90 / T50 / T10     " << value_of("target_T90_C") << " / "
         << value_of("target_T50_C") << " / " << value_of("target_T10_C")
         << " C at the end\n";
    text << "  CEM43T90                   " << value_of("CEM43T90_min") << " min\n";
    text << "  target damaged fraction    " << value_of("target_damaged_fraction")
         << "\n";
    const double kept = value_of("iron_target_fraction");
    if (!std::isnan(kept))
      text << "  iron kept in the target    " << 100 * kept
           << "% of the iron in the body\n";
  }
  text << "  MNP energy deposited       " << value_of("energy_mnp_J") << " J\n";
  text << "  heat balance error         " << value_of("energy_balance_error")
       << " (relative)\n";
  if (run_warnings.total() > 0)
    text << "  WARNINGS                   " << run_warnings.summary()
         << " (see the log above)\n";
  text << "Results in " << output_path << "/: statistics.csv";
  text << ", log.txt, parameters.prm (and solution.pvd, probes.csv, errors.csv when "
          "enabled)\n";
  text << "Wall time [s]:";
  for (const auto &section : timer.get_summary_data(TimerOutput::total_wall_time))
    text << " " << section.first << " " << std::setprecision(3) << section.second << ";";
  pcout << text.str() << std::endl;
}
} // namespace ferrotherm
