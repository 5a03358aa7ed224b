#pragma once
// Asks for the size, pixel scale and text size of exported figures, or one of the slide presets.
#include "figure_export.h"

#include <QDialog>
#include <optional>

class QComboBox;
class QSpinBox;
class QDoubleSpinBox;

namespace ntk {

struct ExportSize {
    int width = 1600;
    int height = 1000;
    double scale = 2.0;
    double styleScale = 1.4; // fonts and lines, relative to the screen default
    FigureOptions figure() const { return {QSize(width, height), scale, styleScale}; }
    static ExportSize from(const FigureOptions& options) {
        return {options.size.width(), options.size.height(), options.scale, options.styleScale};
    }
};

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExportDialog(const ExportSize& initial, QWidget* parent = nullptr);
    ExportSize size() const;
    // Fills the fields with a preset's values, as choosing it in the dialog does.
    void choosePreset(FigurePreset preset);
    // Shows the dialog; nullopt when cancelled.
    static std::optional<ExportSize> ask(QWidget* parent, const ExportSize& initial);

private:
    void showValues(const ExportSize& size);
    void showMatchingPreset();

    QComboBox* preset_;
    QSpinBox* width_;
    QSpinBox* height_;
    QDoubleSpinBox* scale_;
    QDoubleSpinBox* styleScale_;
};

} // namespace ntk
