// A monkey test of the real window, offscreen: a seeded stream of random user actions (sliders dragged and
// keyed, values typed into the slider fields, garbage included, combo boxes, the seed, pause/play, single
// steps, reset, pin/unpin, the speed limit, tab switches, built-in scenes opened and stopped, exports to a
// temporary folder), with the event loop running between them. At the end the window must settle on the
// run of the last settings, drawn on every plot, and every file exported on the way must be complete.
//
// NTKVIZ_MONKEY_SEED=<n> replays a seed (the seed is printed at the start), NTKVIZ_MONKEY_ACTIONS=<n> sets
// the number of actions (default 10,000; 5,000 under AddressSanitizer), NTKVIZ_MONKEY_LOG=1 prints every
// action as it is taken (to stderr), NTKVIZ_MONKEY_KEEP=1 keeps the exported files (the folder is
// printed). A seed always replays the same choices of action; what an action meets (how far a run has
// got, whether a dialog is open) depends on thread timing, so a replay is close to, not exactly, the
// original run. The tests after the monkey are regression tests: the sequences its failures came down to,
// and three bugs found while writing its checks.
#include "control_panel.h"
#include "labeled_slider.h"
#include "live_plot_set.h"
#include "main_window.h"
#include "npy.h"
#include "scene_view.h"
#include "settings_table.h"
#include "spectrum.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <cstdio>
#include <map>
#include <random>

using namespace ntk;

#if defined(__SANITIZE_ADDRESS__)
#define NTKVIZ_UNDER_ASAN
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NTKVIZ_UNDER_ASAN
#endif
#endif

namespace {

#ifdef NTKVIZ_UNDER_ASAN
// CI runs the whole suite under AddressSanitizer too, close to its time budget. Measured on the 2-core
// machine, 10,000 actions took 28 s in Release and 40 s under ASan (-O1): by default half the actions
// there, about 20 s. An explicit NTKVIZ_MONKEY_ACTIONS is taken as it is.
constexpr int defaultActions = 5000;
#else
constexpr int defaultActions = 10000;
#endif

RunConfig startConfig() {
    RunConfig c;
    c.dataset = DatasetKind::Moons;
    c.trainSize = 60;
    c.testSize = 30;
    c.width = 32;
    c.learningRate = 0.3;
    c.epochs = 40;
    return c;
}

// What MainWindow::startRun does to the settings before running them: sine is a regression task, so
// cross-entropy becomes mse; above automaticTopKAbove points only the top automaticTopK eigenvalues.
RunConfig asStarted(RunConfig c) {
    if (c.dataset == DatasetKind::Sine && c.loss == LossKind::CrossEntropy)
        c.loss = LossKind::Mse;
    if (c.topK == 0 && c.ntkEvery > 0 && c.trainSize > automaticTopKAbove)
        c.topK = automaticTopK;
    return c;
}

// The sliders reach n = 5000, width 4096, depth 8 and 20,000 epochs: one such run takes minutes, and a
// full eigen-solve cannot be interrupted. Whenever an action leaves a setting beyond its cap, the monkey
// types the cap into that slider's field at once, before the restart debounce can start the expensive
// run. Within the caps the slowest run measured (Fashion-MNIST, SGD with batch 1, erf, L1, NTK every
// epoch) took 5 s in Release on the 2-core machine under a load of 4.5 (ntkviz-cli, same settings).
struct Budget {
    const char* label; // start of the slider's label
    int RunConfig::*field;
    int cap;
};
constexpr Budget budgets[] = {{"Training points", &RunConfig::trainSize, 100},
                              {"Test points", &RunConfig::testSize, 100},
                              {"Width", &RunConfig::width, 64},
                              {"Depth", &RunConfig::depth, 3},
                              {"Epochs", &RunConfig::epochs, 100}};

QStringList garbageTexts() {
    return {"",
            "abc",
            "-1e400",
            "1e-400",
            "nan",
            "NaN",
            "-nan",
            "inf",
            "-inf",
            "1e999",
            "1e308",
            "-1e308",
            "99999999999999999999999",
            "-99999999999",
            "2147483648",
            "-2147483649",
            "0x1F",
            "1,5",
            "1.5e",
            "--1",
            "+3",
            "   42   ",
            "\t7\n",
            "-0",
            "0.000000000000000000000000000001",
            QString::fromUtf8("٣"),
            QString::fromUtf8("日本語"),
            QString::fromUtf8("🙂🙂🙂"),
            QString::fromUtf8("1\u200b2"),
            QString::fromUtf8("１２"),
            "%1%2%n",
            "<b>bold</b>",
            "'; DROP TABLE runs; --",
            QString(500, 'x'),
            QString(500, '9'),
            "0." + QString(498, '1'),
            QString(500, QChar(0x00e9))};
}

// More than a handful of distinct colours: the image shows a plot, not a blank canvas.
int distinctColours(const QImage& image) {
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2)
            colours.insert(image.pixel(x, y));
    return int(colours.size());
}

std::optional<int> titleEpoch(const NtkPlot* plot) {
    static const QRegularExpression epoch("epoch (\\d+)");
    const auto match = epoch.match(plot->shownTitle());
    if (!match.hasMatch())
        return std::nullopt;
    return match.captured(1).toInt();
}

// The epoch a plot's title must show once it has drawn `h` (see each plot's rebuild), or nullopt when its
// title shows none.
std::optional<int> expectedTitleEpoch(const LivePlot* plot, const RunHistory& h, const LiveRun& live) {
    const QString name = plot->fileName();
    // Pinned, the heatmap compares the next run with this one: while the live run is the pinned run itself
    // it waits (no epoch in its title) for the next run's first kernel.
    if (name == "spectrum_heatmap" && live.pinned() && live.reference().runId() == h.runId())
        return std::nullopt;
    if (name == "spectrum" || name == "spectrum_heatmap")
        return h.latestSpectrum().first >= 0 ? std::optional(h.latestSpectrum().first) : std::nullopt;
    if (name == "kernel_matrix")
        return h.latestKernel().size() > 0 ? std::optional(h.latestKernelEpoch()) : std::nullopt;
    if (name == "spectral_bias" || name == "spectral_filter")
        return h.initialResidualEnergy().size() > 0 && h.initialSpectrum().size() > 0
                   ? std::optional(h.latestResidualEnergy().first)
                   : std::nullopt;
    if (name == "eigenfunctions") { // the latest NTK epoch that carried them: some NTK epochs only
        const std::vector<EpochReport>& reports = h.reports();
        for (auto it = reports.rbegin(); it != reports.rend(); ++it)
            if (it->eigenfunctions)
                return it->epoch;
        return std::nullopt;
    }
    if (name == "predictions" && !(h.info().inputDim <= 2 && h.info().trainFeatures.rows() > 0))
        return std::nullopt; // no decision regions above two input features
    return h.latest() ? std::optional(h.latest()->epoch) : std::nullopt;
}

// Every visible plot's title names the epoch of the run on screen; empty when so, else what differs.
QString titleMismatches(const MainWindow& window) {
    const RunHistory& h = window.history();
    QStringList wrong;
    for (const LivePlot* plot : window.plots()) {
        if (!plot->isVisible())
            continue;
        const auto shown = titleEpoch(plot);
        const auto expected = expectedTitleEpoch(plot, h, window.liveRun());
        if (shown != expected)
            wrong << QString("%1 shows \"%2\", expected epoch %3")
                         .arg(plot->fileName(), plot->shownTitle(),
                              expected ? QString::number(*expected) : QString("none"));
    }
    return wrong.join("; ");
}

QJsonObject json(const RunConfig& c) {
    return configToJson(c);
}

QString configDifference(const RunConfig& shown, const RunConfig& run) {
    const QJsonObject a = json(asStarted(shown)), b = json(run);
    QStringList diff;
    for (auto it = a.begin(); it != a.end(); ++it)
        if (b.value(it.key()) != it.value())
            diff << QString("%1: controls %2, run %3")
                        .arg(it.key(), it.value().toVariant().toString(),
                             b.value(it.key()).toVariant().toString());
    for (auto it = b.begin(); it != b.end(); ++it)
        if (!a.contains(it.key()))
            diff << QString("%1 only in the run").arg(it.key());
    return diff.join("; ");
}

struct SliderControl {
    LabeledSlider* owner = nullptr;
    QSlider* slider = nullptr;
    QLineEdit* edit = nullptr;
    QString label;
};

// An export made during the monkey's run, checked at the end.
struct ExportRecord {
    int action = 0;
    QString directory;
    bool plots = false;    // all plots as PNG; else the run's numbers and arrays
    ExportSize size;       // plots
    QStringList plotNames; // plots
    int trainSize = 0;     // run
    int reports = 0;       // run: rows of epochs.csv
    bool hadKernel = false;
    bool ended = false; // run: it had ended, so the export has its final kernel
    QJsonObject config; // run
};

// What a run export of `h` into `directory` must contain (see checkRunExport).
ExportRecord runExportRecord(const RunHistory& h, const QString& directory, int action) {
    ExportRecord r;
    r.action = action;
    r.directory = directory;
    r.trainSize = h.info().trainSize;
    r.reports = int(h.reports().size());
    r.hadKernel = h.latestKernel().size() > 0;
    r.ended = h.outcome().has_value();
    r.config = json(h.info().config);
    return r;
}

QString readText(const QString& path, bool& ok) {
    QFile file(path);
    ok = file.open(QIODevice::ReadOnly);
    return ok ? QString::fromUtf8(file.readAll()) : QString();
}

// Rows of a CSV file that has a header and rows of the header's length; on a problem, `problem` says it.
std::vector<QStringList> readCsv(const QString& path, QString& problem) {
    bool ok = false;
    const QString text = readText(path, ok);
    if (!ok) {
        problem = path + ": cannot read";
        return {};
    }
    if (!text.endsWith('\n')) {
        problem = path + ": does not end with a newline (cut short?)";
        return {};
    }
    QStringList lines = text.split('\n');
    lines.removeLast();
    if (lines.isEmpty() || !lines.front().startsWith("epoch")) {
        problem = path + ": no header";
        return {};
    }
    const qsizetype columns = lines.front().split(',').size();
    std::vector<QStringList> rows;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QStringList fields = lines[i].split(',');
        if (fields.size() != columns) {
            problem = QString("%1: line %2 has %3 fields, the header %4")
                          .arg(path)
                          .arg(i + 1)
                          .arg(fields.size())
                          .arg(columns);
            return {};
        }
        rows.push_back(fields);
    }
    return rows;
}

Eigen::VectorXd descendingEigenvalues(const Eigen::MatrixXd& k) {
    Eigen::VectorXd values =
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(k, Eigen::EigenvaluesOnly).eigenvalues();
    return values.reverse();
}

// Largest difference between the leading eigenvalues of a kernel and a row of spectra.csv, relative to
// the largest eigenvalue.
double spectrumDistance(const Eigen::VectorXd& kernelValues, const Eigen::VectorXd& row) {
    const Eigen::Index k = std::min(kernelValues.size(), row.size());
    if (k == 0 || kernelValues.size() == 0)
        return std::numeric_limits<double>::infinity();
    const double scale = std::max(std::abs(kernelValues(0)), 1e-300);
    return (kernelValues.head(k) - row.head(k)).cwiseAbs().maxCoeff() / scale;
}

QStringList checkRunExport(const ExportRecord& r) {
    QStringList problems;
    const QDir dir(r.directory);
    QString problem;
    const auto epochs = readCsv(dir.filePath("epochs.csv"), problem);
    if (!problem.isEmpty())
        problems << problem;
    else if (int(epochs.size()) != r.reports)
        problems << QString("epochs.csv: %1 rows, the run had %2 epochs").arg(epochs.size()).arg(r.reports);
    else
        for (std::size_t i = 0; i < epochs.size(); ++i)
            if (epochs[i][0] != QString::number(i)) {
                problems << QString("epochs.csv: row %1 is epoch %2").arg(i).arg(epochs[i][0]);
                break;
            }
    problem.clear();
    const auto spectraRows = readCsv(dir.filePath("spectra.csv"), problem);
    std::map<int, Eigen::VectorXd> spectra;
    if (!problem.isEmpty())
        problems << problem;
    for (const QStringList& row : spectraRows) {
        Eigen::VectorXd values(row.size() - 1);
        bool ok = true;
        for (qsizetype i = 1; i < row.size() && ok; ++i)
            values(i - 1) = row[i].toDouble(&ok);
        if (!ok) {
            problems << "spectra.csv: a value is not a number in row of epoch " + row[0];
            break;
        }
        spectra[row[0].toInt()] = values;
    }
    if (spectra.empty() && r.hadKernel)
        problems << "spectra.csv: no spectrum, though the run had a kernel";
    QString error;
    const auto config = loadConfigFile(dir.filePath("config.json"), error);
    if (!config)
        problems << "config.json: " + error;
    else if (json(*config) != r.config)
        problems << "config.json: not the settings of the run exported";

    // The kernels (run_export.h): the initial one, and once the run has ended the final one (the kernel of
    // the parameters it ends with). The other arrays (data, parameters) must decode and be finite.
    const QJsonObject summary = QJsonDocument::fromJson([&] {
                                    QFile file(dir.filePath("summary.json"));
                                    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
                                }())
                                    .object();
    if (summary.isEmpty())
        problems << "summary.json: missing or not JSON";
    const QStringList npys = dir.entryList({"*.npy"}, QDir::Files);
    if (r.hadKernel && !npys.contains("ntk_init.npy"))
        problems << "ntk_init.npy missing: " + npys.join(", ");
    // A diverged run ends with its last finite parameters, whose kernel can still overflow: then there is
    // no final kernel, and the summary names the latest one measured before (final_kernel_epoch).
    const bool finalKernelUnmeasurable =
        summary.value("state").toString() == "diverged" &&
        summary.value("final_kernel_epoch").toInt() < summary.value("final_epoch").toInt();
    if (r.hadKernel && r.ended && !npys.contains("ntk_final.npy") && !finalKernelUnmeasurable)
        problems << "ntk_final.npy missing from an ended run: " + npys.join(", ");
    if (!r.ended && npys.contains("ntk_final.npy"))
        problems << "ntk_final.npy written for a run still training";
    for (const QString& name : npys) {
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::ReadOnly)) {
            problems << name + ": cannot read";
            continue;
        }
        const QByteArray bytes = file.readAll();
        NpyArray array;
        try {
            array = decodeNpy(std::string(bytes.constData(), std::size_t(bytes.size())), name.toStdString());
        } catch (const std::exception& e) {
            problems << QString("%1: %2").arg(name, e.what());
            continue;
        }
        if (name != "ntk_init.npy" && name != "ntk_final.npy") {
            for (double v : array.data)
                if (!std::isfinite(v)) {
                    problems << name + ": non-finite entries";
                    break;
                }
            continue;
        }
        const std::size_t n = std::size_t(r.trainSize);
        if (array.shape != std::vector<std::size_t>{n, n}) {
            QStringList dims;
            for (std::size_t d : array.shape)
                dims << QString::number(d);
            problems << QString("%1: shape (%2), expected (%3, %3)").arg(name, dims.join(", ")).arg(n);
            continue;
        }
        const Eigen::MatrixXd k =
            Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                array.data.data(), Eigen::Index(n), Eigen::Index(n));
        if (!k.allFinite()) {
            problems << name + ": non-finite entries";
            continue;
        }
        if ((k - k.transpose()).cwiseAbs().maxCoeff() > 1e-12 * std::max(1.0, k.cwiseAbs().maxCoeff())) {
            problems << name + ": not symmetric";
            continue;
        }
        // The kernel is the one its name says: its eigenvalues are that epoch's row of spectra.csv.
        // (ntk_final.npy: the final epoch's, when it had an NTK evaluation; else measured at the end, and
        // then its trace is summary.json's final_trace.)
        int epoch = name == "ntk_init.npy" ? 0 : summary["final_kernel_epoch"].toInt(-1);
        if (name == "ntk_final.npy" && !spectra.count(epoch)) {
            if (std::abs(k.trace() / summary["final_trace"].toDouble() - 1.0) > 1e-9)
                problems << QString("ntk_final.npy: trace %1, summary.json's final_trace %2")
                                .arg(k.trace())
                                .arg(summary["final_trace"].toDouble());
            continue;
        }
        if (epoch < 0 || !spectra.count(epoch))
            continue;
        const Eigen::VectorXd values = descendingEigenvalues(k);
        if (spectrumDistance(values, spectra[epoch]) > 1e-6) {
            int closest = -1;
            double best = std::numeric_limits<double>::infinity();
            for (const auto& [e, row] : spectra)
                if (const double d = spectrumDistance(values, row); d < best) {
                    best = d;
                    closest = e;
                }
            problems << QString(
                            "%1: its eigenvalues are not those of epoch %2 in spectra.csv (off by %3 of "
                            "lambda_max; lambda_1 %4 in the file, %5 in spectra.csv); closest: epoch %6 (off "
                            "by %7); run: %8")
                            .arg(name)
                            .arg(epoch)
                            .arg(spectrumDistance(values, spectra[epoch]), 0, 'g', 3)
                            .arg(values(0), 0, 'g', 6)
                            .arg(spectra[epoch].size() ? spectra[epoch](0) : qQNaN(), 0, 'g', 6)
                            .arg(closest)
                            .arg(best, 0, 'g', 3)
                            .arg(QString::fromUtf8(QJsonDocument(r.config).toJson(QJsonDocument::Compact)));
        }
    }
    return problems;
}

QStringList checkPlotExport(const ExportRecord& r) {
    QStringList problems;
    const QSize size(int(std::lround(r.size.width * r.size.scale)),
                     int(std::lround(r.size.height * r.size.scale)));
    for (const QString& name : r.plotNames) {
        const QString path = QDir(r.directory).filePath(name + ".png");
        const QImage image(path);
        if (image.isNull())
            problems << path + ": does not load as an image";
        else if (image.size() != size)
            problems << QString("%1: %2x%3, expected %4x%5")
                            .arg(path)
                            .arg(image.width())
                            .arg(image.height())
                            .arg(size.width())
                            .arg(size.height());
        else if (const int colours = distinctColours(image); colours < 10)
            problems << QString("%1: blank (%2 colours)").arg(path).arg(colours);
    }
    return problems;
}

// The window's two tab widgets: the pages (live run, scene) and the detail plots.
QTabWidget* pagesOf(MainWindow& window) {
    for (QTabWidget* tabs : window.findChildren<QTabWidget*>())
        if (tabs->indexOf(window.sceneView()) >= 0)
            return tabs;
    return nullptr;
}

QTabWidget* detailTabsOf(MainWindow& window) {
    for (QTabWidget* tabs : window.findChildren<QTabWidget*>())
        if (tabs->indexOf(window.sceneView()) < 0)
            return tabs;
    return nullptr;
}

LivePlot* plotNamed(const MainWindow& window, const QString& fileName) {
    for (LivePlot* plot : window.plots())
        if (plot->fileName() == fileName)
            return plot;
    return nullptr;
}

// Qt's warnings are failures too (an invalid colour, a painter misused, ...), except the offscreen
// platform's note that it ignores size hints. While a watch is in scope each distinct message is kept
// once, with the monkey's action it followed and the settings of the run then on screen.
class WarningWatch {
public:
    explicit WarningWatch(const MainWindow& window) {
        window_ = &window;
        action = -1;
        seen_.clear();
        previous_ = qInstallMessageHandler(&WarningWatch::handle);
    }
    ~WarningWatch() {
        qInstallMessageHandler(previous_);
        window_ = nullptr;
    }
    WarningWatch(const WarningWatch&) = delete;
    WarningWatch& operator=(const WarningWatch&) = delete;
    const QStringList& seen() const { return seen_; }
    static inline int action = -1;

private:
    static void handle(QtMsgType type, const QMessageLogContext& context, const QString& message) {
        if (type != QtDebugMsg && type != QtInfoMsg && !message.contains("propagateSizeHints") &&
            !std::any_of(seen_.begin(), seen_.end(),
                         [&](const QString& s) { return s.startsWith(message); })) {
            QString run = "no run";
            if (window_ && window_->history().hasRun())
                run = QString::fromUtf8(
                    QJsonDocument(json(window_->history().info().config)).toJson(QJsonDocument::Compact));
            seen_ << QString("%1 (after action #%2; run on screen: %3)").arg(message).arg(action).arg(run);
        }
        if (previous_)
            previous_(type, context, message);
    }
    static inline const MainWindow* window_ = nullptr;
    static inline QStringList seen_;
    static inline QtMessageHandler previous_ = nullptr;
};

class Monkey {
public:
    Monkey(MainWindow& window, std::uint64_t seed, const QString& exportRoot)
        : window_(window)
        , rng_(seed)
        , exportRoot_(exportRoot)
        , garbage_(garbageTexts()) {
        for (LabeledSlider* owner : window.controls()->findChildren<LabeledSlider*>()) {
            SliderControl s{owner, owner->findChild<QSlider*>(), owner->findChild<QLineEdit*>(), {}};
            if (auto* label = owner->findChild<QLabel*>())
                s.label = label->text();
            sliders_.push_back(s);
        }
        combos_ = window.controls()->findChildren<QComboBox*>();
        sceneCombos_ = window.sceneView()->findChildren<QComboBox*>();
        seed_ = window.controls()->findChild<QSpinBox*>();
        tabs_ = window.findChildren<QTabWidget*>();
        for (QPushButton* button : window.sceneView()->findChildren<QPushButton*>())
            if (button->text() == "Stop")
                sceneStop_ = button;
        collectActions(window.menuBar()->actions(), QString());
    }

    // Everything the monkey needs was found: the window's widgets and actions as the test expects them.
    QString missing() const {
        QStringList m;
        if (sliders_.size() < 10)
            m << "sliders";
        if (combos_.size() < 5)
            m << "combo boxes";
        if (!seed_)
            m << "seed box";
        if (tabs_.size() < 2)
            m << "tab widgets";
        if (!sceneStop_)
            m << "scene Stop button";
        if (!play_ || !step_ || !reset_ || !pin_ || !unpin_)
            m << "Run menu actions";
        if (speeds_.size() < 2)
            m << "speed limits";
        if (scenes_.isEmpty())
            m << "scenes";
        return m.join(", ");
    }

    // One action, with the event loop run after it. The mix, per 10,000 actions: slider moves 2,300 and
    // key presses 1,400; values typed 1,000 and garbage typed 600; combo boxes 1,200; the seed 200;
    // pause/play 400, single step 400, reset 300, pin 200, unpin 150, speed limit 100; tab switches 800;
    // scenes opened 50 (0.5 %), stopped 100, their combo boxes 100; waits of 1-20 ms 600; exports of all
    // plots 15 and of the run 15 (0.3 % together); closing the open dialogs 70 (and after half of all
    // actions, so some dialogs stay open over several actions).
    void act(int index) {
        QElapsedTimer clock;
        clock.start();
        index_ = index;
        WarningWatch::action = index;
        // A fixed number of draws per action, whatever it meets, so a seed replays the same choices.
        const std::uint64_t kind = rng_() % 10000, a = rng_(), b = rng_(), c = rng_();
        QString what;
        if (kind < 2300)
            what = moveSlider(a, b);
        else if (kind < 3700)
            what = keySlider(a, b);
        else if (kind < 4700)
            what = typeNumber(a, b, c);
        else if (kind < 5300)
            what = typeGarbage(a, b, c);
        else if (kind < 6500)
            what = pickCombo(combos_, a, b);
        else if (kind < 6700)
            what = setSeed(a, b);
        else if (kind < 7100)
            what = trigger(play_);
        else if (kind < 7500)
            what = trigger(step_);
        else if (kind < 7800)
            what = trigger(reset_);
        else if (kind < 8000)
            what = trigger(pin_);
        else if (kind < 8150)
            what = trigger(unpin_);
        else if (kind < 8250)
            what = trigger(speeds_[qsizetype(a % std::uint64_t(speeds_.size()))]);
        else if (kind < 9050)
            what = switchTab(a, b);
        else if (kind < 9100)
            what = openScene(a, b);
        else if (kind < 9200)
            what = stopScene();
        else if (kind < 9300)
            what = pickCombo(sceneCombos_, a, b);
        else if (kind < 9900)
            what = wait(int(a % 20) + 1);
        else if (kind < 9915)
            what = exportPlots(a);
        else if (kind < 9930)
            what = exportRun();
        else
            what = closeDialogs();
        what += keepWithinBudget();
        if ((c & 0xff) < 128)
            closeDialogs();
        QCoreApplication::processEvents();
        if (index % 100 == 99)
            QTest::qWait(5); // timers and the worker's reports get through, deferred deletes happen
        ++counts_[what.section(' ', 0, 0)];
        // Waits aside, an action and the events after it take milliseconds: a slow one is a GUI stall.
        if (const qint64 ms = clock.elapsed(); ms > 500 && !what.startsWith("wait"))
            slow_ << QString("#%1 %2 ms: %3").arg(index).arg(ms).arg(what.left(160));
        record(QString("#%1 %2").arg(index).arg(what));
    }

    // The dialogs the window opened (window-modal, via open()) and that are still up.
    QList<QMessageBox*> openDialogs() const {
        QList<QMessageBox*> open;
        for (QMessageBox* box : window_.findChildren<QMessageBox*>())
            if (box->isVisible())
                open << box;
        return open;
    }

    QString closeDialogs() {
        const auto open = openDialogs();
        for (QMessageBox* box : open) {
            dialogTexts_.insert(box->windowTitle() + ": " + box->text().left(80));
            box->close();
        }
        return QString("close-dialogs %1").arg(open.size());
    }

    // Leaves the window to settle: the scene stopped, training resumed at full speed, the live page shown.
    void finish() {
        stopScene();
        if (play_->isChecked())
            play_->trigger();
        for (QAction* speed : speeds_)
            if (speed->data().toDouble() == 0.0 && !speed->isChecked())
                speed->trigger();
        pagesOf(window_)->setCurrentIndex(0);
        closeDialogs();
    }

    QString recentActions() const { return recent_.join("\n"); }
    QString summary() const {
        QStringList parts;
        for (const auto& [name, count] : counts_)
            parts << QString("%1 %2").arg(name).arg(count);
        return parts.join(", ");
    }
    const std::vector<ExportRecord>& exports() const { return exports_; }
    // Problems seen while acting: exports that returned an error.
    const QStringList& failures() const { return failures_; }
    const QSet<QString>& dialogTexts() const { return dialogTexts_; }
    const QStringList& slowActions() const { return slow_; }
    bool logAll = false;

private:
    void collectActions(const QList<QAction*>& actions, const QString& menu) {
        for (QAction* action : actions) {
            if (action->menu()) {
                collectActions(action->menu()->actions(), action->text());
                continue;
            }
            if (action->isSeparator())
                continue;
            const QKeySequence key = action->shortcut();
            if (key == QKeySequence(Qt::Key_Space))
                play_ = action;
            else if (key == QKeySequence(Qt::Key_N))
                step_ = action;
            else if (key == QKeySequence(Qt::Key_R))
                reset_ = action;
            else if (action->text().contains("Pin as"))
                pin_ = action;
            else if (action->text().contains("Unpin"))
                unpin_ = action;
            else if (menu.contains("Speed"))
                speeds_ << action;
            // Scenes: the built-in ones only. "…" marks the entries that open a (modal) file dialog.
            else if (menu == "&Scenes" && !opensDialog(action->text()))
                scenes_ << action;
        }
    }

    static bool opensDialog(const QString& text) {
        return text.contains(QChar(0x2026)) || text.contains("...") ||
               text.contains("csv", Qt::CaseInsensitive) || text.contains("npy", Qt::CaseInsensitive) ||
               text.contains("file", Qt::CaseInsensitive); // csv and npy data sets ask for a file or folder
    }

    void record(QString line) {
        for (QChar& ch : line)
            if (ch.unicode() < 0x20)
                ch = QChar(0x2423); // a newline or tab typed into a field: shown as ␣
        if (logAll)
            std::fprintf(stderr, "%s\n", qPrintable(line)); // not qInfo: QTest stops after 2000 messages
        recent_.push_back(line);
        if (recent_.size() > 60)
            recent_.removeFirst();
    }

    SliderControl* enabledSlider(std::uint64_t a) {
        const std::size_t start = std::size_t(a % sliders_.size());
        for (std::size_t i = 0; i < sliders_.size(); ++i) {
            SliderControl& s = sliders_[(start + i) % sliders_.size()];
            if (s.owner->isEnabled())
                return &s;
        }
        return nullptr;
    }

    QString moveSlider(std::uint64_t a, std::uint64_t b) {
        SliderControl* s = enabledSlider(a);
        if (!s)
            return "slider-none";
        const int position =
            s->slider->minimum() + int(b % std::uint64_t(s->slider->maximum() - s->slider->minimum() + 1));
        s->slider->setValue(position);
        return QString("slider \"%1\" to position %2 (value %3)")
            .arg(s->label)
            .arg(position)
            .arg(s->owner->value());
    }

    QString keySlider(std::uint64_t a, std::uint64_t b) {
        SliderControl* s = enabledSlider(a);
        if (!s)
            return "key-none";
        static const Qt::Key keys[] = {Qt::Key_Left, Qt::Key_Right, Qt::Key_Left,   Qt::Key_Right,
                                       Qt::Key_Up,   Qt::Key_Down,  Qt::Key_PageUp, Qt::Key_PageDown,
                                       Qt::Key_Home, Qt::Key_End};
        const Qt::Key key = keys[b % std::size(keys)];
        QTest::keyClick(s->slider, key);
        return QString("key %1 on \"%2\" (value %3)")
            .arg(QKeySequence(key).toString())
            .arg(s->label)
            .arg(s->owner->value());
    }

    // Types into a slider's field and presses Return: short texts key by key, long ones pasted.
    void typeInto(QLineEdit* edit, const QString& text, bool byKeys) {
        edit->setFocus();
        edit->selectAll();
        // QTest types printable ASCII only (other characters assert in qasciikey.cpp): the rest is pasted.
        const bool typeable = std::all_of(
            text.begin(), text.end(), [](QChar ch) { return ch.unicode() >= 0x20 && ch.unicode() < 0x7f; });
        if (byKeys && typeable && text.size() <= 24) {
            QTest::keyClick(edit, Qt::Key_Backspace);
            QTest::keyClicks(edit, text);
        } else {
            edit->setText(text);
        }
        QTest::keyClick(edit, Qt::Key_Return);
    }

    QString typeNumber(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
        SliderControl* s = enabledSlider(a);
        if (!s)
            return "type-none";
        // Mostly in range, sometimes not: 10^[-7, 5], an integer or not, sometimes negative or zero.
        const double exponent = -7.0 + 12.0 * double(b % 100000) / 100000.0;
        double value = std::pow(10.0, exponent);
        if (c % 3 == 0)
            value = std::round(value);
        if (c % 17 == 0)
            value = -value;
        if (c % 23 == 0)
            value = 0.0;
        const QString text = (c >> 8) % 2 ? QString::number(value, 'g', 6) : QString::number(value, 'f', 3);
        typeInto(s->edit, text, (c >> 9) % 2);
        return QString("type \"%1\" into \"%2\" (value %3)").arg(text, s->label).arg(s->owner->value());
    }

    QString typeGarbage(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
        SliderControl* s = enabledSlider(a);
        if (!s)
            return "garbage-none";
        const QString& text = garbage_[qsizetype(b % std::uint64_t(garbage_.size()))];
        const double before = s->owner->value();
        typeInto(s->edit, text, c % 2);
        return QString("garbage \"%1\" into \"%2\" (value %3 -> %4)")
            .arg(text.size() > 30 ? text.left(12) + QString("…(%1 chars)").arg(text.size()) : text, s->label)
            .arg(before)
            .arg(s->owner->value());
    }

    QString pickCombo(const QList<QComboBox*>& combos, std::uint64_t a, std::uint64_t b) {
        QList<QComboBox*> enabled;
        for (QComboBox* combo : combos)
            if (combo->isEnabled())
                enabled << combo;
        if (enabled.isEmpty())
            return "combo-none";
        QComboBox* combo = enabled[qsizetype(a % std::uint64_t(enabled.size()))];
        int target = int((b >> 1) % std::uint64_t(combo->count()));
        const bool byKey = b % 2;
        if (byKey) // Up or Down: the neighbour
            target = std::clamp(combo->currentIndex() + ((b >> 8) % 2 ? 1 : -1), 0, combo->count() - 1);
        // An entry that would open a modal file dialog (the "csv" data set) is never chosen.
        if (opensDialog(combo->itemText(target)))
            return QString("combo-skip \"%1\" in %2").arg(combo->itemText(target), combo->toolTip().left(30));
        if (byKey) {
            QTest::keyClick(combo, target > combo->currentIndex() ? Qt::Key_Down : Qt::Key_Up);
        } else {
            // As a click in the popup: the index changes, then activated() (setCurrentIndex alone is not
            // a user's choice and does not emit it).
            combo->setCurrentIndex(target);
            emit combo->activated(target);
        }
        return QString("combo \"%1\" (%2)").arg(combo->itemText(target), combo->toolTip().left(30));
    }

    QString setSeed(std::uint64_t a, std::uint64_t b) {
        if (a % 2) {
            seed_->setValue(int(b % 1000));
        } else {
            QTest::keyClick(seed_, b % 2 ? Qt::Key_Up : Qt::Key_Down);
        }
        return QString("seed %1").arg(seed_->value());
    }

    QString trigger(QAction* action) {
        action->trigger();
        return QString("action \"%1\"").arg(action->text());
    }

    QString switchTab(std::uint64_t a, std::uint64_t b) {
        QTabWidget* tabs = tabs_[qsizetype(a % std::uint64_t(tabs_.size()))];
        const int index = int(b % std::uint64_t(tabs->count()));
        tabs->setCurrentIndex(index);
        return QString("tab \"%1\"").arg(tabs->tabText(index));
    }

    // Opens a built-in scene (its runs start on every core), then, usually, goes back to the live page.
    QString openScene(std::uint64_t a, std::uint64_t b) {
        QAction* scene = scenes_[qsizetype(a % std::uint64_t(scenes_.size()))];
        scene->trigger();
        QCoreApplication::processEvents();
        if (b % 4 != 0)
            pagesOf(window_)->setCurrentIndex(0);
        return QString("scene \"%1\"%2").arg(scene->text(), b % 4 != 0 ? " and back to the live page" : "");
    }

    QString stopScene() {
        if (!sceneStop_->isEnabled())
            return "scene-stop (not running)";
        sceneStop_->click();
        return "scene-stop";
    }

    QString wait(int ms) {
        QTest::qWait(ms);
        return QString("wait %1 ms").arg(ms);
    }

    QString exportPlots(std::uint64_t a) {
        static const ExportSize sizes[] = {{400, 250, 1.0}, {320, 200, 2.0}, {640, 400, 1.0}};
        ExportRecord r;
        r.action = index_;
        r.plots = true;
        r.size = sizes[a % std::size(sizes)];
        r.directory = QDir(exportRoot_).filePath(QString("plots-%1").arg(index_));
        // Plots with nothing to draw (predictions for images, theory views above their limit) are left
        // out and listed in `skipped`; every plot is one or the other.
        QStringList written, skipped;
        if (const auto error = window_.exportAllPlotsTo(r.directory, r.size, &written, &skipped))
            failures_ << QString("action #%1: plot export failed: %2").arg(index_).arg(*error);
        else if (written.size() + skipped.size() != qsizetype(window_.plots().size()))
            failures_ << QString("action #%1: %2 plots written and %3 skipped of %4")
                             .arg(index_)
                             .arg(written.size())
                             .arg(skipped.size())
                             .arg(window_.plots().size());
        for (const QString& path : written)
            r.plotNames << QFileInfo(path).completeBaseName();
        exports_.push_back(r);
        return QString("export-plots to %1 at %2x%3@%4")
            .arg(r.directory)
            .arg(r.size.width)
            .arg(r.size.height)
            .arg(r.size.scale);
    }

    QString exportRun() {
        const RunHistory& h = window_.history();
        const QString dir = QDir(exportRoot_).filePath(QString("run-%1").arg(index_));
        const auto error = window_.exportRunTo(dir);
        if (!h.hasRun()) {
            if (!error)
                failures_ << QString("action #%1: exportRunTo without a run reported success").arg(index_);
            return "export-run (no run yet)";
        }
        if (error) {
            failures_ << QString("action #%1: run export failed: %2").arg(index_).arg(*error);
            return "export-run failed";
        }
        exports_.push_back(runExportRecord(h, dir, index_));
        return QString("export-run to %1 (epoch %2%3)")
            .arg(dir)
            .arg(h.latest() ? h.latest()->epoch : -1)
            .arg(h.outcome() ? ", ended" : "");
    }

    // Types the cap into every slider beyond its budget (see Budget).
    QString keepWithinBudget() {
        QString done;
        for (const Budget& budget : budgets) {
            const RunConfig config = window_.controls()->config();
            if (config.*budget.field <= budget.cap)
                continue;
            for (SliderControl& s : sliders_)
                if (s.label.startsWith(budget.label)) {
                    typeInto(s.edit, QString::number(budget.cap), false);
                    done += QString(" [budget: %1 %2 -> %3]")
                                .arg(budget.label)
                                .arg(config.*budget.field)
                                .arg(budget.cap);
                }
        }
        return done;
    }

    MainWindow& window_;
    std::mt19937_64 rng_;
    QString exportRoot_;
    QStringList garbage_;
    std::vector<SliderControl> sliders_;
    QList<QComboBox*> combos_, sceneCombos_;
    QSpinBox* seed_ = nullptr;
    QList<QTabWidget*> tabs_;
    QPushButton* sceneStop_ = nullptr;
    QAction *play_ = nullptr, *step_ = nullptr, *reset_ = nullptr, *pin_ = nullptr, *unpin_ = nullptr;
    QList<QAction*> speeds_, scenes_;
    std::vector<ExportRecord> exports_;
    QStringList failures_;
    QStringList recent_;
    std::map<QString, int> counts_;
    QSet<QString> dialogTexts_;
    QStringList slow_;
    int index_ = 0;
};

std::uint64_t envNumber(const char* name, std::uint64_t fallback) {
    bool ok = false;
    const std::uint64_t value = qEnvironmentVariable(name).toULongLong(&ok);
    return ok ? value : fallback;
}

} // namespace

class MonkeyTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void cleanup() {
        if (QTest::currentTestFailed() && monkey_)
            qInfo("The last actions before the failure:\n%s", qPrintable(monkey_->recentActions()));
    }

    void randomUserActionsLeaveTheLastRunDrawnAndEveryExportComplete() {
        const std::uint64_t seed =
            envNumber("NTKVIZ_MONKEY_SEED", std::uint64_t(QDateTime::currentMSecsSinceEpoch()) % 1000000);
        const int actions = int(envNumber("NTKVIZ_MONKEY_ACTIONS", defaultActions));
        qInfo("monkey seed %llu, %d actions (replay: NTKVIZ_MONKEY_SEED=%llu NTKVIZ_MONKEY_ACTIONS=%d)",
              static_cast<unsigned long long>(seed), actions, static_cast<unsigned long long>(seed), actions);
        QTemporaryDir exportRoot;
        QVERIFY(exportRoot.isValid());
        if (qEnvironmentVariableIntValue("NTKVIZ_MONKEY_KEEP") != 0) {
            exportRoot.setAutoRemove(false);
            qInfo("exports kept in %s", qPrintable(exportRoot.path()));
        }
        MainWindow window(startConfig(), false);
        window.resize(1366, 768);
        window.show();
        monkey_ = std::make_unique<Monkey>(window, seed, exportRoot.path());
        monkey_->logAll = qEnvironmentVariableIntValue("NTKVIZ_MONKEY_LOG") != 0;
        const WarningWatch warnings(window);
        const QString missing = monkey_->missing();
        QVERIFY2(missing.isEmpty(), qPrintable("not found in the window: " + missing));

        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < actions; ++i) {
            monkey_->act(i);
            if (i % 1000 == 999)
                qInfo("%d actions in %.1f s", i + 1, clock.elapsed() / 1000.0);
        }
        const double actingSeconds = clock.elapsed() / 1000.0;
        monkey_->finish();

        // The run of the last settings ends and is drawn: the controls show its settings (as startRun
        // adjusts them), every visible plot's title names its latest epoch. When the last settings could
        // not start (Mnist is not installed, say), the previous run stays on screen with the controls
        // reset to its settings; that run was cancelled, so it need not have ended.
        const RunHistory& h = window.history();
        auto failed = [&] { return window.runStateText().startsWith("failed"); };
        auto settled = [&] {
            if (!h.hasRun() || window.isDrawing())
                return false;
            if (!failed() && (h.runId() != window.liveRun().currentRunId() || !h.outcome()))
                return false;
            return configDifference(window.controls()->config(), h.info().config).isEmpty() &&
                   titleMismatches(window).isEmpty();
        };
        auto state = [&] {
            return QString(
                       "state \"%1\"; history run %2 (%3 epochs, outcome: %4), worker run %5, drawing %6; "
                       "controls vs run: %7; titles: %8")
                .arg(window.runStateText())
                .arg(h.runId())
                .arg(h.reports().size())
                .arg(h.outcome() ? h.outcome()->status : QString("none"))
                .arg(window.liveRun().currentRunId())
                .arg(window.isDrawing())
                .arg(h.hasRun() ? configDifference(window.controls()->config(), h.info().config)
                                : QString("-"))
                .arg(titleMismatches(window))
                .toLocal8Bit();
        };
        QTRY_VERIFY2_WITH_TIMEOUT(settled(), state().constData(), 60000);
        if (failed()) {
            qInfo("the last settings could not start (%s); Reset runs the previous ones again",
                  qPrintable(window.runStateText()));
            for (QAction* action : window.findChildren<QAction*>())
                if (action->shortcut() == QKeySequence(Qt::Key_R))
                    action->trigger();
            QTRY_VERIFY2_WITH_TIMEOUT(settled() && !failed(), state().constData(), 60000);
        }
        const double settlingSeconds = clock.elapsed() / 1000.0 - actingSeconds;

        // No plot, visible or in a tab shown now, names an epoch beyond the run's: each detail tab in turn.
        const int epochs = h.info().config.epochs;
        QTabWidget* detail = detailTabsOf(window);
        QVERIFY(detail);
        for (int tab = 0; tab < detail->count(); ++tab) {
            detail->setCurrentIndex(tab);
            QTRY_VERIFY2_WITH_TIMEOUT(
                !window.isDrawing() && titleMismatches(window).isEmpty(),
                qPrintable(QString("tab %1: %2").arg(detail->tabText(tab), titleMismatches(window))), 5000);
            for (const LivePlot* plot : window.plots())
                if (plot->isVisible()) {
                    const auto epoch = titleEpoch(plot);
                    QVERIFY2(!epoch || *epoch <= epochs,
                             qPrintable(QString("%1: \"%2\", the run has %3 epochs")
                                            .arg(plot->fileName(), plot->shownTitle())
                                            .arg(epochs)));
                }
        }

        // Every export is complete.
        QStringList problems = monkey_->failures();
        for (const QString& warning : warnings.seen())
            problems << "Qt warning: " + warning;
        int plotExports = 0, runExports = 0;
        for (const ExportRecord& r : monkey_->exports()) {
            const QStringList found = r.plots ? checkPlotExport(r) : checkRunExport(r);
            (r.plots ? plotExports : runExports)++;
            for (const QString& p : found)
                problems << QString("export at action #%1: %2").arg(r.action).arg(p);
        }
        monkey_->closeDialogs();
        qInfo("%d actions in %.1f s, settled in %.1f s; %d plot and %d run exports checked", actions,
              actingSeconds, settlingSeconds, plotExports, runExports);
        qInfo("actions: %s", qPrintable(monkey_->summary()));
        for (const QString& text : monkey_->dialogTexts())
            qInfo("dialog seen: %s", qPrintable(text));
        for (const QString& slow : monkey_->slowActions()) // reported, not failed: the machine is shared
            qInfo("slow action %s", qPrintable(slow));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join("\n")));
    }

    // Regression tests: what the monkey's failures came down to (seeds 1, 2, 3, 6 and 11 of its first runs),
    // and three bugs found while writing its checks. The rank-deficient top-k spectra that seeds 1 and 2 also
    // ran into are tested in test_spectrum.

    // Seed 3 (10,000 actions): the plots stayed on an early epoch of the final run. Minimal: the Scene page
    // is shown while the run trains to its end, then the Live page again. The redraws during the run found
    // no visible plot, and showing the page again asked for none.
    void returningToTheLivePageDrawsTheRunThatEndedMeanwhile() {
        MainWindow window(startConfig(), false);
        window.show();
        QTabWidget* pages = pagesOf(window);
        QVERIFY(pages);
        pages->setCurrentWidget(window.sceneView());
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 30000);
        QTest::qWait(3 * MainWindow::redrawIntervalMs);
        pages->setCurrentIndex(0);
        QTRY_VERIFY2_WITH_TIMEOUT(!window.isDrawing() && titleMismatches(window).isEmpty(),
                                  qPrintable(titleMismatches(window)), 2000);
    }

    // Seeds 1 and 2 (before the run record): a run exported mid-run wrote a kernel snapshot named for a
    // later epoch. Now a run exported while it trains holds every epoch so far, its initial kernel, and no
    // final kernel yet.
    void runExportedMidRunIsConsistent() {
        RunConfig c = startConfig();
        c.epochs = 1000000;
        MainWindow window(c, false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().latestKernelEpoch() > 0, 30000);
        QTemporaryDir dir;
        QStringList problems;
        for (int i = 0; i < 5; ++i) {
            QTest::qWait(37);
            const RunHistory& h = window.history();
            const ExportRecord r = runExportRecord(h, dir.filePath(QString("run-%1").arg(i)), i);
            const auto error = window.exportRunTo(r.directory);
            QVERIFY2(!error, qPrintable(error.value_or(QString())));
            problems << checkRunExport(r);
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join("\n")));
    }

    // Seed 6 (before the run record): an early-stopped run that restores its best epoch exported its
    // latest kernel snapshot, of an earlier epoch, as ntk_final.npy. Now ntk_final.npy is the kernel of
    // the restored parameters (measured at the end when that epoch had none) and says so in summary.json.
    void earlyStoppedRunExportsTheRestoredKernelAsFinal() {
        RunConfig c = startConfig();
        c.epochs = 400;
        c.earlyStopPatience = 1;
        c.ntkEvery = 2;
        MainWindow window(c, false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 30000);
        QVERIFY(window.history().outcome()->state == RunState::EarlyStopped);
        QCOMPARE(window.history().outcome()->stopEpoch % 2, 1);
        QTemporaryDir dir;
        const ExportRecord r = runExportRecord(window.history(), dir.path(), 0);
        const auto error = window.exportRunTo(dir.path());
        QVERIFY2(!error, qPrintable(error.value_or(QString())));
        const QStringList problems = checkRunExport(r);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join("\n")));
        QVERIFY(QFile::exists(dir.filePath("ntk_final.npy")));
        QFile summaryFile(dir.filePath("summary.json"));
        QVERIFY(summaryFile.open(QIODevice::ReadOnly));
        const QJsonObject summary = QJsonDocument::fromJson(summaryFile.readAll()).object();
        QCOMPARE(summary["final_kernel_epoch"].toInt(), window.history().outcome()->bestEpoch);
    }

    // The predictions plot draws nothing for data of more than two features and used to leave its title
    // as the previous run's, e.g. "Predictions, epoch 150" over a 40-epoch Fashion-MNIST run.
    void predictionsOfImageDataNameNoEarlierRunsEpoch() {
        RunConfig moons = startConfig();
        moons.epochs = 120;
        MainWindow window(moons, false);
        window.show();
        QTabWidget* detail = detailTabsOf(window);
        LivePlot* predictions = plotNamed(window, "predictions");
        QVERIFY(detail && predictions);
        detail->setCurrentWidget(predictions);
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome() && titleEpoch(predictions) == 120, 30000);
        RunConfig images = startConfig();
        images.dataset = DatasetKind::FashionMnist;
        images.epochs = 10;
        window.startRun(images);
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome() && window.history().info().config.epochs == 10,
                                 30000);
        detail->setCurrentWidget(predictions);
        QTRY_VERIFY2_WITH_TIMEOUT(!window.isDrawing() && titleMismatches(window).isEmpty(),
                                  qPrintable(titleMismatches(window)), 2000);
    }

    // Seed 11: thousands of "QImage::setPixelColor: color is invalid". Minimal: a run that diverges (two
    // spirals, identity activation, depth 3, lr 10), paused and stepped epoch by epoch with the
    // predictions shown. A snapshot's prediction grid comes from the parameters after the epoch's update;
    // on the epoch before the divergence they are finite but huge, the grid's logits overflow, and its
    // confidences are NaN, which the plot turned into colours (NaN to int).
    void predictionsOfAnOverflowingNetworkDrawNoInvalidColours() {
        RunConfig c = startConfig();
        c.dataset = DatasetKind::Spirals;
        c.activation = Activation::Identity;
        c.depth = 3;
        c.learningRate = 10.0;
        c.epochs = 100;
        MainWindow window(c, false);
        const WarningWatch warnings(window);
        window.show();
        detailTabsOf(window)->setCurrentWidget(plotNamed(window, "predictions"));
        QAction *play = nullptr, *step = nullptr;
        for (QAction* action : window.findChildren<QAction*>()) {
            if (action->shortcut() == QKeySequence(Qt::Key_Space))
                play = action;
            if (action->shortcut() == QKeySequence(Qt::Key_N))
                step = action;
        }
        QVERIFY(play && step);
        play->trigger(); // pause: every epoch from now on comes with a snapshot
        for (int i = 0; i < 30 && !window.history().outcome(); ++i) {
            step->trigger();
            QTest::qWait(60);
        }
        QVERIFY(window.history().outcome() && window.history().outcome()->state == RunState::Diverged);
        QTRY_VERIFY(!window.isDrawing());
        QVERIFY2(warnings.seen().isEmpty(), qPrintable(warnings.seen().join("\n")));
    }

    // Mid-run, the kernel matrix shows the latest kernel snapshot (rate-limited to one per 120 ms); its
    // title named the latest epoch with a spectrum instead, usually a later one.
    void kernelMatrixTitleNamesTheEpochOfTheKernelDrawn() {
        RunConfig c = startConfig();
        c.epochs = 1000000;
        MainWindow window(c, false);
        window.show();
        LivePlot* kernel = plotNamed(window, "kernel_matrix");
        QVERIFY(kernel);
        QTRY_VERIFY_WITH_TIMEOUT(window.history().latestKernelEpoch() > 0, 30000);
        for (int i = 0; i < 10; ++i) {
            QTest::qWait(23);
            kernel->refreshNow(window.history());
            QCOMPARE(titleEpoch(kernel), std::optional(window.history().latestKernelEpoch()));
        }
    }

    // Seed 290565: with the kernel measured every 10th epoch, the Layers plot named its latest NTK epoch
    // ("epoch 0") while every other plot over epochs named the run's latest epoch (6).
    void layerSharesTitleNamesTheRunsLatestEpoch() {
        RunConfig c = startConfig();
        c.ntkEvery = 10;
        c.epochs = 1000000;
        MainWindow window(c, false);
        window.show();
        LivePlot* shares = plotNamed(window, "layer_shares");
        QVERIFY(shares);
        // While it trains, most epochs the history ends on are not NTK epochs.
        int checked = 0;
        for (int i = 0; i < 400 && checked < 5; ++i) {
            QTest::qWait(7);
            const EpochReport* latest = window.history().latest();
            if (!latest || latest->epoch < 10 || latest->epoch % 10 == 0)
                continue;
            shares->refreshNow(window.history());
            QCOMPARE(titleEpoch(shares), std::optional(latest->epoch));
            ++checked;
        }
        QCOMPARE(checked, 5);
    }

    // Settings refused (early stopping without a test split) put the controls back to the settings of the
    // last run that had started, even when a newer run had been requested and was still preparing its
    // data: that newer run was then drawn under controls showing the older settings.
    void refusedSettingsLeaveTheControlsOnTheRunThatWillBeDrawn() {
        MainWindow window(startConfig(), false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 30000);
        RunConfig wider = startConfig();
        wider.width = 48;
        RunConfig refused = wider;
        refused.earlyStopPatience = 5;
        refused.testSize = 0;
        window.startRun(wider);   // started; its runStarted report is not processed yet
        window.startRun(refused); // refused at once, with a dialog
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome() && window.history().info().config.width == 48,
                                 30000);
        QCOMPARE(window.controls()->config().width, 48);
        for (QMessageBox* box : window.findChildren<QMessageBox*>())
            box->close();
    }

private:
    std::unique_ptr<Monkey> monkey_;
};

QTEST_MAIN(MonkeyTest)
#include "test_monkey.moc"
