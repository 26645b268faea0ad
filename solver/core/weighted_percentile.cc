// Distributed weighted percentiles by bisection on the value (see the header).
#include "core/weighted_percentile.h"

#include <deal.II/base/mpi.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace ferrotherm
{
void WeightedSamples::assign(const std::vector<double> &values,
                             const std::vector<double> &weights)
{
  std::vector<unsigned int> order(values.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](unsigned int a, unsigned int b) { return values[a] > values[b]; });
  sorted_values.resize(values.size());
  cumulative_weights.resize(values.size());
  double sum = 0;
  for (unsigned int k = 0; k < order.size(); ++k)
  {
    sorted_values[k] = values[order[k]];
    sum += weights[order[k]];
    cumulative_weights[k] = sum;
  }
}

double WeightedSamples::local_weight_at_or_above(double threshold) const
{
  // Number of samples with value >= threshold in the descending array.
  const auto end = std::partition_point(sorted_values.begin(), sorted_values.end(),
                                        [&](double v) { return v >= threshold; });
  const auto count = end - sorted_values.begin();
  return count == 0 ? 0.0 : cumulative_weights[count - 1];
}

double WeightedSamples::upper_percentile(double fraction, MPI_Comm comm) const
{
  using namespace dealii;
  const double total = Utilities::MPI::sum(
      cumulative_weights.empty() ? 0.0 : cumulative_weights.back(), comm);
  double low = Utilities::MPI::min(
      sorted_values.empty() ? std::numeric_limits<double>::max() : sorted_values.back(),
      comm);
  double high =
      Utilities::MPI::max(sorted_values.empty() ? std::numeric_limits<double>::lowest()
                                                : sorted_values.front(),
                          comm);
  if (!(total > 0))
    return std::numeric_limits<double>::quiet_NaN();
  const double target = fraction * total * (1 - 1e-12);
  // Invariant: weight(>= low) >= target; weight(>= high) may be below.
  if (Utilities::MPI::sum(local_weight_at_or_above(high), comm) >= target)
    return high;
  for (unsigned int iteration = 0;
       iteration < 100 && high - low > 1e-12 * (1 + std::abs(high)); ++iteration)
  {
    const double middle = 0.5 * (low + high);
    if (Utilities::MPI::sum(local_weight_at_or_above(middle), comm) >= target)
      low = middle;
    else
      high = middle;
  }
  return low;
}

double WeightedSamples::fraction_at_or_above(double threshold, MPI_Comm comm) const
{
  using namespace dealii;
  const double total = Utilities::MPI::sum(
      cumulative_weights.empty() ? 0.0 : cumulative_weights.back(), comm);
  if (!(total > 0))
    return std::numeric_limits<double>::quiet_NaN();
  return Utilities::MPI::sum(local_weight_at_or_above(threshold), comm) / total;
}
} // namespace ferrotherm
