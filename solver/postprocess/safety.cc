// Safety: the exposure limits of magnetic hyperthermia and the load on healthy tissue.
//  - H f, the product of the peak field amplitude and the frequency, against the
//    Atkinson-Brezovich limit 4.85e8 A/(m s) (Atkinson, Brezovich & Chakraborty 1984,
//    IEEE TBME 31:70; whole-body exposure) or the Hergt-Dutz limit 5e9 A/(m s) (Hergt &
//    Dutz 2007, JMMM 311:187; small body regions), or a custom value. Checked at the
//    nominal coil current before the run ('stop' ends the run there) and reported as the
//    ratio to the limit in statistics.csv;
//  - the largest temperature and eddy-current heating in healthy (non-target) tissue,
//    with an optional temperature limit that warns or stops.
#include "core/input_error.h"
#include "core/range_check.h"
#include "core/simulator.h"
#include "physics/em/electromagnetic_model.h"
#include "postprocess/postprocessor.h"

#include <deal.II/base/mpi.h>
#include <deal.II/fe/fe_values.h>

#include <limits>
#include <sstream>
#include <stdexcept>

namespace ferrotherm
{
namespace
{
class Safety : public Postprocessor
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Safety");
    prm.declare_entry(
        "Field limit", "atkinson-brezovich",
        dealii::Patterns::Selection("atkinson-brezovich|hergt-dutz|custom"),
        "H f limit: Atkinson-Brezovich 4.85e8 A/(m s), Hergt-Dutz 5e9 A/(m s), "
        "or 'Custom field limit'.");
    prm.declare_entry("Custom field limit", "4.85e8", dealii::Patterns::Double(0),
                      "H f limit [A/(m s)] for 'Field limit = custom'.");
    prm.declare_entry("Healthy tissue temperature limit", "44",
                      dealii::Patterns::Double(),
                      "Largest acceptable temperature in non-target tissue [deg C], in "
                      "[0, 100].");
    prm.declare_entry(
        "Action", "warn", dealii::Patterns::Selection("warn|stop"),
        "When a limit is exceeded: print a warning, or stop the run with an "
        "error.");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &) override
  {
    prm.enter_subsection("Safety");
    const std::string limit = prm.get("Field limit");
    field_limit = limit == "atkinson-brezovich" ? 4.85e8
                  : limit == "hergt-dutz"       ? 5e9
                                                : prm.get_double("Custom field limit");
    limit_name = limit;
    temperature_limit = prm.get_double("Healthy tissue temperature limit");
    check_range(temperature_limit, 0, 100,
                "Postprocess/Safety/Healthy tissue temperature limit", "deg C");
    stop = prm.get("Action") == "stop";
    prm.leave_subsection();
  }

  void mesh_changed(Simulator &sim) override
  {
    healthy_weights = sim.nodal_weights(healthy_labels);
  }

  void initialize(Simulator &sim) override
  {
    simulator = &sim;
    std::set<unsigned int> healthy;
    for (const unsigned int label : sim.labels_in_mesh())
      if (sim.target_labels().count(label) == 0)
        healthy.insert(label);
    healthy_labels = healthy;
    healthy_weights = sim.nodal_weights(healthy);
    // The largest H f of the sessions (each at its coil-current scale and frequency; the
    // nominal H of the field solved at Electromagnetics/Frequency).
    double hf = 0, hf_start = 0;
    for (const auto &session : sim.schedule().sessions())
    {
      const double middle = 0.5 * (session.first + session.second);
      double f = sim.schedule().session_frequency(middle, middle);
      if (f == 0)
        f = sim.electromagnetics().frequency();
      const double value = sim.schedule().field_scale(middle, middle) *
                           sim.electromagnetics().nominal_field_maximum() * f;
      if (value > hf)
      {
        hf = value;
        hf_start = session.first;
      }
    }
    if (hf > field_limit)
    {
      std::ostringstream message;
      message << "the coil gives H f = " << hf << " A/(m s) in the tissue in the session "
              << "at t = " << hf_start << " s, above the " << limit_name << " limit "
              << field_limit << " A/(m s)";
      if (stop)
        throw std::runtime_error("Safety: " + message.str() + " (Safety/Action = stop)");
      sim.screen() << "Safety warning: " << message.str() << std::endl;
    }
  }

  void execute(double time, StatisticsRow &row) override
  {
    using namespace dealii;
    const MPI_Comm comm = simulator->mpi_communicator();
    const double frequency = simulator->electromagnetics().frequency();
    const double hf_nominal =
        simulator->electromagnetics().nominal_field_maximum() * frequency;
    row.emplace_back("Hf_nominal_over_limit", hf_nominal / field_limit);

    const FieldVector &temperature =
        *simulator->fields().get("temperature", "safety").nodal_values();
    double t_max = std::numeric_limits<double>::lowest();
    for (const auto &entry : healthy_weights)
      t_max = std::max(t_max, temperature.local_element(entry.first));
    t_max = Utilities::MPI::max(t_max, comm);
    row.emplace_back("healthy_T_max_C", t_max);

    double eddy_max = 0;
    if (const Field *eddy = simulator->fields().find("eddy_heating"))
    {
      const ScalarSpace &space = simulator->scalar_space();
      FEValues<3> fe_values(*space.mapping, space.fe, space.cell_quadrature,
                            update_values | update_quadrature_points);
      std::vector<double> values(fe_values.n_quadrature_points);
      for (const auto &cell : space.dof_handler.active_cell_iterators())
        if (cell->is_locally_owned() && healthy_labels.count(cell->material_id()))
        {
          fe_values.reinit(cell);
          eddy->evaluate(fe_values, values);
          for (const double q : values)
            eddy_max = std::max(eddy_max, q);
        }
      eddy_max = Utilities::MPI::max(eddy_max, comm);
    }
    row.emplace_back("healthy_eddy_max_W_per_m3", eddy_max);

    if (t_max > temperature_limit)
    {
      std::ostringstream message;
      message << "healthy tissue reaches " << t_max << " C at t = " << time
              << " s, above the limit " << temperature_limit << " C";
      if (stop)
        throw std::runtime_error("Safety: " + message.str() + " (Safety/Action = stop)");
      simulator->screen() << "Safety warning: " << message.str() << std::endl;
    }
  }

private:
  Simulator *simulator = nullptr;
  double field_limit = 4.85e8, temperature_limit = 44;
  std::string limit_name;
  bool stop = false;
  std::set<unsigned int> healthy_labels;
  std::vector<std::pair<unsigned int, double>> healthy_weights;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(
    Postprocessor, Safety, "safety",
    "H f against the Atkinson-Brezovich / Hergt-Dutz limits, healthy-"
    "tissue temperature and eddy heating; warn or stop")
} // namespace ferrotherm
