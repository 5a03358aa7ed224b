#include "help_panel.h"

#include "ui_resources.h"

#include <QFile>

namespace ntk {

HelpPanel::HelpPanel(QWidget* parent)
    : QTextBrowser(parent) {
    setObjectName("helpPanel");
    setOpenExternalLinks(false);
    registerUiResources();
    QFile file(":/help.html");
    // The page is compiled in: failing to open it is a build error, said plainly rather than shown blank.
    setHtml(file.open(QIODevice::ReadOnly)
                ? QString::fromUtf8(file.readAll())
                : tr("The help page is missing from this build (%1).").arg(file.errorString()));
}

} // namespace ntk
