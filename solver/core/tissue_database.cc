// Tissue property table reader and checks (see tissue_database.h).
#include "core/tissue_database.h"

#include "core/cole_cole_dielectric.h"
#include "core/input_error.h"
#include "core/label_map.h"
#include "core/range_check.h"
#include "core/text_parsing.h"

#include <algorithm>
#include <fstream>
#include <set>

namespace ferrotherm
{
namespace
{
const std::vector<std::string> required_columns = {
    "name",          "label",          "thermal_conductivity",  "density",
    "specific_heat", "perfusion_rate", "metabolic_heat",        "perfusion_model",
    "arrhenius_A",   "arrhenius_Ea",   "electric_conductivity", "relative_permittivity"};

// Plausible ranges of the numeric columns (listed in README.md). A zero
// Arrhenius A switches the damage integral off.
struct PropertyRange
{
  const char *column;
  double Tissue::*member;
  double lower;
  double upper;
  LowerBound lower_bound;
  const char *unit;
};
const PropertyRange property_ranges[] = {
    {"thermal_conductivity", &Tissue::thermal_conductivity, 0, 1e3, LowerBound::exclusive,
     "W/(m K)"},
    {"density", &Tissue::density, 0, 2e4, LowerBound::exclusive, "kg/m^3"},
    {"specific_heat", &Tissue::specific_heat, 0, 1e4, LowerBound::exclusive, "J/(kg K)"},
    {"perfusion_rate", &Tissue::perfusion_rate, 0, 1, LowerBound::inclusive, "1/s"},
    {"metabolic_heat", &Tissue::metabolic_heat, 0, 1e5, LowerBound::inclusive, "W/kg"},
    {"arrhenius_A", &Tissue::arrhenius_A, 0, 1e300, LowerBound::inclusive, "1/s"},
    {"arrhenius_Ea", &Tissue::arrhenius_Ea, 0, 5e6, LowerBound::inclusive, "J/mol"},
    {"electric_conductivity", &Tissue::electric_conductivity, 0, 1e8,
     LowerBound::inclusive, "S/m"},
    {"relative_permittivity", &Tissue::relative_permittivity, 1, 1e8,
     LowerBound::inclusive, ""}};

std::string column_list()
{
  std::string list;
  for (const auto &column : required_columns)
    list += (list.empty() ? "" : ", ") + column;
  return list;
}

// Sets one numeric property by column name.
void set_numeric_property(Tissue &tissue, const std::string &column, double value,
                          const std::string &where)
{
  if (column == "thermal_conductivity")
    tissue.thermal_conductivity = value;
  else if (column == "density")
    tissue.density = value;
  else if (column == "specific_heat")
    tissue.specific_heat = value;
  else if (column == "perfusion_rate")
    tissue.perfusion_rate = value;
  else if (column == "metabolic_heat")
    tissue.metabolic_heat = value;
  else if (column == "arrhenius_A")
    tissue.arrhenius_A = value;
  else if (column == "arrhenius_Ea")
    tissue.arrhenius_Ea = value;
  else if (column == "electric_conductivity")
    tissue.electric_conductivity = value;
  else if (column == "relative_permittivity")
    tissue.relative_permittivity = value;
  else
    throw_input_error(where, "unknown tissue property '" + column +
                                 "'; expected one of " + column_list());
}
} // namespace

TissueDatabase TissueDatabase::read(const std::string &file,
                                    const std::string &cole_cole_file, double frequency)
{
  std::ifstream in(file);
  if (!in)
    throw_input_error(file, "cannot open the tissue database (Tissues/Database)");

  TissueDatabase database;
  std::map<std::string, ColeColeParameters> &cole_cole = database.cole_cole;
  std::vector<std::string> header;
  std::string line;
  unsigned int line_number = 0;
  while (std::getline(in, line))
  {
    if (++line_number == 1)
      strip_byte_order_mark(line);
    const auto carriage_return = line.find('\r');
    if (carriage_return != std::string::npos && carriage_return + 1 < line.size())
      throw_input_error(file + ":" + std::to_string(line_number),
                        "the lines end in a carriage return alone (old Mac line "
                        "endings); save the file with LF or CR LF line endings");
    const std::string content = trim(line);
    if (content.empty() || content[0] == '#')
      continue;
    const std::vector<std::string> cells = split(content, ',');
    const std::string where = file + ":" + std::to_string(line_number);
    if (header.empty())
    {
      header = cells;
      // A missing column first: a data row taken for the header names none of them.
      for (const auto &column : required_columns)
        if (std::find(header.begin(), header.end(), column) == header.end())
          throw_input_error(where, "the header lacks the column '" + column +
                                       "'; expected the columns " + column_list());
      for (auto column = header.begin(); column != header.end(); ++column)
        if (std::find(header.begin(), column, *column) != column)
          throw_input_error(where,
                            "the column '" + *column + "' appears twice in the header");
      for (const auto &column : header)
        if (std::find(required_columns.begin(), required_columns.end(), column) ==
            required_columns.end())
          throw_input_error(where, "unknown column '" + column +
                                       "'; expected the columns " + column_list());
      continue;
    }
    if (cells.size() != header.size())
      throw_input_error(where, "expected " + std::to_string(header.size()) +
                                   " comma-separated values (" + column_list() +
                                   "), found " + std::to_string(cells.size()));

    Tissue tissue;
    tissue.origin = where;
    for (unsigned int c = 0; c < cells.size(); ++c)
    {
      const std::string &column = header[c];
      const std::string cell_where = where + " (column " + column + ")";
      if (column == "name")
      {
        if (cells[c].empty())
          throw_input_error(cell_where, "empty tissue name");
        tissue.name = cells[c];
      }
      else if (column == "label")
      {
        tissue.label = parse_unsigned(cells[c], cell_where);
        if (tissue.label > max_tissue_label)
          throw_input_error(cell_where, "labels must be integers between 0 and " +
                                            std::to_string(max_tissue_label));
      }
      else if (column == "perfusion_model")
        tissue.perfusion_model = cells[c];
      else if ((column == "electric_conductivity" || column == "relative_permittivity") &&
               cells[c].compare(0, 8, "gabriel:") == 0)
      {
        if (cole_cole.empty())
          cole_cole = read_cole_cole_table(cole_cole_file);
        const std::string reference = trim(cells[c].substr(8));
        const auto entry = cole_cole.find(reference);
        if (entry == cole_cole.end())
        {
          std::string known;
          for (const auto &row : cole_cole)
            known += (known.empty() ? "" : ", ") + row.first;
          throw_input_error(cell_where, "no Gabriel tissue '" + reference + "' in " +
                                            cole_cole_file + "; known: " + known);
        }
        (column == "electric_conductivity" ? tissue.conductivity_source
                                           : tissue.permittivity_source) = reference;
      }
      else
        set_numeric_property(tissue, column, parse_double(cells[c], cell_where),
                             cell_where);
    }
    database.evaluate_dielectrics(tissue, frequency);
    database.check(tissue);
    for (const auto &other : database.tissues)
    {
      if (other.name == tissue.name)
        throw_input_error(where, "tissue '" + tissue.name + "' is already defined at " +
                                     other.origin);
      if (other.label == tissue.label)
        throw_input_error(where, "label " + std::to_string(tissue.label) +
                                     " is already used by '" + other.name + "' at " +
                                     other.origin);
    }
    database.tissues.push_back(tissue);
  }
  if (header.empty() || database.tissues.empty())
    throw_input_error(file, "the tissue database is empty; expected a header row (" +
                                column_list() + ") and one row per tissue");
  return database;
}

void TissueDatabase::evaluate_dielectrics(Tissue &tissue, double frequency) const
{
  if (!tissue.conductivity_source.empty())
    tissue.electric_conductivity =
        cole_cole_properties(cole_cole.at(tissue.conductivity_source), frequency)
            .conductivity;
  if (!tissue.permittivity_source.empty())
    tissue.relative_permittivity =
        cole_cole_properties(cole_cole.at(tissue.permittivity_source), frequency)
            .relative_permittivity;
}

void TissueDatabase::set_frequency(double frequency)
{
  for (Tissue &tissue : tissues)
  {
    evaluate_dielectrics(tissue, frequency);
    check(tissue);
  }
}

void TissueDatabase::check(const Tissue &t) const
{
  const std::string where = t.origin + " (tissue '" + t.name + "')";
  auto require_positive = [&](double value, const std::string &name)
  {
    if (!(value > 0))
      throw_input_error(where,
                        name + " must be positive, found " + std::to_string(value));
  };
  auto require_non_negative = [&](double value, const std::string &name)
  {
    if (!(value >= 0))
      throw_input_error(where,
                        name + " must be non-negative, found " + std::to_string(value));
  };
  require_positive(t.thermal_conductivity, "thermal_conductivity");
  require_positive(t.density, "density");
  require_positive(t.specific_heat, "specific_heat");
  require_non_negative(t.perfusion_rate, "perfusion_rate");
  require_non_negative(t.metabolic_heat, "metabolic_heat");
  require_non_negative(t.arrhenius_A, "arrhenius_A");
  require_non_negative(t.arrhenius_Ea, "arrhenius_Ea");
  require_non_negative(t.electric_conductivity, "electric_conductivity");
  if (!(t.relative_permittivity >= 1))
    throw_input_error(where, "relative_permittivity must be at least 1, found " +
                                 std::to_string(t.relative_permittivity));
  if (t.perfusion_model.empty())
    throw_input_error(where, "empty perfusion_model");
  for (const PropertyRange &range : property_ranges)
    check_range(t.*range.member, range.lower, range.upper,
                t.origin + " (tissue '" + t.name + "', column " + range.column + ")",
                range.unit, range.lower_bound);
}

void TissueDatabase::apply_overrides(const std::string &overrides,
                                     const std::string &where)
{
  for (const auto &entry : parse_key_value_list(overrides, where))
  {
    auto tissue = std::find_if(tissues.begin(), tissues.end(),
                               [&](const Tissue &t) { return t.name == entry.first; });
    if (tissue == tissues.end())
      throw_input_error(where, "no tissue named '" + entry.first + "' in the database");
    for (const auto &assignment : split(entry.second, ','))
    {
      const auto equal = assignment.find('=');
      if (equal == std::string::npos)
        throw_input_error(where, "expected 'property=value', found '" + assignment + "'");
      const std::string column = trim(assignment.substr(0, equal));
      const std::string value = trim(assignment.substr(equal + 1));
      if (column == "perfusion_model")
        tissue->perfusion_model = value;
      else
      {
        set_numeric_property(*tissue, column,
                             parse_double(value, where + " (" + column + ")"), where);
        // A number replaces a Gabriel reference at every frequency.
        if (column == "electric_conductivity")
          tissue->conductivity_source.clear();
        if (column == "relative_permittivity")
          tissue->permittivity_source.clear();
      }
    }
    tissue->origin = where;
    check(*tissue);
  }
}

const Tissue *TissueDatabase::find_label(unsigned int label) const
{
  for (const auto &tissue : tissues)
    if (tissue.label == label)
      return &tissue;
  return nullptr;
}

const Tissue *TissueDatabase::find_name(const std::string &name) const
{
  for (const auto &tissue : tissues)
    if (tissue.name == name)
      return &tissue;
  return nullptr;
}
} // namespace ferrotherm
