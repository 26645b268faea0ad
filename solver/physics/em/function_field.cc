// FunctionField: the peak field amplitude |H|(x) [A/m] and, optionally, the induced
// electric field amplitude |E|(x) [V/m] as expressions; the latter gives the eddy-
// current heating Q_eddy = 1/2 sigma |E|^2 with sigma of the local tissue.
#include "core/input_error.h"
#include "core/parsed_function.h"
#include "core/range_check.h"
#include "core/simulator.h"
#include "physics/em/electromagnetic_model.h"

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>

#include <algorithm>

namespace ferrotherm
{
namespace
{
class FunctionField : public ElectromagneticModel
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Function");
    prm.declare_entry("Field amplitude", "10e3", dealii::Patterns::Anything(),
                      "Peak |H| [A/m] as an expression in x, y, z [m] (>= 0; a "
                      "number must lie in [0, 1e7]).");
    prm.declare_entry("Electric field amplitude", "0", dealii::Patterns::Anything(),
                      "Peak |E| [V/m] as an expression in x, y, z [m] (a number must "
                      "lie in [0, 1e7]); gives the eddy heating 1/2 sigma |E|^2.");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &context) override
  {
    prm.enter_subsection("Function");
    magnetic = std::make_unique<ParsedFunction>(
        prm.get("Field amplitude"), "Electromagnetics/Function/Field amplitude",
        context.function_constants);
    electric = std::make_unique<ParsedFunction>(
        prm.get("Electric field amplitude"),
        "Electromagnetics/Function/Electric field amplitude", context.function_constants);
    prm.leave_subsection();
    if (magnetic->is_constant())
      check_range(magnetic->value(dealii::Point<3>()), 0, 1e7,
                  "Electromagnetics/Function/Field amplitude", "A/m");
    if (electric->is_constant())
      check_range(electric->value(dealii::Point<3>()), 0, 1e7,
                  "Electromagnetics/Function/Electric field amplitude", "V/m");
  }

  void initialize(Simulator &sim) override
  {
    simulator = &sim;
    sim.fields().add("H_amplitude", "A/m", "peak magnetic field amplitude",
                     "Electromagnetics", &h_field);
    if (!(electric->is_constant() && electric->value(dealii::Point<3>()) == 0))
      sim.fields().add("eddy_heating", "W/m^3", "eddy-current heating 1/2 sigma |E|^2",
                       "Electromagnetics", &eddy_field);
  }

  void setup() override
  {
    // The largest nominal |H| at the quadrature points of the tissue cells.
    const ScalarSpace &space = simulator->scalar_space();
    dealii::FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                                  dealii::update_quadrature_points);
    double largest = 0;
    for (const auto &cell : space.dof_handler.active_cell_iterators())
      if (cell->is_locally_owned())
      {
        fe_values.reinit(cell);
        for (unsigned int q = 0; q < fe_values.n_quadrature_points; ++q)
          largest = std::max(largest, magnetic->value(fe_values.quadrature_point(q)));
      }
    nominal_h_max = dealii::Utilities::MPI::max(largest, simulator->mpi_communicator());
  }

  double nominal_field_maximum() const override { return nominal_h_max; }

  void advance(double t_old, double t_new) override
  {
    follow_coil_current(*simulator, t_old, t_new);
  }

private:
  struct MagneticField : Field
  {
    const FunctionField *model;
    explicit MagneticField(const FunctionField *model) : model(model) {}
    void evaluate(const dealii::FEValues<3> &fe_values,
                  std::vector<double> &values) const override
    {
      for (unsigned int q = 0; q < values.size(); ++q)
      {
        const double h = model->magnetic->value(fe_values.quadrature_point(q));
        if (h < 0)
          throw_input_error("Electromagnetics/Function/Field amplitude",
                            "negative amplitude at a quadrature point");
        values[q] = model->scale * h;
      }
    }
    unsigned int version() const override { return model->field_version; }
  };

  struct EddyHeating : Field
  {
    const FunctionField *model;
    explicit EddyHeating(const FunctionField *model) : model(model) {}
    void evaluate(const dealii::FEValues<3> &fe_values,
                  std::vector<double> &values) const override
    {
      const Tissue *tissue =
          model->simulator->tissue_of_label()[fe_values.get_cell()->material_id()];
      for (unsigned int q = 0; q < values.size(); ++q)
      {
        const double e =
            model->scale * model->electric->value(fe_values.quadrature_point(q));
        values[q] = 0.5 * tissue->electric_conductivity * e * e;
      }
    }
    unsigned int version() const override { return model->field_version; }
  };

  Simulator *simulator = nullptr;
  std::unique_ptr<ParsedFunction> magnetic, electric;
  double nominal_h_max = 0;
  MagneticField h_field{this};
  EddyHeating eddy_field{this};
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(ElectromagneticModel, FunctionField, "function",
                           "|H| and |E| given as expressions in x, y, z")
} // namespace ferrotherm
