// Parsing helpers for parameter values (see text_parsing.h).
#include "core/text_parsing.h"

#include "core/input_error.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace ferrotherm
{
void strip_byte_order_mark(std::string &text)
{
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0)
    text.erase(0, 3);
}

std::string trim(const std::string &text)
{
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::vector<std::string> split(const std::string &text, char separator)
{
  std::vector<std::string> pieces;
  std::string::size_type start = 0;
  while (true)
  {
    const auto end = text.find(separator, start);
    pieces.push_back(trim(text.substr(start, end - start)));
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return pieces;
}

double parse_double(const std::string &text, const std::string &where)
{
  const std::string value = trim(text);
  if (value.empty())
    throw_input_error(where, "expected a number, found nothing");
  errno = 0;
  char *end = nullptr;
  const double number = std::strtod(value.c_str(), &end);
  if (end != value.c_str() + value.size() || errno == ERANGE)
    throw_input_error(where, "expected a number, found '" + value + "'");
  if (!std::isfinite(number))
    throw_input_error(where, "expected a finite number, found '" + value + "'");
  return number;
}

unsigned int parse_unsigned(const std::string &text, const std::string &where)
{
  const double number = parse_double(text, where);
  if (number < 0 || number != std::floor(number) || number > 4.0e9)
    throw_input_error(where,
                      "expected a non-negative integer, found '" + trim(text) + "'");
  return static_cast<unsigned int>(number);
}

std::vector<double> parse_double_list(const std::string &text, const std::string &where,
                                      unsigned int expected_size)
{
  std::vector<double> numbers;
  if (!trim(text).empty())
    for (const auto &piece : split(text, ','))
      numbers.push_back(parse_double(piece, where));
  if (expected_size > 0 && numbers.size() != expected_size)
    throw_input_error(where, "expected " + std::to_string(expected_size) +
                                 " comma-separated numbers, found " +
                                 std::to_string(numbers.size()) + " in '" + trim(text) +
                                 "'");
  return numbers;
}

std::vector<std::pair<std::string, std::string>>
parse_key_value_list(const std::string &text, const std::string &where)
{
  std::vector<std::pair<std::string, std::string>> pairs;
  if (trim(text).empty())
    return pairs;
  for (const auto &item : split(text, ';'))
  {
    if (item.empty())
      continue;
    const auto colon = item.find(':');
    if (colon == std::string::npos)
      throw_input_error(where, "expected 'key: value' items separated by ';', found '" +
                                   item + "'");
    const std::string key = trim(item.substr(0, colon));
    if (key.empty())
      throw_input_error(where, "missing key before ':' in '" + item + "'");
    pairs.emplace_back(key, trim(item.substr(colon + 1)));
  }
  return pairs;
}

std::string resolve_input_path(const std::string &path, const std::string &base_directory)
{
  std::string resolved = trim(path);
  const std::pair<const char *, const char *> variables[] = {
      {"$FERROTHERM_DATA", FERROTHERM_DATA_DIR},
      {"$FERROTHERM_MESHES", FERROTHERM_MESH_DIR}};
  for (const auto &variable : variables)
  {
    const std::string name = variable.first;
    if (resolved.compare(0, name.size(), name) == 0)
      resolved = std::string(variable.second) + resolved.substr(name.size());
  }
  if (!resolved.empty() && resolved[0] != '/' && !base_directory.empty())
    resolved = base_directory + "/" + resolved;
  return resolved;
}
} // namespace ferrotherm
