// The Electromagnetics plugin family (see electromagnetic_model.h).
#include "physics/em/electromagnetic_model.h"

#include "core/module_state.h"

#include "core/simulator.h"
#include "models/coils/coil.h"

#include <deal.II/base/quadrature_lib.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/numerics/data_out.h>

namespace ferrotherm
{
FERROTHERM_DEFINE_PLUGIN_FAMILY(ElectromagneticModel)

void ElectromagneticModel::declare_parameters(dealii::ParameterHandler &prm)
{
  prm.declare_entry("Frequency", "100e3", dealii::Patterns::Anything(),
                    "Frequency f of the alternating magnetic field [Hz], in (0, 1e8] "
                    "(the field models are quasi-static: AMF hyperthermia uses ~1e3 to "
                    "~1e7 Hz). Sets the MNP relaxation losses and the tissue "
                    "conductivities taken from the Gabriel Cole-Cole model; an AMF "
                    "session may run at its own (Treatment schedule/AMF sessions).");
  PluginRegistry<ElectromagneticModel>::instance().declare_parameters(
      prm, "uniform", "Model of the alternating magnetic field in the tissue.");
  prm.enter_subsection("Coil");
  Coil::declare_parameters(prm);
  prm.leave_subsection();
}
void ElectromagneticModel::register_state(ModuleState &state)
{
  state.add_record([this](StateArchive &archive) { archive &scale; });
}

void ElectromagneticModel::change_frequency(double f)
{
  amf_frequency = f;
  solve_at_frequency();
  ++field_version;
}

void ElectromagneticModel::follow_coil_current(const Simulator &simulator, double t_old,
                                               double t_new)
{
  const double new_scale = simulator.field_scale(t_old, t_new);
  if (new_scale != scale)
  {
    scale = new_scale;
    ++field_version;
  }
}

void ElectromagneticModel::add_peak_field_statistics(StatisticsRow &row,
                                                     double nominal_h_max,
                                                     double nominal_e_max) const
{
  row.emplace_back("H_max_A_per_m", scale * nominal_h_max);
  row.emplace_back("frequency_Hz", frequency());
  row.emplace_back("Hf_max_A_per_m_s", scale * nominal_h_max * frequency());
  row.emplace_back("E_max_V_per_m", scale * nominal_e_max);
}

void ElectromagneticModel::add_cell_fields(
    dealii::DataOut<3> &data_out, const Simulator &simulator,
    const std::function<PointFields(const dealii::FEValues<3> &)> &at_centre)
{
  using namespace dealii;
  const ScalarSpace &space = simulator.scalar_space();
  for (auto &vector : cell_fields)
    vector.reinit(simulator.triangulation().n_active_cells());
  FEValues<3> fe_values(*space.mapping, space.fe, QGauss<3>(1),
                        update_values | update_quadrature_points);
  for (const auto &cell : space.dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      fe_values.reinit(cell);
      const PointFields f = at_centre(fe_values);
      const unsigned int c = cell->active_cell_index();
      cell_fields[0](c) = f.h;
      for (unsigned int d = 0; d < 3; ++d)
      {
        cell_fields[1 + d](c) = f.e_real[d];
        cell_fields[4 + d](c) = f.e_imag[d];
      }
      cell_fields[7](c) = std::sqrt(f.e_real.norm_square() + f.e_imag.norm_square());
      cell_fields[8](c) = f.eddy;
    }
  const char *names[9] = {"H_amplitude", "E_real_x",    "E_real_y",
                          "E_real_z",    "E_imag_x",    "E_imag_y",
                          "E_imag_z",    "E_amplitude", "eddy_heating"};
  for (unsigned int k = 0; k < 9; ++k)
    data_out.add_data_vector(cell_fields[k], names[k], DataOut<3>::type_cell_data);
}
} // namespace ferrotherm
