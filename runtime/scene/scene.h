#pragma once
// A scene: a named experiment from a JSON file, one or more runs that differ in a setting or two, with a
// caption that says what to look for. Format:
//   {"format": "ntkviz-scene", "version": 1, "name": "...", "caption": "...",
//    "settings": {...base settings, as in config.json...},
//    "sweep": {"key": "l2", "values": [0, 1e-4, 0.01]}          one setting varied, or
//    "grid": [{"key": "n", "values": [...]}, {"key": "l2", "values": [...]}]   every combination, or
//    "runs": [{"label": "without", "settings": {...}}, ...]      explicit runs
//    "view": "summary:METRIC" | "density" | "lambda_vs_loss" | "sharpness", or several:
//            "summary:trace, density"
//            (optional, see checkSceneView)}
#include "config.h"

#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace ntk {

struct SceneRun {
    QString label; // e.g. "l2 = 0.001"
    RunConfig config;
    double sweepValue = 0.0;  // the first varied setting's value (for plots against it)
    double seriesValue = 0.0; // the second varied setting's value in a grid (groups lines); for a
                              // setting with names (e.g. parameterization), the name's position
    QString seriesLabel;      // the second setting's value as written, e.g. "standard"
};

struct Scene {
    QString name;
    QString caption;
    QString path;
    QString sweepKey;  // the setting on the x axis of summary plots; empty for explicit runs
    QString seriesKey; // the second setting of a grid, else empty
    QString view;      // what the scene page shows first (checkSceneView); empty: its defaults
    RunConfig base;
    std::vector<SceneRun> runs;
};

inline constexpr int sceneFormatVersion = 1;

// The optional "view" of a scene: "summary:METRIC" picks the quantity of the summary plot (a metric key
// of scene_summary.h, e.g. "summary:frobenius"; "summary:trace+lambda_max" draws both on one plot); "density"
// or "lambda_vs_loss" picks the sixth plot's mode; "sharpness" has the third plot draw each run's sharpness
// in units of its 2/lr instead of lambda_max. nullopt when valid, else why not.
std::optional<QString> checkSceneView(const QJsonValue& value);

// Errors name the file and the key.
std::optional<Scene> loadScene(const QString& path, QString& error);
// Scene files shipped with the program (resources), sorted by file name.
QStringList builtinScenePaths();
// A scene by file path, or by the name of a built-in scene file without ".json" (e.g. "l2-spectrum").
std::optional<Scene> findScene(const QString& nameOrPath, QString& error);

} // namespace ntk
