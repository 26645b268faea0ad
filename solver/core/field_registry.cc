// FieldRegistry (see field_registry.h).
#include "core/field_registry.h"

#include <stdexcept>

namespace ferrotherm
{
void FieldRegistry::add(const std::string &name, const std::string &unit,
                        const std::string &description, const std::string &provider,
                        const Field *field)
{
  check_new(name, provider);
  fields[name] = Entry{field, unit, description, provider};
}

void FieldRegistry::add_vector(const std::string &name, const std::string &unit,
                               const std::string &description,
                               const std::string &provider, const VectorField *field)
{
  check_new(name, provider);
  vector_fields[name] = VectorEntry{field, unit, description, provider};
}

void FieldRegistry::check_new(const std::string &name, const std::string &provider) const
{
  const std::string existing = this->provider(name);
  if (!existing.empty())
    throw std::runtime_error("the field '" + name + "' is provided both by " + existing +
                             " and by " + provider);
}

std::string FieldRegistry::provider(const std::string &name) const
{
  if (const auto it = fields.find(name); it != fields.end())
    return it->second.provider;
  if (const auto it = vector_fields.find(name); it != vector_fields.end())
    return it->second.provider;
  return "";
}

const VectorField *FieldRegistry::find_vector(const std::string &name) const
{
  const auto it = vector_fields.find(name);
  return it == vector_fields.end() ? nullptr : it->second.field;
}

const Field *FieldRegistry::find(const std::string &name) const
{
  const auto it = fields.find(name);
  return it == fields.end() ? nullptr : it->second.field;
}

const Field &FieldRegistry::get(const std::string &name,
                                const std::string &requester) const
{
  const Field *field = find(name);
  if (field == nullptr)
  {
    std::string known;
    for (const auto &entry : fields)
      known += (known.empty() ? "" : ", ") + entry.first;
    throw std::runtime_error(requester + " needs the field '" + name +
                             "', which no active module provides (available: " + known +
                             ")");
  }
  return *field;
}
} // namespace ferrotherm
