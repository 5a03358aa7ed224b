#pragma once
// Asks for the size and pixel scale of exported figures.
#include <QDialog>
#include <optional>

class QSpinBox;
class QDoubleSpinBox;

namespace ntk {

struct ExportSize {
    int width = 1600;
    int height = 1000;
    double scale = 2.0;
};

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExportDialog(const ExportSize& initial, QWidget* parent = nullptr);
    ExportSize size() const;
    // Shows the dialog; nullopt when cancelled.
    static std::optional<ExportSize> ask(QWidget* parent, const ExportSize& initial);

private:
    QSpinBox* width_;
    QSpinBox* height_;
    QDoubleSpinBox* scale_;
};

} // namespace ntk
