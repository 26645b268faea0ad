// TabulatedSlp: SLP(H) measured at one frequency, read from a CSV file with the header
// `field_amplitude_A_per_m,slp_W_per_kg_Fe` and strictly increasing amplitudes.
// Piecewise-linear in H; below the first point the linear-response law SLP ~ H^2 is
// used; above the last point the run stops (extend the table) rather than guess.
#include "core/input_error.h"
#include "core/range_check.h"
#include "core/text_parsing.h"
#include "models/heating/specific_loss_power.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace ferrotherm
{
namespace
{
class TabulatedSlp : public SpecificLossPower
{
public:
  static void declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Table");
    prm.declare_entry("File", "", dealii::Patterns::Anything(),
                      "CSV file with columns field_amplitude_A_per_m,slp_W_per_kg_Fe "
                      "(relative to the parameter file; amplitudes in (0, 1e7] A/m, SLP "
                      "in [0, 1e7] W/kg Fe).");
    prm.declare_entry(
        "Measured frequency", "100e3", dealii::Patterns::Anything(),
        "Frequency [Hz] of the measurement, in (0, 1e8]; the AMF frequency must "
        "match it within 1%.");
    prm.leave_subsection();
  }

  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &context) override
  {
    prm.enter_subsection("Table");
    const std::string file = resolve_input_path(prm.get("File"), context.input_directory);
    measured_frequency =
        parse_double(prm.get("Measured frequency"), "Heating/Table/Measured frequency");
    check_range(measured_frequency, 0, 1e8, "Heating/Table/Measured frequency", "Hz",
                LowerBound::exclusive);
    prm.leave_subsection();
    read(file);
  }

  void check_frequency(double frequency) const override
  {
    if (std::abs(frequency - measured_frequency) > 0.01 * measured_frequency)
    {
      std::ostringstream message;
      message << "the SLP table was measured at " << measured_frequency
              << " Hz but the AMF frequency is " << frequency << " Hz";
      throw_input_error("Heating/Table/Measured frequency", message.str());
    }
  }

  double value(double h, double, double) const override
  {
    if (h <= 0)
      return 0;
    if (h <= amplitudes.front())
      return slp.front() * (h / amplitudes.front()) * (h / amplitudes.front());
    if (h > amplitudes.back())
    {
      std::ostringstream message;
      message << "Heating/Table: the field amplitude " << h
              << " A/m exceeds the SLP table (largest " << amplitudes.back()
              << " A/m); extend the table";
      throw std::runtime_error(message.str());
    }
    const auto upper = std::upper_bound(amplitudes.begin(), amplitudes.end(), h);
    const auto k = static_cast<unsigned int>(upper - amplitudes.begin());
    const double weight = (h - amplitudes[k - 1]) / (amplitudes[k] - amplitudes[k - 1]);
    return (1 - weight) * slp[k - 1] + weight * slp[k];
  }

private:
  std::vector<double> amplitudes, slp;
  double measured_frequency = 0;

  void read(const std::string &file)
  {
    std::ifstream in(file);
    if (!in)
      throw_input_error("Heating/Table/File", "cannot open '" + file + "'");
    std::string line;
    unsigned int number = 0;
    bool header = false;
    while (std::getline(in, line))
    {
      if (++number == 1)
        strip_byte_order_mark(line);
      const std::string content = trim(line);
      if (content.empty() || content[0] == '#')
        continue;
      const std::string where = file + ":" + std::to_string(number);
      if (!header)
      {
        if (content != "field_amplitude_A_per_m,slp_W_per_kg_Fe")
          throw_input_error(
              where, "expected the header 'field_amplitude_A_per_m,slp_W_per_kg_Fe'");
        header = true;
        continue;
      }
      const auto values = parse_double_list(content, where, 2);
      check_range(values[0], 0, 1e7, where + " (field_amplitude_A_per_m)", "A/m",
                  LowerBound::exclusive);
      check_range(values[1], 0, 1e7, where + " (slp_W_per_kg_Fe)", "W/kg");
      if (!amplitudes.empty() && values[0] <= amplitudes.back())
        throw_input_error(where, "amplitudes must increase strictly");
      amplitudes.push_back(values[0]);
      slp.push_back(values[1]);
    }
    if (amplitudes.size() < 2)
      throw_input_error(file, "the SLP table needs at least two rows after the header");
  }
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(SpecificLossPower, TabulatedSlp, "table",
                           "measured SLP(H) from a CSV table at one frequency")
} // namespace ferrotherm
