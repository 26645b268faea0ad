// The registry of the closed-form vector-potential references (see the header).
#include "physics/em/vector_potential_reference.h"

namespace ferrotherm
{
FERROTHERM_DEFINE_PLUGIN_FAMILY(VectorPotentialReference)
} // namespace ferrotherm
