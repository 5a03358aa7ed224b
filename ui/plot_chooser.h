#pragma once
// One cell of the plot grid that holds several plots, one shown at a time, chosen from a drop-down list
// above it. A row of tabs does not fit the cell: at 1366x768 nine labels need about twice its width, and
// the last ones hid behind scroll arrows. The plots sit in a QTabWidget whose tab bar is hidden, so code
// and tests choose a plot the usual way (tabs()->setCurrentWidget) and the list follows.
#include <QWidget>

class QComboBox;
class QTabWidget;

namespace ntk {

class PlotChooser : public QWidget {
    Q_OBJECT
public:
    explicit PlotChooser(QWidget* parent = nullptr);
    void addPlot(QWidget* plot, const QString& name);
    QTabWidget* tabs() const { return tabs_; }
    QComboBox* list() const { return list_; }

private:
    QComboBox* list_;
    QTabWidget* tabs_;
};

} // namespace ntk
