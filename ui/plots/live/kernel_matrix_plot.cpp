// KernelMatrixPlot: the NTK matrix ordered by class (see kernel_matrix_plot.h).
#include "kernel_matrix_plot.h"

#include "plot_helpers.h"

#include <algorithm>
#include <numeric>

namespace ntk {

KernelMatrixPlot::KernelMatrixPlot(QWidget* parent)
    : LivePlot("kernel_matrix", tr("NTK matrix Θ"), parent) {
    xAxis->setLabel(tr("training point j (ordered by class)"));
    yAxis->setLabel(tr("training point i"));
    yAxis->setRangeReversed(true); // row 1 at the top, as a matrix is read
    map_ = new QCPColorMap(xAxis, yAxis);
    map_->setInterpolate(false);
    scale_ = attachColorScale(this, map_, tr("Θᵢⱼ"));
    LivePlot::applyStyle(style());
}

void KernelMatrixPlot::applyStyle(const PlotStyle& style) {
    if (scale_)
        styleColorScale(scale_, style);
    LivePlot::applyStyle(style);
}

void KernelMatrixPlot::rebuild(const RunHistory& history) {
    const Eigen::MatrixXd& kernel = history.latestKernel();
    for (QCPItemStraightLine* line : classLines_)
        removeItem(line);
    classLines_.clear();
    const EpochReport* solved = history.latestWithKernel();
    if (history.hasRun() && solved && solved->matrixFree) {
        map_->data()->clear();
        setTitleText(title());
        const double n = history.info().trainSize;
        setWaitingText(
            kernelNotFormedText(history, tr("as a matrix it would need %1 GB; see its spectrum and "
                                            "the Layers tab")
                                             .arg(n * n * 8 / 1e9, 0, 'f', 1)));
        return;
    }
    setWaitingText({});
    if (kernel.size() == 0 || !history.hasRun()) {
        map_->data()->clear();
        setTitleText(title()); // no epoch of an earlier run
        return;
    }
    const Eigen::Index n = kernel.rows();
    auto classOrder = [n](const Eigen::VectorXi& labels) {
        std::vector<Eigen::Index> order(n);
        std::iota(order.begin(), order.end(), 0);
        if (labels.size() == n)
            std::stable_sort(order.begin(), order.end(),
                             [&](auto a, auto b) { return labels[a] < labels[b]; });
        return order;
    };
    const Eigen::VectorXi& labels = history.info().trainLabels;
    const std::vector<Eigen::Index> order = classOrder(labels);
    // A/B: a pinned run with as many points fills the lower triangle, each run in its own class order.
    const RunHistory* pinned = reference();
    const Eigen::MatrixXd* other = nullptr;
    std::vector<Eigen::Index> otherOrder;
    QString note;
    if (pinned && pinned->latestKernel().size() > 0) {
        if (pinned->latestKernel().rows() == n) {
            other = &pinned->latestKernel();
            otherOrder = classOrder(pinned->info().trainLabels);
            note = tr("upper right: this run; lower left: the pinned run");
        } else {
            note = tr("the pinned run has n = %1, not overlaid").arg(pinned->latestKernel().rows());
        }
    }
    pinnedTriangle_ = other != nullptr;
    setNote(note);
    // Large kernels are drawn block-averaged: the heatmap is a few hundred pixels wide on screen, and at
    // 800 cells rebuilding and painting it held the GUI thread for about 28 ms per kernel epoch at n = 2000
    // (ntkviz-gui-bench); 400 cells take a quarter of that.
    const int cells = int(std::min<Eigen::Index>(n, 400));
    const double stride = double(n) / cells;
    map_->data()->setSize(cells, cells);
    map_->data()->setRange(QCPRange(1, n), QCPRange(1, n));
    for (int cx = 0; cx < cells; ++cx)
        for (int cy = 0; cy < cells; ++cy) {
            const Eigen::Index i0 = Eigen::Index(cy * stride),
                               i1 = std::max(i0 + 1, Eigen::Index((cy + 1) * stride));
            const Eigen::Index j0 = Eigen::Index(cx * stride),
                               j1 = std::max(j0 + 1, Eigen::Index((cx + 1) * stride));
            const bool lower = other && cy > cx;
            const Eigen::MatrixXd& source = lower ? *other : kernel;
            const std::vector<Eigen::Index>& rows = lower ? otherOrder : order;
            double sum = 0.0;
            for (Eigen::Index i = i0; i < i1; ++i)
                for (Eigen::Index j = j0; j < j1; ++j)
                    sum += source(rows[i], rows[j]);
            map_->data()->setCell(cx, cy, sum / double((i1 - i0) * (j1 - j0)));
        }
    map_->rescaleDataRange(true);
    if (labels.size() == n) {
        for (Eigen::Index i = 1; i < n; ++i)
            if (labels[order[i]] != labels[order[i - 1]])
                for (bool vertical : {true, false}) {
                    auto* line = new QCPItemStraightLine(this);
                    line->setPen(QPen(QColor(255, 255, 255, 160), 1.0));
                    const double at = double(i) + 0.5;
                    line->point1->setCoords(vertical ? at : 0, vertical ? 0 : at);
                    line->point2->setCoords(vertical ? at : 1, vertical ? 1 : at);
                    classLines_.push_back(line);
                }
    }
    // The epoch of the kernel drawn: snapshots are rate-limited, later epochs may have a spectrum only.
    setTitleText(epochTitle(tr("NTK matrix Θ"), history.latestKernelEpoch()));
    if (followsData()) {
        xAxis->setRange(0.5, double(n) + 0.5);
        yAxis->setRange(0.5, double(n) + 0.5);
    }
}

QString KernelMatrixPlot::hoverText(const QPoint& pixel) const {
    double key, value;
    map_->pixelsToCoords(pixel, key, value);
    int cx, cy;
    map_->data()->coordToCell(key, value, &cx, &cy);
    if (cx < 0 || cy < 0 || cx >= map_->data()->keySize() || cy >= map_->data()->valueSize())
        return {};
    return tr("row %1, column %2\nΘ = %3%4")
        .arg(qRound(value))
        .arg(qRound(key))
        .arg(map_->data()->cell(cx, cy), 0, 'g', 6)
        .arg(pinnedTriangle_ && cy > cx ? tr(" (pinned run)") : QString());
}

} // namespace ntk
