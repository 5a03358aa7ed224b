#include "figure_export.h"

#include "live_plot_set.h"
#include "message_text.h"
#include "scene_summary.h"
#include "scene_view.h"

#include <QDir>
#include <QThread>

namespace ntk {

RunRecord runForFigures(const RunConfig& config, RunHistory& history) {
    HistoryObserver drawing(history);
    return recordRun(1, config, {}, &drawing);
}

std::optional<QString> exportFigures(const RunHistory& history, const QString& directory,
                                     const FigureOptions& options, QStringList* written) {
    if (!QDir().mkpath(directory))
        return directory + ": cannot create the folder";
    QWidget host;
    PlotStyle style;
    style.scale = options.styleScale;
    for (LivePlot* plot : createLivePlots(&host).all()) {
        plot->resize(options.size);
        plot->applyStyle(style);
        plot->refresh(history);
        const QString path = QDir(directory).filePath(plot->fileName() + ".png");
        if (auto error = plot->exportPng(path, options.size.width(), options.size.height(), options.scale))
            return error;
        if (written)
            *written << path;
    }
    return std::nullopt;
}

std::optional<QString> exportSceneFigures(const Scene& scene, const QString& directory,
                                          const FigureOptions& options, QStringList* written) {
    std::vector<std::pair<int, SceneRun>> runs;
    for (int i = 0; i < int(scene.runs.size()); ++i)
        runs.emplace_back(i, scene.runs[i]);
    SceneResults results{scene, runSceneRuns(runs, QThread::idealThreadCount())};
    for (const RunResult& run : results.runs)
        if (!run.error().isEmpty())
            return scene.path + ": run " + quotedForMessage(run.label) + ": " + run.error();
    if (auto error = writeSceneDirectory(directory, scene, results.runs))
        return error;
    SceneView view;
    PlotStyle style;
    style.scale = options.styleScale;
    view.applyStyle(style);
    view.showResults(results);
    for (ComparisonPlot* plot : view.plots()) {
        plot->resize(options.size);
        plot->refresh(view.results());
        const QString path = QDir(directory).filePath(plot->fileName() + ".png");
        if (auto error = plot->exportPng(path, options.size.width(), options.size.height(), options.scale))
            return error;
        if (written)
            *written << path;
    }
    return std::nullopt;
}

} // namespace ntk
