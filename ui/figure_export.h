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

class NtkPlot;

struct FigureOptions {
    QSize size{1600, 1000}; // layout size; the image is size × scale pixels
    double scale = 2.0;
    double styleScale = 1.4; // fonts and lines, relative to the screen default
};

// Figures for slides: a 1920×1080 (16:9) or 1440×1080 (4:3) image laid out at half that size and drawn
// at twice the resolution, with fonts and lines large enough to read from the back of a lecture hall
// (the smallest text is about 3 % of the image height).
enum class FigurePreset { Slide16x9, Slide4x3 };
FigureOptions figureOptions(FigurePreset preset);
// "slide" or "slide-16:9", "slide-4:3" (as --figure-preset takes them); nullopt for anything else.
std::optional<FigurePreset> parseFigurePreset(const QString& name);
QString figurePresetName(FigurePreset preset);  // the --figure-preset spelling
QString figurePresetLabel(FigurePreset preset); // for menus, e.g. "Slide 16:9 (1920 × 1080)"

// Writes `plot` as PNG (or PDF when `path` ends in .pdf) with the figure's fonts and lines, whatever the
// plot shows on screen, then gives it back its screen style. The window and the headless export both
// write through here, so the same run gives the same images.
std::optional<QString> exportFigure(NtkPlot* plot, const QString& path, const FigureOptions& options);
// A plot with nothing to draw (predictions for images, theory views above their size limit) is left out
// rather than written as an empty frame: the line that says so, e.g. "predictions.png: not written: …".
QString skippedFigureMessage(const NtkPlot* plot);

// Trains `config` through the run driver: fills `history` for the plots (a kernel snapshot at the first
// and last epoch) and returns the run's record for its numbers (see run_export.h). A run that cannot
// start has outcome()->failure set.
RunRecord runForFigures(const RunConfig& config, RunHistory& history);

// Writes <plot>.png for each plot with something to draw into `directory`; returns the files written,
// the plots left out (skippedFigureMessage) or an error.
std::optional<QString> exportFigures(const RunHistory& history, const QString& directory,
                                     const FigureOptions& options, QStringList* written = nullptr,
                                     QStringList* skipped = nullptr);

// Runs every run of `scene` (on all cores), writes the comparison plots as PNG and the numbers as
// runs.csv, epochs.csv and spectra.csv into `directory`.
std::optional<QString> exportSceneFigures(const Scene& scene, const QString& directory,
                                          const FigureOptions& options, QStringList* written = nullptr,
                                          QStringList* skipped = nullptr);

} // namespace ntk
