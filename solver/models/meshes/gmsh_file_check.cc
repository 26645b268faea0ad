// check_gmsh_file: the validating pass over a Gmsh .msh file (see gmsh_file_check.h).
// The file is read line by line, as Gmsh writes it (one record per line); the section
// layouts are those of the Gmsh reference manual, "MSH file format" (versions 2.2 and
// 4.1). The sections must come in the order deal.II's reader expects: $MeshFormat,
// [$PhysicalNames], [$Entities], [$PartitionedEntities], $Nodes, $Elements, then any
// other sections (deal.II 9.4 rejects even $Comments before $Elements).
#include "models/meshes/gmsh_file_check.h"

#include "core/input_error.h"
#include "core/label_map.h"
#include "core/mesh_check.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>
#include <unordered_map>
#include <vector>

namespace ferrotherm
{
namespace
{
// The Gmsh element types deal.II's reader takes: node count and dimension.
struct ElementType
{
  int type;
  unsigned int n_nodes;
  int dimension;
};
constexpr ElementType element_types[] = {{15, 1, 0}, {1, 2, 1}, {2, 3, 2},
                                         {3, 4, 2},  {4, 4, 3}, {5, 8, 3}};

const ElementType *find_element_type(long long type)
{
  for (const ElementType &known : element_types)
    if (known.type == type)
      return &known;
  return nullptr;
}

// The line-by-line reader: the current line, its number and its whitespace-separated
// tokens; errors name the file and the line.
class MshLines
{
public:
  explicit MshLines(const std::string &file_name) : file(file_name), in(file_name)
  {
    if (!in)
      throw_input_error(file, "cannot open the mesh file");
  }

  // Reads the next non-blank line; false at the end of the file.
  bool next()
  {
    std::string text;
    while (std::getline(in, text))
    {
      ++number;
      if (!text.empty() && text.back() == '\r')
        text.pop_back();
      std::istringstream words(text);
      tokens.clear();
      for (std::string word; words >> word;)
        tokens.push_back(word);
      if (!tokens.empty())
      {
        raw = text;
        return true;
      }
    }
    return false;
  }

  // Reads the next line of the section opened on line `opened`, which must be data
  // (not a $ line) with `n_tokens` tokens (0: any number).
  void next_data(const std::string &section, unsigned int opened,
                 const std::string &expected, std::size_t n_tokens = 0)
  {
    if (!next())
      fail("the file ends inside $" + section + " (opened on line " +
           std::to_string(opened) + "); expected " + expected);
    if (tokens[0][0] == '$')
      fail("expected " + expected + ", found '" + shown() + "'" +
           (section == "MeshFormat"
                ? std::string()
                : " ($" + section + " holds fewer entries than its counts say)"));
    if (n_tokens > 0 && tokens.size() != n_tokens)
      fail("expected " + expected + " (" + std::to_string(n_tokens) +
           " values), found '" + shown() + "'");
  }

  // Reads the next line, which must be exactly `marker` (e.g. "$EndNodes").
  void expect_marker(const std::string &marker, const std::string &after)
  {
    if (!next())
      fail("the file ends before " + marker + " (expected after " + after + ")");
    if (tokens.size() != 1 || tokens[0] != marker)
      fail("expected " + marker + " after " + after + ", found '" + shown() + "'");
  }

  // Token k as an integer in [lower, upper].
  long long integer(std::size_t k, const std::string &what, long long lower,
                    long long upper) const
  {
    const std::string &token = tokens.at(k);
    errno = 0;
    char *end = nullptr;
    const long long value = std::strtoll(token.c_str(), &end, 10);
    if (end == token.c_str() || *end != '\0' || errno == ERANGE || value < lower ||
        value > upper)
      fail("expected " + what + " (an integer from " + std::to_string(lower) + " to " +
           std::to_string(upper) + "), found '" + printable(token) + "'");
    return value;
  }

  // Token k as a finite real number.
  double real(std::size_t k, const std::string &what) const
  {
    const std::string &token = tokens.at(k);
    char *end = nullptr;
    const double value = std::strtod(token.c_str(), &end);
    if (end == token.c_str() || *end != '\0' || !std::isfinite(value))
      fail("expected " + what + " (a finite number), found '" + printable(token) + "'");
    return value;
  }

  [[noreturn]] void fail(const std::string &problem) const { fail_at(number, problem); }

  [[noreturn]] void fail_at(unsigned int line, const std::string &problem) const
  {
    throw_input_error(file, "cannot read the Gmsh mesh: line " + std::to_string(line) +
                                ": " + problem);
  }

  // The current line for a message: at most 60 characters, control bytes as '?'.
  std::string shown() const { return printable(raw); }

  static std::string printable(const std::string &text)
  {
    std::string result = text.substr(0, 60);
    for (char &c : result)
      if (static_cast<unsigned char>(c) < 32 || static_cast<unsigned char>(c) > 126)
        c = '?';
    return text.size() > 60 ? result + "..." : result;
  }

  const std::string file;
  std::vector<std::string> tokens;
  std::string raw;
  unsigned int number = 0;

private:
  std::ifstream in;
};

constexpr long long max_tag = max_tissue_label;
constexpr long long max_count = std::numeric_limits<long long>::max();

struct Node
{
  long long id;
  unsigned int line;
  double x[3];
  bool in_volume_element = false;
};

class GmshFileChecker
{
public:
  explicit GmshFileChecker(const std::string &file) : lines(file) {}

  GmshFileSummary run()
  {
    read_mesh_format();
    // Rank of each section in the order deal.II reads them.
    const std::map<std::string, int> rank = {{"PhysicalNames", 1},
                                             {"Entities", 2},
                                             {"PartitionedEntities", 3},
                                             {"Nodes", 4},
                                             {"Elements", 5}};
    int last_rank = 0;
    while (lines.next())
    {
      const std::string &marker = lines.tokens[0];
      if (marker[0] != '$' || lines.tokens.size() != 1)
        lines.fail("expected the start of a section ($Name), found '" + lines.shown() +
                   "'");
      const std::string name = marker.substr(1);
      if (name.compare(0, 3, "End") == 0)
        lines.fail("'" + marker + "' closes a section that was not opened");
      const auto known = rank.find(name);
      if (known == rank.end() && last_rank < rank.at("Elements"))
        lines.fail("unexpected section $" + name + " before $Elements; expected " +
                   "$PhysicalNames, $Entities, $PartitionedEntities, $Nodes, " +
                   "$Elements in this order");
      if (known != rank.end())
      {
        if (known->second <= last_rank)
          lines.fail("the section $" + name +
                     (known->second == last_rank ? " appears twice" : " comes too late") +
                     "; expected $MeshFormat, $PhysicalNames, $Entities, " +
                     "$PartitionedEntities, $Nodes, $Elements in this order");
        last_rank = known->second;
      }
      if (name == "PhysicalNames")
        read_physical_names();
      else if (name == "Entities" && version == 4)
        read_entities();
      else if (name == "Nodes")
        version == 2 ? read_nodes_2() : read_nodes_4();
      else if (name == "Elements")
      {
        if (version == 4 && !have_entities)
          lines.fail("$Elements of MSH 4.1 take their physical tags from $Entities, "
                     "but the file has no $Entities section");
        version == 2 ? read_elements_2() : read_elements_4();
      }
      else
        skip_section(name);
    }
    if (last_rank < rank.at("Nodes"))
      lines.fail("the file ends without a $Nodes section");
    if (last_rank < rank.at("Elements"))
      lines.fail("the file ends without an $Elements section");
    check_nodes_used();
    check_distinct_coordinates();
    return summary;
  }

private:
  MshLines lines;
  int version = 0; // 2 or 4
  bool have_entities = false;
  GmshFileSummary summary;
  std::vector<Node> nodes;
  std::unordered_map<long long, std::size_t> node_of_id;
  std::map<std::pair<long long, long long>, long long> entity_physical; // (dim, tag)
  double smallest_element = std::numeric_limits<double>::infinity();

  void read_mesh_format()
  {
    if (!lines.next())
      lines.fail_at(1, "the file is empty; expected $MeshFormat");
    if (lines.tokens.size() != 1 || lines.tokens[0] != "$MeshFormat")
      lines.fail("expected $MeshFormat on the first line, found '" + lines.shown() +
                 "' (MSH 2.2 or 4.1 files start with it)");
    lines.next_data("MeshFormat", lines.number, "'version file-type data-size'", 3);
    const std::string text = lines.tokens[0];
    const long long file_type = lines.integer(1, "the file type", 0, 1);
    if (file_type == 1)
      lines.fail("binary .msh files are not supported; save the mesh as ASCII (Gmsh: "
                 "Mesh.Binary = 0, or gmsh -save -format msh41 -bin 0)");
    if (text == "2" || text == "2.0" || text == "2.1" || text == "2.2")
      version = 2;
    else if (text == "4.1")
      version = 4;
    else
      lines.fail("expected the MSH format 2.2 or 4.1, found version '" +
                 MshLines::printable(text) +
                 "' (convert with gmsh -save -format msh41 or msh22)");
    lines.integer(2, "the data size 8 (bytes of a double)", 8, 8);
    lines.expect_marker("$EndMeshFormat", "the format line");
  }

  // Reads to the $End of a section whose content is not checked.
  void skip_section(const std::string &name)
  {
    const unsigned int opened = lines.number;
    while (lines.next())
      if (lines.tokens.size() == 1 && lines.tokens[0] == "$End" + name)
        return;
    lines.fail("the file ends inside $" + name + " (opened on line " +
               std::to_string(opened) + "); expected $End" + name);
  }

  void read_physical_names()
  {
    const unsigned int opened = lines.number;
    lines.next_data("PhysicalNames", opened, "the number of physical names", 1);
    const long long count =
        lines.integer(0, "the number of physical names", 0, max_count);
    const unsigned int count_line = lines.number;
    for (long long k = 0; k < count; ++k)
    {
      lines.next_data("PhysicalNames", opened, "'dimension tag \"name\"'");
      if (lines.tokens.size() < 3)
        lines.fail("expected 'dimension tag \"name\"', found '" + lines.shown() + "'");
      const long long dimension = lines.integer(0, "the dimension", 0, 3);
      const long long tag = lines.integer(1, "the physical tag", 0, max_tag);
      // The name is the rest of the line after the tag, in double quotes.
      std::istringstream rest(lines.raw);
      std::string skipped, name;
      rest >> skipped >> skipped;
      std::getline(rest, name);
      name.erase(0, name.find_first_not_of(" \t"));
      name.erase(name.find_last_not_of(" \t") + 1);
      if (name.size() < 2 || name.front() != '"' || name.back() != '"')
        lines.fail("expected the name in double quotes, found '" + lines.shown() + "'");
      name = name.substr(1, name.size() - 2);
      if (dimension == 2)
        summary.surface_names[name] = static_cast<dealii::types::boundary_id>(tag);
    }
    lines.expect_marker("$EndPhysicalNames", "the " + std::to_string(count) +
                                                 " names counted on line " +
                                                 std::to_string(count_line));
  }

  void read_entities()
  {
    const unsigned int opened = lines.number;
    const std::string header = "'numPoints numCurves numSurfaces numVolumes'";
    lines.next_data("Entities", opened, header, 4);
    long long counts[4];
    for (unsigned int d = 0; d < 4; ++d)
      counts[d] = lines.integer(d, "an entity count", 0, max_count);
    for (long long dimension = 0; dimension < 4; ++dimension)
      for (long long k = 0; k < counts[dimension]; ++k)
      {
        // Points: tag x y z n tags...; others: tag box(6) n tags... n_bounding tags...
        const std::size_t n_physical_at = dimension == 0 ? 4 : 7;
        lines.next_data("Entities", opened,
                        "an entity of dimension " + std::to_string(dimension));
        if (lines.tokens.size() < n_physical_at + 1)
          lines.fail("expected an entity of dimension " + std::to_string(dimension) +
                     ", found '" + lines.shown() + "'");
        const long long tag = lines.integer(0, "the entity tag", 0, max_tag);
        for (std::size_t c = 1; c < n_physical_at; ++c)
          lines.real(c, "a coordinate of the entity's bounding box");
        const long long n_physical =
            lines.integer(n_physical_at, "the number of physical tags", 0, max_count);
        if (n_physical > 1)
          lines.fail("the entity " + std::to_string(tag) + " of dimension " +
                     std::to_string(dimension) + " has " + std::to_string(n_physical) +
                     " physical tags; expected at most one (deal.II's reader takes "
                     "one physical tag per entity)");
        const std::size_t bounding_at = n_physical_at + 1 + n_physical;
        std::size_t expected_size = bounding_at;
        if (dimension > 0)
        {
          if (lines.tokens.size() <= bounding_at)
            lines.fail("expected the number of bounding entities, found '" +
                       lines.shown() + "'");
          expected_size +=
              1 + lines.integer(bounding_at, "the number of bounding entities", 0,
                                static_cast<long long>(lines.tokens.size()));
        }
        if (lines.tokens.size() != expected_size)
          lines.fail("expected " + std::to_string(expected_size) +
                     " values for the entity " + std::to_string(tag) + ", found " +
                     std::to_string(lines.tokens.size()));
        const long long physical =
            n_physical == 0
                ? 0
                : lines.integer(n_physical_at + 1, "the physical tag", 0, max_tag);
        for (std::size_t c = bounding_at; c < expected_size; ++c)
          lines.integer(c, "a bounding entity tag", -max_tag, max_tag);
        if (!entity_physical.emplace(std::make_pair(dimension, tag), physical).second)
          lines.fail("the entity " + std::to_string(tag) + " of dimension " +
                     std::to_string(dimension) + " is defined twice");
      }
    lines.expect_marker("$EndEntities",
                        "the entities counted on line " + std::to_string(opened + 1));
    have_entities = true;
  }

  void add_node(long long id, unsigned int line, const double x[3])
  {
    const auto inserted = node_of_id.emplace(id, nodes.size());
    if (!inserted.second)
      lines.fail_at(line, "the node id " + std::to_string(id) +
                              " is used twice (first on line " +
                              std::to_string(nodes[inserted.first->second].line) +
                              "); expected unique node ids");
    nodes.push_back({id, line, {x[0], x[1], x[2]}});
  }

  void read_coordinates(std::size_t first, double x[3])
  {
    for (unsigned int d = 0; d < 3; ++d)
      x[d] = lines.real(first + d, "a node coordinate");
  }

  void read_nodes_2()
  {
    const unsigned int opened = lines.number;
    lines.next_data("Nodes", opened, "the number of nodes", 1);
    const long long count = lines.integer(0, "the number of nodes", 0, max_count);
    for (long long k = 0; k < count; ++k)
    {
      lines.next_data("Nodes", opened, "a node 'id x y z'", 4);
      double x[3];
      const long long id = lines.integer(0, "the node id", 0, max_tag);
      read_coordinates(1, x);
      add_node(id, lines.number, x);
    }
    lines.expect_marker("$EndNodes", "the " + std::to_string(count) +
                                         " nodes counted on line " +
                                         std::to_string(opened + 1));
  }

  void read_nodes_4()
  {
    const unsigned int opened = lines.number;
    lines.next_data("Nodes", opened, "'numEntityBlocks numNodes minNodeTag maxNodeTag'",
                    4);
    const long long n_blocks =
        lines.integer(0, "the number of node blocks", 0, max_count);
    const long long count = lines.integer(1, "the number of nodes", 0, max_count);
    const long long min_tag = lines.integer(2, "the smallest node tag", 0, max_tag);
    const long long max_node_tag = lines.integer(3, "the largest node tag", 0, max_tag);
    long long read = 0;
    for (long long b = 0; b < n_blocks; ++b)
    {
      lines.next_data("Nodes", opened,
                      "a node block 'entityDim entityTag parametric numNodes'", 4);
      lines.integer(0, "the entity dimension", 0, 3);
      lines.integer(1, "the entity tag", 0, max_tag);
      if (lines.integer(2, "the parametric flag", 0, 1) == 1)
        lines.fail("parametric node coordinates are not supported; save the mesh "
                   "without them (Gmsh: Mesh.SaveParametric = 0)");
      const long long in_block = lines.integer(3, "the number of nodes", 0, max_count);
      std::vector<std::pair<long long, unsigned int>> tags; // (tag, line)
      for (long long k = 0; k < in_block; ++k)
      {
        lines.next_data("Nodes", opened, "a node tag", 1);
        tags.emplace_back(lines.integer(0, "a node tag between the header's bounds",
                                        min_tag, max_node_tag),
                          lines.number);
      }
      for (const auto &tag : tags)
      {
        lines.next_data("Nodes", opened, "the coordinates 'x y z' of a node", 3);
        double x[3];
        read_coordinates(0, x);
        add_node(tag.first, tag.second, x);
      }
      read += in_block;
    }
    if (read != count)
      lines.fail("the $Nodes header on line " + std::to_string(opened + 1) + " counts " +
                 std::to_string(count) + " nodes, its blocks hold " +
                 std::to_string(read));
    lines.expect_marker("$EndNodes", "the " + std::to_string(n_blocks) +
                                         " node blocks counted on line " +
                                         std::to_string(opened + 1));
  }

  // Checks the node references of the element on the current line, from token `first`.
  void use_nodes(std::size_t first, const ElementType &type, long long element)
  {
    std::vector<std::size_t> element_nodes;
    double low[3], high[3];
    for (std::size_t k = first; k < first + type.n_nodes; ++k)
    {
      const long long id = lines.integer(k, "a node id", 0, max_tag);
      const auto node = node_of_id.find(id);
      if (node == node_of_id.end())
        lines.fail("the element " + std::to_string(element) + " refers to the node " +
                   std::to_string(id) + ", which $Nodes does not define");
      if (std::find(element_nodes.begin(), element_nodes.end(), node->second) !=
          element_nodes.end())
        lines.fail("the element " + std::to_string(element) + " lists the node " +
                   std::to_string(id) + " twice; expected distinct nodes");
      element_nodes.push_back(node->second);
      const Node &n = nodes[node->second];
      for (unsigned int d = 0; d < 3; ++d)
      {
        low[d] = k == first ? n.x[d] : std::min(low[d], n.x[d]);
        high[d] = k == first ? n.x[d] : std::max(high[d], n.x[d]);
      }
    }
    if (type.dimension == 3)
    {
      for (const std::size_t n : element_nodes)
        nodes[n].in_volume_element = true;
      const double size =
          std::hypot(high[0] - low[0], high[1] - low[1], high[2] - low[2]);
      if (size > 0)
        smallest_element = std::min(smallest_element, size);
    }
  }

  const ElementType &element_type(std::size_t k)
  {
    const long long type = lines.integer(k, "the element type", 0, max_tag);
    const ElementType *known = find_element_type(type);
    if (known == nullptr)
      lines.fail("unsupported element type " + std::to_string(type) +
                 "; expected 1 (line), 2 (triangle), 3 (quadrangle), 4 (tetrahedron), "
                 "5 (hexahedron) or 15 (point) - first-order elements only");
    return *known;
  }

  void read_elements_2()
  {
    const unsigned int opened = lines.number;
    lines.next_data("Elements", opened, "the number of elements", 1);
    const long long count = lines.integer(0, "the number of elements", 0, max_count);
    const std::string layout = "an element 'id type numTags tags... nodes...'";
    for (long long k = 0; k < count; ++k)
    {
      lines.next_data("Elements", opened, layout);
      if (lines.tokens.size() < 3)
        lines.fail("expected " + layout + ", found '" + lines.shown() + "'");
      const long long id = lines.integer(0, "the element id", 0, max_tag);
      const ElementType &type = element_type(1);
      const std::size_t n_tags = static_cast<std::size_t>(lines.integer(
          2, "the number of tags", 0, static_cast<long long>(lines.tokens.size()) - 3));
      const std::size_t expected = 3 + n_tags + type.n_nodes;
      if (lines.tokens.size() != expected)
        lines.fail("expected " + std::to_string(expected) + " values (" +
                   std::to_string(n_tags) + " tags and " + std::to_string(type.n_nodes) +
                   " nodes), found " + std::to_string(lines.tokens.size()));
      // Tags: physical, elementary (non-negative), then partitions (signed).
      for (std::size_t t = 0; t < n_tags; ++t)
        lines.integer(3 + t, t == 0 ? "the physical tag" : "a tag", t < 2 ? 0 : -max_tag,
                      max_tag);
      use_nodes(3 + n_tags, type, id);
    }
    lines.expect_marker("$EndElements", "the " + std::to_string(count) +
                                            " elements counted on line " +
                                            std::to_string(opened + 1));
  }

  void read_elements_4()
  {
    const unsigned int opened = lines.number;
    lines.next_data("Elements", opened,
                    "'numEntityBlocks numElements minElementTag maxElementTag'", 4);
    const long long n_blocks =
        lines.integer(0, "the number of element blocks", 0, max_count);
    const long long count = lines.integer(1, "the number of elements", 0, max_count);
    const long long min_tag = lines.integer(2, "the smallest element tag", 0, max_tag);
    const long long max_element_tag =
        lines.integer(3, "the largest element tag", 0, max_tag);
    long long read = 0;
    for (long long b = 0; b < n_blocks; ++b)
    {
      lines.next_data("Elements", opened,
                      "an element block 'entityDim entityTag elementType numElements'",
                      4);
      const long long dimension = lines.integer(0, "the entity dimension", 0, 3);
      const long long entity = lines.integer(1, "the entity tag", 0, max_tag);
      const ElementType &type = element_type(2);
      if (type.dimension != dimension)
        lines.fail("elements of type " + std::to_string(type.type) + " have dimension " +
                   std::to_string(type.dimension) + ", but the block's entity has " +
                   "dimension " + std::to_string(dimension));
      if (entity_physical.count({dimension, entity}) == 0)
        lines.fail("the element block refers to the entity " + std::to_string(entity) +
                   " of dimension " + std::to_string(dimension) +
                   ", which $Entities does not define");
      const long long in_block = lines.integer(3, "the number of elements", 0, max_count);
      for (long long k = 0; k < in_block; ++k)
      {
        lines.next_data("Elements", opened, "an element 'tag nodes...'",
                        1 + type.n_nodes);
        const long long id = lines.integer(
            0, "an element tag between the header's bounds", min_tag, max_element_tag);
        use_nodes(1, type, id);
      }
      read += in_block;
    }
    if (read != count)
      lines.fail("the $Elements header on line " + std::to_string(opened + 1) +
                 " counts " + std::to_string(count) + " elements, its blocks hold " +
                 std::to_string(read));
    lines.expect_marker("$EndElements", "the " + std::to_string(n_blocks) +
                                            " element blocks counted on line " +
                                            std::to_string(opened + 1));
  }

  void check_nodes_used() const
  {
    std::size_t n_unused = 0;
    const Node *first = nullptr;
    for (const Node &node : nodes)
      if (!node.in_volume_element)
      {
        ++n_unused;
        if (first == nullptr)
          first = &node;
      }
    if (first != nullptr)
      lines.fail_at(first->line, "the node " + std::to_string(first->id) +
                                     " belongs to no volume element (" +
                                     std::to_string(n_unused) + " of the " +
                                     std::to_string(nodes.size()) +
                                     " nodes are unused); expected every node in a "
                                     "volume element (remove unused nodes, or put "
                                     "every volume in a physical group)");
  }

  // Two nodes closer than 1e-6 of the smallest volume element are one point stored
  // twice: the elements on either side are not connected.
  void check_distinct_coordinates() const
  {
    const double tolerance =
        std::isfinite(smallest_element) ? 1e-6 * smallest_element : 0.0;
    std::vector<dealii::Point<3>> points(nodes.size());
    for (std::size_t k = 0; k < nodes.size(); ++k)
      points[k] = dealii::Point<3>(nodes[k].x[0], nodes[k].x[1], nodes[k].x[2]);
    if (const auto pair = find_coincident_points(points, tolerance))
    {
      const Node &a = nodes[pair->first];
      const Node &b = nodes[pair->second];
      std::ostringstream point;
      point << "(" << a.x[0] << ", " << a.x[1] << ", " << a.x[2] << ")";
      lines.fail_at(b.line, "the nodes " + std::to_string(a.id) + " (line " +
                                std::to_string(a.line) + ") and " + std::to_string(b.id) +
                                " are at the same point " + point.str() +
                                "; expected distinct coordinates (merge repeated "
                                "nodes, e.g. Gmsh: Coherence Mesh)");
    }
  }
};
} // namespace

GmshFileSummary check_gmsh_file(const std::string &file)
{
  return GmshFileChecker(file).run();
}
} // namespace ferrotherm
