#include "lecture.h"

#include "message_text.h"
#include "settings_table.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

// Lecture files are compiled into the static runtime library; register them before the first lookup.
static void registerLectureResources() {
    Q_INIT_RESOURCE(lectures);
}

namespace ntk {
namespace {

// A scene named by a lecture: a file beside the lecture first (so a folder of lecture and scenes can be
// copied together), then a path or built-in name as --scene takes it.
std::optional<Scene> sceneForLecture(const QString& lecturePath, const QString& name, QString& error) {
    if (!lecturePath.startsWith(':') && !QFileInfo(name).isAbsolute()) {
        const QString besideLecture = QFileInfo(lecturePath).absoluteDir().filePath(name);
        if (QFileInfo(besideLecture).isFile())
            return loadScene(besideLecture, error);
    }
    return findScene(name, error);
}

std::optional<LectureStep> readStep(const QJsonValue& value, const RunConfig& base, const QString& where,
                                    const QString& lecturePath, QString& error) {
    if (!value.isObject()) {
        error = where + ": expected an object with \"title\" and \"scene\" or \"settings\"";
        return std::nullopt;
    }
    const QJsonObject json = value.toObject();
    static const QStringList known{"title", "note", "scene", "settings"};
    for (const QString& key : json.keys())
        if (!known.contains(key)) {
            error =
                where + ": unknown key " + quotedForMessage(key) + " (a step has " + known.join(", ") + ")";
            return std::nullopt;
        }
    LectureStep step;
    step.title = json["title"].toString().simplified();
    if (step.title.isEmpty()) {
        error = where + ": \"title\" must be a non-empty string";
        return std::nullopt;
    }
    if (json.contains("note") && !json["note"].isString()) {
        error = where + ": \"note\" must be a string";
        return std::nullopt;
    }
    step.note = json["note"].toString().trimmed();
    if (json.contains("scene") == json.contains("settings")) {
        error = where + ": a step has either \"scene\" (a scene to run) or \"settings\" (a live run), not " +
                (json.contains("scene") ? "both" : "neither");
        return std::nullopt;
    }
    if (json.contains("scene")) {
        if (!json["scene"].isString() || json["scene"].toString().isEmpty()) {
            error = where + ": \"scene\" must be a scene's name or file";
            return std::nullopt;
        }
        QString problem;
        step.scene = sceneForLecture(lecturePath, json["scene"].toString(), problem);
        if (!step.scene) {
            error = where + ": scene: " + problem;
            return std::nullopt;
        }
        return step;
    }
    if (!json["settings"].isObject()) {
        error = where + ": \"settings\" must be an object of settings, as in config.json";
        return std::nullopt;
    }
    step.settings = base;
    if (auto problem = applyJson(json["settings"].toObject(), step.settings, where + ": settings")) {
        error = *problem;
        return std::nullopt;
    }
    return step;
}

} // namespace

std::optional<Lecture> loadLecture(const QString& path, QString& error) {
    const auto refuse = [&](const QString& problem) -> std::optional<Lecture> {
        error = singleLineMessage(problem);
        return std::nullopt;
    };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return refuse(path + ": " + file.errorString());
    if (file.size() > (1 << 20))
        return refuse(path + ": larger than 1 MiB, not a lecture file");
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return refuse(
            QString("%1: offset %2: %3").arg(path).arg(parseError.offset).arg(parseError.errorString()));
    if (!document.isObject())
        return refuse(path + ": expected a JSON object");
    const QJsonObject json = document.object();
    static const QStringList known{"format", "version", "title", "settings", "steps"};
    for (const QString& key : json.keys())
        if (!known.contains(key))
            return refuse(path + ": unknown key " + quotedForMessage(key));
    if (json["format"].toString() != "ntkviz-lecture")
        return refuse(path + ": \"format\" must be \"ntkviz-lecture\"");
    if (json["version"].toInt(0) > lectureFormatVersion)
        return refuse(path + QString(": version %1 is newer than this program understands (%2)")
                                 .arg(json["version"].toInt())
                                 .arg(lectureFormatVersion));
    Lecture lecture;
    lecture.path = path;
    lecture.title = json["title"].toString(QFileInfo(path).completeBaseName()).simplified();
    RunConfig base;
    if (json.contains("settings")) {
        if (!json["settings"].isObject())
            return refuse(path + ": \"settings\" must be an object of settings, as in config.json");
        if (auto problem = applyJson(json["settings"].toObject(), base, path + ": settings"))
            return refuse(*problem);
    }
    const QJsonArray steps = json["steps"].toArray();
    if (!json["steps"].isArray() || steps.isEmpty())
        return refuse(path + ": \"steps\" must be a non-empty array of steps");
    for (qsizetype i = 0; i < steps.size(); ++i) {
        QString problem;
        auto step = readStep(steps[i], base, path + QString(": step %1").arg(i + 1), path, problem);
        if (!step)
            return refuse(problem);
        lecture.steps.push_back(std::move(*step));
    }
    return lecture;
}

QStringList builtinLecturePaths() {
    registerLectureResources();
    QStringList paths;
    for (const QString& name : QDir(":/lectures").entryList({"*.json"}, QDir::Files, QDir::Name))
        paths << ":/lectures/" + name;
    return paths;
}

std::optional<Lecture> findLecture(const QString& nameOrPath, QString& error) {
    if (QFileInfo::exists(nameOrPath))
        return loadLecture(nameOrPath, error);
    registerLectureResources();
    const QString builtin = ":/lectures/" + nameOrPath + ".json";
    if (QFileInfo::exists(builtin))
        return loadLecture(builtin, error);
    QStringList names;
    for (const QString& path : builtinLecturePaths())
        names << QFileInfo(path).completeBaseName();
    error = singleLineMessage(
        nameOrPath + ": no such lecture file or built-in lecture (built-in: " + names.join(", ") + ")");
    return std::nullopt;
}

void LectureStepper::open(const Lecture& lecture, int index) {
    lecture_ = lecture;
    index_ = -1;
    if (!goTo(index))
        goTo(0);
}

void LectureStepper::close() {
    if (!lecture_)
        return;
    lecture_.reset();
    index_ = -1;
    emit closed();
}

const LectureStep* LectureStepper::current() const {
    return lecture_ && index_ >= 0 ? &lecture_->steps[std::size_t(index_)] : nullptr;
}

const LectureStep* LectureStepper::next() const {
    return lecture_ && index_ + 1 < count() ? &lecture_->steps[std::size_t(index_ + 1)] : nullptr;
}

bool LectureStepper::goNext() {
    return goTo(index_ + 1);
}

bool LectureStepper::goPrevious() {
    return index_ > 0 && goTo(index_ - 1);
}

bool LectureStepper::goTo(int index) {
    if (!lecture_ || index < 0 || index >= count() || index == index_)
        return false;
    index_ = index;
    emit stepChanged(index_);
    return true;
}

} // namespace ntk
