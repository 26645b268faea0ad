// Volume-weighted percentiles of a distributed set of (value, weight) samples, e.g. the
// tumour T90: the temperature that 90% of the tumour volume reaches or exceeds,
//   T90 = max { v : sum_{T_i >= v} w_i >= 0.9 * sum_i w_i },
// with w_i = integral of the nodal basis function over the tumour.
#pragma once

#include <mpi.h>

#include <vector>

namespace ferrotherm
{
class WeightedSamples
{
public:
  // Replaces the local samples (weights must be positive).
  void assign(const std::vector<double> &values, const std::vector<double> &weights);

  // The value reached or exceeded by `fraction` (0..1] of the total weight, over all
  // ranks. NaN if there is no sample anywhere.
  double upper_percentile(double fraction, MPI_Comm comm) const;

  // Fraction of the total weight whose value is >= threshold.
  double fraction_at_or_above(double threshold, MPI_Comm comm) const;

private:
  std::vector<double> sorted_values;      // descending
  std::vector<double> cumulative_weights; // running sums in that order
  double local_weight_at_or_above(double threshold) const;
};
} // namespace ferrotherm
