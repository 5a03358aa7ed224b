#pragma once
// Every setting of a run as a slider with its value, or a combo box. Reads and writes RunConfig values;
// tells its owner when the user changed something.
#include "config.h"

#include <QWidget>
#include <functional>
#include <vector>

class QComboBox;
class QPushButton;
class QSpinBox;
class QCheckBox;
class QFormLayout;
class QVBoxLayout;

namespace ntk {

class LabeledSlider;

class ControlPanel : public QWidget {
    Q_OBJECT
public:
    explicit ControlPanel(QWidget* parent = nullptr);

    RunConfig config() const { return config_; }
    void setConfig(const RunConfig& config); // does not emit configEdited

signals:
    void configEdited();
    void csvRequested(); // the user picked "csv" as data set: the owner asks for a file
    void npyRequested(); // the user picked "npy": the owner asks for a directory of NumPy arrays

private:
    LabeledSlider* addSlider(QVBoxLayout* layout, const QString& key, const QString& label, double min,
                             double max, int scale, bool integer, std::function<double(const RunConfig&)> get,
                             std::function<void(RunConfig&, double)> set);
    template <class Enum>
    QComboBox* addCombo(QFormLayout* layout, const QString& key, const QString& label,
                        Enum RunConfig::*member);
    void refreshEnabled();
    void edited();

    RunConfig config_;
    std::vector<std::function<void()>> refreshers_; // push config_ into each control
    bool updating_ = false;
    LabeledSlider* noise_ = nullptr;
    LabeledSlider* batch_ = nullptr;
    QComboBox* l1Mode_ = nullptr;
    QPushButton* wholeSet_ = nullptr;
};

// The training split of Fashion-MNIST and MNIST: what "whole training set" sets n to.
inline constexpr int wholeImageTrainingSet = 60000;

} // namespace ntk
