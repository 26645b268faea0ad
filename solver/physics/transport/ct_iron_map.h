// CtIronMap: iron from a CT intensity image, as in the post-instillation CT planning of
// NanoTherm (Johannsen et al. 2007, Int J Hyperthermia 23:315): the CT number I [HU],
// interpolated trilinearly at the point, gives
//   c_Fe = s <I - I_0>+   [mg Fe/mL = kg/m^3]
// with the threshold I_0 and slope s of the calibration; 0 outside the image. Used as the
// prescribed iron map (Transport/Prescribed) and as the transport layer's initial state
// (Transport/Advection diffusion).
#pragma once

#include "core/nifti_image.h"

#include <deal.II/base/parameter_handler.h>

#include <memory>
#include <string>

namespace ferrotherm
{
struct RunContext;

class CtIronMap
{
public:
  // "Iron image" and "Iron image calibration" in the current section.
  static void declare_parameters(dealii::ParameterHandler &prm, const std::string &use);
  // `section` names the parameters in messages (e.g. "Transport/Prescribed/").
  void parse_parameters(dealii::ParameterHandler &prm, const RunContext &context,
                        const std::string &section);

  bool enabled() const { return image != nullptr; }
  // c_Fe at the point [kg/m^3] (0 without an image).
  double value(const dealii::Point<3> &point) const;

private:
  std::unique_ptr<NiftiImage> image;
  double threshold = 100, slope = 0.0155;
};
} // namespace ferrotherm
