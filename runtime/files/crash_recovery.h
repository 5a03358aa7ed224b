#pragma once
// Crash recovery: while the app runs it holds a lock file in `directory` and keeps its session autosaved
// beside it. A clean exit releases the lock. A lock left behind by a process that no longer exists means
// the last run ended without its clean-exit path (a crash, a kill, a power cut), and its autosave is
// worth offering back. A lock held by a live process means another instance is running: that one owns
// the autosave, so this one neither offers nor writes it.
#include "session.h"

#include <QString>
#include <memory>
#include <optional>

class QLockFile;

namespace ntk {

class CrashRecovery {
public:
    explicit CrashRecovery(const QString& directory);
    ~CrashRecovery(); // releases the lock like markCleanExit()

    bool active() const { return active_; }
    // True when the previous run did not exit cleanly and left an autosave to restore.
    bool previousRunEndedUncleanly() const { return crashed_; }
    QString autosavePath() const;
    // Atomic, so a crash during the autosave itself still leaves the previous autosave whole.
    std::optional<QString> autosave(const Session& session);
    void markCleanExit();

    static constexpr const char* lockFileName = "ntkviz.lock";
    static constexpr const char* autosaveFileName = "autosave.ntkviz-session.json";

private:
    QString directory_;
    std::unique_ptr<QLockFile> lock_;
    bool active_ = false;
    bool crashed_ = false;
};

} // namespace ntk
