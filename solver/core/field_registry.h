// FieldRegistry: physics modules publish and read fields by name only ("temperature",
// "iron", "H_amplitude", "eddy_heating", ...). A Field is evaluated at the quadrature
// points of an FEValues object reinitialised on a cell of the shared scalar DoFHandler
// (update_values | update_quadrature_points), so a consumer never needs to know whether
// the producer is a finite-element field, a closed form or another mesh. version()
// changes whenever the field's values change, so consumers cache what they assemble.
#pragma once

#include "core/linear_algebra.h"

#include <map>
#include <string>
#include <vector>

namespace dealii
{
template <int dim, int spacedim> class FEValues;
}

namespace ferrotherm
{
class Field
{
public:
  virtual ~Field() = default;
  virtual void evaluate(const dealii::FEValues<3, 3> &fe_values,
                        std::vector<double> &values) const = 0;
  virtual unsigned int version() const = 0;
  // Nodal values on the shared scalar space, when the field is one (else nullptr).
  virtual const FieldVector *nodal_values() const { return nullptr; }
};

class FieldRegistry
{
public:
  struct Entry
  {
    const Field *field;
    std::string unit;
    std::string description;
    std::string provider;
  };

  // Registers `field` (owned by the provider, which outlives the registry's use).
  void add(const std::string &name, const std::string &unit,
           const std::string &description, const std::string &provider,
           const Field *field);

  // nullptr when no module provides `name`.
  const Field *find(const std::string &name) const;

  // The field, or an error naming `requester` and listing the registered fields.
  const Field &get(const std::string &name, const std::string &requester) const;

  const std::map<std::string, Entry> &entries() const { return fields; }

private:
  std::map<std::string, Entry> fields;
};
} // namespace ferrotherm
