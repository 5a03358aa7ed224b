#include "session.h"

#include "settings_table.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QStringList>
#include <algorithm>
#include <cmath>

namespace ntk {
namespace {

// One line per error, whatever the file holds: control characters (newlines too) become spaces.
QString withoutControlCharacters(QString text) {
    for (QChar& c : text)
        if (c.category() == QChar::Other_Control)
            c = ' ';
    return text;
}

// Text quoted from the file: also cut, so that a huge key cannot flood the error line.
QString oneLine(const QString& text) {
    return withoutControlCharacters(text.left(80));
}

// The settings' own messages quote keys and values as they are (see tests/fuzz/crashes/README.md).
std::optional<QString> applySettings(const QJsonObject& json, RunConfig& config, const QString& source) {
    if (auto error = applyJson(json, config, source))
        return withoutControlCharacters(*error);
    return std::nullopt;
}

QString describe(const QJsonValue& value) {
    if (value.isString())
        return '"' + oneLine(value.toString()) + '"';
    if (value.isBool())
        return value.toBool() ? "true" : "false";
    if (value.isNull())
        return "null";
    if (value.isArray())
        return "an array";
    if (value.isObject())
        return "an object";
    if (value.isUndefined())
        return "nothing";
    return QString::number(value.toDouble(), 'g', 17);
}

QString expected(const QString& field, const QString& what, const QJsonValue& got) {
    return QString("%1: expected %2, got %3").arg(field, what, describe(got));
}

std::optional<QString> unknownKey(const QJsonObject& object, const QStringList& known, const QString& where) {
    for (auto it = object.begin(); it != object.end(); ++it)
        if (!known.contains(it.key()))
            return QString("%1unknown key \"%2\"").arg(where, oneLine(it.key()));
    return std::nullopt;
}

std::optional<QString> readReference(const QJsonValue& value, const QString& prefix,
                                     std::optional<PinnedReference>& reference) {
    if (value.isNull())
        return std::nullopt;
    if (!value.isObject())
        return prefix + expected("reference", "an object or null", value);
    const QJsonObject object = value.toObject();
    if (auto error = unknownKey(object, {"settings", "epochs"}, prefix + "reference: "))
        return error;
    if (!object["settings"].isObject())
        return prefix + expected("reference: settings", "an object", object["settings"]);
    PinnedReference pinned;
    if (auto error =
            applySettings(object["settings"].toObject(), pinned.config, prefix + "reference: settings"))
        return error;
    const QJsonValue epochs = object["epochs"];
    const double e = epochs.toDouble(-1);
    if (!epochs.isDouble() || e != std::floor(e) || e < 0 || e > pinned.config.epochs)
        return prefix +
               expected("reference: epochs",
                        QString("an integer from 0 to %1 (the reference's epochs)").arg(pinned.config.epochs),
                        epochs);
    pinned.epochs = int(e);
    reference = pinned;
    return std::nullopt;
}

std::optional<QString> readNumber(const QJsonObject& object, const QString& key, double low, double high,
                                  const QString& prefix, double& out) {
    if (!object.contains(key))
        return std::nullopt;
    const QJsonValue value = object[key];
    if (!value.isDouble() || !std::isfinite(value.toDouble()) || value.toDouble() < low ||
        value.toDouble() > high)
        return prefix + expected("view: " + key, QString("a number from %1 to %2").arg(low).arg(high), value);
    out = value.toDouble();
    return std::nullopt;
}

std::optional<QString> readView(const QJsonValue& value, const QString& prefix, SessionView& view) {
    if (!value.isObject())
        return prefix + expected("view", "an object", value);
    const QJsonObject object = value.toObject();
    if (auto error = unknownKey(object, {"presentation_scale", "speed_limit"}, prefix + "view: "))
        return error;
    if (auto error = readNumber(object, "presentation_scale", SessionView::minScale, SessionView::maxScale,
                                prefix, view.presentationScale))
        return error;
    return readNumber(object, "speed_limit", 0.0, SessionView::maxSpeedLimit, prefix, view.speedLimit);
}

// A name or title stored as one line; control characters would break the one-line messages quoting it.
bool isOneLine(const QJsonValue& value) {
    const QString text = value.toString();
    return value.isString() && std::none_of(text.begin(), text.end(),
                                            [](QChar c) { return c.category() == QChar::Other_Control; });
}

std::optional<QString> readLecture(const QJsonValue& value, const QString& prefix,
                                   std::optional<SessionLecture>& lecture) {
    if (value.isNull())
        return std::nullopt;
    if (!value.isObject())
        return prefix + expected("lecture", "an object or null", value);
    const QJsonObject object = value.toObject();
    if (auto error = unknownKey(object, {"source", "step", "step_title"}, prefix + "lecture: "))
        return error;
    SessionLecture read;
    if (!isOneLine(object["source"]) || object["source"].toString().isEmpty())
        return prefix +
               expected("lecture: source", "a lecture name or file path on one line", object["source"]);
    read.source = object["source"].toString();
    const QJsonValue step = object["step"];
    const double s = step.toDouble(-1);
    if (!step.isDouble() || s != std::floor(s) || s < 1 || s > SessionLecture::maxSteps)
        return prefix + expected("lecture: step",
                                 QString("an integer from 1 to %1").arg(SessionLecture::maxSteps), step);
    read.step = int(s) - 1;
    if (!isOneLine(object["step_title"]))
        return prefix + expected("lecture: step_title", "the step's title on one line", object["step_title"]);
    read.stepTitle = object["step_title"].toString();
    lecture = read;
    return std::nullopt;
}

} // namespace

QByteArray sessionFileBytes(const Session& session) {
    QJsonObject json;
    json["format"] = "ntkviz-session";
    json["version"] = session.lecture ? sessionFormatVersion : 1; // see session.h
    json["settings"] = configToJson(session.config);
    if (session.reference) {
        QJsonObject reference;
        reference["settings"] = configToJson(session.reference->config);
        reference["epochs"] = session.reference->epochs;
        json["reference"] = reference;
    } else {
        json["reference"] = QJsonValue::Null;
    }
    json["scene"] = session.scene;
    QJsonObject view;
    view["presentation_scale"] = session.view.presentationScale;
    view["speed_limit"] = session.view.speedLimit;
    json["view"] = view;
    if (session.lecture) {
        QJsonObject lecture;
        lecture["source"] = session.lecture->source;
        lecture["step"] = session.lecture->step + 1;
        lecture["step_title"] = session.lecture->stepTitle;
        json["lecture"] = lecture;
    }
    return QJsonDocument(json).toJson(QJsonDocument::Indented);
}

std::optional<Session> parseSession(const QByteArray& bytes, const QString& source, QString& error) {
    const QString prefix = source + ": ";
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        error = QString("%1offset %2: %3").arg(prefix).arg(parseError.offset).arg(parseError.errorString());
        return std::nullopt;
    }
    if (!document.isObject()) {
        error = prefix + "expected a JSON object";
        return std::nullopt;
    }
    const QJsonObject json = document.object();
    const QJsonValue format = json["format"];
    if (format.toString() != "ntkviz-session") {
        error = prefix + expected("format", "\"ntkviz-session\"", format);
        if (format.toString() == "ntkviz-config")
            error += " (a settings file: open it with File > Open settings or --config)";
        return std::nullopt;
    }
    const QJsonValue version = json["version"];
    if (!version.isDouble() || version.toDouble() != std::floor(version.toDouble()) ||
        version.toDouble() < 1) {
        error = prefix + expected("version", "a positive integer", version);
        return std::nullopt;
    }
    if (version.toDouble() > sessionFormatVersion) {
        error = prefix + QString("version %1 is newer than this program understands (%2); update ntkviz")
                             .arg(describe(version))
                             .arg(sessionFormatVersion);
        return std::nullopt;
    }
    if (auto problem = unknownKey(
            json, {"format", "version", "settings", "reference", "scene", "view", "lecture"}, prefix)) {
        error = *problem;
        return std::nullopt;
    }
    Session session;
    if (!json["settings"].isObject()) {
        error = prefix + expected("settings", "an object", json["settings"]);
        return std::nullopt;
    }
    if (auto problem = applySettings(json["settings"].toObject(), session.config, prefix + "settings")) {
        error = *problem;
        return std::nullopt;
    }
    if (json.contains("reference"))
        if (auto problem = readReference(json["reference"], prefix, session.reference)) {
            error = *problem;
            return std::nullopt;
        }
    if (json.contains("scene")) {
        const QJsonValue scene = json["scene"];
        if (!isOneLine(scene)) {
            error = prefix + expected("scene", "a scene name or file path on one line", scene);
            return std::nullopt;
        }
        session.scene = scene.toString();
    }
    if (json.contains("view"))
        if (auto problem = readView(json["view"], prefix, session.view)) {
            error = *problem;
            return std::nullopt;
        }
    if (json.contains("lecture"))
        if (auto problem = readLecture(json["lecture"], prefix, session.lecture)) {
            error = *problem;
            return std::nullopt;
        }
    return session;
}

} // namespace ntk
