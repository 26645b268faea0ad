// VectorPotentialReference: a closed-form time-harmonic magnetic vector potential
// A = Re(A) + j Im(A) and its curl, against which the full eddy-current model reports the
// relative errors
//   L2:      |A_h - A| / |A|,   H(curl): (|A_h - A|^2 + |curl(A_h - A)|^2)^(1/2) / (...)
// in statistics.csv (em_A_L2_error, em_A_Hcurl_error). A plugin family without built-in
// members: verification references live with the tests (tests/em/) and are loaded with
// `Additional shared libraries`, as users load their own.
#pragma once

#include "core/plugin_registry.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>

namespace ferrotherm
{
class VectorPotentialReference
{
public:
  virtual ~VectorPotentialReference() = default;

  // Reads the plugin's own subsection (inside "Reference solution").
  virtual void parse_parameters(dealii::ParameterHandler &prm) = 0;

  // The run's angular frequency [rad/s] and the source field |B| at the origin [T].
  virtual void initialize(double omega, double b0) = 0;

  // A (real and imaginary parts) and curl A at x.
  virtual void evaluate(const dealii::Point<3> &x, dealii::Tensor<1, 3> &a_real,
                        dealii::Tensor<1, 3> &a_imag, dealii::Tensor<1, 3> &curl_real,
                        dealii::Tensor<1, 3> &curl_imag) const = 0;
};

FERROTHERM_DECLARE_PLUGIN_FAMILY(VectorPotentialReference)
} // namespace ferrotherm
