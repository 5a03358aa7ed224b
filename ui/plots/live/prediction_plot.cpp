// PredictionPlot: decision regions or the regression curve with the points (see prediction_plot.h).
#include "prediction_plot.h"

#include "plot_helpers.h"

#include <QImage>
#include <algorithm>

namespace ntk {

PredictionPlot::PredictionPlot(QWidget* parent)
    : LivePlot("predictions", tr("Predictions"), parent) {
    xAxis->setLabel(tr("x₁ (scaled)"));
    yAxis->setLabel(tr("x₂ (scaled)"));
    regions_ = new QCPItemPixmap(this);
    regions_->setScaled(true, Qt::IgnoreAspectRatio, Qt::FastTransformation);
    regions_->setLayer("underlay"); // under the grid; hidden with the data while waiting
    regions_->setClipToAxisRect(true);
    legend->setVisible(true);
}

QString PredictionPlot::nothingToDrawReason() const {
    return reason_.isEmpty() ? LivePlot::nothingToDrawReason() : reason_;
}

void PredictionPlot::rebuild(const RunHistory& history) {
    clearGraphs();
    regions_->setVisible(false);
    setTitleText(title()); // no epoch of an earlier run while there is nothing to draw
    if (!history.hasRun())
        return;
    const RunInfo& info = history.info();
    const bool drawable = info.inputDim <= 2 && info.trainFeatures.rows() > 0;
    // Said in the plot's middle, over empty space (no axes for data that have none to draw), fitted to the
    // plot's width like a title.
    reason_ = drawable ? QString() : tr("Decision regions need data with one or two input features.");
    setWaitingText(reason_);
    if (!drawable)
        return;
    const std::optional<PredictionGrid>& grid = history.latestGrid();
    const bool regression = info.trainValues.size() > 0;
    auto scatter = [&](const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const QString& name, QColor color,
                       bool filled) {
        QCPGraph* g = addGraph();
        g->setName(name);
        g->setLineStyle(QCPGraph::lsNone);
        // Training points filled with a dark rim, test points hollow rings of the same class colour.
        const QCPScatterStyle marker(
            QCPScatterStyle::ssCircle,
            QPen(filled ? color.darker(150) : color, (filled ? 1.0 : 1.6) * style().scale),
            filled ? QBrush(color) : QBrush(Qt::NoBrush), style().markerSize() * 1.3);
        g->setScatterStyle(marker);
        QVector<double> keys, values;
        for (Eigen::Index i = 0; i < x.rows(); ++i) {
            keys << x(i, 0);
            values << (x.cols() > 1 ? x(i, 1) : y[i]);
        }
        g->setData(keys, values);
    };
    if (info.inputDim == 1) {
        xAxis->setLabel(tr("x (scaled)"));
        yAxis->setLabel(regression ? tr("f(x)") : tr("p(class 1 | x)"));
        if (grid && grid->dimension == 1) {
            QCPGraph* curve = addGraph();
            curve->setName(tr("network"));
            curve->setPen(QPen(PlotStyle::color(6), style().lineWidth()));
            curve->setData(QVector<double>(grid->xs.begin(), grid->xs.end()),
                           QVector<double>(grid->curve.begin(), grid->curve.end()), true);
        }
        // A/B: the pinned run's curve, when it is of the same kind.
        if (const RunHistory* pinned = reference(); pinned && pinned->latestGrid() &&
                                                    pinned->latestGrid()->dimension == 1 &&
                                                    pinned->info().config.loss == info.config.loss) {
            const PredictionGrid& other = *pinned->latestGrid();
            QCPGraph* curve = addGraph();
            curve->setName(tr("pinned run"));
            curve->setPen(QPen(PlotStyle::color(3), style().lineWidth(), Qt::DashLine));
            curve->setData(QVector<double>(other.xs.begin(), other.xs.end()),
                           QVector<double>(other.curve.begin(), other.curve.end()), true);
        }
        const Eigen::VectorXd trainY = regression ? info.trainValues : info.trainLabels.cast<double>();
        const Eigen::VectorXd testY = regression ? info.testValues : info.testLabels.cast<double>();
        scatter(info.trainFeatures, trainY, tr("train"), PlotStyle::trainColor(), true);
        if (info.testFeatures.rows() > 0)
            scatter(info.testFeatures, testY, tr("test"), PlotStyle::testColor(), false);
    } else {
        xAxis->setLabel(tr("x₁ (scaled)"));
        yAxis->setLabel(tr("x₂ (scaled)"));
        if (grid && grid->dimension == 2 && !regression) {
            const int rows = int(grid->predictedClass.rows()), cols = int(grid->predictedClass.cols());
            QImage image(cols, rows, QImage::Format_ARGB32);
            for (int r = 0; r < rows; ++r)
                for (int c = 0; c < cols; ++c) {
                    // Class colour, paler where the network is unsure.
                    const QColor base = PlotStyle::color(grid->predictedClass(r, c));
                    const double classes = std::max(2, info.outputs);
                    // Not finite where the network's outputs overflow on the grid (as on the epoch before
                    // it diverges): drawn as unsure, not turned into an invalid colour (NaN to int is UB).
                    const double confidence = grid->confidence(r, c);
                    const double certainty =
                        std::isfinite(confidence)
                            ? std::clamp((confidence - 1.0 / classes) / (1.0 - 1.0 / classes), 0.0, 1.0)
                            : 0.0;
                    const double mix = 0.25 + 0.45 * certainty;
                    image.setPixelColor(c, rows - 1 - r,
                                        QColor(int(255 + (base.red() - 255) * mix),
                                               int(255 + (base.green() - 255) * mix),
                                               int(255 + (base.blue() - 255) * mix)));
                }
            regions_->setPixmap(QPixmap::fromImage(image));
            regions_->topLeft->setCoords(grid->xMin, grid->yMax);
            regions_->bottomRight->setCoords(grid->xMax, grid->yMin);
            regions_->setVisible(true);
        }
        // A/B: the pinned run's decision boundary, as the cells where its predicted class changes.
        if (const RunHistory* pinned = reference();
            pinned && pinned->latestGrid() && pinned->latestGrid()->dimension == 2 && !regression) {
            const PredictionGrid& other = *pinned->latestGrid();
            const int rows = int(other.predictedClass.rows()), cols = int(other.predictedClass.cols());
            const double dx = (other.xMax - other.xMin) / std::max(1, cols);
            const double dy = (other.yMax - other.yMin) / std::max(1, rows);
            QVector<double> xs, ys;
            for (int r = 0; r < rows; ++r)
                for (int c = 0; c < cols; ++c) {
                    const int here = other.predictedClass(r, c);
                    if ((c + 1 < cols && other.predictedClass(r, c + 1) != here) ||
                        (r + 1 < rows && other.predictedClass(r + 1, c) != here)) {
                        xs << other.xMin + (c + 1.0) * dx;
                        ys << other.yMin + (r + 1.0) * dy;
                    }
                }
            QCPGraph* boundary = addGraph();
            boundary->setName(tr("pinned run: boundary"));
            boundary->setLineStyle(QCPGraph::lsNone);
            boundary->setScatterStyle(
                QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(40, 40, 40), style().markerSize() * 0.5));
            boundary->setData(xs, ys);
        }
        const int classes = std::max(1, info.outputs);
        for (int k = 0; k < classes; ++k) {
            auto pick = [&](const Eigen::MatrixXd& x, const Eigen::VectorXi& labels) {
                std::vector<Eigen::Index> rows;
                for (Eigen::Index i = 0; i < labels.size(); ++i)
                    if (labels[i] == k)
                        rows.push_back(i);
                return Eigen::MatrixXd(x(rows, Eigen::all));
            };
            scatter(pick(info.trainFeatures, info.trainLabels), {}, tr("class %1 train").arg(k),
                    PlotStyle::color(k), true);
            if (info.testFeatures.rows() > 0)
                scatter(pick(info.testFeatures, info.testLabels), {}, tr("class %1 test").arg(k),
                        PlotStyle::color(k), false);
        }
    }
    legend->setVisible(graphCount() <= 6);
    if (const EpochReport* r = history.latest())
        setTitleText(epochTitle(tr("Predictions"), r->epoch));
    if (followsData()) {
        if (grid) {
            xAxis->setRange(grid->xMin, grid->xMax);
            if (grid->dimension == 2)
                yAxis->setRange(grid->yMin, grid->yMax);
            else {
                rescaleAxes();
                xAxis->setRange(grid->xMin, grid->xMax);
                ensureDrawableRange(yAxis);
            }
        } else {
            rescaleAxes();
            ensureDrawableRange(xAxis);
            ensureDrawableRange(yAxis);
        }
    }
}

} // namespace ntk
