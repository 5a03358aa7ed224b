// EigenfunctionPlot: the top NTK eigenvectors as functions of the input (see eigenfunction_plot.h).
#include "eigenfunction_plot.h"

#include "plot_helpers.h"

#include <QImage>
#include <algorithm>
#include <cmath>

namespace ntk {
namespace {

QString subscript(int number) {
    static const QString digits = QStringLiteral("₀₁₂₃₄₅₆₇₈₉");
    QString out;
    for (const QChar c : QString::number(number))
        out += digits[c.digitValue()];
    return out;
}

// The latest report with eigenfunctions: they come on some NTK epochs only (eigenfunctionFrames).
const EpochReport* latestWithEigenfunctions(const RunHistory& history) {
    const std::vector<EpochReport>& reports = history.reports();
    for (auto it = reports.rbegin(); it != reports.rend(); ++it)
        if (it->eigenfunctions)
            return &*it;
    return nullptr;
}

// Where an image panel puts things, in its axes' coordinates (one unit per image side): the mean image on
// the left, the top-loading images in a column to its right.
constexpr double sideImage = 0.31, sideGap = 0.035, columnLeft = 1.08;

} // namespace

EigenfunctionPlot::EigenfunctionPlot(QWidget* parent)
    : LivePlot("eigenfunctions", tr("NTK eigenfunctions"), parent) {
    // Each panel's heading and the note say what is drawn: no legend. Out of the plot's layout too, since an
    // empty legend's maximum width (its margins) would limit the plot's column to a strip at the left; in
    // the first panel's inset layout, as QCustomPlot has it, it stays owned and hidden.
    setAutoAddPlottableToLegend(false);
    legend->setVisible(false);
    plotLayout()->take(legend);
    plotLayout()->simplify();
    axisRect()->insetLayout()->addElement(legend, Qt::AlignTop | Qt::AlignRight);
    // The base's axes rect becomes the first of eigenfunctionCount panels in a grid of their own, in its
    // place in the plot's layout (the title above it, the legend and notes around it stay).
    QCPLayoutGrid* layout = plotLayout();
    QCPAxisRect* first = axisRect(); // QCustomPlot finds axes rects through the layout: keep it at hand
    for (int row = 0; row < layout->rowCount(); ++row)
        if (layout->element(row, 0) == first) {
            layout->take(first);
            grid_ = new QCPLayoutGrid;
            layout->addElement(row, 0, grid_);
            break;
        }
    grid_->setLayer("titles"); // layouts draw nothing; their children need them visible
    grid_->setRowSpacing(0);
    grid_->setColumnSpacing(int(12 * style().scale));
    for (int k = 0; k < eigenfunctionCount; ++k) {
        Panel panel;
        panel.rect = k == 0 ? first : new QCPAxisRect(this);
        panel.rect->setLayer("background");
        for (QCPAxis* axis : panel.rect->axes()) {
            axis->setTickLabels(false); // the shapes are the point, not the numbers: no ticks to crowd
            axis->setTicks(false);
            axis->grid()->setVisible(false);
        }
        for (QCPAxis::AxisType side : {QCPAxis::atTop, QCPAxis::atRight}) {
            if (panel.rect->axisCount(side) == 0)
                panel.rect->addAxis(side);
            panel.rect->axis(side)->setVisible(true); // a frame around each panel
            panel.rect->axis(side)->setTicks(false);
            panel.rect->axis(side)->setTickLabels(false);
        }
        panel.rect->setupFullAxesBox(false);
        // Axes without ticks need no margin for them: the panel's area goes to the map.
        panel.rect->setAutoMargins(QCP::msNone);
        panel.rect->setMargins(QMargins(2, 2, 2, 2));
        panel.rect->setRangeDrag(Qt::Horizontal | Qt::Vertical);
        panel.rect->setRangeZoom(Qt::Horizontal | Qt::Vertical);
        panel.heading = new QCPTextElement(this, QString());
        panel.heading->setLayer("titles");
        panel.heading->setMinimumSize(1, 0);
        panel.map = new QCPColorMap(panel.rect->axis(QCPAxis::atBottom), panel.rect->axis(QCPAxis::atLeft));
        panel.map->setGradient(divergingGradient());
        panel.map->setInterpolate(true);
        panel.map->setVisible(false);
        panels_.push_back(panel);
    }
    showPanels(0);
    connect(this, &QCustomPlot::afterLayout, this, &EigenfunctionPlot::keepImagesSquare);
    LivePlot::applyStyle(style());
}

QString EigenfunctionPlot::nothingToDrawReason() const {
    return reason_.isEmpty() ? LivePlot::nothingToDrawReason() : reason_.simplified(); // one line
}

void EigenfunctionPlot::applyStyle(const PlotStyle& style) {
    LivePlot::applyStyle(style);
    // The base styles the axes of the rects in the layout only, and panels out of it (no data yet) would
    // keep their old frames: every panel gets the same one, a thin grey frame around its map.
    for (Panel& panel : panels_) {
        panel.heading->setFont(style.labelFont());
        for (QCPAxis* axis : panel.rect->axes())
            axis->setBasePen(QPen(QColor(120, 120, 120), style.scale));
    }
}

QStringList EigenfunctionPlot::panelHeadings() const {
    QStringList headings;
    for (int k = 0; k < shownPanels_; ++k)
        headings << panels_[k].heading->text();
    return headings;
}

QList<const QCPColorMap*> EigenfunctionPlot::panelMaps() const {
    QList<const QCPColorMap*> maps;
    for (int k = 0; k < shownPanels_; ++k)
        maps << panels_[k].map;
    return maps;
}

void EigenfunctionPlot::showPanels(int count) {
    if (count == shownPanels_)
        return;
    shownPanels_ = count;
    const QList<QCPLayoutElement*> placed = grid_->elements(false);
    for (const Panel& panel : panels_)
        for (QCPLayoutElement* element :
             {static_cast<QCPLayoutElement*>(panel.heading), static_cast<QCPLayoutElement*>(panel.rect)})
            if (placed.contains(element))
                grid_->take(element);
    grid_->simplify();
    // Two columns from two panels on: each row a heading over its panels. With none, the first panel's
    // empty axes hold the waiting text in the middle of the plot.
    const int columns = count >= 2 ? 2 : 1;
    for (int k = 0; k < std::max(count, 1); ++k) {
        const int row = 2 * (k / columns), column = k % columns;
        if (count > 0)
            grid_->addElement(row, column, panels_[k].heading);
        grid_->addElement(row + 1, column, panels_[k].rect);
    }
    for (int row = 0; row < grid_->rowCount(); ++row)
        grid_->setRowStretchFactor(row, count > 0 && row % 2 == 0 ? 0.001 : 1.0);
    for (int k = 0; k < eigenfunctionCount; ++k) {
        const bool used = k < count;
        panels_[k].heading->setVisible(used);
        panels_[k].rect->setVisible(used || k == 0);
        panels_[k].map->setVisible(used);
        if (!used)
            panels_[k].map->data()->clear();
    }
}

QString EigenfunctionPlot::whyNothing(const RunHistory& history) const {
    if (!history.hasRun())
        return tr("waiting for a run");
    const RunInfo& info = history.info();
    if (info.config.ntkEvery <= 0)
        return tr("needs the NTK (NTK every K > 0)");
    if (info.trainSize > maxEigenfunctionPoints)
        return tr("not computed above n = %1 training points: they would slow the live run")
            .arg(maxEigenfunctionPoints);
    const bool image = isImageDataset(info.config.dataset) && squareImageSide(info.inputDim) > 0;
    if (info.inputDim > 2 && !image)
        return tr("drawn for inputs with one or two features and for images;\nthis run has %1 features")
            .arg(info.inputDim);
    return {};
}

void EigenfunctionPlot::rebuild(const RunHistory& history) {
    clearGraphs();
    removeDataItems();
    images_ = false;
    reason_ = whyNothing(history);
    const EpochReport* report = history.hasRun() ? latestWithEigenfunctions(history) : nullptr;
    if (!reason_.isEmpty() || !report) {
        showPanels(0);
        setTitleText(title()); // no epoch of an earlier run
        const bool ended = history.hasRun() && history.outcome().has_value();
        if (reason_.isEmpty() && ended)
            reason_ = tr("the run ended before its first NTK epoch");
        setWaitingText(reason_.isEmpty() ? tr("waiting for the first NTK epoch") : reason_);
        return;
    }
    setWaitingText({});
    const Eigenfunctions& functions = *report->eigenfunctions;
    const int count = std::min(functions.count(), eigenfunctionCount);
    showPanels(count);
    const bool image = functions.imageWidth > 0;
    for (int k = 0; k < count; ++k)
        panels_[k].heading->setText(QString("%1%2 (λ%2 = %3)")
                                        .arg(image ? "v" : "φ", subscript(k + 1))
                                        .arg(functions.eigenvalues[k], 0, 'g', 4));
    if (image)
        drawImages(history, functions);
    else if (functions.grid && functions.grid->dimension == 2)
        drawPlane(history, functions);
    else if (functions.grid)
        drawLine(history, functions);
    setTitleText(epochTitle(tr("NTK eigenfunctions"), report->epoch));
}

void EigenfunctionPlot::drawPlane(const RunHistory& history, const Eigenfunctions& functions) {
    const GridPoints& grid = *functions.grid;
    const int cells = grid.resolution;
    const double dx = (grid.xMax - grid.xMin) / cells, dy = (grid.yMax - grid.yMin) / cells;
    const Eigen::MatrixXd& points = history.info().trainFeatures;
    for (int k = 0; k < shownPanels_; ++k) {
        QCPColorMap* map = panels_[k].map;
        map->setInterpolate(true); // a smooth function sampled on a grid
        map->data()->setSize(cells, cells);
        map->data()->setRange(QCPRange(grid.xMin + dx / 2, grid.xMax - dx / 2),
                              QCPRange(grid.yMin + dy / 2, grid.yMax - dy / 2));
        for (int r = 0; r < cells; ++r)
            for (int c = 0; c < cells; ++c)
                map->data()->setCell(c, r, functions.values(r * cells + c, k));
        // Symmetric around 0, so white is zero and the colours' strengths compare within a map.
        const double largest = std::max(functions.values.col(k).cwiseAbs().maxCoeff(), 1e-300);
        map->setDataRange(QCPRange(-largest, largest));
        if (points.cols() == 2) {
            QCPGraph* dots = addGraph(keyAxis(k), valueAxis(k));
            dots->setName(tr("training points"));
            dots->setLineStyle(QCPGraph::lsNone);
            dots->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle,
                                                  QPen(QColor(40, 40, 40), style().scale),
                                                  QBrush(Qt::NoBrush), style().markerSize() * 0.8));
            dots->setData(toQVector(points.col(0)), toQVector(points.col(1)));
        }
        if (followsData()) {
            keyAxis(k)->setRange(grid.xMin, grid.xMax);
            valueAxis(k)->setRange(grid.yMin, grid.yMax);
        }
    }
    setNote(tr("red > 0 > blue, each map to its own largest |φ|; rings: training points"));
}

void EigenfunctionPlot::drawLine(const RunHistory& history, const Eigenfunctions& functions) {
    const Eigen::VectorXd xs = functions.grid->points.col(0);
    const Eigen::MatrixXd& points = history.info().trainFeatures;
    for (int k = 0; k < shownPanels_; ++k) {
        double largest = functions.values.col(k).cwiseAbs().maxCoeff();
        // The eigenvector's entries first, small, so the curve through them stays visible on top.
        if (points.cols() == 1 && points.rows() == functions.vectors.rows()) {
            QCPGraph* dots = addGraph(keyAxis(k), valueAxis(k));
            dots->setName(tr("v%1 at the training points").arg(subscript(k + 1)));
            dots->setLineStyle(QCPGraph::lsNone);
            dots->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, PlotStyle::trainColor(),
                                                  style().markerSize() * 0.6));
            dots->setData(toQVector(points.col(0)), toQVector(functions.vectors.col(k)));
            largest = std::max(largest, functions.vectors.col(k).cwiseAbs().maxCoeff());
        }
        QCPGraph* curve = addGraph(keyAxis(k), valueAxis(k));
        curve->setName(tr("φ%1").arg(subscript(k + 1)));
        curve->setPen(QPen(PlotStyle::color(6), 0.6 * style().lineWidth()));
        curve->setData(toQVector(xs), toQVector(functions.values.col(k)), true);
        auto* zero = new QCPItemStraightLine(this);
        zero->setClipAxisRect(panels_[k].rect);
        for (QCPItemPosition* at : {zero->point1, zero->point2})
            at->setAxes(keyAxis(k), valueAxis(k));
        zero->point1->setCoords(0, 0);
        zero->point2->setCoords(1, 0);
        zero->setPen(QPen(PlotStyle::referenceColor(), style().scale, Qt::DashLine));
        if (followsData()) {
            keyAxis(k)->setRange(functions.grid->xMin, functions.grid->xMax);
            largest = std::max(largest, 1e-300) * 1.1;
            valueAxis(k)->setRange(-largest, largest);
        }
    }
    setNote(tr("φ over x (dashed: 0); dots: v at the training points, where φ = v"));
}

void EigenfunctionPlot::drawImages(const RunHistory& history, const Eigenfunctions& functions) {
    images_ = true;
    const int width = functions.imageWidth, height = functions.imageHeight;
    const Eigen::MatrixXd* features = history.info().data ? &history.info().data->train.features : nullptr;
    for (int k = 0; k < shownPanels_; ++k) {
        QCPColorMap* map = panels_[k].map;
        map->setInterpolate(false); // pixels as pixels
        map->data()->setSize(width, height);
        // Pixel centres in a unit square, the image's first row at the top.
        map->data()->setRange(QCPRange(0.5 / width, 1.0 - 0.5 / width),
                              QCPRange(0.5 / height, 1.0 - 0.5 / height));
        for (int r = 0; r < height; ++r)
            for (int c = 0; c < width; ++c)
                map->data()->setCell(c, height - 1 - r, functions.meanImages(k, r * width + c));
        const double largest = std::max(functions.meanImages.row(k).cwiseAbs().maxCoeff(), 1e-300);
        map->setDataRange(QCPRange(-largest, largest));
        for (int j = 0; features && j < functions.topImages.cols(); ++j) {
            const int index = functions.topImages(k, j);
            if (index < 0 || index >= features->rows())
                continue;
            const Eigen::RowVectorXd pixels = features->row(index);
            const double low = pixels.minCoeff(), span = std::max(pixels.maxCoeff() - low, 1e-300);
            QImage image(width, height, QImage::Format_Grayscale8);
            for (int r = 0; r < height; ++r) {
                uchar* line = image.scanLine(r);
                for (int c = 0; c < width; ++c)
                    line[c] = uchar(std::lround(255.0 * (pixels[r * width + c] - low) / span));
            }
            auto* item = new QCPItemPixmap(this);
            item->setClipAxisRect(panels_[k].rect);
            for (QCPItemPosition* at : {item->topLeft, item->bottomRight})
                at->setAxes(keyAxis(k), valueAxis(k));
            item->setScaled(true, Qt::IgnoreAspectRatio, Qt::FastTransformation);
            item->setPixmap(QPixmap::fromImage(image));
            const double top = 1.0 - j * (sideImage + sideGap);
            item->topLeft->setCoords(columnLeft, top);
            item->bottomRight->setCoords(columnLeft + sideImage, top - sideImage);
            // Framed in the colour of the sign it loads with.
            const double loading = functions.vectors(index, k);
            item->setPen(
                QPen(loading >= 0 ? QColor(178, 24, 43) : QColor(33, 102, 172), 2.0 * style().scale));
        }
    }
    keepImagesSquare();
    setNote(tr("left: Σᵢ vₖ(i) xᵢ, red > 0 > blue; right: the largest |vₖ(i)|, framed by the sign"));
}

void EigenfunctionPlot::keepImagesSquare() {
    if (!images_ || !followsData())
        return;
    // Square pixels whatever the panel's shape: the content (mean image and column) is centred and scaled
    // to fit.
    const double contentWidth = columnLeft + sideImage, contentHeight = 1.0;
    for (int k = 0; k < shownPanels_; ++k) {
        const QRect rect = panels_[k].rect->rect();
        if (rect.width() <= 0 || rect.height() <= 0)
            continue;
        const double unitsPerPixel =
            std::max(contentWidth / rect.width(), contentHeight / rect.height()) * 1.04;
        const double halfWidth = unitsPerPixel * rect.width() / 2,
                     halfHeight = unitsPerPixel * rect.height() / 2;
        keyAxis(k)->setRange(contentWidth / 2 - halfWidth, contentWidth / 2 + halfWidth);
        valueAxis(k)->setRange(contentHeight / 2 - halfHeight, contentHeight / 2 + halfHeight);
    }
}

} // namespace ntk
