// AdvectionDiffusionIron: intravenous delivery, the mono-exponential plasma course
// C_p(t) = (dose / V_d) exp(-ln 2 (t - t_iv) / t_half) for t >= t_iv, whose
// extravasation k_ex C_p is a time-dependent source (transport_supg_operator.cc).
#include "physics/transport/advection_diffusion_iron.h"

#include <cmath>

namespace ferrotherm
{
double AdvectionDiffusionIron::plasma_concentration(double t) const
{
  if (!(iv_dose > 0) || t < iv_time)
    return 0;
  return iv_dose / iv_volume * std::exp(-std::log(2.0) * (t - iv_time) / iv_half_life);
}

bool AdvectionDiffusionIron::time_dependent_sources() const
{
  return source->depends_on_time() || iv_dose > 0;
}
} // namespace ferrotherm
