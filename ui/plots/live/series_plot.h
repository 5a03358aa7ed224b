#pragma once
// A quantity per epoch, one line per series: λ_max, the trace, train and test loss and accuracy, how lazy or
// rich training is, the network beside its linearization. On request: a right-hand axis (accuracy beside
// loss), vertical lines at the early-stopping epochs, the stability edge on λ_max, the infinite-width value
// as a dashed line, and a note while a series has no values; a pinned run's series are drawn thin and pale.
#include "live_plot.h"

#include <functional>
#include <utility>

namespace ntk {

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
    // A horizontal line at core/theory.h's stabilityEdge: the edge of stability of linearized gradient
    // descent for decoupled outputs, on the output-summed kernel K the plot shows: 2nO^2/lr for mse
    // (1/(2nO) sum (f-y)^2), 4nO/lr for cross-entropy (mean over n; softmax curvature at most 1/2). At
    // finite width lambda_max of the full nO x nO kernel can exceed lambda_max(K)/O, so below the line is
    // not a guarantee of stability; for mse, above it the linearized step is unstable for any network.
    void setShowStabilityEdge(bool show) { showStabilityEdge_ = show; }
    // A horizontal line at the value the infinite-width limit predicts for this run, when it has one.
    void setLimitLine(std::function<std::optional<double>(const RunInfo&)> value, const QString& label);
    // A note shown while the series at `index` has no value at all (why it is missing).
    void setMissingNote(int index, std::function<QString(const RunInfo&)> note);
    // Why a run that has reports draws nothing at all, shown in the plot's middle instead of empty axes
    // (an empty text: nothing to explain).
    void setEmptyText(std::function<QString(const RunHistory&)> text) { emptyText_ = std::move(text); }

protected:
    void rebuild(const RunHistory& history) override;

private:
    std::vector<Series> series_;
    bool showStopMarkers_ = false;
    bool showStabilityEdge_ = false;
    std::function<std::optional<double>(const RunInfo&)> limitValue_;
    int missingIndex_ = -1;
    std::function<QString(const RunInfo&)> missingNote_;
    std::function<QString(const RunHistory&)> emptyText_;
    QCPGraph* limitGraph_ = nullptr;
    QCPItemStraightLine* edgeLine_ = nullptr;
    QCPItemText* edgeLabel_ = nullptr;
    QCPItemStraightLine* stopLine_ = nullptr;
    QCPItemStraightLine* bestLine_ = nullptr;
    QCPItemText* stopLabel_ = nullptr;
};

} // namespace ntk
