// LabelMap<T>: a value per tissue label (deal.II material id, an unsigned int) for labels
// of any value. A mesh holds a few labels, but they may be large (Gmsh physical tags go
// up to 2^31 - 1), so nothing is sized by the largest label: the values live in a
// std::map (references stay valid when labels are added). Reading an absent label through
// the const operator[] gives the value chosen at construction (null for pointers).
#pragma once

#include <map>

namespace ferrotherm
{
// The largest label a mesh can carry: Gmsh's physical tags are positive C ints.
constexpr unsigned int max_tissue_label = 2147483647;

template <typename T> class LabelMap
{
public:
  explicit LabelMap(const T &absent_value = T()) : absent(absent_value) {}

  // The value of `label`, added with the absent value if the label is new.
  T &operator[](unsigned int label)
  {
    return values.try_emplace(label, absent).first->second;
  }

  // The value of `label`, or the absent value.
  const T &operator[](unsigned int label) const
  {
    const auto entry = values.find(label);
    return entry == values.end() ? absent : entry->second;
  }

  void clear() { values.clear(); }

private:
  std::map<unsigned int, T> values;
  T absent;
};
} // namespace ferrotherm
