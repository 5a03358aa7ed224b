// ntkviz-gui-bench: drives the real main window offscreen and measures what issue 5 asks of the live view.
//  - responsiveness: while a run trains, a 5 ms timer on the GUI thread records the gap between its
//    firings; a gap is an event-loop stall. Every event dispatched on the GUI thread is timed too, by the
//    class of its receiver and the event type, so a stall can be traced to what ran during it.
//  - memory: a long run with live plotting, resident memory sampled every 1,000 epochs.
//  - first frame: from a settings change (MainWindow::startRun, as the control panel calls it after its
//    debounce) to the first frame whose spectrum, lambda_max and trace plots show the new run's epoch 0,
//    timed exactly by hooking those plots' replots and paint events; and when epoch 0's theory follows.
// Output: one JSON object on stdout; progress on stderr. See bench/RESULTS.md and bench/run_bench.sh.
#include "live_plot.h"
#include "live_plot_set.h"
#include "main_window.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaEnum>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <vector>

using namespace ntk;

namespace {

// ---------------------------------------------------------------------------------------------------------
// Command line

struct Options {
    bool responsiveness = true;
    bool memory = true;
    bool firstFrame = true;
    int changes = 5;           // settings changes measured per first-frame case
    double seconds = 25.0;     // measured training time per responsiveness scenario
    int memoryEpochs = 10'000; // length of the long run
    int sampleEvery = 1'000;   // epochs between resident-memory samples
    int windowWidth = 1920, windowHeight = 1080;
};

[[noreturn]] void usage(int code) {
    std::fprintf(
        code == 0 ? stdout : stderr,
        "usage: ntkviz-gui-bench [--only responsiveness|memory|first-frame] [--seconds S]\n"
        "                        [--memory-epochs N] [--sample-every N] [--changes N] [--window WxH]\n"
        "  --only           run one of the three measurements (default all)\n"
        "  --seconds        training time measured per responsiveness scenario (default 25)\n"
        "  --memory-epochs  epochs of the long run (default 10000)\n"
        "  --sample-every   epochs between resident-memory samples (default 1000)\n"
        "  --changes        settings changes timed per first-frame case (default 5)\n"
        "  --window         window size in pixels (default 1920x1080: a lecture projector)\n"
        "Runs offscreen (QT_QPA_PLATFORM=offscreen unless set otherwise).\n");
    std::exit(code);
}

Options parseOptions(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "ntkviz-gui-bench: %s needs a value\n", flag.c_str());
                usage(2);
            }
            return argv[++i];
        };
        auto positive = [&](const std::string& text) {
            try {
                const double v = std::stod(text);
                if (v > 0)
                    return v;
            } catch (const std::exception&) {
            }
            std::fprintf(stderr, "ntkviz-gui-bench: %s needs a positive number, got '%s'\n", flag.c_str(),
                         text.c_str());
            usage(2);
        };
        if (flag == "--help" || flag == "-h") {
            usage(0);
        } else if (flag == "--only") {
            const std::string v = value();
            if (v != "responsiveness" && v != "memory" && v != "first-frame") {
                std::fprintf(stderr,
                             "ntkviz-gui-bench: --only must be responsiveness, memory or first-frame\n");
                usage(2);
            }
            options.responsiveness = v == "responsiveness";
            options.memory = v == "memory";
            options.firstFrame = v == "first-frame";
        } else if (flag == "--seconds") {
            options.seconds = positive(value());
        } else if (flag == "--memory-epochs") {
            options.memoryEpochs = int(positive(value()));
        } else if (flag == "--sample-every") {
            options.sampleEvery = int(positive(value()));
        } else if (flag == "--changes") {
            options.changes = int(positive(value()));
        } else if (flag == "--window") {
            const std::string v = value();
            if (std::sscanf(v.c_str(), "%dx%d", &options.windowWidth, &options.windowHeight) != 2 ||
                options.windowWidth < 200 || options.windowHeight < 200) {
                std::fprintf(stderr, "ntkviz-gui-bench: --window must be WxH, e.g. 1920x1080\n");
                usage(2);
            }
        } else {
            std::fprintf(stderr, "ntkviz-gui-bench: unknown option '%s'\n", flag.c_str());
            usage(2);
        }
    }
    return options;
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

double threadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// What the calling thread's scheduling did: preempted while runnable (involuntary switches), asleep of its
// own accord (voluntary: waiting on a lock, in poll, or in a major page fault), and major page faults.
struct ThreadScheduling {
    long involuntarySwitches = 0, voluntarySwitches = 0, majorFaults = 0;
    ThreadScheduling operator-(const ThreadScheduling& earlier) const {
        return {involuntarySwitches - earlier.involuntarySwitches,
                voluntarySwitches - earlier.voluntarySwitches, majorFaults - earlier.majorFaults};
    }
};

ThreadScheduling threadScheduling() {
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    return {usage.ru_nivcsw, usage.ru_nvcsw, usage.ru_majflt};
}

// VmRSS of this process in MB, from /proc/self/status.
double residentMegabytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stod(line.substr(6)) / 1024.0; // kB
    return -1.0;
}

QJsonArray loadAverage() {
    double load[3] = {0, 0, 0};
    QJsonArray out;
    if (getloadavg(load, 3) == 3)
        for (double v : load)
            out.append(v);
    return out;
}

double percentile(std::vector<double> values, double p) {
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const std::size_t index = std::min(values.size() - 1, std::size_t(p * double(values.size() - 1) + 0.5));
    return values[index];
}

double median(std::vector<double> values) {
    return percentile(std::move(values), 0.5);
}

void progress(const QString& text) {
    std::fprintf(stderr, "[ntkviz-gui-bench] %s\n", qPrintable(text));
}

// Runs the event loop until `done` holds or `timeoutMs` passes; false on timeout.
bool waitFor(const std::function<bool()>& done, int timeoutMs) {
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(1);
    }
    return true;
}

// ---------------------------------------------------------------------------------------------------------
// A Fashion-MNIST-shaped data set (d = 784 features in [0, 1], 10 classes) written as CSV, so the benchmark
// measures the lecture's shape without needing the dataset-fashion-mnist package: each class is a random
// prototype image plus Gaussian pixel noise.

QString writeImageLikeCsv(const QString& directory, int rows) {
    constexpr int features = 784, classes = 10;
    std::mt19937_64 rng(20261128);
    std::uniform_real_distribution<double> pixel(0.0, 1.0);
    std::normal_distribution<double> jitter(0.0, 0.15);
    std::vector<std::vector<double>> prototypes(classes, std::vector<double>(features));
    for (auto& prototype : prototypes)
        for (double& v : prototype)
            v = pixel(rng);
    const QString path = directory + "/image_like_784.csv";
    std::FILE* file = std::fopen(qPrintable(path), "w");
    if (!file)
        throw std::runtime_error("cannot write " + path.toStdString());
    for (int r = 0; r < rows; ++r) {
        const int label = r % classes;
        for (int f = 0; f < features; ++f)
            std::fprintf(file, "%.3f,", std::clamp(prototypes[label][f] + jitter(rng), 0.0, 1.0));
        std::fprintf(file, "%d\n", label);
    }
    std::fclose(file);
    return path;
}

// ---------------------------------------------------------------------------------------------------------
// Measuring the GUI thread

// The gap between consecutive firings of a fast timer on the GUI thread. A timer event is only delivered
// when the event loop is free, so a gap much longer than the interval means the loop was busy (or the
// thread was not scheduled: the CPU time the thread used during each gap tells the two apart).
class StallMonitor : public QObject {
public:
    static constexpr int intervalMs = 5;
    struct Stall {
        double atSeconds, gapMs, guiCpuMs;
        ThreadScheduling scheduling;
    };

    StallMonitor() {
        timer_.setTimerType(Qt::PreciseTimer);
        timer_.setInterval(intervalMs);
        connect(&timer_, &QTimer::timeout, this, &StallMonitor::tick);
    }
    void start() {
        gapsMs_.clear();
        stalls_.clear();
        clock_.start();
        lastNs_ = 0;
        lastCpu_ = threadCpuSeconds();
        lastScheduling_ = threadScheduling();
        cpuAtStart_ = lastCpu_;
        timer_.start();
    }
    void stop() {
        timer_.stop();
        measuredSeconds_ = double(clock_.nsecsElapsed()) * 1e-9;
        guiCpuSeconds_ = threadCpuSeconds() - cpuAtStart_;
    }
    const QTimer* timer() const { return &timer_; }
    const std::vector<double>& gapsMs() const { return gapsMs_; }
    const std::vector<Stall>& stalls() const { return stalls_; }
    double measuredSeconds() const { return measuredSeconds_; }
    double guiCpuSeconds() const { return guiCpuSeconds_; }

    static constexpr double stallThresholdMs = 50.0;

private:
    void tick() {
        const qint64 now = clock_.nsecsElapsed();
        const double cpu = threadCpuSeconds();
        const ThreadScheduling scheduling = threadScheduling();
        const double gapMs = double(now - lastNs_) * 1e-6;
        gapsMs_.push_back(gapMs);
        if (gapMs > stallThresholdMs)
            stalls_.push_back(
                {double(now) * 1e-9, gapMs, (cpu - lastCpu_) * 1e3, scheduling - lastScheduling_});
        lastNs_ = now;
        lastCpu_ = cpu;
        lastScheduling_ = scheduling;
    }

    QTimer timer_;
    QElapsedTimer clock_;
    qint64 lastNs_ = 0;
    double lastCpu_ = 0.0, cpuAtStart_ = 0.0;
    ThreadScheduling lastScheduling_;
    std::vector<double> gapsMs_;
    std::vector<Stall> stalls_;
    double measuredSeconds_ = 0.0, guiCpuSeconds_ = 0.0;
};

// Times every event the GUI thread dispatches at the top level (nested dispatches count in their parent),
// grouped by receiver class and event type: a queued signal to the window is "ntk::MainWindow MetaCall", a
// plot's queued replot "ntk::SpectrumPlot MetaCall", the 33 ms redraw timer "QTimer(33 ms) Timer".
class ProfilingApplication : public QApplication {
public:
    using QApplication::QApplication;

    struct Dispatch {
        double atSeconds, ms;
        std::string what;
    };
    struct Total {
        long count = 0;
        double ms = 0.0, maxMs = 0.0;
    };

    void startProfiling(std::set<const QObject*> ignored) {
        ignored_ = std::move(ignored);
        totals_.clear();
        longest_.clear();
        clock_.start();
        profiling_ = true;
    }
    void stopProfiling() { profiling_ = false; }
    const std::map<std::string, Total>& totals() const { return totals_; }
    const std::vector<Dispatch>& longest() const { return longest_; }

    // Called after every event the GUI thread dispatches at the top level (with the events it dispatched in
    // turn): the first moment the state that event changed can be looked at. Empty: nothing is called.
    void setAfterDispatch(std::function<void()> hook) { afterDispatch_ = std::move(hook); }

    bool notify(QObject* receiver, QEvent* event) override {
        if (depth_ > 0 || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        if (!profiling_ || ignored_.count(receiver)) {
            if (!afterDispatch_)
                return QApplication::notify(receiver, event);
            const bool handled = dispatch(receiver, event);
            afterDispatch_();
            return handled;
        }
        // Taken before the dispatch: the receiver may delete itself while handling it (DeferredDelete), and
        // the event may not outlive it. The class name is static data and stays valid.
        const char* className = receiver->metaObject()->className();
        const auto* timer = qobject_cast<const QTimer*>(receiver);
        const int timerInterval = timer ? timer->interval() : -1;
        const QEvent::Type type = event->type();
        const qint64 start = clock_.nsecsElapsed();
        const bool handled = dispatch(receiver, event);
        const double ms = double(clock_.nsecsElapsed() - start) * 1e-6;
        if (afterDispatch_)
            afterDispatch_();
        // Naming every dispatch would cost more than the short ones themselves; they are summed together.
        if (ms < 1.0) {
            Total& t = totals_["(dispatches under 1 ms)"];
            ++t.count;
            t.ms += ms;
            t.maxMs = std::max(t.maxMs, ms);
            return handled;
        }
        const std::string what = describe(className, timerInterval, type);
        Total& t = totals_[what];
        ++t.count;
        t.ms += ms;
        t.maxMs = std::max(t.maxMs, ms);
        if (ms >= 10.0)
            longest_.push_back({double(start) * 1e-9, ms, what});
        return handled;
    }

private:
    bool dispatch(QObject* receiver, QEvent* event) {
        ++depth_;
        bool handled = false;
        try {
            handled = QApplication::notify(receiver, event);
        } catch (...) {
            --depth_;
            throw;
        }
        --depth_;
        return handled;
    }
    static std::string describe(const char* className, int timerInterval, QEvent::Type type) {
        QString name = QString::fromLatin1(className);
        if (timerInterval >= 0)
            name += QString("(%1 ms)").arg(timerInterval);
        const char* typeName = QMetaEnum::fromType<QEvent::Type>().valueToKey(type);
        name += ' ' + (typeName ? QString::fromLatin1(typeName) : QString::number(int(type)));
        return name.toStdString();
    }

    bool profiling_ = false;
    int depth_ = 0;
    std::function<void()> afterDispatch_;
    std::set<const QObject*> ignored_;
    QElapsedTimer clock_;
    std::map<std::string, Total> totals_;
    std::vector<Dispatch> longest_;
};

ProfilingApplication* profiler() {
    return static_cast<ProfilingApplication*>(QCoreApplication::instance());
}

// Time spent inside each plot's replot (QCustomPlot's beforeReplot/afterReplot), i.e. the drawing itself;
// rebuilding a plot's data from the history happens earlier, in the window's redraw timer.
class ReplotClock {
public:
    explicit ReplotClock(const std::vector<LivePlot*>& plots) {
        for (LivePlot* plot : plots) {
            Entry& entry = entries_[plot];
            entry.name = plot->fileName();
            QObject::connect(plot, &QCustomPlot::beforeReplot, plot, [&entry] { entry.clock.start(); });
            QObject::connect(plot, &QCustomPlot::afterReplot, plot, [&entry, this] {
                if (recording_)
                    entry.ms.push_back(double(entry.clock.nsecsElapsed()) * 1e-6);
            });
        }
    }
    void setRecording(bool on) { recording_ = on; }
    int count(LivePlot* plot) const { return int(entries_.at(plot).ms.size()); }

    QJsonArray toJson() const {
        QJsonArray out;
        for (const auto& [plot, entry] : entries_) {
            if (entry.ms.empty())
                continue;
            out.append(QJsonObject{{"plot", entry.name},
                                   {"replots", int(entry.ms.size())},
                                   {"median_ms", median(entry.ms)},
                                   {"max_ms", *std::max_element(entry.ms.begin(), entry.ms.end())}});
        }
        return out;
    }

private:
    struct Entry {
        QString name;
        QElapsedTimer clock;
        std::vector<double> ms;
    };
    std::map<const LivePlot*, Entry> entries_;
    bool recording_ = false;
};

QJsonArray dispatchHotspots(const ProfilingApplication& app) {
    std::vector<std::pair<std::string, ProfilingApplication::Total>> rows(app.totals().begin(),
                                                                          app.totals().end());
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.second.ms > b.second.ms; });
    QJsonArray out;
    for (std::size_t i = 0; i < std::min<std::size_t>(rows.size(), 12); ++i)
        out.append(QJsonObject{{"dispatch", QString::fromStdString(rows[i].first)},
                               {"count", qint64(rows[i].second.count)},
                               {"total_ms", rows[i].second.ms},
                               {"max_ms", rows[i].second.maxMs}});
    return out;
}

QJsonArray longestDispatches(const ProfilingApplication& app) {
    std::vector<ProfilingApplication::Dispatch> rows = app.longest();
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.ms > b.ms; });
    QJsonArray out;
    for (std::size_t i = 0; i < std::min<std::size_t>(rows.size(), 10); ++i)
        out.append(QJsonObject{{"at_s", rows[i].atSeconds},
                               {"ms", rows[i].ms},
                               {"dispatch", QString::fromStdString(rows[i].what)}});
    return out;
}

QJsonObject gapSummary(const StallMonitor& monitor) {
    const auto& gaps = monitor.gapsMs();
    QJsonArray worst;
    std::vector<StallMonitor::Stall> stalls = monitor.stalls();
    std::sort(stalls.begin(), stalls.end(), [](const auto& a, const auto& b) { return a.gapMs > b.gapMs; });
    for (std::size_t i = 0; i < std::min<std::size_t>(stalls.size(), 10); ++i)
        worst.append(
            QJsonObject{{"at_s", stalls[i].atSeconds},
                        {"gap_ms", stalls[i].gapMs},
                        {"gui_thread_cpu_ms", stalls[i].guiCpuMs},
                        {"involuntary_context_switches", qint64(stalls[i].scheduling.involuntarySwitches)},
                        {"voluntary_context_switches", qint64(stalls[i].scheduling.voluntarySwitches)},
                        {"major_page_faults", qint64(stalls[i].scheduling.majorFaults)}});
    return QJsonObject{
        {"timer_interval_ms", StallMonitor::intervalMs},
        {"ticks", int(gaps.size())},
        {"max_ms", gaps.empty() ? 0.0 : *std::max_element(gaps.begin(), gaps.end())},
        {"p99_ms", percentile(gaps, 0.99)},
        {"p50_ms", percentile(gaps, 0.5)},
        {"stalls_over_50ms", int(monitor.stalls().size())},
        {"worst_stalls", worst},
    };
}

std::unique_ptr<MainWindow> openWindow(const RunConfig& config, const Options& options) {
    auto window = std::make_unique<MainWindow>(config, false);
    window->resize(options.windowWidth, options.windowHeight);
    window->show();
    QCoreApplication::processEvents();
    return window;
}

// Runs the event loop (the app's own, as QApplication::exec would) for `seconds`.
void runEventLoopFor(double seconds) {
    QEventLoop loop;
    QTimer::singleShot(int(seconds * 1000), &loop, &QEventLoop::quit);
    loop.exec();
}

// ---------------------------------------------------------------------------------------------------------
// 1. Responsiveness while training

QJsonObject measureResponsiveness(const QString& scenario, const RunConfig& config, const Options& options) {
    progress(QString("%1: n=%2 w=%3 L=%4, %5 s of training")
                 .arg(scenario)
                 .arg(config.trainSize)
                 .arg(config.width)
                 .arg(config.depth)
                 .arg(options.seconds));
    const QJsonArray loadBefore = loadAverage();
    QElapsedTimer sinceStart;
    sinceStart.start();
    auto window = openWindow(config, options);
    const double windowSeconds = double(sinceStart.nsecsElapsed()) * 1e-9;
    ReplotClock replots(window->plots());
    // The measured span starts with the first epoch on screen: data loading happens before that, off the
    // GUI thread, and is not what "responsive while training" is about.
    if (!waitFor([&] { return window->history().latest() != nullptr; }, 300'000))
        throw std::runtime_error(scenario.toStdString() + ": no epoch within 300 s");
    const double firstEpochSeconds = double(sinceStart.nsecsElapsed()) * 1e-9;
    const int epochAtStart = window->history().latest()->epoch;

    StallMonitor monitor;
    replots.setRecording(true);
    profiler()->startProfiling({&monitor, monitor.timer()});
    monitor.start();
    runEventLoopFor(options.seconds);
    monitor.stop();
    profiler()->stopProfiling();
    replots.setRecording(false);
    window->liveRun().cancel();

    const RunHistory& history = window->history();
    std::vector<double> kernelSeconds;
    for (const EpochReport& r : history.reports())
        if (r.hasKernel && r.epoch > 0) // epoch 0 also pays for the initial eigenvectors (theory)
            kernelSeconds.push_back(r.kernelSeconds);
    const int epochAtEnd = history.latest()->epoch;

    // What one redraw of each visible plot costs at this size, measured on its own after the run: the data
    // rebuild (synchronous, in the window's redraw timer) and the drawing (replot).
    QJsonArray plotCosts;
    for (LivePlot* plot : window->plots()) {
        if (!plot->isVisible())
            continue;
        QElapsedTimer clock;
        clock.start();
        plot->refresh(history);
        const double rebuildMs = double(clock.nsecsElapsed()) * 1e-6;
        clock.restart();
        plot->replot(QCustomPlot::rpImmediateRefresh);
        const double replotMs = double(clock.nsecsElapsed()) * 1e-6;
        plotCosts.append(
            QJsonObject{{"plot", plot->fileName()}, {"rebuild_ms", rebuildMs}, {"replot_ms", replotMs}});
    }

    QJsonObject result{
        {"name", "gui_responsiveness"},
        {"scenario", scenario},
        {"shape", QJsonObject{{"n", config.trainSize},
                              {"d", history.info().inputDim},
                              {"w", config.width},
                              {"L", config.depth},
                              {"O", history.info().outputs},
                              {"test_n", config.testSize},
                              {"ntk_every", config.ntkEvery},
                              {"top_k", history.info().config.topK}}},
        {"dataset", history.info().datasetName},
        {"window", QString("%1x%2").arg(window->width()).arg(window->height())},
        {"window_open_seconds", windowSeconds},
        {"first_epoch_seconds", firstEpochSeconds},
        {"measured_seconds", monitor.measuredSeconds()},
        {"gui_thread_cpu_seconds", monitor.guiCpuSeconds()},
        {"event_loop_gaps", gapSummary(monitor)},
        {"epochs_completed", epochAtEnd - epochAtStart},
        {"latest_epoch", epochAtEnd},
        {"kernel_epochs_measured", int(kernelSeconds.size())},
        {"kernel_and_spectrum_seconds_median", median(kernelSeconds)},
        {"redraws", replots.count(window->plots().front())},
        {"replots", replots.toJson()},
        {"dispatch_hotspots", dispatchHotspots(*profiler())},
        {"longest_dispatches", longestDispatches(*profiler())},
        {"plot_costs_after_run", plotCosts},
        {"load_average_before", loadBefore},
        {"load_average_after", loadAverage()},
    };
    window.reset(); // joins the worker
    QCoreApplication::processEvents();
    return result;
}

// ---------------------------------------------------------------------------------------------------------
// 2. Memory over a long run with live plotting

LivePlot* plotNamed(const MainWindow& window, const QString& fileName) {
    for (LivePlot* plot : window.plots())
        if (plot->fileName() == fileName)
            return plot;
    return nullptr;
}

QJsonObject measureLongRunMemory(const Options& options) {
    RunConfig config;
    config.dataset = DatasetKind::Moons;
    config.trainSize = 200;
    config.testSize = 200;
    config.width = 64;
    config.depth = 1;
    config.epochs = options.memoryEpochs;
    config.ntkEvery = 1;
    progress(QString("memory: moons n=200 w=64, %1 epochs with live plotting").arg(config.epochs));
    const double rssBeforeWindow = residentMegabytes();
    QElapsedTimer clock;
    clock.start();
    auto window = openWindow(config, options);
    ReplotClock replots(window->plots());
    replots.setRecording(true);
    StallMonitor monitor;
    profiler()->startProfiling({&monitor, monitor.timer()});
    monitor.start();

    // Samples are taken on the GUI thread as the epochs arrive, so each is tagged with the epoch on screen.
    QJsonArray samples;
    int nextSample = options.sampleEvery;
    std::vector<std::pair<int, double>> rss;
    QTimer sampler;
    sampler.setInterval(10);
    QObject::connect(&sampler, &QTimer::timeout, [&] {
        const EpochReport* latest = window->history().latest();
        if (!latest || latest->epoch < nextSample)
            return;
        const double mb = residentMegabytes();
        rss.emplace_back(latest->epoch, mb);
        samples.append(QJsonObject{{"epoch", latest->epoch},
                                   {"rss_mb", mb},
                                   {"seconds", double(clock.nsecsElapsed()) * 1e-9},
                                   {"stored_spectra", int(window->history().spectra().size())},
                                   {"stored_reports", int(window->history().reports().size())}});
        progress(QString("  epoch %1: VmRSS %2 MB").arg(latest->epoch).arg(mb, 0, 'f', 1));
        while (nextSample <= latest->epoch)
            nextSample += options.sampleEvery;
    });
    sampler.start();
    const bool finished = waitFor([&] { return window->history().outcome().has_value(); }, 1'800'000);
    sampler.stop();
    // Let the last redraw land so the plots are checked with every epoch in them.
    runEventLoopFor(0.2);
    monitor.stop();
    profiler()->stopProfiling();
    const double rssAtEnd = residentMegabytes();
    const double runSeconds = double(clock.nsecsElapsed()) * 1e-9;

    const RunHistory& history = window->history();
    const int lastEpoch = history.latest() ? history.latest()->epoch : -1;
    // "History is decimated, not dropped": every epoch is still a point of the per-epoch plots.
    QJsonObject plotted;
    for (const QString& name : {QString("lambda_max"), QString("trace"), QString("loss")}) {
        LivePlot* plot = plotNamed(*window, name);
        if (!plot || plot->graphCount() == 0)
            continue;
        const QCPGraph* graph = plot->graph(0);
        bool found = false;
        const QCPRange keys = graph->data()->keyRange(found);
        plotted[name] = QJsonObject{{"points", graph->dataCount()},
                                    {"first_epoch", found ? keys.lower : -1.0},
                                    {"last_epoch", found ? keys.upper : -1.0}};
    }

    // Growth from the warm state: after the first sample (epoch ~1,000) to the end of the run.
    const double warm = rss.empty() ? -1.0 : rss.front().second;
    QJsonObject result{
        {"name", "gui_long_run_memory"},
        {"shape", QJsonObject{{"n", config.trainSize},
                              {"d", history.info().inputDim},
                              {"w", config.width},
                              {"L", config.depth},
                              {"O", history.info().outputs},
                              {"test_n", config.testSize},
                              {"ntk_every", config.ntkEvery},
                              {"epochs", config.epochs}}},
        {"dataset", history.info().datasetName},
        {"finished", finished},
        {"status", history.outcome() ? history.outcome()->status : QString("timed out")},
        {"last_epoch", lastEpoch},
        {"run_seconds", runSeconds},
        {"rss_before_window_mb", rssBeforeWindow},
        {"rss_warm_epoch", rss.empty() ? -1 : rss.front().first},
        {"rss_warm_mb", warm},
        {"rss_end_mb", rssAtEnd},
        {"rss_growth_mb", warm < 0 ? 0.0 : rssAtEnd - warm},
        {"rss_samples", samples},
        {"stored_reports", int(history.reports().size())},
        {"stored_spectra", int(history.spectra().size())},
        {"max_stored_spectra", RunHistory::maxStoredSpectra},
        {"plotted", plotted},
        {"redraws", replots.count(window->plots().front())},
        {"event_loop_gaps", gapSummary(monitor)},
        {"dispatch_hotspots", dispatchHotspots(*profiler())},
    };
    window.reset();
    QCoreApplication::processEvents();
    return result;
}

// ---------------------------------------------------------------------------------------------------------
// 3. First frame after a settings change

// One clock for the whole process; every time of a change is a difference of two readings of it.
QElapsedTimer& benchClock() {
    static QElapsedTimer clock = [] {
        QElapsedTimer c;
        c.start();
        return c;
    }();
    return clock;
}

// A run's epoch-0 numbers as the three top plots draw them; NaN before there are any.
struct EpochZeroValues {
    double lambda1 = std::nan(""), lambdaMax = std::nan(""), trace = std::nan("");
    bool known() const { return std::isfinite(lambdaMax); }
};

EpochZeroValues epochZeroValues(const RunHistory& history) {
    EpochZeroValues v;
    if (!history.hasRun() || history.reports().empty() || history.reports().front().epoch != 0 ||
        !history.reports().front().hasKernel || history.initialSpectrum().size() == 0)
        return v;
    v.lambda1 = history.initialSpectrum()(0);
    v.lambdaMax = history.reports().front().kernel.lambdaMax;
    v.trace = history.reports().front().kernel.trace;
    return v;
}

bool sameValue(double shown, double expected) {
    return std::abs(shown - expected) <= 1e-12 * std::max(1.0, std::abs(expected));
}

// Watches the window for one run's first frame. For each of the three top plots (spectrum, lambda_max,
// trace): the end of the first replot that drew this run's epoch 0 (checked value by value against the
// run's history, not by the title, which reads "epoch 0" for every run), and the end of the GUI-thread
// dispatch whose paint event put it on the widget (QCustomPlot repaints inside replot when the window is
// exposed, so usually the same moment; a window not yet exposed paints later). From the GUI thread's
// dispatches (ProfilingApplication::setAfterDispatch): the moments the run's data, its epoch 0 and epoch 0's
// theory (spectral bias, linearized model, infinite-width kernel) reached the history; and the first frame
// drawn with that theory.
class FirstFrameWatch : public QObject {
public:
    FirstFrameWatch(MainWindow& window, RunId run, qint64 startNs)
        : window_(window)
        , run_(run)
        , startNs_(startNs) {
        const LivePlotSet& set = window.livePlots();
        const std::pair<LivePlot*, Kind> watched[] = {
            {set.spectrum, Kind::Spectrum}, {set.lambdaMax, Kind::LambdaMax}, {set.trace, Kind::Trace}};
        for (const auto& [plot, kind] : watched) {
            auto watch = std::make_unique<PlotWatch>();
            watch->plot = plot;
            watch->kind = kind;
            PlotWatch* w = watch.get();
            connect(plot, &QCustomPlot::beforeReplot, this, [w] {
                w->inReplot = true;
                w->paintedInReplot = false;
            });
            connect(plot, &QCustomPlot::afterReplot, this, [this, w] { afterReplot(*w); });
            plot->installEventFilter(this);
            plots_.push_back(std::move(watch));
        }
        profiler()->setAfterDispatch([this] { afterDispatch(); });
        afterDispatch();
    }
    ~FirstFrameWatch() override {
        profiler()->setAfterDispatch({});
        for (const auto& w : plots_)
            w->plot->removeEventFilter(this);
    }

    bool framed() const {
        return std::all_of(plots_.begin(), plots_.end(), [](const auto& w) { return w->drawnNs >= 0; });
    }
    bool painted() const {
        return std::all_of(plots_.begin(), plots_.end(), [](const auto& w) { return w->paintedNs >= 0; });
    }
    bool theoryDrawn() const { return theoryDrawnNs_ >= 0; }
    qint64 drawnNs() const {
        qint64 last = -1;
        for (const auto& w : plots_)
            last = std::max(last, w->drawnNs);
        return last;
    }
    qint64 paintedNs() const {
        qint64 last = -1;
        for (const auto& w : plots_)
            last = std::max(last, w->paintedNs);
        return last;
    }
    // Seconds since the change, or -1 for "never".
    double seconds(qint64 ns) const { return ns < 0 ? -1.0 : double(ns - startNs_) * 1e-9; }
    // The first frame: the moment the last of the three plots was on the widget (painted), or drawn when
    // a paint event never came.
    double firstFrameSeconds() const { return seconds(painted() ? paintedNs() : drawnNs()); }
    bool verified() const {
        return framed() &&
               std::all_of(plots_.begin(), plots_.end(), [](const auto& w) { return w->mismatches == 0; });
    }

    QJsonObject toJson() const {
        QJsonArray plots;
        for (const auto& w : plots_)
            plots.append(QJsonObject{{"plot", w->plot->fileName()},
                                     {"drawn_s", seconds(w->drawnNs)},
                                     {"painted_s", seconds(w->paintedNs)},
                                     {"shown_title", w->title},
                                     {"latest_epoch_shown", w->epochShown},
                                     {"replots_before", w->replotsBefore},
                                     {"data_mismatches", w->mismatches}});
        return QJsonObject{
            {"first_frame_s", firstFrameSeconds()},
            {"first_frame_drawn_s", seconds(drawnNs())},
            {"first_frame_painted_s", seconds(paintedNs())},
            {"data_ready_s", seconds(dataReadyNs_)},
            {"epoch0_in_history_s", seconds(epochZeroNs_)},
            {"epoch0_kernel_seconds", epochZeroKernelSeconds_},
            {"theory_in_history_s", seconds(theoryNs_)},
            {"theory_first_frame_s", seconds(theoryDrawnNs_)},
            {"verified", verified()},
            {"plots", plots},
        };
    }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (event->type() == QEvent::Paint)
            for (const auto& w : plots_)
                if (w->plot == watched) {
                    if (w->inReplot)
                        w->paintedInReplot = true;
                    else if (w->drawnNs >= 0)
                        w->paintPending = true;
                }
        return false;
    }

private:
    enum class Kind { Spectrum, LambdaMax, Trace };
    struct PlotWatch {
        LivePlot* plot = nullptr;
        Kind kind = Kind::Spectrum;
        bool inReplot = false;
        bool paintedInReplot = false; // a paint event during the replot (repaint with the new buffers)
        bool paintPending = false;    // painted with the new data; done when the current dispatch ends
        qint64 drawnNs = -1, paintedNs = -1;
        QString title;
        int epochShown = -1;
        int replotsBefore = 0; // replots before the first with this run's epoch 0 (waiting, or the old run)
        int mismatches = 0;    // replots while the history held this run's epoch 0 that did not show it
    };

    // The value the plot shows first in graph `index` (key and value), if any.
    static std::optional<std::pair<double, double>> firstPoint(LivePlot* plot, int index) {
        if (plot->graphCount() <= index || plot->graph(index)->dataCount() == 0)
            return std::nullopt;
        const auto it = plot->graph(index)->data()->constBegin();
        return std::pair{it->key, it->value};
    }

    // Whether the plot, just replotted, shows this run's epoch 0 (nullopt: the history has not got it yet).
    std::optional<bool> showsEpochZero(const PlotWatch& w) const {
        const RunHistory& h = window_.history();
        if (h.runId() != run_)
            return std::nullopt;
        const EpochZeroValues expected = epochZeroValues(h);
        if (!expected.known())
            return std::nullopt;
        switch (w.kind) {
        case Kind::Spectrum: {
            // graph 0: the latest spectrum; graph 1: the initialization's, i.e. epoch 0's.
            const auto latest = firstPoint(w.plot, 0), initial = firstPoint(w.plot, 1);
            return latest && initial && latest->first == 1.0 && initial->first == 1.0 &&
                   sameValue(latest->second, h.latestSpectrum().second(0)) &&
                   sameValue(initial->second, expected.lambda1);
        }
        case Kind::LambdaMax:
        case Kind::Trace: {
            const auto first = firstPoint(w.plot, 0);
            return first && first->first == 0.0 &&
                   sameValue(first->second, w.kind == Kind::Trace ? expected.trace : expected.lambdaMax);
        }
        }
        return false;
    }

    void afterReplot(PlotWatch& w) {
        const qint64 now = benchClock().nsecsElapsed();
        w.inReplot = false;
        const RunHistory& h = window_.history();
        if (w.kind == Kind::Spectrum && theoryDrawnNs_ < 0 && h.runId() == run_ &&
            h.initialResidualEnergy().size() > 0)
            theoryDrawnNs_ = now;
        if (w.drawnNs >= 0)
            return;
        const std::optional<bool> shows = showsEpochZero(w);
        if (!shows) {
            ++w.replotsBefore;
            return;
        }
        if (!*shows) {
            ++w.mismatches;
            return;
        }
        w.drawnNs = now;
        w.title = w.plot->shownTitle();
        w.epochShown = h.latest()->epoch;
        if (w.paintedInReplot)
            w.paintPending = true;
    }

    void afterDispatch() {
        const qint64 now = benchClock().nsecsElapsed();
        for (const auto& w : plots_)
            if (w->paintPending && w->paintedNs < 0)
                w->paintedNs = now;
        const RunHistory& h = window_.history();
        if (h.runId() != run_)
            return;
        if (dataReadyNs_ < 0)
            dataReadyNs_ = now;
        if (epochZeroNs_ < 0 && !h.reports().empty()) {
            epochZeroNs_ = now;
            epochZeroKernelSeconds_ = h.reports().front().kernelSeconds;
        }
        if (theoryNs_ < 0 && h.initialResidualEnergy().size() > 0)
            theoryNs_ = now;
    }

    MainWindow& window_;
    RunId run_;
    qint64 startNs_;
    std::vector<std::unique_ptr<PlotWatch>> plots_;
    qint64 dataReadyNs_ = -1, epochZeroNs_ = -1, theoryNs_ = -1, theoryDrawnNs_ = -1;
    double epochZeroKernelSeconds_ = -1.0;
};

// Runs the event loop until the watch has seen the first frame painted (or drawn, and no paint event came
// within 0.5 s) and the first frame with the theory, or until the time limit; false on timeout.
bool waitForFirstFrame(const FirstFrameWatch& watch, double limitSeconds) {
    QEventLoop loop;
    QTimer poll;
    poll.setTimerType(Qt::PreciseTimer);
    poll.setInterval(2);
    const qint64 start = benchClock().nsecsElapsed();
    bool finished = false;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        const qint64 now = benchClock().nsecsElapsed();
        const bool frame = watch.framed() && (watch.painted() || now - watch.drawnNs() > 500'000'000);
        finished = frame && watch.theoryDrawn();
        if (finished || double(now - start) * 1e-9 > limitSeconds)
            loop.quit();
    });
    poll.start();
    loop.exec();
    return finished;
}

QJsonObject measureFirstFrame(const QString& scenario, const RunConfig& base, const Options& options) {
    progress(QString("first frame, %1: n=%2 w=%3 L=%4, %5 settings changes")
                 .arg(scenario)
                 .arg(base.trainSize)
                 .arg(base.width)
                 .arg(base.depth)
                 .arg(options.changes));
    constexpr double limitSeconds = 120.0;
    constexpr double settleSeconds = 0.5; // after the theory's frame, before the next change
    const QJsonArray loadBefore = loadAverage();

    // Opening the window: its constructor starts the first run (and loads the data set into the shared
    // cache when no earlier window of this process has). Not one of the timed changes.
    const qint64 openNs = benchClock().nsecsElapsed();
    auto window = std::make_unique<MainWindow>(base, false);
    window->resize(options.windowWidth, options.windowHeight);
    window->show();
    QJsonObject firstOpen;
    {
        FirstFrameWatch watch(*window, window->liveRun().currentRunId(), openNs);
        if (!waitForFirstFrame(watch, limitSeconds))
            throw std::runtime_error(scenario.toStdString() + ": the window's first run drew no first frame");
        firstOpen = watch.toJson();
    }
    runEventLoopFor(settleSeconds);

    QJsonArray changes;
    std::vector<double> frames, theory, theoryFrames;
    bool allVerified = true, allDistinct = true;
    for (int i = 1; i <= options.changes; ++i) {
        RunConfig next = base;
        next.seed = i % 2 == 1 ? base.seed + 1 : base.seed; // alternating: every change is a new run
        const RunHistory& shown = window->history();
        const EpochZeroValues previous = epochZeroValues(shown);
        const int previousEpoch = shown.latest() ? shown.latest()->epoch : -1;
        const bool previousTheory = shown.initialResidualEnergy().size() > 0;
        const RunId previousRun = shown.runId();

        const qint64 startNs = benchClock().nsecsElapsed();
        window->startRun(next);
        const RunId run = window->liveRun().currentRunId();
        if (run == previousRun)
            throw std::runtime_error(scenario.toStdString() + ": the settings change started no new run");
        FirstFrameWatch watch(*window, run, startNs);
        if (!waitForFirstFrame(watch, limitSeconds))
            throw std::runtime_error(QString("%1: change %2 drew no first frame within %3 s")
                                         .arg(scenario)
                                         .arg(i)
                                         .arg(limitSeconds)
                                         .toStdString());
        const EpochZeroValues now = epochZeroValues(window->history());
        const bool distinct = previous.known() && !sameValue(now.lambdaMax, previous.lambdaMax) &&
                              !sameValue(now.trace, previous.trace) &&
                              !sameValue(now.lambda1, previous.lambda1);
        QJsonObject entry = watch.toJson();
        entry["change"] = i;
        entry["seed"] = qint64(next.seed);
        entry["previous_latest_epoch"] = previousEpoch;
        entry["previous_theory_arrived"] = previousTheory;
        entry["epoch0_values_differ_from_previous_run"] = distinct;
        changes.append(entry);
        frames.push_back(watch.firstFrameSeconds());
        theory.push_back(entry["theory_in_history_s"].toDouble());
        theoryFrames.push_back(entry["theory_first_frame_s"].toDouble());
        allVerified = allVerified && watch.verified() && watch.painted();
        allDistinct = allDistinct && distinct;
        progress(QString("  change %1 (seed %2): first frame %3 s (epoch 0 in history %4 s), theory %5 s")
                     .arg(i)
                     .arg(next.seed)
                     .arg(watch.firstFrameSeconds(), 0, 'f', 3)
                     .arg(entry["epoch0_in_history_s"].toDouble(), 0, 'f', 3)
                     .arg(entry["theory_in_history_s"].toDouble(), 0, 'f', 3));
        runEventLoopFor(settleSeconds);
    }

    const RunHistory& history = window->history();
    QJsonObject result{
        {"name", "gui_first_frame"},
        {"scenario", scenario},
        {"shape", QJsonObject{{"n", base.trainSize},
                              {"d", history.info().inputDim},
                              {"w", base.width},
                              {"L", base.depth},
                              {"O", history.info().outputs},
                              {"test_n", base.testSize},
                              {"ntk_every", base.ntkEvery},
                              {"top_k", history.info().config.topK}}},
        {"dataset", history.info().datasetName},
        {"window", QString("%1x%2").arg(window->width()).arg(window->height())},
        {"change", QString("MainWindow::startRun, as the control panel calls it after its %1 ms debounce "
                           "(not included); seed alternating %2 / %3")
                       .arg(60)
                       .arg(base.seed + 1)
                       .arg(base.seed)},
        {"first_frame_means", "the spectrum, lambda_max and trace plots painted with the new run's epoch 0 "
                              "(values checked against its history)"},
        {"settle_seconds_between_changes", settleSeconds},
        {"window_open", firstOpen},
        {"changes", changes},
        {"first_frame_seconds_median", median(frames)},
        {"first_frame_seconds_max", *std::max_element(frames.begin(), frames.end())},
        {"theory_in_history_seconds_median", median(theory)},
        {"theory_in_history_seconds_max", *std::max_element(theory.begin(), theory.end())},
        {"theory_first_frame_seconds_median", median(theoryFrames)},
        {"all_verified", allVerified},
        {"all_epoch0_values_differ_from_previous_run", allDistinct},
        {"load_average_before", loadBefore},
        {"load_average_after", loadAverage()},
    };
    window.reset();
    QCoreApplication::processEvents();
    return result;
}

} // namespace

int main(int argc, char** argv) {
    const Options options = parseOptions(argc, argv);
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    ProfilingApplication app(argc, argv);
    // Its own settings and data directories: a benchmark must not read or overwrite the user's session.
    QApplication::setOrganizationName("ntkviz-gui-bench");
    QApplication::setApplicationName("ntkviz-gui-bench");
    QStandardPaths::setTestModeEnabled(true);

    QJsonArray results;
    try {
        // Memory first, on a fresh heap: after the n = 2000 run, glibc keeps hundreds of MB of freed blocks
        // resident and the long run would grow into them unseen. run_bench.py starts one process for each.
        if (options.memory)
            results.append(measureLongRunMemory(options));
        if (options.firstFrame) {
            // Fashion-MNIST, the window's default data and test split, as a lecture uses them.
            RunConfig large;
            large.trainSize = 2000;
            large.width = 512;
            large.depth = 2;
            results.append(measureFirstFrame("large", large, options));
            results.append(measureFirstFrame("default_scene", RunConfig{}, options));
        }
        if (options.responsiveness) {
            QTemporaryDir data;
            const QString csv = writeImageLikeCsv(data.path(), 2200);
            RunConfig large;
            large.dataset = DatasetKind::Csv;
            large.dataPath = csv.toStdString();
            large.trainSize = 2000;
            large.testSize = 200;
            large.width = 512;
            large.depth = 2;
            large.epochs = 1'000'000; // stopped by the clock
            large.ntkEvery = 1;
            results.append(measureResponsiveness("large", large, options));

            RunConfig lecture = large; // the default lecture scene's size, on the same kind of data
            lecture.trainSize = 200;
            lecture.width = 128;
            lecture.depth = 1;
            results.append(measureResponsiveness("default_scene", lecture, options));
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "ntkviz-gui-bench: %s\n", error.what());
        return 1;
    }

    char date[64];
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", std::localtime(&now));
    const QJsonObject report{
        {"program", "ntkviz-gui-bench"},
        {"date", date},
        {"qt_version", qVersion()},
        {"qpa_platform", QGuiApplication::platformName()},
        {"cores", QThread::idealThreadCount()},
        {"stall_threshold_ms", StallMonitor::stallThresholdMs},
        {"results", results},
    };
    const QByteArray json = QJsonDocument(report).toJson(QJsonDocument::Indented);
    std::fwrite(json.constData(), 1, std::size_t(json.size()), stdout);
    return 0;
}
