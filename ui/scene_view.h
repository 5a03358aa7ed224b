#pragma once
// The scene page: the scene's caption, a progress bar, and plots comparing its runs, drawn as each run
// completes. Runs execute on a SweepRunner (one per core).
#include "scene_plot_set.h"
#include "scene_results.h"
#include "sweep_runner.h"

#include <QTimer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QComboBox;
class QPushButton;

namespace ntk {

class SceneView : public QWidget {
    Q_OBJECT
public:
    explicit SceneView(QWidget* parent = nullptr);

    void start(const Scene& scene);
    void cancel();
    // For headless export: show finished results without running anything.
    void showResults(const SceneResults& results);
    const SceneResults& results() const { return results_; }
    // The line under the caption listing the scene's own settings.
    QString settingsText() const;
    const std::vector<ComparisonPlot*>& plots() const { return plots_; }
    bool running() const { return running_; }
    void applyStyle(const PlotStyle& style);

signals:
    void finished();

private:
    void applySceneView();
    void applyTitleFont();
    void redraw();

    SweepRunner runner_;
    SceneResults results_;
    ScenePlotSet scenePlots_;
    std::vector<ComparisonPlot*> plots_; // scenePlots_.all()
    QLabel* title_ = nullptr;
    QLabel* caption_ = nullptr;
    QLabel* settings_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QComboBox* metric_ = nullptr;
    QComboBox* mode_ = nullptr;
    QTimer redrawTimer_;
    bool dirty_ = false;
    bool running_ = false;
};

} // namespace ntk
