// QuasiStaticField: the magneto-quasi-static model of low-frequency dosimetry. The coil
// field H_s and its vector potential A_s come from Biot-Savart (the tissue does not
// perturb H at 100 kHz - 1 MHz, skin depth >> body); the induced electric field is
//   E = -j omega (A_s + grad psi),   div(sigma grad psi) = -div(sigma A_s) in the tissue,
// with n . J = 0 on the body surface (natural in the weak form
//   (sigma grad psi, grad v) = -(sigma A_s, grad v)),
// and psi fixed at one node (only its gradient matters). With A_s in phase with the coil
// current, psi is real and one scalar solve gives the peak |E| = omega |A_s + grad psi|
// and the Joule heating Q_eddy = 1/2 sigma |E|^2. References: Dimbylow 2005 (Phys Med
// Biol 50:1047, the scalar-potential finite-difference method), Bossavit's A_s - phi
// split.
#include "core/input_error.h"
#include "core/parsed_function.h"
#include "core/range_check.h"
#include "core/scalar_linear_solver.h"
#include "core/simulator.h"
#include "core/text_parsing.h"
#include "models/coils/coil.h"
#include "physics/em/electromagnetic_model.h"

#include <deal.II/base/bounding_box.h>
#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/data_out.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

namespace ferrotherm
{
namespace
{
using namespace dealii;

class QuasiStaticField : public ElectromagneticModel
{
public:
  static void declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Quasi-static");
    prm.declare_entry(
        "Minimum coil distance", "0.005", Patterns::Double(0),
        "The coil's conductors must stay at least this far from the tissue [m] "
        "(the thin-wire field is singular at the wire).");
    prm.enter_subsection("Linear solver");
    ScalarLinearSolver::declare_parameters(prm, "amg");
    prm.leave_subsection();
    prm.leave_subsection();
  }

  void parse_parameters(ParameterHandler &prm, const RunContext &context) override
  {
    prm.enter_subsection("Coil");
    coil = PluginRegistry<Coil>::instance().create(prm.get("Model"));
    coil->parse_parameters(prm, context);
    prm.leave_subsection();
    prm.enter_subsection("Quasi-static");
    minimum_distance = prm.get_double("Minimum coil distance");
    check_range(minimum_distance, 1e-4, 1,
                "Electromagnetics/Quasi-static/Minimum coil distance", "m");
    prm.enter_subsection("Linear solver");
    solver.parse_parameters(prm);
    prm.leave_subsection();
    prm.leave_subsection();
  }

  void initialize(Simulator &sim) override
  {
    simulator = &sim;
    check_coil_position();
    sim.fields().add("H_amplitude", "A/m", "peak magnetic field amplitude |H_s|",
                     "Electromagnetics", &h_field);
    sim.fields().add("E_amplitude", "V/m", "peak induced electric field |E|",
                     "Electromagnetics", &e_field);
    sim.fields().add("eddy_heating", "W/m^3", "eddy-current heating 1/2 sigma |E|^2",
                     "Electromagnetics", &eddy_field);
  }

  void setup() override
  {
    solve_scalar_potential();
    compute_nominal_statistics();
  }

  void advance(double t_old, double t_new) override
  {
    follow_coil_current(*simulator, t_old, t_new);
  }

  double nominal_field_maximum() const override { return nominal_h_max; }

  void solve_at_frequency() override
  {
    // E / omega depends on the conductivity contrasts, which change with frequency.
    setup();
  }

  void add_statistics(StatisticsRow &row) const override
  {
    add_peak_field_statistics(row, nominal_h_max, nominal_e_max);
    for (const auto &tissue : nominal_power)
      row.emplace_back("eddy_power_" + tissue.first + "_W",
                       scale * scale * tissue.second);
  }

  void add_output(DataOut<3> &data_out) override
  {
    // E = -j omega (A_s + grad psi): purely imaginary in phase with the coil current.
    add_cell_fields(data_out, *simulator,
                    [&](const FEValues<3> &fe_values)
                    {
                      std::vector<Tensor<1, 3>> e_over_omega;
                      induced_field(fe_values, e_over_omega);
                      const double omega = 2 * M_PI * frequency() * scale;
                      const double sigma =
                          simulator
                              ->tissue_of_label()[fe_values.get_cell()->material_id()]
                              ->electric_conductivity;
                      PointFields f;
                      f.h = scale * coil->field(fe_values.quadrature_point(0)).b.norm() /
                            vacuum_permeability;
                      f.e_imag = -omega * e_over_omega[0];
                      f.eddy = 0.5 * sigma * f.e_imag.norm_square();
                      return f;
                    });
  }

private:
  // |A_s + grad psi| at the caller's quadrature points (nominal current).
  void induced_field(const FEValues<3> &fe_values,
                     std::vector<Tensor<1, 3>> &e_over_omega) const
  {
    const ScalarSpace &space = simulator->scalar_space();
    const Quadrature<3> &quadrature = fe_values.get_quadrature();
    if (!gradient_values ||
        gradient_values->get_quadrature().get_points() != quadrature.get_points())
      gradient_values =
          std::make_unique<FEValues<3>>(*space.mapping, space.fe, quadrature,
                                        update_gradients | update_quadrature_points);
    const typename DoFHandler<3>::active_cell_iterator cell(
        &space.dof_handler.get_triangulation(), fe_values.get_cell()->level(),
        fe_values.get_cell()->index(), &space.dof_handler);
    gradient_values->reinit(cell);
    gradients.resize(quadrature.size());
    gradient_values->get_function_gradients(psi, gradients);
    e_over_omega.resize(quadrature.size());
    for (unsigned int q = 0; q < quadrature.size(); ++q)
      e_over_omega[q] =
          coil->field(gradient_values->quadrature_point(q)).a + gradients[q];
  }

  struct MagneticField : Field
  {
    const QuasiStaticField *model;
    explicit MagneticField(const QuasiStaticField *model) : model(model) {}
    void evaluate(const FEValues<3> &fe_values,
                  std::vector<double> &values) const override
    {
      if (const double *nominal = model->cached(fe_values, model->nominal_h_at_q))
        for (unsigned int q = 0; q < values.size(); ++q)
          values[q] = model->scale * nominal[q];
      else
        for (unsigned int q = 0; q < values.size(); ++q)
          values[q] = model->scale *
                      model->coil->field(fe_values.quadrature_point(q)).b.norm() /
                      vacuum_permeability;
    }
    unsigned int version() const override { return model->field_version; }
  };

  struct ElectricField : Field
  {
    const QuasiStaticField *model;
    bool heating;
    ElectricField(const QuasiStaticField *model, bool heating)
        : model(model), heating(heating)
    {
    }
    void evaluate(const FEValues<3> &fe_values,
                  std::vector<double> &values) const override
    {
      const double omega = 2 * M_PI * model->frequency() * model->scale;
      const double sigma =
          model->simulator->tissue_of_label()[fe_values.get_cell()->material_id()]
              ->electric_conductivity;
      const double *nominal = model->cached(fe_values, model->nominal_e_at_q);
      std::vector<Tensor<1, 3>> e_over_omega;
      if (!nominal)
        model->induced_field(fe_values, e_over_omega);
      for (unsigned int q = 0; q < values.size(); ++q)
      {
        const double e = omega * (nominal ? nominal[q] : e_over_omega[q].norm());
        values[q] = heating ? 0.5 * sigma * e * e : e;
      }
    }
    unsigned int version() const override { return model->field_version; }
  };

  void check_coil_position() const
  {
    // Conductor points against the tissue cells (coarse cells: every rank has them all;
    // bounding boxes of their vertices): inside a cell the coil crosses the body; the
    // distance to the boxes must respect the minimum coil distance.
    const auto &tria = simulator->triangulation();
    double size = 0;
    for (const auto &cell : tria.cell_iterators_on_level(0))
      size = std::max(size, cell->diameter());
    double closest = std::numeric_limits<double>::infinity();
    bool inside = false;
    for (const auto &point :
         coil->conductor_points(std::min(0.25 * size, minimum_distance)))
      for (const auto &cell : tria.cell_iterators_on_level(0))
      {
        const BoundingBox<3> box = cell->bounding_box();
        double distance_squared = 0;
        for (unsigned int d = 0; d < 3; ++d)
        {
          const double outside = std::max(
              {box.lower_bound(d) - point[d], 0.0, point[d] - box.upper_bound(d)});
          distance_squared += outside * outside;
        }
        closest = std::min(closest, std::sqrt(distance_squared));
        if (distance_squared == 0 && cell->point_inside(point))
          inside = true;
      }
    if (inside)
      throw_input_error("Electromagnetics/Coil",
                        "the coil's conductor passes through the tissue "
                        "mesh; the quasi-static model needs the coil "
                        "outside the body (move it or use the full "
                        "eddy-current model)");
    if (closest < minimum_distance)
    {
      std::ostringstream message;
      message << "the coil's conductor comes within " << closest * 1e3
              << " mm of the tissue, closer than 'Quasi-static/Minimum coil distance' = "
              << minimum_distance * 1e3 << " mm";
      throw_input_error("Electromagnetics/Coil", message.str());
    }
  }

  void solve_scalar_potential()
  {
    const ScalarSpace &space = simulator->scalar_space();
    const MPI_Comm comm = simulator->mpi_communicator();
    // Hanging nodes, and psi = 0 at the first dof (its gradient is what matters).
    AffineConstraints<double> constraints;
    constraints.reinit(space.locally_relevant);
    constraints.merge(space.hanging_node_constraints);
    if (space.locally_relevant.is_element(0) && !constraints.is_constrained(0))
      constraints.add_line(0);
    constraints.close();

    DynamicSparsityPattern pattern;
    space.make_sparsity_pattern(constraints, pattern);
    LA::MPI::SparseMatrix matrix;
    matrix.reinit(space.locally_owned, space.locally_owned, pattern, comm);
    LA::MPI::Vector rhs(space.locally_owned, comm), solution(space.locally_owned, comm);

    const unsigned int n = space.fe.n_dofs_per_cell();
    FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                          update_gradients | update_quadrature_points |
                              update_JxW_values);
    FullMatrix<double> cell_matrix(n, n);
    Vector<double> cell_rhs(n);
    std::vector<types::global_dof_index> indices(n);
    for (const auto &cell : space.dof_handler.active_cell_iterators())
    {
      if (!cell->is_locally_owned())
        continue;
      const double sigma =
          simulator->tissue_of_label()[cell->material_id()]->electric_conductivity;
      fe_values.reinit(cell);
      cell_matrix = 0;
      cell_rhs = 0;
      for (unsigned int q = 0; q < fe_values.n_quadrature_points; ++q)
      {
        const Tensor<1, 3> a = coil->field(fe_values.quadrature_point(q)).a;
        const double dx = sigma * fe_values.JxW(q);
        for (unsigned int i = 0; i < n; ++i)
        {
          for (unsigned int j = 0; j < n; ++j)
            cell_matrix(i, j) +=
                fe_values.shape_grad(i, q) * fe_values.shape_grad(j, q) * dx;
          cell_rhs(i) -= a * fe_values.shape_grad(i, q) * dx;
        }
      }
      cell->get_dof_indices(indices);
      constraints.distribute_local_to_global(cell_matrix, cell_rhs, indices, matrix, rhs);
    }
    matrix.compress(VectorOperation::add);
    rhs.compress(VectorOperation::add);
    solver.matrix_changed(); // a new matrix (new mesh or conductivities)
    iterations = solver.solve(matrix, matrix, solution, rhs,
                              "Electromagnetics (scalar potential)");
    constraints.distribute(solution);
    psi = space.make_field_vector();
    copy_owned_values(solution, psi);
    psi.update_ghost_values();
    simulator->screen() << "Electromagnetics: quasi-static scalar potential, "
                        << iterations << " CG iterations" << std::endl;
  }

  // Nominal |H| and |E| / omega at the cell quadrature points of the locally owned cells
  // (the closed-form coil field is costly; sessions only rescale it), or nullptr when
  // fe_values uses another quadrature.
  const double *cached(const FEValues<3> &fe_values,
                       const std::vector<double> &nominal) const
  {
    const Quadrature<3> &quadrature = simulator->scalar_space().cell_quadrature;
    if (nominal.empty() || !fe_values.get_cell()->is_locally_owned() ||
        fe_values.get_quadrature().get_points() != quadrature.get_points())
      return nullptr;
    return &nominal[fe_values.get_cell()->active_cell_index() * quadrature.size()];
  }

  // Also fills the nominal-field caches.
  void compute_nominal_statistics()
  {
    const ScalarSpace &space = simulator->scalar_space();
    const MPI_Comm comm = simulator->mpi_communicator();
    FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                          update_values | update_quadrature_points | update_JxW_values);
    std::vector<Tensor<1, 3>> e_over_omega;
    const double omega = 2 * M_PI * frequency();
    std::map<unsigned int, double> power;
    double h_max = 0, e_max = 0;
    const unsigned int n_q = space.cell_quadrature.size();
    nominal_h_at_q.assign(simulator->triangulation().n_active_cells() * n_q, 0.0);
    nominal_e_at_q.assign(nominal_h_at_q.size(), 0.0);
    for (const auto &cell : space.dof_handler.active_cell_iterators())
    {
      if (!cell->is_locally_owned())
        continue;
      fe_values.reinit(cell);
      induced_field(fe_values, e_over_omega);
      const double sigma =
          simulator->tissue_of_label()[cell->material_id()]->electric_conductivity;
      for (unsigned int q = 0; q < fe_values.n_quadrature_points; ++q)
      {
        const double e = omega * e_over_omega[q].norm();
        const double h =
            coil->field(fe_values.quadrature_point(q)).b.norm() / vacuum_permeability;
        power[cell->material_id()] += 0.5 * sigma * e * e * fe_values.JxW(q);
        e_max = std::max(e_max, e);
        h_max = std::max(h_max, h);
        nominal_h_at_q[cell->active_cell_index() * n_q + q] = h;
        nominal_e_at_q[cell->active_cell_index() * n_q + q] = e_over_omega[q].norm();
      }
    }
    nominal_h_max = Utilities::MPI::max(h_max, comm);
    nominal_e_max = Utilities::MPI::max(e_max, comm);
    nominal_power.clear();
    for (const unsigned int label : simulator->labels_in_mesh())
      nominal_power[simulator->tissue_of_label()[label]->name] =
          Utilities::MPI::sum(power[label], comm);
  }

  Simulator *simulator = nullptr;
  std::unique_ptr<Coil> coil;
  double minimum_distance = 0.005;
  ScalarLinearSolver solver;
  FieldVector psi;
  unsigned int iterations = 0;
  double nominal_h_max = 0, nominal_e_max = 0;
  std::vector<double> nominal_h_at_q, nominal_e_at_q; // per owned cell and point
  std::map<std::string, double> nominal_power;
  mutable std::unique_ptr<FEValues<3>> gradient_values;
  mutable std::vector<Tensor<1, 3>> gradients;
  MagneticField h_field{this};
  ElectricField e_field{this, false};
  ElectricField eddy_field{this, true};
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(
    ElectromagneticModel, QuasiStaticField, "quasi-static",
    "coil field from Biot-Savart, induced E from one scalar-potential "
    "solve in the tissue (magneto-quasi-static, default for tissue)")
} // namespace ferrotherm
