#include "control_panel.h"

#include "labeled_slider.h"
#include "settings_table.h"
#include "trainer.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ntk {
namespace {

QString explanation(const QString& key) {
    const SettingSpec* spec = findSetting(key);
    return spec ? spec->help + "." : QString();
}

QString display(std::string_view name) {
    return QString::fromUtf8(name.data(), qsizetype(name.size()));
}

} // namespace

ControlPanel::ControlPanel(QWidget* parent)
    : QWidget(parent) {
    using S = LabeledSlider::Scale;
    auto* root = new QVBoxLayout(this);
    auto group = [&](const QString& title) {
        auto* box = new QGroupBox(title, this);
        auto* layout = new QVBoxLayout(box);
        layout->setSpacing(2);
        root->addWidget(box);
        return layout;
    };
    auto form = [](QVBoxLayout* layout) {
        auto* f = new QFormLayout;
        f->setContentsMargins(0, 0, 0, 0);
        // A narrow panel (large text) puts the field under its label instead of cutting it off.
        f->setRowWrapPolicy(QFormLayout::WrapLongRows);
        layout->addLayout(f);
        return f;
    };

    // The four settings a lecture varies, first, so they show without scrolling on a 1366×768 projector
    // (and in presentation mode's larger text); the rest of each topic follows in its group.
    QVBoxLayout* main = group(tr("Main settings"));
    addSlider(
        main, "n", tr("Training points n"), 4, wholeImageTrainingSet, int(S::Log), true,
        [](const RunConfig& c) { return c.trainSize; }, [](RunConfig& c, double v) { c.trainSize = int(v); });
    addSlider(
        main, "width", tr("Width (units per hidden layer)"), 1, 4096, int(S::Octaves), true,
        [](const RunConfig& c) { return c.width; }, [](RunConfig& c, double v) { c.width = int(v); });
    addSlider(
        main, "l2", tr("L2 strength λ₂"), 1e-6, 1.0, int(S::LogWithZero), false,
        [](const RunConfig& c) { return c.l2; }, [](RunConfig& c, double v) { c.l2 = v; });
    addSlider(
        main, "l1", tr("L1 strength λ₁"), 1e-6, 1.0, int(S::LogWithZero), false,
        [](const RunConfig& c) { return c.l1; }, [](RunConfig& c, double v) { c.l1 = v; });

    QVBoxLayout* data = group(tr("Data"));
    QComboBox* dataset = addCombo(form(data), "dataset", tr("Data set"), &RunConfig::dataset);
    connect(dataset, &QComboBox::activated, this, [this] {
        if (config_.dataset == DatasetKind::Csv)
            emit csvRequested();
        if (config_.dataset == DatasetKind::Npy)
            emit npyRequested();
    });
    // All 60,000 training images: above 10,000 points the kernel is solved as an operator (never formed).
    wholeSet_ = new QPushButton(tr("All %L1").arg(wholeImageTrainingSet), this);
    wholeSet_->setObjectName("wholeTrainingSet");
    wholeSet_->setToolTip(tr("Train on every image of the training split. Above %L1 points the kernel is "
                             "never formed: each NTK epoch solves its top eigenvalues on the kernel as an "
                             "operator (about a minute at %L2 points), with a progress bar and Stop in the "
                             "status bar.")
                              .arg(Trainer::maxDenseKernelPoints)
                              .arg(wholeImageTrainingSet));
    data->addWidget(wholeSet_);
    connect(wholeSet_, &QPushButton::clicked, this, [this] {
        RunConfig whole = config_;
        whole.trainSize = wholeImageTrainingSet;
        setConfig(whole);
        emit configEdited();
    });
    addSlider(
        data, "test_n", tr("Test points"), 10, 5000, int(S::LogWithZero), true,
        [](const RunConfig& c) { return c.testSize; }, [](RunConfig& c, double v) { c.testSize = int(v); });
    noise_ = addSlider(
        data, "noise", tr("Noise (synthetic data)"), 0.01, 2.0, int(S::LogWithZero), false,
        [](const RunConfig& c) { return c.noise; }, [](RunConfig& c, double v) { c.noise = v; });

    QVBoxLayout* model = group(tr("Network"));
    addSlider(
        model, "depth", tr("Depth (hidden layers)"), 1, 8, int(S::Linear), true,
        [](const RunConfig& c) { return c.depth; }, [](RunConfig& c, double v) { c.depth = int(v); });
    QFormLayout* modelForm = form(model);
    addCombo(modelForm, "activation", tr("Activation"), &RunConfig::activation);
    addCombo(modelForm, "param", tr("Parameterization"), &RunConfig::parameterization);

    QVBoxLayout* training = group(tr("Training"));
    QFormLayout* trainingForm = form(training);
    addCombo(trainingForm, "loss", tr("Loss"), &RunConfig::loss);
    addCombo(trainingForm, "optimizer", tr("Optimizer"), &RunConfig::optimizer);
    addSlider(
        training, "lr", tr("Learning rate"), 1e-4, 10.0, int(S::Log), false,
        [](const RunConfig& c) { return c.learningRate; },
        [](RunConfig& c, double v) { c.learningRate = v; });
    addSlider(
        training, "epochs", tr("Epochs"), 10, 20000, int(S::Log), true,
        [](const RunConfig& c) { return c.epochs; }, [](RunConfig& c, double v) { c.epochs = int(v); });
    batch_ = addSlider(
        training, "batch", tr("Mini-batch size"), 1, 1024, int(S::Octaves), true,
        [](const RunConfig& c) { return c.batchSize; }, [](RunConfig& c, double v) { c.batchSize = int(v); });

    QVBoxLayout* regularization = group(tr("Regularization"));
    l1Mode_ = addCombo(form(regularization), "l1_mode", tr("L1 by"), &RunConfig::l1Mode);
    addSlider(
        regularization, "early_stop", tr("Early-stopping patience (0 = off)"), 1, 1000, int(S::LogWithZero),
        true, [](const RunConfig& c) { return c.earlyStopPatience; },
        [](RunConfig& c, double v) { c.earlyStopPatience = int(v); });

    QVBoxLayout* kernel = group(tr("Kernel and run"));
    addSlider(
        kernel, "ntk_every", tr("NTK every K epochs"), 1, 1000, int(S::Log), true,
        [](const RunConfig& c) { return c.ntkEvery; }, [](RunConfig& c, double v) { c.ntkEvery = int(v); });
    addSlider(
        kernel, "top_k", tr("Top-k eigenvalues only (0 = all)"), 1, 1000, int(S::LogWithZero), true,
        [](const RunConfig& c) { return c.topK; }, [](RunConfig& c, double v) { c.topK = int(v); });
    addSlider(
        kernel, "hessian_every", tr("Hessian every K epochs (0 = off)"), 1, 1000, int(S::LogWithZero), true,
        [](const RunConfig& c) { return c.hessianEvery; },
        [](RunConfig& c, double v) { c.hessianEvery = int(v); });
    addCombo(form(kernel), "kernel_precision", tr("Kernel precision"), &RunConfig::kernelPrecision);
    auto* seed = new QSpinBox(this);
    seed->setRange(0, 999999999);
    seed->setToolTip(explanation("seed"));
    form(kernel)->addRow(tr("Seed"), seed);
    connect(seed, &QSpinBox::valueChanged, this, [this](int v) {
        config_.seed = std::uint64_t(v);
        edited();
    });
    refreshers_.push_back(
        [this, seed] { seed->setValue(int(std::min<std::uint64_t>(config_.seed, 999999999))); });
    root->addStretch(1);
    setConfig(config_);
}

LabeledSlider* ControlPanel::addSlider(QVBoxLayout* layout, const QString& key, const QString& label,
                                       double min, double max, int scale, bool integer,
                                       std::function<double(const RunConfig&)> get,
                                       std::function<void(RunConfig&, double)> set) {
    auto* slider = new LabeledSlider(label, min, max, LabeledSlider::Scale(scale), integer, this);
    slider->setExplanation(explanation(key));
    layout->addWidget(slider);
    connect(slider, &LabeledSlider::valueChanged, this, [this, set](double v) {
        set(config_, v);
        edited();
    });
    refreshers_.push_back([this, slider, get] { slider->setValue(get(config_)); });
    return slider;
}

template <class Enum>
QComboBox* ControlPanel::addCombo(QFormLayout* layout, const QString& key, const QString& label,
                                  Enum RunConfig::*member) {
    auto* combo = new QComboBox(this);
    for (Enum value : allValues<Enum>())
        combo->addItem(display(toString(value)), int(value));
    combo->setToolTip(explanation(key));
    layout->addRow(label, combo);
    connect(combo, &QComboBox::activated, this, [this, combo, member] {
        config_.*member = Enum(combo->currentData().toInt());
        edited();
    });
    refreshers_.push_back(
        [this, combo, member] { combo->setCurrentIndex(combo->findData(int(config_.*member))); });
    return combo;
}

void ControlPanel::setConfig(const RunConfig& config) {
    config_ = config;
    updating_ = true;
    for (const auto& refresh : refreshers_)
        refresh();
    updating_ = false;
    refreshEnabled();
}

void ControlPanel::refreshEnabled() {
    noise_->setEnabled(isSyntheticDataset(config_.dataset));
    wholeSet_->setEnabled(isImageDataset(config_.dataset) && config_.trainSize != wholeImageTrainingSet);
    batch_->setEnabled(config_.optimizer != OptimizerKind::Gd);
    l1Mode_->setEnabled(config_.l1 > 0.0);
}

void ControlPanel::edited() {
    if (updating_)
        return;
    refreshEnabled();
    emit configEdited();
}

} // namespace ntk
