#pragma once
#include <QByteArray>
#include <QString>
#include <functional>
#include <optional>

namespace ntk {

// Writes `bytes` to a temporary file that replaces `path` only once complete and flushed, so a crash, a
// kill, a full disk or an unwritable folder never leaves a half-written file and keeps any earlier one.
// On Linux the data are written into an unnamed file (O_TMPFILE), so an interrupted write leaves nothing;
// a kill in the instant between naming the complete file and renaming it can leave a whole copy named
// ".NAME.ntkviz-PID-RANDOM", which the next write of NAME removes. Elsewhere, QSaveFile.
// Returns an error naming the path, or nullopt on success.
std::optional<QString> writeFileAtomically(const QString& path, const QByteArray& bytes);

// The same for data made piece by piece (a large array streamed from its storage): `produce` calls the
// sink with each piece in order; the sink returns false once writing has failed, and `produce` should
// then stop. Nothing replaces `path` unless every piece was written.
using ChunkSink = std::function<bool(const char* bytes, qint64 size)>;
std::optional<QString> writeFileAtomically(const QString& path,
                                           const std::function<void(const ChunkSink&)>& produce);

} // namespace ntk
