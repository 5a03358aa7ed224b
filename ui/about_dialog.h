#pragma once
#include <QString>

class QWidget;

namespace ntk {

QString versionReport(); // ntkviz, Qt, Eigen and QCustomPlot versions
void showAboutDialog(QWidget* parent);

} // namespace ntk
