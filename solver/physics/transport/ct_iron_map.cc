// CtIronMap (see ct_iron_map.h).
#include "physics/transport/ct_iron_map.h"

#include "core/range_check.h"
#include "core/run_context.h"
#include "core/text_parsing.h"

#include <algorithm>

namespace ferrotherm
{
void CtIronMap::declare_parameters(dealii::ParameterHandler &prm, const std::string &use)
{
  prm.declare_entry("Iron image", "", dealii::Patterns::Anything(),
                    use + " from a NIfTI intensity image (CT after instillation, in HU; "
                          "relative paths: to the parameter file), calibrated by 'Iron "
                          "image calibration'; outside the image 0.");
  prm.declare_entry(
      "Iron image calibration", "100, 0.0155", dealii::Patterns::Anything(),
      "'I_0, s': c_Fe = s (I - I_0) [mg Fe/mL] above the threshold I_0 [HU], "
      "0 below; s [mg Fe/mL per HU] > 0. Default: ~64 HU per mg Fe/mL, the "
      "CT contrast of iron-oxide deposits (Johannsen et al. 2007; calibrate "
      "with a phantom of the scanner).");
}

void CtIronMap::parse_parameters(dealii::ParameterHandler &prm, const RunContext &context,
                                 const std::string &section)
{
  image.reset();
  if (trim(prm.get("Iron image")).empty())
    return;
  image = std::make_unique<NiftiImage>(
      NiftiImage::read(resolve_input_path(prm.get("Iron image"), context.input_directory),
                       section + "Iron image"));
  const auto calibration = parse_double_list(prm.get("Iron image calibration"),
                                             section + "Iron image calibration", 2);
  threshold = calibration[0];
  slope = calibration[1];
  check_range(slope, 0, 1e3, section + "Iron image calibration (slope)", "mg/mL per unit",
              LowerBound::exclusive);
}

double CtIronMap::value(const dealii::Point<3> &point) const
{
  if (!image)
    return 0;
  return slope * std::max(image->interpolate(point, threshold) - threshold, 0.0);
}
} // namespace ferrotherm
