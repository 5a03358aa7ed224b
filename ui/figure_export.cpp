#include "figure_export.h"

#include "data_prep.h"
#include "live_plot_set.h"
#include "scene_summary.h"
#include "scene_view.h"

#include "trainer.h"
#include <QThread>

#include <QDir>

namespace ntk {

void runToHistory(const RunConfig& config, RunHistory& history, const std::function<void(int)>& progress) {
    Trainer trainer(config, prepareData(config));
    history.reset(describeRun(1, config, trainer));
    while (auto report = trainer.advance()) {
        const int epoch = report->epoch;
        const bool snapshot = epoch == 0 || trainer.done();
        history.append({1, {makeLiveReport(trainer, std::move(*report), snapshot)}});
        if (progress)
            progress(epoch);
    }
    history.setOutcome({1, trainer.state(), trainer.stopEpoch(), trainer.bestEpoch(),
                        QString::fromStdString(trainer.statusText())});
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
        if (!run.error.isEmpty())
            return scene.path + ": run \"" + run.label + "\": " + run.error;
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
