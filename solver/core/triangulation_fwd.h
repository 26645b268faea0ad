// Forward declarations of deal.II's serial and distributed triangulations, for headers
// that take them by reference without pulling in deal.II's grid and p4est headers.
#pragma once

namespace dealii
{
template <int dim, int spacedim> class Triangulation;
namespace parallel
{
namespace distributed
{
template <int dim, int spacedim> class Triangulation;
}
} // namespace parallel
} // namespace dealii
