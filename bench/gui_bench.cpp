// ntkviz-gui-bench: drives the real main window offscreen and measures what issue 5 asks of the live view.
//  - responsiveness: while a run trains, a 5 ms timer on the GUI thread records the gap between its
//    firings; a gap is an event-loop stall. Every event dispatched on the GUI thread is timed too, by the
//    class of its receiver and the event type, so a stall can be traced to what ran during it.
//  - memory: a long run with live plotting, resident memory sampled every 1,000 epochs.
// Output: one JSON object on stdout; progress on stderr. See bench/RESULTS.md and bench/run_bench.sh.
#include "live_plot.h"
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
    double seconds = 25.0;     // measured training time per responsiveness scenario
    int memoryEpochs = 10'000; // length of the long run
    int sampleEvery = 1'000;   // epochs between resident-memory samples
    int windowWidth = 1920, windowHeight = 1080;
};

[[noreturn]] void usage(int code) {
    std::fprintf(code == 0 ? stdout : stderr,
                 "usage: ntkviz-gui-bench [--only responsiveness|memory] [--seconds S] [--memory-epochs N]\n"
                 "                        [--sample-every N] [--window WxH]\n"
                 "  --only           run one of the two measurements (default both)\n"
                 "  --seconds        training time measured per responsiveness scenario (default 25)\n"
                 "  --memory-epochs  epochs of the long run (default 10000)\n"
                 "  --sample-every   epochs between resident-memory samples (default 1000)\n"
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
            if (v != "responsiveness" && v != "memory") {
                std::fprintf(stderr, "ntkviz-gui-bench: --only must be responsiveness or memory\n");
                usage(2);
            }
            options.responsiveness = v == "responsiveness";
            options.memory = v == "memory";
        } else if (flag == "--seconds") {
            options.seconds = positive(value());
        } else if (flag == "--memory-epochs") {
            options.memoryEpochs = int(positive(value()));
        } else if (flag == "--sample-every") {
            options.sampleEvery = int(positive(value()));
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

    bool notify(QObject* receiver, QEvent* event) override {
        if (!profiling_ || depth_ > 0 || QThread::currentThread() != thread() || ignored_.count(receiver))
            return QApplication::notify(receiver, event);
        // Taken before the dispatch: the receiver may delete itself while handling it (DeferredDelete), and
        // the event may not outlive it. The class name is static data and stays valid.
        const char* className = receiver->metaObject()->className();
        const auto* timer = qobject_cast<const QTimer*>(receiver);
        const int timerInterval = timer ? timer->interval() : -1;
        const QEvent::Type type = event->type();
        const qint64 start = clock_.nsecsElapsed();
        ++depth_;
        bool handled = false;
        try {
            handled = QApplication::notify(receiver, event);
        } catch (...) {
            --depth_;
            throw;
        }
        --depth_;
        const double ms = double(clock_.nsecsElapsed() - start) * 1e-6;
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
