#pragma once
// The scene page: the scene's caption, a progress bar, and plots comparing its runs, drawn as each run
// completes. Runs execute on a SweepRunner (one per core).
#include "plot_grid.h"
#include "scene_plot_set.h"
#include "scene_results.h"
#include "sweep_runner.h"

#include <QTimer>
#include <QWidget>

class QBoxLayout;
class QVBoxLayout;
class QHBoxLayout;
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

protected:
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    // The title, caption, settings line and controls go above the plots or in a column beside them,
    // whichever leaves the plots more room (fitTextAndPlots).
    enum class TextPlace { AboveControlsBesideTitle, AboveControlsOwnRow, Beside };
    struct TextArrangement {
        TextPlace place;
        int width; // of the text: the page's above the plots, the column's beside them
    };
    void fitTextAndPlots();
    void arrangeText(TextArrangement arrangement);
    int textHeight(TextArrangement arrangement) const;
    // The width the controls need (or with `preferred`, would like), and the height they take.
    QSize controlsSize(bool besidePlots, bool preferred = false) const;
    int controlsWidthBesideTitle(int width) const; // of a title row `width` wide
    int controlsSpacing(bool besidePlots) const;
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
    QBoxLayout* pageLayout_ = nullptr;
    QWidget* text_ = nullptr; // the title, caption, settings line and controls
    QVBoxLayout* textLayout_ = nullptr;
    QHBoxLayout* titleRow_ = nullptr; // the title, and the controls if they go beside it
    QWidget* controls_ = nullptr;
    QBoxLayout* controlsLayout_ = nullptr;
    QHBoxLayout* progressRow_ = nullptr;
    QHBoxLayout* summaryRow_ = nullptr;
    QHBoxLayout* sixthRow_ = nullptr;
    PlotGrid* grid_ = nullptr;
    QTimer redrawTimer_;
    bool dirty_ = false;
    bool running_ = false;
};

} // namespace ntk
