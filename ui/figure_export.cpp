#include "figure_export.h"

#include "live_plot_set.h"
#include "message_text.h"
#include "ntk_plot.h"
#include "scene_summary.h"
#include "scene_view.h"

#include <QDir>
#include <QThread>

namespace ntk {

FigureOptions figureOptions(FigurePreset preset) {
    // Half the image size at twice the resolution: the layout of a plot about 960 px wide, the size at
    // which the screen's fonts scaled by 1.4 leave room for the data.
    FigureOptions options;
    options.size = preset == FigurePreset::Slide16x9 ? QSize(960, 540) : QSize(720, 540);
    options.scale = 2.0;
    options.styleScale = 1.4;
    return options;
}

std::optional<FigurePreset> parseFigurePreset(const QString& name) {
    if (name == "slide" || name == "slide-16:9")
        return FigurePreset::Slide16x9;
    if (name == "slide-4:3")
        return FigurePreset::Slide4x3;
    return std::nullopt;
}

QString figurePresetName(FigurePreset preset) {
    return preset == FigurePreset::Slide16x9 ? QStringLiteral("slide") : QStringLiteral("slide-4:3");
}

QString figurePresetLabel(FigurePreset preset) {
    const FigureOptions options = figureOptions(preset);
    return QObject::tr("Slide %1 (%2 × %3)")
        .arg(preset == FigurePreset::Slide16x9 ? "16:9" : "4:3")
        .arg(qRound(options.size.width() * options.scale))
        .arg(qRound(options.size.height() * options.scale));
}

std::optional<QString> exportFigure(NtkPlot* plot, const QString& path, const FigureOptions& options) {
    const PlotStyle screen = plot->style();
    PlotStyle figure;
    figure.scale = options.styleScale;
    plot->applyStyle(figure);
    const auto error =
        path.endsWith(".pdf", Qt::CaseInsensitive)
            ? plot->exportPdf(path, options.size.width(), options.size.height())
            : plot->exportPng(path, options.size.width(), options.size.height(), options.scale);
    plot->applyStyle(screen);
    return error;
}

QString skippedFigureMessage(const NtkPlot* plot) {
    return QObject::tr("%1.png: not written: %2").arg(plot->fileName(), plot->nothingToDrawReason());
}

RunRecord runForFigures(const RunConfig& config, RunHistory& history) {
    HistoryObserver drawing(history);
    RunControl control;
    control.eigenfunctions = true; // the eigenfunctions figure, as in the window
    return recordRun(1, config, control, &drawing);
}

std::optional<QString> exportFigures(const RunHistory& history, const QString& directory,
                                     const FigureOptions& options, QStringList* written,
                                     QStringList* skipped) {
    if (!QDir().mkpath(directory))
        return directory + ": cannot create the folder";
    QWidget host;
    for (LivePlot* plot : createLivePlots(&host).all()) {
        plot->resize(options.size);
        plot->refresh(history);
        if (!plot->hasContent()) {
            if (skipped)
                *skipped << skippedFigureMessage(plot);
            continue;
        }
        const QString path = QDir(directory).filePath(plot->fileName() + ".png");
        if (auto error = exportFigure(plot, path, options))
            return error;
        if (written)
            *written << path;
    }
    return std::nullopt;
}

std::optional<QString> exportSceneFigures(const Scene& scene, const QString& directory,
                                          const FigureOptions& options, QStringList* written,
                                          QStringList* skipped) {
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
    view.showResults(results);
    for (ComparisonPlot* plot : view.plots()) {
        plot->resize(options.size);
        plot->refresh(view.results());
        if (!plot->hasContent()) {
            if (skipped)
                *skipped << skippedFigureMessage(plot);
            continue;
        }
        const QString path = QDir(directory).filePath(plot->fileName() + ".png");
        if (auto error = exportFigure(plot, path, options))
            return error;
        if (written)
            *written << path;
    }
    return std::nullopt;
}

} // namespace ntk
