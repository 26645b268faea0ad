// FieldRegistry (see field_registry.h).
#include "core/field_registry.h"

#include <stdexcept>

namespace ferrotherm
{
void FieldRegistry::add(const std::string &name, const std::string &unit,
                        const std::string &description, const std::string &provider,
                        const Field *field)
{
  const auto existing = fields.find(name);
  if (existing != fields.end())
    throw std::runtime_error("the field '" + name + "' is provided both by " +
                             existing->second.provider + " and by " + provider);
  fields[name] = Entry{field, unit, description, provider};
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
