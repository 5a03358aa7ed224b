#pragma once
// The runtime layer's one error convention: whatever a run or a file operation throws becomes one line
// of text for the user (a data file's problem names the file and line; settings name the setting), or
// nothing when the work was cancelled on purpose.
#include <QString>
#include <exception>
#include <optional>

namespace ntk {

// nullopt for ntk::Cancelled. Rethrows nothing: unknown exception types get a generic message.
std::optional<QString> failureMessage(const std::exception_ptr& error);

} // namespace ntk
