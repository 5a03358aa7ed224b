#pragma once
// Animated export: one live plot over a run's epochs, as an animated GIF or as a folder of PNG frames, for
// slides that show the spectrum (or any other live plot) move. The run goes through the run driver like
// headless figures; each frame is the plot redrawn from the run's history as it stood at an NTK epoch, with
// every axis (and colour scale) held at the whole run's range so the animation does not jump.
#include "config.h"

class QCustomPlot;

#include <QSize>
#include <QString>
#include <QStringList>
#include <functional>
#include <optional>

namespace ntk {

struct AnimationOptions {
    QSize size{1200, 750};   // one frame, before `scale`
    double scale = 1.0;      // pixels per size unit
    double styleScale = 1.4; // fonts and lines, as in headless figures
    int maxFrames = 120;     // frames evenly spaced over the NTK epochs (first and last always included)
    int frameDelayMs = 80;   // 120 frames play in about 10 s
    int holdMs = 3000;       // the last frame stays this long before the loop starts again
};

// The plots that can be animated, by the names of their exported files ("spectrum", "lambda_max", …).
QStringList animationPlotNames();

// A path ending in .gif is an animated GIF; any other path is a folder for the PNG frames
// (NAME-0001.png, …). Errors for a target that cannot be written, before any run is started.
bool isGifPath(const QString& path);
std::optional<QString> checkAnimationTarget(const QString& path);

// Told the stage ("training", "drawing", "writing"), done and total steps; returns false to cancel.
using AnimationProgress = std::function<bool(const QString& stage, int done, int total)>;

// Called with the plot as each frame is rendered (tests check that every frame keeps the same axes).
using AnimationFrameHook = std::function<void(const QCustomPlot& plot)>;

// Runs `config` and writes the animation of `plotName` to `path` atomically: the GIF, or the folder of
// frames, appears whole or not at all. Returns an error naming the value at fault ("cancelled" when
// `progress` cancelled), or nullopt; `written` gets the files written.
std::optional<QString> exportAnimation(const RunConfig& config, const QString& plotName, const QString& path,
                                       const AnimationOptions& options, QStringList* written = nullptr,
                                       const AnimationProgress& progress = {},
                                       const AnimationFrameHook& frameRendered = {});

} // namespace ntk
