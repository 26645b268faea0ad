// check_gmsh_file: a validating pass over a Gmsh .msh file before deal.II's
// GridIn::read_msh, which loops forever or reads past its arrays on malformed files and
// silently drops unused nodes. It accepts the ASCII formats 2.2 and 4.1 and checks that
// every $Section is closed by its $EndSection, that the counts agree with the entries,
// that node ids are unique and every element's nodes exist, that every node belongs to a
// volume element, that no two nodes share their coordinates (within 1e-6 of the smallest
// element), and that tags are non-negative integers. Every loop ends with the file, so
// the check always finishes. Errors are InputError naming the file, the line and what
// was expected.
#pragma once

#include <deal.II/base/types.h>

#include <map>
#include <string>

namespace ferrotherm
{
struct GmshFileSummary
{
  // Names of the physical surfaces ($PhysicalNames of dimension 2) -> their tags.
  std::map<std::string, dealii::types::boundary_id> surface_names;
};

// Checks the file; throws InputError("<file>: cannot read the Gmsh mesh: line N: ...").
GmshFileSummary check_gmsh_file(const std::string &file);
} // namespace ferrotherm
