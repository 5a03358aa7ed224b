// Animated export from the window, behind a progress dialog (see animation_progress.h).
#include "animation_progress.h"

#include <QApplication>
#include <QProgressDialog>

namespace ntk {

std::optional<QString> exportAnimationWithProgress(QWidget* parent, const RunConfig& config,
                                                   const QString& plotName, const QString& path,
                                                   const AnimationOptions& options) {
    QProgressDialog dialog(QObject::tr("Training the run for the animation…"), QObject::tr("Cancel"), 0,
                           std::max(1, config.epochs), parent);
    dialog.setWindowTitle(QObject::tr("Export animation"));
    dialog.setWindowModality(Qt::ApplicationModal);
    dialog.setMinimumDuration(300);
    const auto progress = [&](const QString& stage, int done, int total) {
        const QString text = stage == "training"  ? QObject::tr("Training the run for the animation…")
                             : stage == "drawing" ? QObject::tr("Drawing the frames…")
                                                  : QObject::tr("Writing the animation…");
        if (dialog.labelText() != text)
            dialog.setLabelText(text);
        dialog.setMaximum(std::max(1, total));
        dialog.setValue(std::min(done, std::max(1, total)));
        QApplication::processEvents(); // the dialog's Cancel button
        return !dialog.wasCanceled();
    };
    return exportAnimation(config, plotName, path, options, nullptr, progress);
}

} // namespace ntk
