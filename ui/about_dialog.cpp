#include "about_dialog.h"

#include <Eigen/Core>
#include <QMessageBox>
#include <qcustomplot.h>

namespace ntk {

QString versionReport() {
    return QString("ntkviz %1\nQt %2 (built with %3)\nEigen %4.%5.%6\nQCustomPlot %7")
        .arg(NTKVIZ_VERSION, qVersion(), QT_VERSION_STR)
        .arg(EIGEN_WORLD_VERSION)
        .arg(EIGEN_MAJOR_VERSION)
        .arg(EIGEN_MINOR_VERSION)
        .arg(QCUSTOMPLOT_VERSION_STR);
}

void showAboutDialog(QWidget* parent) {
    QMessageBox::about(
        parent, QObject::tr("About ntkviz"),
        QObject::tr("<h3>ntkviz</h3><p>Watch the neural tangent kernel of a small network change "
                    "while it trains.</p><p>Free software under the GNU General Public License, version 3 "
                    "or later (GPL-3.0-or-later).</p><pre>%1</pre>")
            .arg(versionReport().toHtmlEscaped()));
}

} // namespace ntk
