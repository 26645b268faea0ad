// UniformField: a spatially uniform alternating field of peak amplitude H0 in the
// whole tissue (the idealised Helmholtz-coil case, no eddy currents resolved).
#include "core/range_check.h"
#include "core/simulator.h"
#include "core/text_parsing.h"
#include "physics/em/electromagnetic_model.h"

#include <deal.II/fe/fe_values.h>

namespace ferrotherm
{
namespace
{
class UniformField : public ElectromagneticModel, public Field
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Uniform");
    prm.declare_entry("Field amplitude", "10e3", dealii::Patterns::Anything(),
                      "Peak field amplitude H0 [A/m] while the field is on, in [0, "
                      "1e7].");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &) override
  {
    prm.enter_subsection("Uniform");
    amplitude = parse_double(prm.get("Field amplitude"),
                             "Electromagnetics/Uniform/Field amplitude");
    prm.leave_subsection();
    check_range(amplitude, 0, 1e7, "Electromagnetics/Uniform/Field amplitude", "A/m");
  }

  void initialize(Simulator &sim) override
  {
    simulator = &sim;
    sim.fields().add("H_amplitude", "A/m", "peak magnetic field amplitude",
                     "Electromagnetics", this);
  }

  void advance(double t_old, double t_new) override
  {
    follow_coil_current(*simulator, t_old, t_new);
  }

  void evaluate(const dealii::FEValues<3> &, std::vector<double> &values) const override
  {
    std::fill(values.begin(), values.end(), scale * amplitude);
  }

  unsigned int version() const override { return field_version; }

  double nominal_field_maximum() const override { return amplitude; }

  void add_statistics(StatisticsRow &row) const override
  {
    row.emplace_back("H_max_A_per_m", scale * amplitude);
    row.emplace_back("frequency_Hz", frequency());
  }

private:
  Simulator *simulator = nullptr;
  double amplitude = 0;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(ElectromagneticModel, UniformField, "uniform",
                           "a uniform field of given peak amplitude (no eddy currents)")
} // namespace ferrotherm
