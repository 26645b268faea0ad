// TemperatureStatistics: per tissue the minimum, volume mean and maximum temperature,
// and the target's T50 and T10 (temperatures reached by 50% / 10% of its volume; T90
// is reported by the heat module, which integrates CEM43T90 from it). Means and
// percentiles use the nodal weights w_i = integral of phi_i over the tissue, which
// give the exact volume mean of the finite-element temperature. The cumulative
// temperature-volume histogram of the target (fraction of its volume at or above
// each temperature, 0.1 K bins from 30 to 70 C) goes to target_temperature_volume.csv.
#include "core/simulator.h"
#include "core/weighted_percentile.h"
#include "postprocess/postprocessor.h"

#include <deal.II/base/mpi.h>

#include <cmath>
#include <limits>
#include <map>

namespace ferrotherm
{
namespace
{
class TemperatureStatistics : public Postprocessor
{
public:
  static void declare_parameters(dealii::ParameterHandler &) {}

  void initialize(Simulator &sim) override
  {
    simulator = &sim;
    for (const unsigned int label : sim.labels_in_mesh())
      weights[label] = sim.nodal_weights({label});
    target_weights = sim.nodal_weights(sim.target_labels());
  }

  void execute(double time, StatisticsRow &row) override
  {
    using namespace dealii;
    const MPI_Comm comm = simulator->mpi_communicator();
    const FieldVector &temperature =
        *simulator->fields().get("temperature", "temperature statistics").nodal_values();
    for (const auto &tissue : weights)
    {
      double minimum = std::numeric_limits<double>::max();
      double maximum = std::numeric_limits<double>::lowest();
      double integral = 0, volume = 0;
      for (const auto &entry : tissue.second)
      {
        const double t = temperature.local_element(entry.first);
        minimum = std::min(minimum, t);
        maximum = std::max(maximum, t);
        integral += entry.second * t;
        volume += entry.second;
      }
      const std::string name = simulator->tissue_of_label()[tissue.first]->name;
      row.emplace_back("T_min_" + name + "_C", Utilities::MPI::min(minimum, comm));
      row.emplace_back("T_mean_" + name + "_C", Utilities::MPI::sum(integral, comm) /
                                                    Utilities::MPI::sum(volume, comm));
      row.emplace_back("T_max_" + name + "_C", Utilities::MPI::max(maximum, comm));
    }
    if (!simulator->target_labels().empty())
    {
      std::vector<double> values, volumes;
      for (const auto &entry : target_weights)
      {
        values.push_back(temperature.local_element(entry.first));
        volumes.push_back(entry.second);
      }
      WeightedSamples samples;
      samples.assign(values, volumes);
      row.emplace_back("target_T50_C", samples.upper_percentile(0.5, comm));
      row.emplace_back("target_T10_C", samples.upper_percentile(0.1, comm));
      write_histogram(time, values, volumes);
    }
  }

  void write_histogram(double time, const std::vector<double> &values,
                       const std::vector<double> &volumes)
  {
    using namespace dealii;
    const unsigned int n_bins = 400;
    const double low = 30, width = 0.1;
    std::vector<double> volume_in_bin(n_bins + 1, 0.0); // last: total
    for (unsigned int k = 0; k < values.size(); ++k)
    {
      const double position = std::floor((values[k] - low) / width);
      const unsigned int bin = static_cast<unsigned int>(
          std::min<double>(std::max(position, 0.0), n_bins - 1));
      volume_in_bin[bin] += volumes[k];
      volume_in_bin[n_bins] += volumes[k];
    }
    const MPI_Comm comm = simulator->mpi_communicator();
    Utilities::MPI::sum(volume_in_bin, comm, volume_in_bin);
    if (Utilities::MPI::this_mpi_process(comm) != 0)
      return;
    double above = volume_in_bin[n_bins];
    for (unsigned int bin = 0; bin < n_bins; ++bin)
    {
      histogram.add_row({{"time_s", time},
                         {"T_C", low + bin * width},
                         {"volume_fraction_at_or_above", above / volume_in_bin[n_bins]}});
      above -= volume_in_bin[bin];
    }
    histogram.write(simulator->output_directory() + "/target_temperature_volume.csv");
  }

  void serialize_state(StateArchive &archive) override { histogram.serialize(archive); }

private:
  Simulator *simulator = nullptr;
  std::map<unsigned int, std::vector<std::pair<unsigned int, double>>> weights;
  std::vector<std::pair<unsigned int, double>> target_weights;
  CsvTable histogram;
};
} // namespace

FERROTHERM_REGISTER_PLUGIN(Postprocessor, TemperatureStatistics, "temperature statistics",
                           "min/mean/max temperature per tissue, target T50 and T10")
} // namespace ferrotherm
