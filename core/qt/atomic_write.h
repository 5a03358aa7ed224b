#pragma once
#include <QByteArray>
#include <QString>
#include <optional>

namespace ntk {

// Writes through QSaveFile: the data go to a temporary file that replaces `path` only once complete, so a
// crash, a full disk or an unwritable folder never leaves a half-written file and keeps any earlier one.
// Returns an error naming the path, or nullopt on success.
std::optional<QString> writeFileAtomically(const QString& path, const QByteArray& bytes);

} // namespace ntk
