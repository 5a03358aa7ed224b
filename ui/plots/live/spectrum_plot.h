#pragma once
// The live plots. Each one reads a RunHistory and draws; none computes anything about the kernel.
#include "ntk_plot.h"

#include <functional>

namespace ntk {

// 1. The sorted eigenvalues of the latest NTK epoch, with the initial spectrum as a faint reference.
class SpectrumPlot : public LivePlot {
    Q_OBJECT
public:
    explicit SpectrumPlot(QWidget* parent = nullptr);

protected:
    void rebuild(const RunHistory& history) override;
};

// A quantity per epoch, one line per series (lambda_max, trace, losses, ...).
class SeriesPlot : public LivePlot {
    Q_OBJECT
public:
    struct Series {
        QString name;
        std::function<std::optional<double>(const EpochReport&)> value;
        QColor color;
        bool secondaryAxis = false; // right-hand axis (accuracy next to loss)
        bool dashed = false;
    };
    SeriesPlot(const QString& fileName, const QString& title, const QString& valueLabel,
               std::vector<Series> series, QWidget* parent = nullptr);
    void setSecondaryAxisLabel(const QString& label);
    // Marks the early-stopping epochs (best and stop) with vertical lines.
    void setShowStopMarkers(bool show) { showStopMarkers_ = show; }
    // A horizontal line at the largest lambda_max for which linearized gradient descent is stable, for the
    // losses as implemented: 2nO/lr for mse (1/(2nO) sum (f-y)^2), 4n/lr for cross-entropy (mean over n;
    // the softmax curvature is at most 1/2, so this is a bound).
    void setShowStabilityEdge(bool show) { showStabilityEdge_ = show; }
    // A horizontal line at the value the infinite-width limit predicts for this run, when it has one.
    void setLimitLine(std::function<std::optional<double>(const RunInfo&)> value, const QString& label);
    // A note shown while the series at `index` has no value at all (why it is missing).
    void setMissingNote(int index, std::function<QString(const RunInfo&)> note);

protected:
    void rebuild(const RunHistory& history) override;

private:
    std::vector<Series> series_;
    bool showStopMarkers_ = false;
    bool showStabilityEdge_ = false;
    std::function<std::optional<double>(const RunInfo&)> limitValue_;
    int missingIndex_ = -1;
    std::function<QString(const RunInfo&)> missingNote_;
    QCPGraph* limitGraph_ = nullptr;
    QCPItemStraightLine* edgeLine_ = nullptr;
    QCPItemText* edgeLabel_ = nullptr;
    QCPItemStraightLine* stopLine_ = nullptr;
    QCPItemStraightLine* bestLine_ = nullptr;
    QCPItemText* stopLabel_ = nullptr;
};

// 5. Epoch x eigenvalue index, coloured by log10 of the eigenvalue; with a pinned run, by log10 of the
// ratio to the pinned run's eigenvalue (A/B).
class SpectrumHeatmapPlot : public LivePlot {
    Q_OBJECT
public:
    explicit SpectrumHeatmapPlot(QWidget* parent = nullptr);
    void applyStyle(const PlotStyle& style) override;

protected:
    void rebuild(const RunHistory& history) override;
    QString hoverText(const QPoint& pixel) const override;
    bool supportsLogScale() const override { return false; }

private:
    QCPColorMap* map_ = nullptr;
    QCPColorScale* scale_ = nullptr;
    bool ratioMode_ = false; // a run is pinned: cells compare with it
};

// 6. The kernel matrix itself, with the training points ordered by class.
class KernelMatrixPlot : public LivePlot {
    Q_OBJECT
public:
    explicit KernelMatrixPlot(QWidget* parent = nullptr);
    void applyStyle(const PlotStyle& style) override;

protected:
    void rebuild(const RunHistory& history) override;
    QString hoverText(const QPoint& pixel) const override;
    bool supportsLogScale() const override { return false; }

private:
    QCPColorMap* map_ = nullptr;
    QCPColorScale* scale_ = nullptr;
    std::vector<QCPItemStraightLine*> classLines_;
    bool pinnedTriangle_ = false; // the lower triangle shows the pinned run
};

// 7. For 1-D and 2-D inputs: the network's decision regions (or regression curve) with the points.
class PredictionPlot : public LivePlot {
    Q_OBJECT
public:
    explicit PredictionPlot(QWidget* parent = nullptr);

protected:
    void rebuild(const RunHistory& history) override;
    bool supportsLogScale() const override { return false; }

private:
    QCPItemPixmap* regions_;
    QCPItemText* message_;
};

// The plots of the main window, in display order.
std::vector<LivePlot*> createPlots(QWidget* parent);

} // namespace ntk
