// PlotChooser: several plots in one grid cell, chosen from a list (see plot_chooser.h).
#include "plot_chooser.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QTabBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace ntk {

PlotChooser::PlotChooser(QWidget* parent)
    : QWidget(parent)
    , list_(new QComboBox)
    , tabs_(new QTabWidget) {
    tabs_->tabBar()->hide();
    tabs_->setDocumentMode(true); // no frame of its own: the cell is the plot
    list_->setObjectName("plotChooserList");
    list_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    list_->setToolTip(tr("Which plot this panel shows"));
    auto* label = new QLabel(tr("&Plot:"));
    label->setBuddy(list_);
    auto* header = new QHBoxLayout;
    header->setContentsMargins(4, 2, 4, 0);
    header->addWidget(label);
    header->addWidget(list_);
    header->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(header);
    layout->addWidget(tabs_, 1);
    connect(list_, &QComboBox::currentIndexChanged, tabs_, &QTabWidget::setCurrentIndex);
    connect(tabs_, &QTabWidget::currentChanged, list_, &QComboBox::setCurrentIndex);
}

void PlotChooser::addPlot(QWidget* plot, const QString& name) {
    tabs_->addTab(plot, name);
    list_->addItem(name);
}

} // namespace ntk
