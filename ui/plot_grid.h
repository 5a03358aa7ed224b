#pragma once
// The live plots' grid: its column count follows the width available and the text size, so plots get
// fewer columns rather than too narrow for their titles and tick labels when the text grows (presentation
// mode, Ctrl +) or the window shrinks. Rows that do not fit the height scroll rather than squash.
#include <QScrollArea>
#include <vector>

class QGridLayout;

namespace ntk {

class PlotGrid : public QScrollArea {
    Q_OBJECT
public:
    explicit PlotGrid(int maximumColumns, QWidget* parent = nullptr);
    // Cells fill the grid in reading order.
    void addCell(QWidget* cell);
    int columnCount() const { return columns_; }
    // The smallest size a plot keeps, in lines of the current font: wide enough for a title of about
    // thirty characters and four tick labels side by side, tall enough for a title, axis and legend.
    static constexpr double minimumWidthInLines = 14.0;
    static constexpr double minimumHeightInLines = 10.0;
    QSize minimumCellSize() const;

protected:
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void arrange();

    int maximumColumns_;
    QWidget* canvas_;
    QGridLayout* grid_;
    std::vector<QWidget*> cells_;
    int columns_ = 0;
};

} // namespace ntk
