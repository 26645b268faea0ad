// PluginRegistry<Interface>: a family of plugins chosen by name in the parameter file
// (`set Model = rosensweig`). Each plugin registers its name, a description, a function
// declaring its own parameter subsection and a factory, through the
// FERROTHERM_REGISTER_PLUGIN macro in its .cc file. The registry of each family is a
// function-local static defined in the family's .cc file, so registration order across
// translation units and dlopen'ed user libraries is safe.
#pragma once

#include <deal.II/base/parameter_handler.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ferrotherm
{
template <typename Interface> class PluginRegistry
{
public:
  using Factory = std::function<std::unique_ptr<Interface>()>;
  using Declare = std::function<void(dealii::ParameterHandler &)>;

  struct Entry
  {
    std::string description;
    Declare declare_parameters;
    Factory create;
  };

  // The single registry of this family (defined in the family's .cc file).
  static PluginRegistry &instance();

  bool add(const std::string &name, const std::string &description,
           const Declare &declare, const Factory &create)
  {
    entries[name] = Entry{description, declare, create};
    return true;
  }

  std::vector<std::string> names() const
  {
    std::vector<std::string> result;
    for (const auto &entry : entries)
      result.push_back(entry.first);
    return result;
  }

  // "a|b|c" for Patterns::Selection.
  std::string selection_pattern() const
  {
    std::string pattern;
    for (const auto &entry : entries)
      pattern += (pattern.empty() ? "" : "|") + entry.first;
    return pattern;
  }

  // Documentation text listing every plugin with its description.
  std::string documentation(const std::string &family_summary) const
  {
    std::string text = family_summary + " Available:";
    for (const auto &entry : entries)
      text += "\n  '" + entry.first + "': " + entry.second.description;
    return text;
  }

  // Declares "Model" (a selection among the registered names) and every plugin's own
  // parameters, in the current subsection of prm.
  void declare_parameters(dealii::ParameterHandler &prm, const std::string &default_name,
                          const std::string &family_summary) const
  {
    prm.declare_entry("Model", default_name,
                      dealii::Patterns::Selection(selection_pattern()),
                      documentation(family_summary));
    for (const auto &entry : entries)
      if (entry.second.declare_parameters)
        entry.second.declare_parameters(prm);
  }

  // Declares only the plugins' own parameters (for families without a single
  // "Model" choice, e.g. perfusion models named per tissue).
  void declare_plugin_parameters(dealii::ParameterHandler &prm) const
  {
    for (const auto &entry : entries)
      if (entry.second.declare_parameters)
        entry.second.declare_parameters(prm);
  }

  bool has(const std::string &name) const { return entries.count(name) > 0; }

  std::unique_ptr<Interface> create(const std::string &name) const
  {
    const auto it = entries.find(name);
    if (it == entries.end())
      throw std::invalid_argument("unknown plugin '" + name +
                                  "'; registered: " + selection_pattern());
    return it->second.create();
  }

private:
  std::map<std::string, Entry> entries;
};

// One line per family, in the family's .cc file.
#define FERROTHERM_DEFINE_PLUGIN_FAMILY(Interface)                                       \
  template <> PluginRegistry<Interface> &PluginRegistry<Interface>::instance()           \
  {                                                                                      \
    static PluginRegistry<Interface> registry;                                           \
    return registry;                                                                     \
  }

#define FERROTHERM_CONCAT_IMPL(a, b) a##b
#define FERROTHERM_CONCAT(a, b) FERROTHERM_CONCAT_IMPL(a, b)

// Registers Class (default-constructible, derived from Interface, with a static
// declare_parameters(ParameterHandler&)) under `name`.
#define FERROTHERM_REGISTER_PLUGIN(Interface, Class, name, description)                  \
  namespace                                                                              \
  {                                                                                      \
  const bool FERROTHERM_CONCAT(plugin_registered_, __LINE__) =                           \
      ::ferrotherm::PluginRegistry<Interface>::instance().add(                           \
          name, description, &Class::declare_parameters,                                 \
          []() -> std::unique_ptr<Interface> { return std::make_unique<Class>(); });     \
  }
} // namespace ferrotherm

// In the family's header, after the interface: tells every translation unit that the
// registry is defined in the family's .cc file.
#define FERROTHERM_DECLARE_PLUGIN_FAMILY(Interface)                                      \
  template <> PluginRegistry<Interface> &PluginRegistry<Interface>::instance();
