#pragma once
// The window's side of animated export: the run and the drawing behind a progress dialog with Cancel.
#include "animation_export.h"

class QWidget;

namespace ntk {

// Runs exportAnimation in the calling (GUI) thread while a modal progress dialog over `parent` shows the
// stage and lets the user cancel; a cancelled export writes nothing and returns "cancelled".
std::optional<QString> exportAnimationWithProgress(QWidget* parent, const RunConfig& config,
                                                   const QString& plotName, const QString& path,
                                                   const AnimationOptions& options);

} // namespace ntk
