#pragma once
// Headless figures: runs a config to the end in the calling thread and writes every plot as a PNG, the
// same plots the window shows. Works offscreen (QT_QPA_PLATFORM=offscreen), for course notes built by
// scripts.
#include "config.h"
#include "run_history.h"
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

// Trains `config` and fills `history` (epochs as they come; a kernel snapshot at the first and last epoch).
// Throws DataError or std::invalid_argument for unusable data or settings.
void runToHistory(const RunConfig& config, RunHistory& history,
                  const std::function<void(int)>& progress = {});

// Writes <plot>.png for each plot into `directory`; returns the files written or an error.
std::optional<QString> exportFigures(const RunHistory& history, const QString& directory,
                                     const FigureOptions& options, QStringList* written = nullptr);

// Runs every run of `scene` (on all cores), writes the comparison plots as PNG and the numbers as
// runs.csv, epochs.csv and spectra.csv into `directory`.
std::optional<QString> exportSceneFigures(const Scene& scene, const QString& directory,
                                          const FigureOptions& options, QStringList* written = nullptr);

} // namespace ntk
