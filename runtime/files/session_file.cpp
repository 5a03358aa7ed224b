// The disk side of sessions: reading with a size limit and the scene check, and atomic writing. Apart
// from session.cpp so that the format can be fuzzed without files or the built-in scenes.
#include "session.h"

#include "atomic_write.h"
#include "scene.h"

#include <QFile>
#include <QFileInfo>

namespace ntk {

namespace {
constexpr qint64 maxSessionBytes = 1 << 20;
} // namespace

std::optional<Session> loadSessionFile(const QString& path, QString& error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error = path + ": " + file.errorString();
        return std::nullopt;
    }
    if (file.size() > maxSessionBytes) {
        error = path + ": larger than 1 MiB, not a session file";
        return std::nullopt;
    }
    auto session = parseSession(file.read(maxSessionBytes + 1), path, error);
    if (session && !session->scene.isEmpty()) {
        QString sceneError;
        if (!findScene(session->scene, sceneError)) {
            error = path + ": scene: " + sceneError;
            return std::nullopt;
        }
    }
    return session;
}

std::optional<QString> saveSessionFile(const QString& path, const Session& session) {
    return writeFileAtomically(path, sessionFileBytes(session));
}

namespace {
QString nameOrAbsolutePath(const QString& path, const QString& builtinFolder) {
    if (path.startsWith(builtinFolder))
        return QFileInfo(path).completeBaseName();
    return path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
}
} // namespace

QString sessionSceneName(const QString& scenePath) {
    return nameOrAbsolutePath(scenePath, ":/scenes/");
}

QString sessionLectureName(const QString& lecturePath) {
    return nameOrAbsolutePath(lecturePath, ":/lectures/");
}

} // namespace ntk
