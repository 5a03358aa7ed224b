#pragma once
// A session: the whole setup of the app in one versioned JSON file, so that a demo or an experiment can be
// reopened exactly as it was. Format:
//   {"format": "ntkviz-session", "version": 1 (2 with "lecture"),
//    "settings": {...exactly config.json, seed included...},
//    "reference": {"settings": {...}, "epochs": 40} | null   the pinned run, re-run to rebuild it
//    "scene": "01-l2-spectrum" | "/path/scene.json" | ""     the open scene, by built-in name or file
//    "view": {"presentation_scale": 1.0, "speed_limit": 0},  optional
//    "lecture": {"source": "regularization-and-the-ntk" | "/path/lecture.json",
//                "step": 3, "step_title": "..."}}           optional: the open lecture and its step
// "step" counts from 1, as the window shows it; "step_title" is that step's title when the session was
// saved, so that a lecture file edited since (steps added, removed or reordered) is noticed instead of
// reopening at a different step. A file without a lecture is written as version 1, exactly as before, so
// that older versions of ntkviz still open it; only a file that holds a lecture needs version 2.
// The pinned reference is stored as its settings and the last epoch it had, not as numbers: training is
// deterministic for a given config and seed on the same machine, so re-running reproduces it bit for bit
// and the file stays a few kilobytes instead of carrying n x n kernels.
//
// Loading is strict like config files: a truncated file, a wrong type, an unknown key, a newer version or
// an out-of-range value is refused with one line naming the file and the field, and nothing is applied.
#include "config.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace ntk {

inline constexpr int sessionFormatVersion = 2;

struct PinnedReference {
    RunConfig config;
    int epochs = 0; // the last epoch the pinned run had reached; the rebuilt reference stops there
};

struct SessionView {
    double presentationScale = 1.0;
    double speedLimit = 0.0; // epochs per second; 0 = as fast as possible
    static constexpr double minScale = 0.7, maxScale = 3.0, maxSpeedLimit = 1000.0;
};

// The open lecture. Where it stood is restored; the lecture itself is read again from `source` when the
// session opens (a missing or changed lecture leaves the rest of the session to open without it).
struct SessionLecture {
    QString source;    // built-in lecture name or lecture file path
    int step = 0;      // from 0 (the file counts from 1)
    QString stepTitle; // the title of that step when the session was saved
    static constexpr int maxSteps = 100000;
    bool operator==(const SessionLecture&) const = default;
};

struct Session {
    RunConfig config;
    std::optional<PinnedReference> reference;
    QString scene; // built-in scene name or scene file path; empty when no scene is open
    SessionView view;
    std::optional<SessionLecture> lecture;
};

QByteArray sessionFileBytes(const Session& session);
// `source` names the file in error messages. Does not look at the disk (the scene is not resolved).
std::optional<Session> parseSession(const QByteArray& bytes, const QString& source, QString& error);
// Reads and parses `path`, and checks that the scene it names can be found.
std::optional<Session> loadSessionFile(const QString& path, QString& error);
// Written atomically: an error leaves any earlier file as it was.
std::optional<QString> saveSessionFile(const QString& path, const Session& session);
// The name a session stores for a scene loaded from `scenePath`: built-in scenes by name, others by path.
QString sessionSceneName(const QString& scenePath);
// The same for a lecture loaded from `lecturePath`.
QString sessionLectureName(const QString& lecturePath);

} // namespace ntk
