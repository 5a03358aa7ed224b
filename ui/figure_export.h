#pragma once
// Headless figures: runs a config to the end in the calling thread and writes every plot as a PNG, the
// same plots the window shows, beside the run's numbers. Works offscreen (QT_QPA_PLATFORM=offscreen), for
// course notes built by scripts.
#include "config.h"
#include "run_history.h"
#include "run_record.h"
#include "scene.h"

#include <QSize>
#include <QString>
#include <functional>
#include <optional>

namespace ntk {

struct FigureOptions {
    QSize size{1600, 1000};
    double scale = 2.0;
    double styleScale = 1.4; // fonts and lines, relative to the screen default
};

// Trains `config` through the run driver: fills `history` for the plots (a kernel snapshot at the first
// and last epoch) and returns the run's record for its numbers (see run_export.h). A run that cannot
// start has outcome()->failure set.
RunRecord runForFigures(const RunConfig& config, RunHistory& history);

// Writes <plot>.png for each plot into `directory`; returns the files written or an error.
std::optional<QString> exportFigures(const RunHistory& history, const QString& directory,
                                     const FigureOptions& options, QStringList* written = nullptr);

// Runs every run of `scene` (on all cores), writes the comparison plots as PNG and the numbers as
// runs.csv, epochs.csv and spectra.csv into `directory`.
std::optional<QString> exportSceneFigures(const Scene& scene, const QString& directory,
                                          const FigureOptions& options, QStringList* written = nullptr);

} // namespace ntk
