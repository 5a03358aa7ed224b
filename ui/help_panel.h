#pragma once
#include <QTextBrowser>

namespace ntk {

// Plain-language explanations of the NTK, each plot and each control.
class HelpPanel : public QTextBrowser {
    Q_OBJECT
public:
    explicit HelpPanel(QWidget* parent = nullptr);
};

} // namespace ntk
