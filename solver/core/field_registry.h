// FieldRegistry: physics modules publish and read fields by name only ("temperature",
// "iron", "H_amplitude", "interstitial_velocity", ...). A Field (scalar) is evaluated at
// the quadrature points of an FEValues object reinitialised on a cell of the shared
// scalar DoFHandler (update_values | update_quadrature_points), so a consumer never needs
// to know whether the producer is a finite-element field, a closed form or another mesh.
// A VectorField (a velocity) is evaluated at the points of an FEValues or FEFaceValues
// object of that DoFHandler with update_gradients as well. version() changes whenever
// the field's values change, so consumers cache what they assemble. Scalar and vector
// fields share one name space.
#pragma once

#include "core/linear_algebra.h"

#include <map>
#include <string>
#include <vector>

namespace dealii
{
template <int dim, int spacedim> class FEValues;
template <int dim, int spacedim> class FEValuesBase;
template <int rank, int dim, typename Number> class Tensor;
} // namespace dealii

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

class VectorField
{
public:
  virtual ~VectorField() = default;
  virtual void evaluate(const dealii::FEValuesBase<3, 3> &fe_values,
                        std::vector<dealii::Tensor<1, 3, double>> &values) const = 0;
  virtual unsigned int version() const = 0;
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

  // A vector field, registered like a scalar one.
  void add_vector(const std::string &name, const std::string &unit,
                  const std::string &description, const std::string &provider,
                  const VectorField *field);

  // nullptr when no module provides `name` (as a scalar or a vector field).
  const Field *find(const std::string &name) const;
  const VectorField *find_vector(const std::string &name) const;

  // The module that provides the scalar or vector field `name` (empty: none).
  std::string provider(const std::string &name) const;

  // The field, or an error naming `requester` and listing the registered fields.
  const Field &get(const std::string &name, const std::string &requester) const;

  // The scalar fields.
  const std::map<std::string, Entry> &entries() const { return fields; }

  struct VectorEntry
  {
    const VectorField *field;
    std::string unit;
    std::string description;
    std::string provider;
  };
  const std::map<std::string, VectorEntry> &vector_entries() const
  {
    return vector_fields;
  }

private:
  void check_new(const std::string &name, const std::string &provider) const;

  std::map<std::string, Entry> fields;
  std::map<std::string, VectorEntry> vector_fields;
};
} // namespace ferrotherm
