#include "scene.h"

#include "message_text.h"
#include "scene_summary.h"
#include "settings_table.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

// Scene files are compiled into the static runtime library; register them before the first lookup.
static void registerSceneResources() {
    Q_INIT_RESOURCE(scenes);
}

namespace ntk {
namespace {

struct Axis {
    QString key;
    QJsonArray values;
};

std::optional<Axis> readAxis(const QJsonValue& value, const QString& where, QString& error) {
    const QJsonObject object = value.toObject();
    Axis axis{object["key"].toString(), object["values"].toArray()};
    if (!value.isObject() || axis.key.isEmpty() || !findSetting(axis.key)) {
        error = where + ": \"key\" must name a setting (got " + quotedForMessage(axis.key) + ")";
        return std::nullopt;
    }
    if (axis.values.isEmpty()) {
        error = where + ": \"values\" must be a non-empty array";
        return std::nullopt;
    }
    return axis;
}

QString valueText(const QJsonValue& v) {
    return v.isString() ? v.toString()
           : v.isBool() ? QString(v.toBool() ? "true" : "false")
                        : QString::number(v.toDouble(), 'g', 6);
}

} // namespace

std::optional<QString> checkSceneView(const QJsonValue& value) {
    QStringList metrics;
    for (SummaryMetric metric : allSummaryMetrics())
        metrics << metricKey(metric);
    const QString expected =
        "expected \"density\", \"lambda_vs_loss\", \"sharpness\" or \"summary:METRIC\" (or METRIC+METRIC...) "
        "with METRIC "
        "one of " +
        metrics.join(", ");
    if (!value.isString())
        return "not a string: " + expected;
    // One view of each plot, separated by commas: "summary:trace+lambda_max, density".
    for (QString view : value.toString().split(',')) {
        view = view.trimmed();
        if (view == "density" || view == "lambda_vs_loss" || view == "sharpness")
            continue;
        if (view.startsWith("summary:") && parseMetrics(view.section(':', 1)))
            continue;
        return quotedForMessage(view) + " is not a view: " + expected;
    }
    return std::nullopt;
}

std::optional<Scene> loadScene(const QString& path, QString& error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error = path + ": " + file.errorString();
        return std::nullopt;
    }
    if (file.size() > (1 << 20)) {
        error = path + ": larger than 1 MiB, not a scene file";
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        error =
            parseError.error != QJsonParseError::NoError
                ? QString("%1: offset %2: %3").arg(path).arg(parseError.offset).arg(parseError.errorString())
                : path + ": expected a JSON object";
        return std::nullopt;
    }
    const QJsonObject json = document.object();
    static const QStringList known{"format", "version", "name", "caption", "settings",
                                   "sweep",  "grid",    "runs", "view"};
    for (const QString& key : json.keys())
        if (!known.contains(key)) {
            error = path + ": unknown key " + quotedForMessage(key);
            return std::nullopt;
        }
    if (json["format"].toString() != "ntkviz-scene") {
        error = path + ": \"format\" must be \"ntkviz-scene\"";
        return std::nullopt;
    }
    if (json["version"].toInt(0) > sceneFormatVersion) {
        error = path + QString(": version %1 is newer than this program understands (%2)")
                           .arg(json["version"].toInt())
                           .arg(sceneFormatVersion);
        return std::nullopt;
    }
    Scene scene;
    scene.path = path;
    scene.name = json["name"].toString(QFileInfo(path).completeBaseName());
    scene.caption = json["caption"].toString();
    if (json.contains("view")) {
        scene.view = json["view"].toString();
        if (auto problem = checkSceneView(json["view"])) {
            error = path + ": \"view\": " + *problem;
            return std::nullopt;
        }
    }
    if (auto problem = applyJson(json["settings"].toObject(), scene.base, path + ": settings")) {
        error = *problem;
        return std::nullopt;
    }
    auto addRun = [&](const QString& label, const QJsonObject& overrides, double sweepValue,
                      double seriesValue) {
        SceneRun run{label, scene.base, sweepValue, seriesValue, {}};
        if (auto problem = applyJson(overrides, run.config, path + ": run " + quotedForMessage(label))) {
            error = *problem;
            return false;
        }
        scene.runs.push_back(std::move(run));
        return true;
    };
    if (json.contains("sweep") || json.contains("grid")) {
        std::vector<Axis> axes;
        const QJsonArray list = json.contains("grid") ? json["grid"].toArray() : QJsonArray{json["sweep"]};
        for (qsizetype i = 0; i < list.size(); ++i) {
            auto axis = readAxis(
                list[i], path + (json.contains("grid") ? QString(": grid[%1]").arg(i) : ": sweep"), error);
            if (!axis)
                return std::nullopt;
            axes.push_back(*axis);
        }
        if (axes.empty() || axes.size() > 2) {
            error = path + ": a grid has one or two axes";
            return std::nullopt;
        }
        scene.sweepKey = axes[0].key;
        scene.seriesKey = axes.size() > 1 ? axes[1].key : QString();
        const QJsonArray second = axes.size() > 1 ? axes[1].values : QJsonArray{QJsonValue()};
        for (qsizetype o = 0; o < second.size(); ++o)
            for (const QJsonValue& inner : axes[0].values) {
                const QJsonValue& outer = second[o];
                QJsonObject overrides{{axes[0].key, inner}};
                QString label = axes[0].key + " = " + valueText(inner);
                if (!outer.isNull()) {
                    overrides[axes[1].key] = outer;
                    label += ", " + axes[1].key + " = " + valueText(outer);
                }
                if (!addRun(label, overrides, inner.toDouble(),
                            outer.isString() ? double(o) : outer.toDouble()))
                    return std::nullopt;
                scene.runs.back().seriesLabel = outer.isNull() ? QString() : valueText(outer);
            }
    } else if (json.contains("runs")) {
        const QJsonArray runs = json["runs"].toArray();
        for (qsizetype i = 0; i < runs.size(); ++i) {
            const QJsonObject run = runs[i].toObject();
            const QString label = run["label"].toString(QString("run %1").arg(i + 1));
            if (!addRun(label, run["settings"].toObject(), double(i), 0.0))
                return std::nullopt;
        }
    } else if (!addRun(scene.name, {}, 0.0, 0.0)) {
        return std::nullopt;
    }
    if (scene.runs.empty()) {
        error = path + ": the scene has no runs";
        return std::nullopt;
    }
    return scene;
}

QStringList builtinScenePaths() {
    registerSceneResources();
    QStringList paths;
    for (const QString& name : QDir(":/scenes").entryList({"*.json"}, QDir::Files, QDir::Name))
        paths << ":/scenes/" + name;
    return paths;
}

std::optional<Scene> findScene(const QString& nameOrPath, QString& error) {
    if (QFileInfo::exists(nameOrPath))
        return loadScene(nameOrPath, error);
    registerSceneResources();
    const QString builtin = ":/scenes/" + nameOrPath + ".json";
    if (QFileInfo::exists(builtin))
        return loadScene(builtin, error);
    QStringList names;
    for (const QString& path : builtinScenePaths())
        names << QFileInfo(path).completeBaseName();
    error = nameOrPath + ": no such scene file or built-in scene (built-in: " + names.join(", ") + ")";
    return std::nullopt;
}

} // namespace ntk
