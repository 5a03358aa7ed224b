#pragma once
// A lecture: a JSON file listing steps, each a scene or a live setup with a title and a speaker note.
// The window steps through it with PageDown/PageUp (what presentation clickers send). Format:
//   {"format": "ntkviz-lecture", "version": 1, "title": "...",
//    "settings": {...base settings of every live step, as in config.json (optional)...},
//    "steps": [
//      {"title": "...", "note": "...", "scene": "01-l2-spectrum"},       a scene (built-in name or file,
//                                                                        relative to the lecture file), or
//      {"title": "...", "note": "...", "settings": {"l2": 0.01}}       a live run: the base plus these
//    ]}
#include "config.h"
#include "scene.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace ntk {

struct LectureStep {
    QString title;
    QString note;               // what the lecturer says or points at; shown only to the lecturer
    std::optional<Scene> scene; // a scene step; otherwise a live run with `settings`
    RunConfig settings;
};

struct Lecture {
    QString title;
    QString path;
    std::vector<LectureStep> steps;
};

inline constexpr int lectureFormatVersion = 1;

// Errors are one line naming the file, and the step (counted from 1, as the window shows it) and key.
std::optional<Lecture> loadLecture(const QString& path, QString& error);
// Lecture files shipped with the program (resources), sorted by file name.
QStringList builtinLecturePaths();
// A lecture by file path, or by the name of a built-in lecture file without ".json".
std::optional<Lecture> findLecture(const QString& nameOrPath, QString& error);

// Where a lecture stands: which step is up. Moves never leave the lecture's range, so a clicker pressed
// once too often at either end changes nothing. Every move that lands on a new step emits stepChanged,
// and the window starts that step's run.
class LectureStepper : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    void open(const Lecture& lecture, int index = 0); // goes to step `index` (the first if out of range)
    void close();
    bool active() const { return lecture_.has_value(); }
    const Lecture* lecture() const { return lecture_ ? &*lecture_ : nullptr; }
    int index() const { return index_; } // from 0; -1 while no lecture is open
    int count() const { return lecture_ ? int(lecture_->steps.size()) : 0; }
    const LectureStep* current() const;
    const LectureStep* next() const; // nullptr at the last step
    bool goNext();                   // false (and no signal) at the last step
    bool goPrevious();               // false (and no signal) at the first step
    bool goTo(int index);            // false when out of range or already there

signals:
    void stepChanged(int index);
    void closed();

private:
    std::optional<Lecture> lecture_;
    int index_ = -1;
};

} // namespace ntk
