// FullEddyCurrent: time-harmonic eddy currents with lowest-order Nedelec elements on an
// electromagnetic mesh of body + air (Bossavit 1998; Kolmbauer & Zulehner 2012). The
// coil enters through its Biot-Savart potential A_s (reduced-potential form): with
// A = A_s + A_r and kappa = omega mu0 sigma,
//   curl curl A_r + j kappa (A_r + A_s) = 0,   n x A_r = 0 on the outer air boundary,
// and a small real regularisation eps A_r in the air (eps = 1e-6 / d^2, d the mesh size).
// A_r = u + j v gives the real symmetric block system
//   [ K  -M ] [u]   [0]        K = (curl, curl) + eps (., .)_air,
//   [ -M -K ] [v] = [b],       M = (kappa ., .),  b = (kappa A_s, .),
// solved by MINRES preconditioned with diag(P, P), P = K + M, each block one hypre AMS
// cycle (discrete gradient from the edge orientation of FE_Nedelec: -1 at a line's
// vertex 0, +1 at vertex 1) - robust in omega, sigma and h. Then E = -j omega A,
// H = H_s + curl A_r / mu0, Q_eddy = 1/2 sigma |E|^2. The fields reach the tissue mesh by
// parallel point evaluation at the Gauss points of every tissue cell, stored as
// discontinuous (DG) fields there: tissue interfaces, where E jumps, stay sharp.
// Uses PETSc/hypre directly, in either linear-algebra configuration.
#include "core/input_error.h"
#include "core/mesh_check.h"
#include "core/range_check.h"
#include "core/scalar_space.h"
#include "core/simulator.h"
#include "core/text_parsing.h"
#include "models/coils/coil.h"
#include "models/meshes/mesh_generator.h"
#include "physics/em/electromagnetic_model.h"
#include "physics/em/vector_potential_reference.h"

#include <deal.II/base/mpi.h>
#include <deal.II/base/mpi_remote_point_evaluation.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_dgq.h>
#include <deal.II/fe/fe_nedelec.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/fe_values_extractors.h>
#include <deal.II/fe/mapping_q.h>
#include <deal.II/fe/mapping_q_cache.h>
#include <deal.II/grid/grid_tools.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/petsc_block_vector.h>
#include <deal.II/lac/petsc_solver.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>
#include <deal.II/lac/solver_control.h>
#include <deal.II/lac/solver_minres.h>
#include <deal.II/lac/sparsity_tools.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/data_out.h>

#include <petscpc.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace ferrotherm
{
namespace
{
using namespace dealii;
using PetscMatrix = PETScWrappers::MPI::SparseMatrix;
using PetscVector = PETScWrappers::MPI::Vector;
using PetscBlockVector = PETScWrappers::MPI::BlockVector;

// The symmetric block operator [[K, -M], [-M, -K]].
class BlockOperator
{
public:
  BlockOperator(const PetscMatrix &k, const PetscMatrix &m) : k(k), m(m) {}
  void vmult(PetscBlockVector &dst, const PetscBlockVector &src) const
  {
    k.vmult(dst.block(0), src.block(0));
    m.vmult(work, src.block(1));
    dst.block(0) -= work;
    k.vmult(dst.block(1), src.block(1));
    m.vmult(work, src.block(0));
    dst.block(1) += work;
    dst.block(1) *= -1.0;
  }
  void initialize_work(const PetscVector &layout) { work.reinit(layout); }

private:
  const PetscMatrix &k, &m;
  mutable PetscVector work;
};

// diag(P^-1, P^-1) with one hypre AMS cycle for each block.
class BlockAms
{
public:
  BlockAms(const PetscMatrix &p, const PetscMatrix &gradient,
           const std::vector<PetscReal> &xyz, unsigned int n_local_vertices,
           MPI_Comm comm)
  {
    PetscErrorCode ierr = PCCreate(comm, &pc);
    AssertThrow(ierr == 0, ExcPETScError(ierr));
    ierr = PCSetType(pc, PCHYPRE);
    AssertThrow(ierr == 0, ExcPETScError(ierr));
    ierr = PCHYPRESetType(pc, "ams");
    AssertThrow(ierr == 0, ExcPETScError(ierr));
    ierr = PCSetOperators(pc, p, p);
    AssertThrow(ierr == 0, ExcPETScError(ierr));
    ierr = PCHYPRESetDiscreteGradient(pc, gradient);
    AssertThrow(ierr == 0, ExcPETScError(ierr));
    ierr = PCSetCoordinates(pc, 3, n_local_vertices, const_cast<PetscReal *>(xyz.data()));
    AssertThrow(ierr == 0, ExcPETScError(ierr));
    ierr = PCSetUp(pc);
    AssertThrow(ierr == 0, ExcPETScError(ierr));
  }
  ~BlockAms() { PCDestroy(&pc); }
  void vmult(PetscBlockVector &dst, const PetscBlockVector &src) const
  {
    for (unsigned int b = 0; b < 2; ++b)
    {
      const PetscErrorCode ierr = PCApply(pc, src.block(b), dst.block(b));
      AssertThrow(ierr == 0, ExcPETScError(ierr));
    }
  }

private:
  PC pc;
};

class FullEddyCurrent : public ElectromagneticModel
{
public:
  static void declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Full eddy current");
    prm.enter_subsection("Mesh");
    MeshGenerator::declare_parameters(prm);
    prm.declare_entry("Global refinements", "2", Patterns::Integer(0, 8),
                      "Uniform refinements of the electromagnetic mesh.");
    prm.leave_subsection();
    prm.declare_entry("Air labels", "0", Patterns::Anything(),
                      "Labels of the electromagnetic mesh that are air (sigma = 0); all "
                      "other labels take sigma from the tissue database.");
    prm.declare_entry(
        "Air regularisation", "1e-6", Patterns::Double(0),
        "eps d^2, with eps the artificial real conductivity term in the air "
        "and d the diameter of the electromagnetic mesh.");
    prm.declare_entry("Relative tolerance", "1e-8", Patterns::Double(1e-14, 1),
                      "MINRES stops at this reduction of the preconditioned residual.");
    prm.declare_entry("Maximum iterations", "2000", Patterns::Integer(1),
                      "MINRES iteration limit (an error when reached).");
    prm.declare_entry(
        "Solver", "minres-ams", Patterns::Selection("minres-ams|mumps"),
        "'minres-ams': MINRES with the block AMS preconditioner (scales to large "
        "meshes); 'mumps': sparse direct solution of the block system (small "
        "problems, and a check of the iterative solver).");
    prm.declare_entry("Minimum coil distance", "0.005", Patterns::Double(0),
                      "The coil's conductors must stay this far from the conducting "
                      "regions [m].");
    prm.enter_subsection("Reference solution");
    const auto &references = PluginRegistry<VectorPotentialReference>::instance();
    prm.declare_entry(
        "Model", "none",
        Patterns::Selection("none" + std::string(references.names().empty() ? "" : "|") +
                            references.selection_pattern()),
        references.documentation(
            "Verification: a closed-form A against which the L2 and H(curl) errors of "
            "A are reported ('none': no errors). Plugins come from `Additional shared "
            "libraries` (the test suite's conducting sphere: "
            "tests/em/conducting_sphere_reference.cc)."));
    references.declare_plugin_parameters(prm);
    prm.leave_subsection();
    prm.leave_subsection();
  }

  void parse_parameters(ParameterHandler &prm, const RunContext &context) override
  {
    prm.enter_subsection("Coil");
    coil = PluginRegistry<Coil>::instance().create(prm.get("Model"));
    coil->parse_parameters(prm, context);
    prm.leave_subsection();
    prm.enter_subsection("Full eddy current");
    prm.enter_subsection("Mesh");
    mesh_generator = PluginRegistry<MeshGenerator>::instance().create(prm.get("Model"));
    mesh_generator->parse_parameters(prm, context);
    refinements = prm.get_integer("Global refinements");
    prm.leave_subsection();
    const std::string where = "Electromagnetics/Full eddy current/Air labels";
    air_labels.clear();
    if (!trim(prm.get("Air labels")).empty())
      for (const auto &label : split(prm.get("Air labels"), ','))
        air_labels.insert(parse_unsigned(label, where));
    regularisation = prm.get_double("Air regularisation");
    tolerance = prm.get_double("Relative tolerance");
    max_iterations = prm.get_integer("Maximum iterations");
    direct_solver = prm.get("Solver") == "mumps";
    minimum_distance = prm.get_double("Minimum coil distance");
    check_range(minimum_distance, 1e-4, 1,
                "Electromagnetics/Full eddy current/Minimum coil distance", "m");
    prm.enter_subsection("Reference solution");
    reference.reset();
    if (prm.get("Model") != "none")
    {
      reference =
          PluginRegistry<VectorPotentialReference>::instance().create(prm.get("Model"));
      reference->parse_parameters(prm);
    }
    prm.leave_subsection();
    prm.leave_subsection();
  }

  void initialize(Simulator &sim) override
  {
    simulator = &sim;
    em_tria =
        std::make_unique<parallel::distributed::Triangulation<3>>(sim.mpi_communicator());
    mesh_generator->create_coarse_mesh(*em_tria);
    mesh_generator->refine(*em_tria, refinements,
                           "Electromagnetics/Full eddy current/Mesh/Global refinements");
    // The labels of the refined cells (an image mesh labels cells below the coarse ones).
    collect_conductivities();
    check_coil_position();
    sim.fields().add("H_amplitude", "A/m", "peak magnetic field amplitude |H|",
                     "Electromagnetics", &h_field);
    sim.fields().add("E_amplitude", "V/m", "peak induced electric field |E|",
                     "Electromagnetics", &e_field);
    sim.fields().add("eddy_heating", "W/m^3", "eddy-current heating 1/2 sigma |E|^2",
                     "Electromagnetics", &q_field);
  }

  void setup() override
  {
    const auto start = std::chrono::steady_clock::now();
    setup_system();
    assemble_system();
    solve();
    compute_em_statistics();
    check_tangential_continuity();
    if (reference)
      compute_reference_errors();
    transfer_to_tissue_mesh();
    setup_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    simulator->screen() << "Electromagnetics: full eddy current, " << dof_handler.n_dofs()
                        << " edge DoFs (x2, real and imaginary), " << iterations
                        << " MINRES iterations, " << setup_seconds << " s" << std::endl;
  }

  void advance(double t_old, double t_new) override
  {
    follow_coil_current(*simulator, t_old, t_new);
  }

  double nominal_field_maximum() const override { return nominal_h_max; }

  void solve_at_frequency() override
  {
    collect_conductivities();
    setup();
  }

  void add_statistics(StatisticsRow &row) const override
  {
    add_peak_field_statistics(row, nominal_h_max, nominal_e_max);
    row.emplace_back("em_power_W", scale * scale * em_power);
    row.emplace_back("em_edge_dofs", dof_handler.n_dofs());
    row.emplace_back("em_minres_iterations", iterations);
    row.emplace_back("em_tangential_jump", tangential_jump);
    for (const auto &tissue : nominal_tissue_power)
      row.emplace_back("eddy_power_" + tissue.first + "_W",
                       scale * scale * tissue.second);
    if (reference)
    {
      row.emplace_back("em_A_L2_error", a_l2_error);
      row.emplace_back("em_A_Hcurl_error", a_hcurl_error);
    }
  }

private:
  // Conductivity per label of the EM mesh: air, or the tissue database at the present
  // frequency.
  void collect_conductivities()
  {
    sigma.clear();
    for (const unsigned int label : active_cell_labels(*em_tria))
      if (air_labels.count(label))
        sigma[label] = 0;
      else if (const Tissue *tissue = simulator->tissue_table().find_label(label))
        sigma[label] = tissue->electric_conductivity;
      else
        throw_input_error(
            "Electromagnetics/Full eddy current/Mesh",
            "label " + std::to_string(label) +
                " of the electromagnetic mesh is neither an air label nor a "
                "tissue of the database");
  }

  // Values at the tissue DG nodes: |H|, |E| and Q_eddy at the nominal coil current.
  // Per point: |H|, |E|, Q_eddy, Re E (x, y, z), Im E (x, y, z).
  enum Quantity
  {
    h_amplitude = 0,
    e_amplitude = 1,
    eddy_heating = 2,
    e_real = 3,
    e_imag = 6
  };

  struct TransferredField : Field
  {
    const FullEddyCurrent *model;
    Quantity quantity;
    TransferredField(const FullEddyCurrent *model, Quantity quantity)
        : model(model), quantity(quantity)
    {
    }
    void evaluate(const FEValues<3> &fe_values,
                  std::vector<double> &values) const override
    {
      model->evaluate_transferred(fe_values, quantity, values);
    }
    unsigned int version() const override { return model->field_version; }
  };

  void add_output(DataOut<3> &data_out) override
  {
    add_cell_fields(
        data_out, *simulator,
        [&](const FEValues<3> &fe_values)
        {
          std::vector<double> value(1);
          PointFields f;
          evaluate_transferred(fe_values, h_amplitude, value);
          f.h = value[0];
          evaluate_transferred(fe_values, eddy_heating, value);
          f.eddy = value[0];
          for (unsigned int d = 0; d < 3; ++d)
          {
            evaluate_transferred(fe_values, static_cast<Quantity>(e_real + d), value);
            f.e_real[d] = value[0];
            evaluate_transferred(fe_values, static_cast<Quantity>(e_imag + d), value);
            f.e_imag[d] = value[0];
          }
          return f;
        });
  }

  void evaluate_transferred(const FEValues<3> &fe_values, Quantity quantity,
                            std::vector<double> &values) const
  {
    const auto &cell = fe_values.get_cell();
    const auto found = cell_offset.find(cell->id());
    AssertThrow(
        found != cell_offset.end(),
        ExcMessage("Electromagnetics: a field was requested on a cell that is not "
                   "locally owned"));
    const Quadrature<3> &quadrature = fe_values.get_quadrature();
    const double factor = quantity == eddy_heating ? scale * scale : scale;
    for (unsigned int q = 0; q < values.size(); ++q)
    {
      double value = 0;
      for (unsigned int j = 0; j < dg_fe->n_dofs_per_cell(); ++j)
        value += nodal_values[found->second + j][quantity] *
                 dg_fe->shape_value(j, quadrature.point(q));
      values[q] = factor * value;
    }
  }

  void check_coil_position() const
  {
    double closest = std::numeric_limits<double>::infinity();
    for (const auto &cell : em_tria->active_cell_iterators())
      if (cell->is_locally_owned() && sigma[cell->material_id()] > 0)
        for (const unsigned int v : cell->vertex_indices())
          closest = std::min(closest, coil->distance_to_conductor(cell->vertex(v)));
    closest = Utilities::MPI::min(closest, simulator->mpi_communicator());
    if (closest < minimum_distance)
    {
      std::ostringstream message;
      message << "the coil's conductor comes within " << closest * 1e3
              << " mm of a conducting region (minimum " << minimum_distance * 1e3
              << " mm)";
      throw_input_error("Electromagnetics/Coil", message.str());
    }
  }

  void setup_system()
  {
    const MPI_Comm comm = simulator->mpi_communicator();
    const auto manifold_ids = em_tria->get_manifold_ids();
    const bool curved = std::any_of(manifold_ids.begin(), manifold_ids.end(),
                                    [](types::manifold_id id)
                                    { return id != numbers::flat_manifold_id; });
    auto cache = std::make_unique<MappingQCache<3>>(curved ? 2 : 1);
    cache->initialize(MappingQ<3>(curved ? 2 : 1), *em_tria);
    mapping = std::move(cache);

    dof_handler.reinit(*em_tria);
    dof_handler.distribute_dofs(fe);
    owned = dof_handler.locally_owned_dofs();
    DoFTools::extract_locally_relevant_dofs(dof_handler, relevant);
    constraints.clear();
    constraints.reinit(relevant);
    DoFTools::make_hanging_node_constraints(dof_handler, constraints);
    DoFTools::make_zero_boundary_constraints(dof_handler, constraints); // n x A_r = 0
    constraints.close();

    DynamicSparsityPattern pattern(relevant);
    DoFTools::make_sparsity_pattern(dof_handler, pattern, constraints, false);
    SparsityTools::distribute_sparsity_pattern(pattern, owned, comm, relevant);
    for (PetscMatrix *matrix : {&stiffness, &conductivity, &preconditioner_matrix})
      matrix->reinit(owned, owned, pattern, comm);

    // Discrete gradient: edges x vertices of a Q1 space on the same mesh.
    vertex_handler.reinit(*em_tria);
    vertex_handler.distribute_dofs(vertex_fe);
    const IndexSet owned_vertices = vertex_handler.locally_owned_dofs();
    DynamicSparsityPattern gradient_pattern(dof_handler.n_dofs(), vertex_handler.n_dofs(),
                                            owned);
    std::vector<std::array<types::global_dof_index, 3>>
        entries; // edge, vertex 0, vertex 1
    coordinates.assign(3 * owned_vertices.n_elements(), 0);
    for (const auto &cell : dof_handler.active_cell_iterators())
    {
      if (!cell->is_locally_owned())
        continue;
      const typename DoFHandler<3>::active_cell_iterator vertex_cell(
          em_tria.get(), cell->level(), cell->index(), &vertex_handler);
      for (unsigned int l = 0; l < GeometryInfo<3>::lines_per_cell; ++l)
      {
        const types::global_dof_index edge = cell->line(l)->dof_index(0);
        if (!owned.is_element(edge))
          continue;
        entries.push_back({{edge, vertex_cell->line(l)->vertex_dof_index(0, 0),
                            vertex_cell->line(l)->vertex_dof_index(1, 0)}});
        gradient_pattern.add(edge, entries.back()[1]);
        gradient_pattern.add(edge, entries.back()[2]);
      }
      for (const unsigned int v : cell->vertex_indices())
      {
        const types::global_dof_index vertex = vertex_cell->vertex_dof_index(v, 0);
        if (owned_vertices.is_element(vertex))
          for (unsigned int d = 0; d < 3; ++d)
            coordinates[3 * owned_vertices.index_within_set(vertex) + d] =
                cell->vertex(v)[d];
      }
    }
    gradient.reinit(owned, owned_vertices, gradient_pattern, comm);
    for (const auto &entry : entries)
    {
      gradient.set(entry[0], entry[1], -1.0);
      gradient.set(entry[0], entry[2], 1.0);
    }
    gradient.compress(VectorOperation::insert);
    n_owned_vertices = owned_vertices.n_elements();
  }

  void assemble_system()
  {
    const double omega = 2 * M_PI * frequency();
    const Point<3> lower =
        GridTools::compute_bounding_box(*em_tria).get_boundary_points().first;
    const Point<3> upper =
        GridTools::compute_bounding_box(*em_tria).get_boundary_points().second;
    const double diameter =
        Utilities::MPI::max(upper.distance(lower), simulator->mpi_communicator());
    const double eps = regularisation / (diameter * diameter);

    const QGauss<3> quadrature(3);
    FEValues<3> fe_values(*mapping, fe, quadrature,
                          update_values | update_gradients | update_quadrature_points |
                              update_JxW_values);
    const FEValuesExtractors::Vector a(0);
    const unsigned int n = fe.n_dofs_per_cell();
    FullMatrix<double> cell_stiffness(n, n), cell_conductivity(n, n);
    Vector<double> cell_rhs(n), cell_zero(n);
    std::vector<types::global_dof_index> indices(n);
    PetscVector rhs_imaginary(owned, simulator->mpi_communicator());
    for (const auto &cell : dof_handler.active_cell_iterators())
    {
      if (!cell->is_locally_owned())
        continue;
      const double kappa = omega * vacuum_permeability * sigma[cell->material_id()];
      const double mass = kappa > 0 ? 0.0 : eps;
      fe_values.reinit(cell);
      cell_stiffness = 0;
      cell_conductivity = 0;
      cell_rhs = 0;
      for (unsigned int q = 0; q < quadrature.size(); ++q)
      {
        const double dx = fe_values.JxW(q);
        const Tensor<1, 3> source =
            kappa > 0 ? coil->field(fe_values.quadrature_point(q)).a : Tensor<1, 3>();
        for (unsigned int i = 0; i < n; ++i)
        {
          const Tensor<1, 3> phi_i = fe_values[a].value(i, q);
          const Tensor<1, 3> curl_i = fe_values[a].curl(i, q);
          for (unsigned int j = 0; j < n; ++j)
          {
            const Tensor<1, 3> phi_j = fe_values[a].value(j, q);
            cell_stiffness(i, j) +=
                (curl_i * fe_values[a].curl(j, q) + mass * (phi_i * phi_j)) * dx;
            cell_conductivity(i, j) += kappa * (phi_i * phi_j) * dx;
          }
          cell_rhs(i) += kappa * (source * phi_i) * dx;
        }
      }
      cell->get_dof_indices(indices);
      constraints.distribute_local_to_global(cell_stiffness, indices, stiffness);
      constraints.distribute_local_to_global(cell_conductivity, indices, conductivity);
      constraints.distribute_local_to_global(cell_rhs, indices, rhs_imaginary);
    }
    for (PetscMatrix *matrix : {&stiffness, &conductivity})
      matrix->compress(VectorOperation::add);
    rhs_imaginary.compress(VectorOperation::add);
    preconditioner_matrix.copy_from(stiffness);
    preconditioner_matrix.add(1.0, conductivity);

    rhs.reinit(2);
    rhs.block(0).reinit(owned, simulator->mpi_communicator());
    rhs.block(1) = rhs_imaginary;
    rhs.collect_sizes();
  }

  // The block system as one matrix (real dof i -> 2i, imaginary -> 2i + 1), by MUMPS.
  void solve_direct()
  {
    const MPI_Comm comm = simulator->mpi_communicator();
    const types::global_dof_index n = dof_handler.n_dofs();
    IndexSet owned2(2 * n);
    for (auto range = owned.begin_intervals(); range != owned.end_intervals(); ++range)
      owned2.add_range(2 * *range->begin(), 2 * (range->last() + 1));
    std::vector<std::map<types::global_dof_index, std::pair<double, double>>> rows(
        owned.n_elements());
    for (const auto row : owned)
    {
      auto &entries = rows[owned.index_within_set(row)];
      for (auto it = stiffness.begin(row); it != stiffness.end(row); ++it)
        entries[it->column()].first = it->value();
      for (auto it = conductivity.begin(row); it != conductivity.end(row); ++it)
        entries[it->column()].second = it->value();
    }
    DynamicSparsityPattern pattern(2 * n, 2 * n, owned2);
    for (const auto row : owned)
      for (const auto &entry : rows[owned.index_within_set(row)])
        for (unsigned int a = 0; a < 2; ++a)
          for (unsigned int b = 0; b < 2; ++b)
            pattern.add(2 * row + a, 2 * entry.first + b);
    PetscMatrix matrix;
    matrix.reinit(owned2, owned2, pattern, comm);
    PetscVector rhs2(owned2, comm), solution2(owned2, comm);
    for (const auto row : owned)
    {
      for (const auto &entry : rows[owned.index_within_set(row)])
      {
        const auto j = entry.first;
        const double k = entry.second.first, m = entry.second.second;
        matrix.set(2 * row, 2 * j, k);
        matrix.set(2 * row, 2 * j + 1, -m);
        matrix.set(2 * row + 1, 2 * j, -m);
        matrix.set(2 * row + 1, 2 * j + 1, -k);
      }
      rhs2(2 * row + 1) = rhs.block(1)(row);
    }
    matrix.compress(VectorOperation::insert);
    rhs2.compress(VectorOperation::insert);
    SolverControl control(1, 0);
    PETScWrappers::SparseDirectMUMPS mumps(control, comm);
    mumps.solve(matrix, solution2, rhs2);
    solution.reinit(rhs);
    for (const auto row : owned)
    {
      solution.block(0)(row) = solution2(2 * row);
      solution.block(1)(row) = solution2(2 * row + 1);
    }
    solution.compress(VectorOperation::insert);
    iterations = 0;
  }

  void solve()
  {
    if (direct_solver)
    {
      solve_direct();
      for (unsigned int b = 0; b < 2; ++b)
      {
        constraints.distribute(solution.block(b));
        ghosted[b].reinit(owned, relevant, simulator->mpi_communicator());
        ghosted[b] = solution.block(b);
      }
      return;
    }
    BlockOperator system(stiffness, conductivity);
    system.initialize_work(rhs.block(0));
    BlockAms preconditioner(preconditioner_matrix, gradient, coordinates,
                            n_owned_vertices, simulator->mpi_communicator());
    solution.reinit(rhs);
    solution = 0;
    SolverControl control(max_iterations, tolerance * rhs.l2_norm(), false, false);
    SolverMinRes<PetscBlockVector> minres(control);
    try
    {
      minres.solve(system, solution, rhs, preconditioner);
    }
    catch (const SolverControl::NoConvergence &failure)
    {
      std::ostringstream message;
      message << "Electromagnetics: MINRES did not converge in " << failure.last_step
              << " iterations (residual " << failure.last_residual << ")";
      throw std::runtime_error(message.str());
    }
    iterations = control.last_step();
    for (unsigned int b = 0; b < 2; ++b)
    {
      constraints.distribute(solution.block(b));
      ghosted[b].reinit(owned, relevant, simulator->mpi_communicator());
      ghosted[b] = solution.block(b);
    }
  }

  // E / omega = v - j (A_s + u) and H = H_s + curl(u + j v) / mu0 at points of an EM
  // cell.
  void evaluate_on_em_cell(const typename DoFHandler<3>::active_cell_iterator &cell,
                           const std::vector<Point<3>> &reference_points,
                           std::vector<std::array<double, 9>> &values) const
  {
    std::vector<double> weights(reference_points.size(), 1.0);
    FEValues<3> fe_values(*mapping, fe, Quadrature<3>(reference_points, weights),
                          update_values | update_gradients | update_quadrature_points);
    fe_values.reinit(cell);
    const FEValuesExtractors::Vector a(0);
    std::vector<Tensor<1, 3>> u(reference_points.size()), v(u), curl_u(u), curl_v(u);
    fe_values[a].get_function_values(ghosted[0], u);
    fe_values[a].get_function_values(ghosted[1], v);
    fe_values[a].get_function_curls(ghosted[0], curl_u);
    fe_values[a].get_function_curls(ghosted[1], curl_v);
    const double omega = 2 * M_PI * frequency();
    const double cell_sigma = sigma[cell->material_id()];
    values.resize(reference_points.size());
    for (unsigned int q = 0; q < reference_points.size(); ++q)
    {
      const MagneticSourceField source = coil->field(fe_values.quadrature_point(q));
      const double h =
          std::sqrt((source.b + curl_u[q]).norm_square() + curl_v[q].norm_square()) /
          vacuum_permeability;
      const double e =
          omega * std::sqrt(v[q].norm_square() + (source.a + u[q]).norm_square());
      const Tensor<1, 3> real = omega * v[q], imag = -omega * (source.a + u[q]);
      values[q] = {{h, e, 0.5 * cell_sigma * e * e, real[0], real[1], real[2], imag[0],
                    imag[1], imag[2]}};
    }
  }

  void compute_em_statistics()
  {
    const QGauss<3> quadrature(3);
    double power = 0;
    std::vector<std::array<double, 9>> values;
    FEValues<3> jxw(*mapping, fe, quadrature, update_JxW_values);
    for (const auto &cell : dof_handler.active_cell_iterators())
      if (cell->is_locally_owned() && sigma[cell->material_id()] > 0)
      {
        evaluate_on_em_cell(cell, quadrature.get_points(), values);
        jxw.reinit(cell);
        for (unsigned int q = 0; q < quadrature.size(); ++q)
          power += values[q][eddy_heating] * jxw.JxW(q);
      }
    em_power = Utilities::MPI::sum(power, simulator->mpi_communicator());
  }

  // Largest jump of the tangential components of u and v across interior faces,
  // relative to their largest value: zero for an H(curl)-conforming field.
  void check_tangential_continuity()
  {
    const QGauss<2> face_quadrature(2);
    FEFaceValues<3> here(*mapping, fe, face_quadrature,
                         update_values | update_normal_vectors |
                             update_quadrature_points);
    FEFaceValues<3> there(*mapping, fe, face_quadrature,
                          update_values | update_quadrature_points);
    const FEValuesExtractors::Vector a(0);
    const unsigned int n_q = face_quadrature.size();
    std::vector<Tensor<1, 3>> values_here(n_q), values_there(n_q);
    double jump = 0, largest = 0;
    for (const auto &cell : dof_handler.active_cell_iterators())
    {
      if (!cell->is_locally_owned())
        continue;
      for (const unsigned int f : cell->face_indices())
      {
        if (cell->at_boundary(f) || cell->neighbor(f)->has_children())
          continue;
        const auto neighbor = cell->neighbor(f);
        here.reinit(cell, f);
        there.reinit(neighbor, cell->neighbor_of_neighbor(f));
        for (unsigned int b = 0; b < 2; ++b)
        {
          here[a].get_function_values(ghosted[b], values_here);
          there[a].get_function_values(ghosted[b], values_there);
          for (unsigned int q = 0; q < n_q; ++q)
          {
            // The neighbour's face points may be ordered differently: match positions.
            unsigned int match = 0;
            for (unsigned int k = 1; k < n_q; ++k)
              if (there.quadrature_point(k).distance(here.quadrature_point(q)) <
                  there.quadrature_point(match).distance(here.quadrature_point(q)))
                match = k;
            const Tensor<1, 3> normal = here.normal_vector(q);
            Tensor<1, 3> difference = values_here[q] - values_there[match];
            difference -= (difference * normal) * normal;
            jump = std::max(jump, difference.norm());
            largest = std::max(largest, values_here[q].norm());
          }
        }
      }
    }
    const MPI_Comm comm = simulator->mpi_communicator();
    jump = Utilities::MPI::max(jump, comm);
    largest = Utilities::MPI::max(largest, comm);
    tangential_jump = largest > 0 ? jump / largest : 0.0;
  }

  // L2 and H(curl) errors of A = A_s + A_r against the reference's closed form.
  void compute_reference_errors()
  {
    reference->initialize(2 * M_PI * frequency(), coil->field(Point<3>()).b.norm());
    const VectorPotentialReference &exact = *reference;
    const QGauss<3> quadrature(4);
    FEValues<3> fe_values(*mapping, fe, quadrature,
                          update_values | update_gradients | update_quadrature_points |
                              update_JxW_values);
    const FEValuesExtractors::Vector a(0);
    std::vector<Tensor<1, 3>> u(quadrature.size()), v(u), curl_u(u), curl_v(u);
    double value_error = 0, curl_error = 0, value_norm = 0, curl_norm = 0;
    for (const auto &cell : dof_handler.active_cell_iterators())
    {
      if (!cell->is_locally_owned())
        continue;
      fe_values.reinit(cell);
      fe_values[a].get_function_values(ghosted[0], u);
      fe_values[a].get_function_values(ghosted[1], v);
      fe_values[a].get_function_curls(ghosted[0], curl_u);
      fe_values[a].get_function_curls(ghosted[1], curl_v);
      for (unsigned int q = 0; q < quadrature.size(); ++q)
      {
        Tensor<1, 3> a_re, a_im, c_re, c_im;
        exact.evaluate(fe_values.quadrature_point(q), a_re, a_im, c_re, c_im);
        const MagneticSourceField source = coil->field(fe_values.quadrature_point(q));
        const double dx = fe_values.JxW(q);
        value_error +=
            ((source.a + u[q] - a_re).norm_square() + (v[q] - a_im).norm_square()) * dx;
        curl_error += ((source.b + curl_u[q] - c_re).norm_square() +
                       (curl_v[q] - c_im).norm_square()) *
                      dx;
        value_norm += (a_re.norm_square() + a_im.norm_square()) * dx;
        curl_norm += (c_re.norm_square() + c_im.norm_square()) * dx;
      }
    }
    const MPI_Comm comm = simulator->mpi_communicator();
    value_error = Utilities::MPI::sum(value_error, comm);
    curl_error = Utilities::MPI::sum(curl_error, comm);
    value_norm = Utilities::MPI::sum(value_norm, comm);
    curl_norm = Utilities::MPI::sum(curl_norm, comm);
    a_l2_error = std::sqrt(value_error / value_norm);
    a_hcurl_error = std::sqrt((value_error + curl_error) / (value_norm + curl_norm));
  }

  void transfer_to_tissue_mesh()
  {
    const ScalarSpace &space = simulator->scalar_space();
    const MPI_Comm comm = simulator->mpi_communicator();
    // DG nodes at the Gauss points: inside the cells, so a tissue interface never makes
    // the owning side ambiguous.
    dg_fe = std::make_unique<FE_DGQArbitraryNodes<3>>(QGauss<1>(space.fe.degree + 1));
    const std::vector<Point<3>> &unit_points = dg_fe->get_unit_support_points();
    std::vector<Point<3>> points;
    cell_offset.clear();
    for (const auto &cell : space.dof_handler.active_cell_iterators())
      if (cell->is_locally_owned())
      {
        cell_offset[cell->id()] = points.size();
        for (const auto &unit : unit_points)
          points.push_back(space.mapping->transform_unit_to_real_cell(cell, unit));
      }
    Utilities::MPI::RemotePointEvaluation<3> evaluation;
    evaluation.reinit(points, *em_tria, *mapping);
    if (!evaluation.all_points_found())
      throw_input_error(
          "Electromagnetics/Full eddy current/Mesh",
          "the electromagnetic mesh does not contain the whole tissue mesh");
    std::vector<std::array<double, 9>> output, buffer;
    evaluation.evaluate_and_process<std::array<double, 9>>(
        output, buffer,
        [&](const ArrayView<std::array<double, 9>> &values,
            const typename Utilities::MPI::RemotePointEvaluation<3>::CellData &cell_data)
        {
          std::vector<std::array<double, 9>> cell_values;
          for (unsigned int c = 0; c < cell_data.cells.size(); ++c)
          {
            const typename DoFHandler<3>::active_cell_iterator cell(
                em_tria.get(), cell_data.cells[c].first, cell_data.cells[c].second,
                &dof_handler);
            const std::vector<Point<3>> reference(
                cell_data.reference_point_values.begin() +
                    cell_data.reference_point_ptrs[c],
                cell_data.reference_point_values.begin() +
                    cell_data.reference_point_ptrs[c + 1]);
            evaluate_on_em_cell(cell, reference, cell_values);
            for (unsigned int k = 0; k < reference.size(); ++k)
              values[cell_data.reference_point_ptrs[c] + k] = cell_values[k];
          }
        });
    // A point may lie in several EM cells (on their common face): average them.
    const auto &ptrs = evaluation.get_point_ptrs();
    nodal_values.assign(points.size(), std::array<double, 9>{});
    for (unsigned int p = 0; p < points.size(); ++p)
    {
      for (unsigned int k = ptrs[p]; k < ptrs[p + 1]; ++k)
        for (unsigned int d = 0; d < 9; ++d)
          nodal_values[p][d] += output[k][d] / (ptrs[p + 1] - ptrs[p]);
    }
    // The tissue's own conductivity defines Q_eddy on the tissue side.
    for (const auto &cell : space.dof_handler.active_cell_iterators())
      if (cell->is_locally_owned())
      {
        const double tissue_sigma =
            simulator->tissue_of_label()[cell->material_id()]->electric_conductivity;
        const unsigned int offset = cell_offset[cell->id()];
        for (unsigned int j = 0; j < unit_points.size(); ++j)
        {
          const double e = nodal_values[offset + j][e_amplitude];
          nodal_values[offset + j][eddy_heating] = 0.5 * tissue_sigma * e * e;
        }
      }
    // Eddy power per tissue on the tissue mesh (nominal current).
    std::map<unsigned int, double> power;
    FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                          update_values | update_quadrature_points | update_JxW_values);
    std::vector<double> q_values(space.cell_quadrature.size());
    const double saved_scale = scale;
    scale = 1;
    for (const auto &cell : space.dof_handler.active_cell_iterators())
      if (cell->is_locally_owned())
      {
        fe_values.reinit(cell);
        evaluate_transferred(fe_values, eddy_heating, q_values);
        for (unsigned int q = 0; q < q_values.size(); ++q)
          power[cell->material_id()] += q_values[q] * fe_values.JxW(q);
      }
    scale = saved_scale;
    nominal_tissue_power.clear();
    for (const unsigned int label : simulator->labels_in_mesh())
      nominal_tissue_power[simulator->tissue_of_label()[label]->name] =
          Utilities::MPI::sum(power[label], comm);

    double h_max = 0, e_max = 0;
    for (const auto &value : nodal_values)
    {
      h_max = std::max(h_max, value[h_amplitude]);
      e_max = std::max(e_max, value[e_amplitude]);
    }
    nominal_h_max = Utilities::MPI::max(h_max, comm);
    nominal_e_max = Utilities::MPI::max(e_max, comm);
  }

  Simulator *simulator = nullptr;
  std::unique_ptr<Coil> coil;
  std::unique_ptr<MeshGenerator> mesh_generator;
  unsigned int refinements = 2;
  std::set<unsigned int> air_labels;
  double regularisation = 1e-6, tolerance = 1e-8, minimum_distance = 0.005;
  unsigned int max_iterations = 2000;
  bool direct_solver = false;
  LabelMap<double> sigma{-1};

  std::unique_ptr<parallel::distributed::Triangulation<3>> em_tria;
  std::unique_ptr<Mapping<3>> mapping;
  const FE_Nedelec<3> fe{0};
  const FE_Q<3> vertex_fe{1};
  DoFHandler<3> dof_handler, vertex_handler;
  IndexSet owned, relevant;
  AffineConstraints<double> constraints;
  PetscMatrix stiffness, conductivity, preconditioner_matrix, gradient;
  std::vector<PetscReal> coordinates;
  unsigned int n_owned_vertices = 0;
  PetscBlockVector rhs, solution;
  std::array<PetscVector, 2> ghosted;
  unsigned int iterations = 0;
  double em_power = 0, setup_seconds = 0, tangential_jump = 0;
  std::unique_ptr<VectorPotentialReference> reference;
  double a_l2_error = 0, a_hcurl_error = 0;

  std::unique_ptr<FiniteElement<3>> dg_fe;
  std::map<CellId, unsigned int> cell_offset;
  std::vector<std::array<double, 9>> nodal_values;
  double nominal_h_max = 0, nominal_e_max = 0;
  std::map<std::string, double> nominal_tissue_power;
  TransferredField h_field{this, h_amplitude};
  TransferredField e_field{this, e_amplitude};
  TransferredField q_field{this, eddy_heating};
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(
    ElectromagneticModel, FullEddyCurrent, "full eddy current",
    "time-harmonic eddy currents with Nedelec elements on a body + air "
    "mesh (skin effect, verification of the quasi-static model)")
} // namespace ferrotherm
