// Lumped L2 projection of a field onto the nodes of the scalar space,
//   u_i = int phi_i f dx / int phi_i dx,
// for consumers that need nodal values of a field that has none (the perfusion of the
// heat layer read by the immune layer's nodal kinetics); hanging nodes take the values
// of their masters. Positive for a positive f on Q1 elements (weights int phi_i >= 0);
// collective over the mesh's communicator.
#pragma once

#include "core/linear_algebra.h"

namespace ferrotherm
{
class Field;
class ScalarSpace;

// Ghosted nodal values of `field` on `space`.
FieldVector lumped_projection(const ScalarSpace &space, const Field &field);
} // namespace ferrotherm
