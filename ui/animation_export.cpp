// Animated export of a live plot over a run's epochs (see animation_export.h).
#include "animation_export.h"

#include "atomic_write.h"
#include "gif_encoder.h"
#include "live_plot_set.h"
#include "message_text.h"
#include "run_driver.h"
#include "run_history.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <algorithm>
#include <map>
#include <set>

namespace ntk {

namespace {

// Kernel snapshots for the kernel-matrix animation are kept for every frame until drawing: at most this
// many bytes of them (fewer frames for a large n), so a long run at n = 2000 does not exhaust memory.
constexpr double kernelSnapshotBudgetBytes = 1024.0 * 1024.0 * 1024.0;

// The run as the window would have received it, with a snapshot (kernel, prediction grid) on each frame's
// epoch, replayed into a RunHistory once per drawing pass.
class FrameRecorder : public RunObserver {
public:
    FrameRecorder(const QString& plotName, int maxFrames)
        : keepsKernel_(plotName == "kernel_matrix")
        , maxFrames_(maxFrames) {}

    void runStarted(const RunInfo& info) override {
        info_ = info;
        const RunConfig& config = info.config;
        // The epochs whose report carries a spectrum (Trainer::kernelDue); every epoch without NTK epochs.
        std::vector<int> candidates;
        for (int epoch = 0; epoch <= config.epochs; ++epoch)
            if (config.ntkEvery <= 0 || epoch == 0 || epoch % config.ntkEvery == 0 || epoch == config.epochs)
                candidates.push_back(epoch);
        int frames = maxFrames_;
        if (keepsKernel_) {
            const double bytes = 8.0 * double(info.trainSize) * double(info.trainSize);
            frames = std::min(frames, std::max(2, int(kernelSnapshotBudgetBytes / std::max(bytes, 1.0))));
        }
        frames = std::min<int>(frames, int(candidates.size()));
        for (int i = 0; i < frames; ++i) {
            const int at =
                frames == 1 ? 0 : int(std::lround(double(i) * double(candidates.size() - 1) / (frames - 1)));
            frameEpochs_.insert(candidates[at]);
        }
    }
    void epochReported(const EpochReport& report, const Trainer& trainer) override {
        const bool frame = frameEpochs_.count(report.epoch) > 0 || trainer.done();
        LiveReport live = makeLiveReport(trainer, EpochReport(report), frame);
        if (!keepsKernel_)
            live.kernel.reset(); // only the kernel-matrix plot draws it
        reports_.push_back({std::move(live), frame});
    }
    void initialTheoryReady(const InitialTheory& theory) override {
        theory_ = theory;
        theoryAfter_ = int(reports_.size());
    }
    void runEnded(const RunOutcome& outcome) override { outcome_ = outcome; }

    const std::optional<RunOutcome>& outcome() const { return outcome_; }
    int frameCount() const {
        return int(std::count_if(reports_.begin(), reports_.end(), [&](const auto& r) { return r.second; })) +
               (reports_.empty() || reports_.back().second ? 0 : 1);
    }

    // Feeds `history` report by report; calls `frame` whenever it stands at a frame's epoch (and at the
    // run's end, with the outcome set, so the last frame is the finished plot). Stops when `frame` says so.
    bool replay(RunHistory& history, const std::function<bool(int frameIndex)>& frame) const {
        history.reset(*info_);
        int index = 0;
        for (int i = 0; i < int(reports_.size()); ++i) {
            history.append({info_->runId, {reports_[i].first}});
            if (theory_ && theoryAfter_ == i + 1)
                history.amend(info_->runId, *theory_);
            const bool last = i + 1 == int(reports_.size());
            if (last && outcome_)
                history.setOutcome(*outcome_);
            if ((reports_[i].second || last) && !frame(index++))
                return false;
        }
        return true;
    }

private:
    bool keepsKernel_;
    int maxFrames_;
    std::set<int> frameEpochs_;
    std::optional<RunInfo> info_;
    std::vector<std::pair<LiveReport, bool>> reports_; // (report, is a frame)
    std::optional<InitialTheory> theory_;
    int theoryAfter_ = -1;
    std::optional<RunOutcome> outcome_;
};

// Every axis range and colour-scale data range of a plot, in a fixed order.
std::vector<QCPRange> rangesOf(QCustomPlot& plot) {
    std::vector<QCPRange> ranges;
    for (QCPAxisRect* rect : plot.axisRects())
        for (QCPAxis* axis : rect->axes())
            ranges.push_back(axis->range());
    for (QCPLayoutElement* element : plot.plotLayout()->elements(true))
        if (auto* scale = qobject_cast<QCPColorScale*>(element))
            ranges.push_back(scale->dataRange());
    return ranges;
}

void setRanges(QCustomPlot& plot, const std::vector<QCPRange>& ranges) {
    std::size_t i = 0;
    for (QCPAxisRect* rect : plot.axisRects())
        for (QCPAxis* axis : rect->axes())
            axis->setRange(ranges[i++]);
    for (QCPLayoutElement* element : plot.plotLayout()->elements(true))
        if (auto* scale = qobject_cast<QCPColorScale*>(element))
            scale->setDataRange(ranges[i++]);
}

// One layout for every frame of an animation. QCustomPlot fits each frame's layout to its content: an axis
// rect's margins to its tick labels (wider in one frame than in the next), a title's lines and a legend's
// rows to their text; the axes would move by a few pixels from frame to frame. Measured over all frames,
// the largest margins and the largest height of every other element in the plot's grid are then held in
// each frame.
class FrameLayout {
public:
    explicit FrameLayout(const QSize& size)
        : size_(size) {}

    // Lays `plot` out as drawing it at the animation's size would (QCustomPlot::updateLayout), without
    // drawing, and widens what is held to what this frame needs.
    void measure(QCustomPlot& plot) {
        // Drawing is the one public way to run QCustomPlot's whole layout, with what the plot fits to it
        // (NtkPlot::fitToSpace on afterLayout: legend columns, wrapped titles, tick counts).
        plot.toPixmap(size_.width(), size_.height());
        for (QCPLayoutElement* element : autoMarginElementsOf(plot)) {
            const QMargins now = element->margins();
            QMargins& kept = margins_[element];
            kept = QMargins(std::max(kept.left(), now.left()), std::max(kept.top(), now.top()),
                            std::max(kept.right(), now.right()), std::max(kept.bottom(), now.bottom()));
        }
        for (QCPLayoutElement* element : sizedByContentOf(plot))
            heights_[element] = std::max(heights_[element], minimumOuterHeight(*element));
    }

    // Holds the measured margins and sizes in `plot` as it stands for one frame.
    void hold(QCustomPlot& plot) const {
        for (QCPLayoutElement* element : autoMarginElementsOf(plot))
            if (const auto kept = margins_.find(element); kept != margins_.end()) {
                element->setAutoMargins(QCP::msNone);
                element->setMargins(kept->second);
            }
        // Heights only: a title is wrapped to the plot's width and must not widen its column.
        for (QCPLayoutElement* element : sizedByContentOf(plot))
            if (const auto kept = heights_.find(element); kept != heights_.end()) {
                const QMargins margins = element->margins();
                const bool inner = element->sizeConstraintRect() == QCPLayoutElement::scrInnerRect;
                element->setMinimumSize(element->minimumSize().width(),
                                        kept->second - (inner ? margins.top() + margins.bottom() : 0));
            }
    }

private:
    // The least height the plot's grid gives the element (as QCPLayout::getFinalMinimumOuterSize).
    static int minimumOuterHeight(const QCPLayoutElement& element) {
        const int set = element.minimumSize().height();
        if (set <= 0)
            return element.minimumOuterSizeHint().height();
        const bool inner = element.sizeConstraintRect() == QCPLayoutElement::scrInnerRect;
        return set + (inner ? element.margins().top() + element.margins().bottom() : 0);
    }

    // The elements whose margins QCustomPlot fits to their content, with each colour scale's own axis
    // rect, which is not in the layout.
    static std::vector<QCPLayoutElement*> autoMarginElementsOf(QCustomPlot& plot) {
        std::vector<QCPLayoutElement*> elements;
        auto add = [&](QCPLayoutElement* element) {
            if (element && element->autoMargins() != QCP::msNone)
                elements.push_back(element);
        };
        for (QCPLayoutElement* element : plot.plotLayout()->elements(true)) {
            add(element); // null for an empty cell of a grid
            if (auto* scale = qobject_cast<QCPColorScale*>(element))
                add(scale->axis()->axisRect());
        }
        return elements;
    }

    // The cells of the plot's grid beside the axis rects (legend, title) whose size follows what they
    // show; a colour scale sets its own size from its axis rect's margins.
    static std::vector<QCPLayoutElement*> sizedByContentOf(QCustomPlot& plot) {
        std::vector<QCPLayoutElement*> elements;
        for (QCPLayoutElement* element : plot.plotLayout()->elements(false))
            if (element && !qobject_cast<QCPAxisRect*>(element) && !qobject_cast<QCPColorScale*>(element))
                elements.push_back(element);
        return elements;
    }

    QSize size_;
    std::map<QCPLayoutElement*, QMargins> margins_;
    std::map<QCPLayoutElement*, int> heights_; // outer
};

QString frameName(const QString& plotName, int index) {
    return QString("%1-%2.png").arg(plotName).arg(index + 1, 4, 10, QChar('0'));
}

// A folder earlier written as a PNG sequence holds frames only: such a folder may be replaced whole.
bool holdsOnlyFrames(const QDir& folder) {
    static const QRegularExpression frame("^[a-z0-9_]+-\\d{4}\\.png$");
    const QStringList entries =
        folder.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    return std::all_of(entries.begin(), entries.end(),
                       [](const QString& name) { return frame.match(name).hasMatch(); });
}

// Writes the frames into a hidden folder beside `path`, then puts it in place of `path` in one rename (an
// earlier sequence there is moved aside first and removed after), so `path` never holds a partial sequence.
std::optional<QString> writeFrameFolder(const QString& path, const QString& plotName,
                                        const std::vector<QByteArray>& frames, QStringList* written,
                                        const std::function<bool(int done, int total)>& keepGoing) {
    const QFileInfo target(path);
    const QDir parent = target.absoluteDir();
    QTemporaryDir staging(parent.filePath("." + target.fileName() + ".ntkviz-XXXXXX"));
    if (!staging.isValid())
        return path + ": cannot write in " + parent.absolutePath();
    QStringList names;
    for (int i = 0; i < int(frames.size()); ++i) {
        if (!keepGoing(i, int(frames.size())))
            return QString("cancelled"); // the staging folder goes with its frames
        QFile file(QDir(staging.path()).filePath(frameName(plotName, i)));
        if (!file.open(QIODevice::WriteOnly) || file.write(frames[i]) != frames[i].size() || !file.flush())
            return path + ": " + file.errorString();
        names << frameName(plotName, i);
    }
    // QTemporaryDir makes the folder private; the frames are for sharing, like any exported file.
    QFile::setPermissions(staging.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                              QFileDevice::ExeOwner | QFileDevice::ReadGroup |
                                              QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                              QFileDevice::ExeOther);
    const QString finalPath = target.absoluteFilePath();
    std::optional<QTemporaryDir> previous;
    if (target.exists()) {
        previous.emplace(parent.filePath("." + target.fileName() + ".old-XXXXXX"));
        if (!previous->isValid() || !QDir().rmdir(previous->path()) ||
            !QDir().rename(finalPath, previous->path()))
            return path + ": cannot replace the earlier frames";
    }
    if (!QDir().rename(staging.path(), finalPath)) {
        if (previous)
            QDir().rename(previous->path(), finalPath);
        return path + ": cannot move the frames into place";
    }
    staging.setAutoRemove(false); // it is `path` now; `previous`, if any, is removed with its contents
    if (written)
        for (const QString& name : names)
            *written << QDir(finalPath).filePath(name);
    return std::nullopt;
}

} // namespace

QStringList animationPlotNames() {
    QWidget host;
    QStringList names;
    for (LivePlot* plot : createLivePlots(&host).all())
        names << plot->fileName();
    return names;
}

bool isGifPath(const QString& path) {
    return path.endsWith(".gif", Qt::CaseInsensitive);
}

std::optional<QString> checkAnimationTarget(const QString& path) {
    if (path.isEmpty())
        return QString("the animation needs a file name (.gif) or a folder for PNG frames");
    const QFileInfo target(path);
    const QFileInfo parent(target.absolutePath());
    if (!parent.isDir())
        return quotedForMessage(path) + ": the folder " + quotedForMessage(parent.filePath()) +
               " does not exist";
    if (!parent.isWritable())
        return quotedForMessage(path) + ": cannot write in " + quotedForMessage(parent.filePath());
    if (isGifPath(path)) {
        if (target.isDir())
            return quotedForMessage(path) + " is a folder, not a .gif file";
        return std::nullopt;
    }
    if (path.endsWith(".png", Qt::CaseInsensitive) || path.endsWith(".jpg", Qt::CaseInsensitive))
        return quotedForMessage(path) + ": name a .gif file, or a folder for the PNG frames";
    if (target.exists() && !target.isDir())
        return quotedForMessage(path) + " is a file, not a folder for the PNG frames";
    if (target.isDir() && !holdsOnlyFrames(QDir(path)))
        return quotedForMessage(path) + ": the folder holds other files; name a new or empty folder for the "
                                        "PNG frames";
    return std::nullopt;
}

std::optional<QString> exportAnimation(const RunConfig& config, const QString& plotName, const QString& path,
                                       const AnimationOptions& options, QStringList* written,
                                       const AnimationProgress& progress,
                                       const AnimationFrameHook& frameRendered) {
    if (!animationPlotNames().contains(plotName))
        return quotedForMessage(plotName) + " is not a plot; the plots are " +
               animationPlotNames().join(", ");
    if (auto error = checkAnimationTarget(path))
        return error;
    auto report = [&](const char* stage, int done, int total) {
        return !progress || progress(QString::fromUtf8(stage), done, total);
    };

    int epochsDone = 0;
    FrameRecorder recorder(plotName, std::max(2, options.maxFrames));
    RunControl control;
    control.eigenfunctions = plotName == "eigenfunctions";
    control.beforeNextEpoch = [&] { return report("training", ++epochsDone, config.epochs); };
    const RunOutcome outcome = driveRun(1, config, recorder, control);
    if (!outcome.failure.isEmpty())
        return outcome.failure;
    if (outcome.cancelled)
        return QString("cancelled");

    // The history outlives the plot, which keeps a pointer to it.
    RunHistory history;
    QWidget host;
    LivePlot* plot = nullptr;
    for (LivePlot* candidate : createLivePlots(&host).all())
        if (candidate->fileName() == plotName)
            plot = candidate;
    PlotStyle style;
    style.scale = options.styleScale;
    plot->resize(options.size);
    plot->applyStyle(style);

    // First pass: the union of every frame's ranges, so that all frames share the whole run's axes.
    const int frameCount = recorder.frameCount();
    std::vector<QCPRange> whole;
    bool sameAxesInEveryFrame = true;
    recorder.replay(history, [&](int) {
        plot->refreshNow(history);
        const std::vector<QCPRange> ranges = rangesOf(*plot);
        if (whole.empty())
            whole = ranges;
        else if (ranges.size() != whole.size())
            sameAxesInEveryFrame = false;
        else
            for (std::size_t i = 0; i < ranges.size(); ++i)
                whole[i].expand(ranges[i]);
        return true;
    });

    auto showWholeRanges = [&] {
        if (sameAxesInEveryFrame && rangesOf(*plot).size() == whole.size())
            setRanges(*plot, whole);
    };

    // Second pass, layout only: what each frame's layout needs, held in every frame of the third.
    FrameLayout layout(options.size);
    recorder.replay(history, [&](int) {
        plot->refreshNow(history);
        showWholeRanges();
        layout.measure(*plot);
        return true;
    });

    // Third pass: each frame drawn at the fixed size with those ranges and that layout.
    std::vector<QByteArray> frames;
    bool renderFailed = false;
    const bool finished = recorder.replay(history, [&](int index) {
        plot->refreshNow(history);
        showWholeRanges();
        layout.hold(*plot);
        const QImage image =
            plot->toPixmap(options.size.width(), options.size.height(), options.scale).toImage();
        if (frameRendered)
            frameRendered(*plot);
        QByteArray bytes;
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        if (image.isNull() || !image.save(&buffer, "PNG")) {
            renderFailed = true;
            return false;
        }
        frames.push_back(bytes);
        return report("drawing", index + 1, frameCount);
    });
    if (!finished)
        return renderFailed ? path + ": could not render the plot" : QString("cancelled");

    if (!isGifPath(path))
        return writeFrameFolder(path, plotName, frames, written,
                                [&](int done, int total) { return report("writing", done, total); });
    GifFrames gif;
    gif.count = int(frames.size());
    gif.frame = [&](int index) { return QImage::fromData(frames[index], "PNG"); };
    gif.delayMs = [&](int index) { return index + 1 == gif.count ? options.holdMs : options.frameDelayMs; };
    gif.cancelled = [&] { return !report("writing", 0, 1); };
    QByteArray bytes;
    if (auto error = encodeAnimatedGif(gif, bytes))
        return *error == "cancelled" ? *error : path + ": " + *error;
    if (auto error = writeFileAtomically(path, bytes))
        return error;
    if (written)
        *written << path;
    return std::nullopt;
}

} // namespace ntk
