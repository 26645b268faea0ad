// Parsing of the small structured strings used in parameter values and CSV cells
// ("0.05, 0.05, 0.05", "2: 10; 3: 5", "x_min: fixed temperature 37"), with errors that
// name the parameter and say what was expected. Numbers must be finite.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ferrotherm
{
// Removes a leading UTF-8 byte order mark (EF BB BF), which Excel and Windows editors
// put at the start of CSV and text files; call it on the first line of every file read.
void strip_byte_order_mark(std::string &text);

// Trims blanks at both ends.
std::string trim(const std::string &text);

// Splits at `separator` and trims each piece; empty pieces are kept.
std::vector<std::string> split(const std::string &text, char separator);

// A finite double; `where` names the parameter or file position for the error message.
double parse_double(const std::string &text, const std::string &where);

// A non-negative integer.
unsigned int parse_unsigned(const std::string &text, const std::string &where);

// Comma-separated finite doubles; `expected_size` 0 means any length.
std::vector<double> parse_double_list(const std::string &text, const std::string &where,
                                      unsigned int expected_size = 0);

// "key: value; key: value" (an empty string gives an empty list).
std::vector<std::pair<std::string, std::string>>
parse_key_value_list(const std::string &text, const std::string &where);

// Replaces $FERROTHERM_DATA and $FERROTHERM_MESHES, and makes a relative path relative
// to `base_directory` (the directory of the parameter file).
std::string resolve_input_path(const std::string &path,
                               const std::string &base_directory);
} // namespace ferrotherm
