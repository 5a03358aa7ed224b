#include "crash_recovery.h"

#include <QDir>
#include <QFileInfo>
#include <QLockFile>

namespace ntk {

CrashRecovery::CrashRecovery(const QString& directory)
    : directory_(directory) {
    if (directory.isEmpty() || !QDir().mkpath(directory))
        return;
    const QString lockPath = QDir(directory).filePath(lockFileName);
    const bool lockLeftBehind = QFileInfo::exists(lockPath);
    lock_ = std::make_unique<QLockFile>(lockPath);
    // Only a dead owner makes the lock stale, never its age: a lecture can keep the app open for hours.
    lock_->setStaleLockTime(0);
    active_ = lock_->tryLock(0);
    crashed_ = active_ && lockLeftBehind && QFileInfo::exists(autosavePath());
}

CrashRecovery::~CrashRecovery() = default;

QString CrashRecovery::autosavePath() const {
    return QDir(directory_).filePath(autosaveFileName);
}

std::optional<QString> CrashRecovery::autosave(const Session& session) {
    if (!active_)
        return std::nullopt;
    return saveSessionFile(autosavePath(), session);
}

void CrashRecovery::markCleanExit() {
    if (lock_)
        lock_->unlock();
    active_ = false;
}

} // namespace ntk
