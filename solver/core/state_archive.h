// StateArchive: the scalar part of a module's state (counters, clocks, schedule
// progress, controller and balance accumulators) written to and read from one byte
// buffer by the same code: a module's serialize_state(archive) lists its members with
// `archive & member` and works in both directions. Arithmetic values, enums and
// trivially copyable structs are stored bytewise (doubles exactly); std::string,
// std::vector, std::map, std::set, std::pair and std::array element by element. Each
// module's record is framed by its name and size (see ModuleState), so a record that
// does not match the code reading it is an error, never misread state.
#pragma once

#include <array>
#include <cstring>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ferrotherm
{
class StateArchive
{
public:
  // An archive to write into.
  StateArchive() = default;
  // An archive reading `data`.
  explicit StateArchive(std::string data) : buffer(std::move(data)), reading(true) {}

  bool loading() const { return reading; }
  const std::string &data() const { return buffer; }
  bool at_end() const { return position == buffer.size(); }

  template <typename T> StateArchive &operator&(T &value)
  {
    item(value);
    return *this;
  }

private:
  std::string buffer;
  std::size_t position = 0;
  bool reading = false;

  void bytes(void *data, std::size_t size)
  {
    if (!reading)
    {
      buffer.append(static_cast<const char *>(data), size);
      return;
    }
    if (position + size > buffer.size())
      throw std::runtime_error("the stored state ends early (it was written by a "
                               "different version of the program)");
    std::memcpy(data, buffer.data() + position, size);
    position += size;
  }

  template <typename T> void item(T &value)
  {
    static_assert(std::is_trivially_copyable<T>::value,
                  "StateArchive stores trivially copyable values bytewise");
    bytes(&value, sizeof(T));
  }
  void item(std::string &text)
  {
    std::size_t size = text.size();
    item(size);
    if (reading)
      text.resize(size);
    if (size > 0)
      bytes(&text[0], size);
  }
  template <typename T> void item(std::vector<T> &values)
  {
    std::size_t size = values.size();
    item(size);
    if (reading)
      values.resize(size);
    for (auto &value : values)
      item(value);
  }
  void item(std::vector<bool> &values)
  {
    std::size_t size = values.size();
    item(size);
    if (reading)
      values.resize(size);
    for (std::size_t i = 0; i < size; ++i)
    {
      bool value = values[i];
      item(value);
      values[i] = value;
    }
  }
  template <typename T, std::size_t n> void item(std::array<T, n> &values)
  {
    for (auto &value : values)
      item(value);
  }
  template <typename A, typename B> void item(std::pair<A, B> &value)
  {
    item(value.first);
    item(value.second);
  }
  template <typename K, typename V> void item(std::map<K, V> &values)
  {
    std::size_t size = values.size();
    item(size);
    if (!reading)
    {
      for (auto &entry : values)
      {
        K key = entry.first;
        item(key);
        item(entry.second);
      }
      return;
    }
    values.clear();
    for (std::size_t i = 0; i < size; ++i)
    {
      std::pair<K, V> entry;
      item(entry);
      values.insert(std::move(entry));
    }
  }
  template <typename K> void item(std::set<K> &values)
  {
    std::vector<K> list(values.begin(), values.end());
    item(list);
    if (reading)
      values = std::set<K>(list.begin(), list.end());
  }
};
} // namespace ferrotherm
