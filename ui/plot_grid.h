#pragma once
// The plots' grid: its column count follows the space available and the text size, so plots get fewer
// columns rather than too narrow for their titles and tick labels when the text grows (presentation mode,
// Ctrl +) or the window shrinks. By default rows that do not fit the height scroll rather than squash (the
// live page, which has more plots than a screen holds); a grid that fits its height (the scene page, whose
// plots are meant to be seen together) shares the height among its rows instead, and scrolls only when the
// plots would go below their own minimum size.
#include <QScrollArea>
#include <vector>

class QGridLayout;

namespace ntk {

class PlotGrid : public QScrollArea {
    Q_OBJECT
public:
    enum class Rows { Scroll, FitHeight };
    explicit PlotGrid(int maximumColumns, Rows rows = Rows::Scroll, QWidget* parent = nullptr);
    // Cells fill the grid in reading order.
    void addCell(QWidget* cell);
    int columnCount() const { return columns_; }
    // The smallest size a plot keeps, in lines of the current font: wide enough for a title of about
    // thirty characters and four tick labels side by side, tall enough for a title, axis and legend. A grid
    // that fits its height treats it as the size it aims for, and lets cells go below it to its plots' own
    // minimum (their text shrinks to fit) rather than hide a row.
    static constexpr double minimumWidthInLines = 14.0;
    static constexpr double minimumHeightInLines = 10.0;
    QSize minimumCellSize() const;

    // How the cells would fit a grid of `size`, with the columns this grid would choose for it: whether they
    // keep the plots' own minimum size, and their score, the smaller of the cells' width and height as a
    // share of minimumCellSize() (1 or more: cells of at least that size). The scene page compares its
    // arrangements with it.
    struct Fit {
        int columns = 1;
        QSize cell;
        bool keepsPlotMinimum = false;
        double score = 0.0;
        bool betterThan(const Fit& other) const {
            return keepsPlotMinimum != other.keepsPlotMinimum ? keepsPlotMinimum : score > other.score;
        }
    };
    Fit bestFit(QSize size) const;

protected:
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void arrange();
    QSize cellSize(QSize size, int columns) const;

    int maximumColumns_;
    Rows rows_;
    QWidget* canvas_;
    QGridLayout* grid_;
    std::vector<QWidget*> cells_;
    std::vector<QSize> ownMinimumSizes_; // each cell's minimum as added, kept by a grid that fits its height
    int columns_ = 0;
};

} // namespace ntk
