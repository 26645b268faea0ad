// ModuleState: registry of the modules' vectors and scalar records (see module_state.h).
#include "core/module_state.h"

namespace ferrotherm
{
void ModuleState::add_vector(const std::string &name,
                             const dealii::DoFHandler<3, 3> &dof_handler,
                             FieldVector &vector)
{
  vector_entries.push_back({current_module + "/" + name, &dof_handler, &vector, nullptr});
}

void ModuleState::add_vector(const std::string &name,
                             const dealii::DoFHandler<3, 3> &dof_handler,
                             LA::MPI::Vector &vector)
{
  vector_entries.push_back({current_module + "/" + name, &dof_handler, nullptr, &vector});
}

void ModuleState::add_record(std::function<void(StateArchive &)> serialize)
{
  records.push_back({current_module, std::move(serialize)});
}

std::string ModuleState::save_records() const
{
  StateArchive all;
  for (const auto &record : records)
  {
    StateArchive archive;
    record.serialize(archive);
    std::string name = record.name;
    std::string data = archive.data();
    all &name &data;
  }
  std::size_t count = records.size();
  StateArchive framed;
  std::string body = all.data();
  framed &count &body;
  return framed.data();
}

void ModuleState::load_records(const std::string &data) const
{
  StateArchive framed(data);
  std::size_t count = 0;
  std::string body;
  framed &count &body;
  if (count != records.size())
    throw std::runtime_error("the stored state has " + std::to_string(count) +
                             " module records, this run has " +
                             std::to_string(records.size()) +
                             " (different modules or program version)");
  StateArchive all(body);
  for (const auto &record : records)
  {
    std::string name, bytes;
    all &name &bytes;
    if (name != record.name)
      throw std::runtime_error("the stored state holds the record of '" + name +
                               "' where this run expects '" + record.name + "'");
    StateArchive archive(bytes);
    record.serialize(archive);
    if (!archive.at_end())
      throw std::runtime_error("the stored state of '" + name +
                               "' is longer than this program reads (it was written "
                               "by a different version)");
  }
}
} // namespace ferrotherm
