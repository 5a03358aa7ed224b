#include "help_panel.h"

#include <QFile>

namespace ntk {

HelpPanel::HelpPanel(QWidget* parent)
    : QTextBrowser(parent) {
    setOpenExternalLinks(false);
    QFile file(":/help.html");
    if (file.open(QIODevice::ReadOnly))
        setHtml(QString::fromUtf8(file.readAll()));
}

} // namespace ntk
