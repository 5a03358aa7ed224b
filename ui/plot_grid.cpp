#include "plot_grid.h"

#include <QEvent>
#include <QGridLayout>
#include <QResizeEvent>
#include <QScrollBar>
#include <algorithm>
#include <cmath>

namespace ntk {

PlotGrid::PlotGrid(int maximumColumns, Rows rows, QWidget* parent)
    : QScrollArea(parent)
    , maximumColumns_(maximumColumns)
    , rows_(rows)
    , canvas_(new QWidget)
    , grid_(new QGridLayout(canvas_)) {
    grid_->setContentsMargins(4, 4, 4, 4);
    grid_->setSpacing(4);
    setWidget(canvas_);
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // columns adapt instead
}

void PlotGrid::addCell(QWidget* cell) {
    cells_.push_back(cell);
    ownMinimumSizes_.push_back(cell->minimumSize());
    columns_ = 0; // lay out again
    arrange();
}

QSize PlotGrid::minimumCellSize() const {
    const double line = fontMetrics().height();
    // Never below the plots' own minimum (NtkPlot), which holds at the smallest text.
    return QSize(int(std::ceil(minimumWidthInLines * line)), int(std::ceil(minimumHeightInLines * line)))
        .expandedTo(QSize(260, 200));
}

QSize PlotGrid::cellSize(QSize size, int columns) const {
    const QMargins margins = grid_->contentsMargins();
    const int spacing = grid_->spacing();
    const int rows = (int(cells_.size()) + columns - 1) / columns;
    return QSize((size.width() - margins.left() - margins.right() - (columns - 1) * spacing) / columns,
                 (size.height() - margins.top() - margins.bottom() - (rows - 1) * spacing) /
                     std::max(rows, 1));
}

PlotGrid::Fit PlotGrid::bestFit(QSize size) const {
    const QSize aim = minimumCellSize();
    QSize plotMinimum;
    for (const QSize& own : ownMinimumSizes_)
        plotMinimum = plotMinimum.expandedTo(own);
    Fit best;
    best.score = -1.0;
    for (int columns = 1; columns <= maximumColumns_; ++columns) {
        const QSize cell = cellSize(size, columns);
        const Fit fit{columns, cell,
                      cell.width() >= plotMinimum.width() && cell.height() >= plotMinimum.height(),
                      std::min(double(cell.width()) / aim.width(), double(cell.height()) / aim.height())};
        if (fit.betterThan(best))
            best = fit;
    }
    return best;
}

void PlotGrid::arrange() {
    int columns = 1;
    if (rows_ == Rows::FitHeight) {
        // The frame's inside, not the viewport: a scroll bar shown for a too small grid would change the
        // viewport and with it the choice.
        columns = bestFit(contentsRect().size()).columns;
        for (std::size_t i = 0; i < cells_.size(); ++i)
            cells_[i]->setMinimumSize(ownMinimumSizes_[i]);
    } else {
        const QSize cell = minimumCellSize();
        const int spacing = grid_->spacing();
        const int margins = grid_->contentsMargins().left() + grid_->contentsMargins().right();
        const int room = viewport()->width() - margins + spacing;
        columns = std::clamp(room / (cell.width() + spacing), 1, maximumColumns_);
        for (QWidget* w : cells_)
            w->setMinimumSize(cell);
    }
    if (columns == columns_)
        return;
    columns_ = columns;
    for (QWidget* w : cells_)
        grid_->removeWidget(w);
    for (int c = 0; c < grid_->columnCount(); ++c)
        grid_->setColumnStretch(c, 0);
    for (int r = 0; r < grid_->rowCount(); ++r)
        grid_->setRowStretch(r, 0);
    for (int i = 0; i < int(cells_.size()); ++i)
        grid_->addWidget(cells_[std::size_t(i)], i / columns, i % columns);
    for (int c = 0; c < columns; ++c)
        grid_->setColumnStretch(c, 1);
    for (int r = 0; r < (int(cells_.size()) + columns - 1) / columns; ++r)
        grid_->setRowStretch(r, 1);
}

void PlotGrid::resizeEvent(QResizeEvent* event) {
    QScrollArea::resizeEvent(event);
    arrange();
}

void PlotGrid::changeEvent(QEvent* event) {
    QScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        arrange();
}

} // namespace ntk
