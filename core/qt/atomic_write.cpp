#include "atomic_write.h"

#include <QSaveFile>

namespace ntk {

std::optional<QString> writeFileAtomically(const QString& path, const QByteArray& bytes) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return path + ": cannot write: " + file.errorString();
    if (file.write(bytes) != bytes.size()) {
        const QString reason = file.errorString();
        file.cancelWriting();
        return path + ": write failed: " + reason;
    }
    if (!file.commit())
        return path + ": cannot finish writing: " + file.errorString();
    return std::nullopt;
}

} // namespace ntk
