// Animated export (ntkviz --export-animation, and the plot's context menu): the GIF decodes with giflib,
// loops, has more than one frame of the stated size and frames that differ; the PNG frames are the GIF's
// frames; every live plot can be animated; bad input gets one line and exit code 2; a cancelled export
// leaves nothing behind; the window writes the same file as the command line.
#include "animation_export.h"
#include "gif_encoder.h"
#include "live_plot_set.h"
#include "main_window.h"
#include "settings_cli.h"

#include <QMenu>
#include <QProcess>
#include <QtTest>
#include <gif_lib.h>
#include <memory>
#include <unordered_map>

using namespace ntk;

namespace {

RunConfig shortRun() {
    RunConfig c;
    c.dataset = DatasetKind::Moons;
    c.trainSize = 40;
    c.testSize = 20;
    c.width = 16;
    c.learningRate = 0.3;
    c.epochs = 24;
    return c;
}

QStringList settingFlags(const RunConfig& config) {
    QStringList parts = commandLineFor(config).split(' ');
    parts.removeFirst(); // ntkviz-cli
    parts.removeFirst(); // train
    return parts;
}

struct RunResult {
    int exitCode = -1;
    QString stdErr;
};

RunResult runGui(const QStringList& arguments) {
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("DISPLAY");
    env.remove("WAYLAND_DISPLAY");
    env.insert("QT_QPA_PLATFORM", "offscreen");
    // Without it Qt warns on stderr, and bad input must get exactly one line there.
    static QTemporaryDir runtimeDir;
    env.insert("XDG_RUNTIME_DIR", runtimeDir.path());
    process.setProcessEnvironment(env);
    process.start(NTKVIZ_GUI_PATH, arguments);
    if (!process.waitForFinished(120000))
        return {};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardError())};
}

struct DecodedGif {
    QString error;
    QSize screen;
    std::vector<QImage> frames;
    std::vector<int> delaysCs;
    bool loopsForever = false;
};

bool isLoopBlock(const ExtensionBlock* blocks, int count) {
    for (int i = 0; i + 1 < count; ++i)
        if (blocks[i].Function == APPLICATION_EXT_FUNC_CODE && blocks[i].ByteCount == 11 &&
            std::memcmp(blocks[i].Bytes, "NETSCAPE2.0", 11) == 0 && blocks[i + 1].ByteCount == 3 &&
            blocks[i + 1].Bytes[0] == 1 && blocks[i + 1].Bytes[1] == 0 && blocks[i + 1].Bytes[2] == 0)
            return true;
    return false;
}

// Decodes with giflib's DGifSlurp and composes the frames as a viewer shows them: each image is drawn at
// its place over what the previous one left (by that one's disposal), but for its transparent pixels.
DecodedGif decodeGif(const QString& path) {
    DecodedGif result;
    int error = 0;
    GifFileType* gif = DGifOpenFileName(path.toLocal8Bit().constData(), &error);
    if (!gif) {
        result.error = GifErrorString(error);
        return result;
    }
    if (DGifSlurp(gif) != GIF_OK) {
        result.error = GifErrorString(gif->Error);
        DGifCloseFile(gif, &error);
        return result;
    }
    result.screen = QSize(gif->SWidth, gif->SHeight);
    result.loopsForever = isLoopBlock(gif->ExtensionBlocks, gif->ExtensionBlockCount);
    QImage canvas(result.screen, QImage::Format_ARGB32);
    canvas.fill(Qt::transparent); // what no image has covered yet, as a viewer's background
    for (int i = 0; i < gif->ImageCount; ++i) {
        const SavedImage& saved = gif->SavedImages[i];
        result.loopsForever =
            result.loopsForever || isLoopBlock(saved.ExtensionBlocks, saved.ExtensionBlockCount);
        GraphicsControlBlock control{};
        control.TransparentColor = NO_TRANSPARENT_COLOR;
        control.DisposalMode = DISPOSAL_UNSPECIFIED;
        result.delaysCs.push_back(DGifSavedExtensionToGCB(gif, i, &control) == GIF_OK ? control.DelayTime
                                                                                      : -1);
        const ColorMapObject* map = saved.ImageDesc.ColorMap ? saved.ImageDesc.ColorMap : gif->SColorMap;
        const QRect place(saved.ImageDesc.Left, saved.ImageDesc.Top, saved.ImageDesc.Width,
                          saved.ImageDesc.Height);
        if (!QRect(QPoint(0, 0), result.screen).contains(place)) {
            result.error = QString("image %1 lies outside the screen").arg(i);
            break;
        }
        const QImage before = canvas.copy();
        for (int y = 0; y < place.height(); ++y)
            for (int x = 0; x < place.width(); ++x) {
                const int index = saved.RasterBits[y * place.width() + x];
                if (index == control.TransparentColor)
                    continue;
                const GifColorType c = map->Colors[index];
                canvas.setPixel(place.x() + x, place.y() + y, qRgb(c.Red, c.Green, c.Blue));
            }
        result.frames.push_back(canvas.convertToFormat(QImage::Format_RGB32));
        if (control.DisposalMode == DISPOSE_BACKGROUND) {
            QPainter painter(&canvas);
            painter.setCompositionMode(QPainter::CompositionMode_Source);
            painter.fillRect(place, Qt::transparent);
        } else if (control.DisposalMode == DISPOSE_PREVIOUS) {
            canvas = before;
        }
    }
    DGifCloseFile(gif, &error);
    return result;
}

struct ImageDifference {
    double equalShare = 0.0;     // of pixels exactly equal
    double meanDifference = 0.0; // per channel, 0 to 255
    int largestDifference = 0;   // in any channel
};

ImageDifference compareImages(const QImage& a, const QImage& b) {
    const QImage x = a.convertToFormat(QImage::Format_RGB32), y = b.convertToFormat(QImage::Format_RGB32);
    qint64 equal = 0, total = 0;
    ImageDifference result;
    for (int row = 0; row < x.height(); ++row)
        for (int col = 0; col < x.width(); ++col) {
            const QRgb p = x.pixel(col, row), q = y.pixel(col, row);
            if ((p & 0xffffff) == (q & 0xffffff))
                ++equal;
            const int dr = std::abs(qRed(p) - qRed(q)), dg = std::abs(qGreen(p) - qGreen(q)),
                      db = std::abs(qBlue(p) - qBlue(q));
            total += dr + dg + db;
            result.largestDifference = std::max({result.largestDifference, dr, dg, db});
        }
    const double pixels = double(x.width()) * double(x.height());
    result.equalShare = double(equal) / pixels;
    result.meanDifference = double(total) / (3.0 * pixels);
    return result;
}

// Every axis range and colour-scale data range, as a lecturer would see them change between frames.
QStringList shownRanges(const QCustomPlot& plot) {
    QStringList ranges;
    for (QCPAxisRect* rect : plot.axisRects())
        for (QCPAxis* axis : rect->axes())
            ranges << QString("axis %1..%2").arg(axis->range().lower).arg(axis->range().upper);
    for (QCPLayoutElement* element : plot.plotLayout()->elements(true))
        if (auto* scale = qobject_cast<QCPColorScale*>(element))
            ranges << QString("colours %1..%2").arg(scale->dataRange().lower).arg(scale->dataRange().upper);
    return ranges;
}

// Where the plot's axis rects and colour scales stand in the frame, in pixels: the same in every frame,
// or the axes jump on a slide.
QStringList layoutOf(const QCustomPlot& plot) {
    auto text = [](const QRect& rect) {
        return QString("%1,%2 %3x%4").arg(rect.x()).arg(rect.y()).arg(rect.width()).arg(rect.height());
    };
    QStringList rects;
    for (QCPAxisRect* rect : plot.axisRects())
        rects << "axis rect " + text(rect->rect());
    for (QCPLayoutElement* element : plot.plotLayout()->elements(true))
        if (auto* scale = qobject_cast<QCPColorScale*>(element))
            rects << "colour scale " + text(scale->axis()->axisRect()->rect());
    return rects;
}

// The decoded frames are the rendered ones but for the palette: a colour of the rendered frames always
// becomes the same colour in the GIF, the colour itself when the frames hold no more than 256. A part of
// a frame left out or misplaced shows the frame before there, and breaks one of the two. Empty if so.
QString differencesBeyondThePalette(const std::vector<QImage>& rendered, const std::vector<QImage>& decoded) {
    if (rendered.size() != decoded.size())
        return QString("%1 frames rendered, %2 decoded").arg(rendered.size()).arg(decoded.size());
    std::unordered_map<QRgb, QRgb> becomes;
    for (std::size_t f = 0; f < rendered.size(); ++f) {
        const QImage a = rendered[f].convertToFormat(QImage::Format_RGB32);
        const QImage b = decoded[f].convertToFormat(QImage::Format_RGB32);
        if (a.size() != b.size())
            return QString("frame %1 has another size").arg(f);
        for (int y = 0; y < a.height(); ++y)
            for (int x = 0; x < a.width(); ++x) {
                const QRgb from = a.pixel(x, y) | 0xff000000u, to = b.pixel(x, y) | 0xff000000u;
                const auto [it, added] = becomes.emplace(from, to);
                if (!added && it->second != to)
                    return QString("frame %1, pixel %2,%3: #%4 shown as #%5, elsewhere as #%6")
                        .arg(f)
                        .arg(x)
                        .arg(y)
                        .arg(from & 0xffffff, 6, 16, QChar('0'))
                        .arg(to & 0xffffff, 6, 16, QChar('0'))
                        .arg(it->second & 0xffffff, 6, 16, QChar('0'));
            }
    }
    if (becomes.size() <= 256)
        for (const auto& [from, to] : becomes)
            if (from != to)
                return QString("#%1 shown as #%2 with only %3 colours")
                    .arg(from & 0xffffff, 6, 16, QChar('0'))
                    .arg(to & 0xffffff, 6, 16, QChar('0'))
                    .arg(becomes.size());
    return {};
}

qint64 encodedSize(const std::vector<QImage>& images) {
    GifFrames frames;
    frames.count = int(images.size());
    frames.frame = [&](int index) { return images[index]; };
    frames.delayMs = [](int) { return 80; };
    QByteArray bytes;
    return encodeAnimatedGif(frames, bytes) ? -1 : bytes.size();
}

QStringList filesIn(const QString& folder) {
    return QDir(folder).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                                  QDir::Name);
}

} // namespace

class AnimationTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void headlessGifLoopsWithFramesOfTheStatedSize() {
        QTemporaryDir dir;
        const QString gifPath = dir.filePath("spectrum.gif");
        const QStringList common = QStringList{"--plot",         "spectrum", "--figure-size",      "480x300",
                                               "--figure-scale", "1",        "--animation-frames", "10"} +
                                   settingFlags(shortRun());
        const RunResult gifRun = runGui(QStringList{"--export-animation", gifPath} + common);
        QVERIFY2(gifRun.exitCode == 0, qPrintable(gifRun.stdErr));
        const DecodedGif gif = decodeGif(gifPath);
        QVERIFY2(gif.error.isEmpty(), qPrintable(gif.error));
        QCOMPARE(gif.screen, QSize(480, 300));
        QVERIFY(gif.frames.size() > 1);
        QVERIFY(gif.frames.size() <= 11); // 10 planned frames, plus the run's end if it was not one
        for (const QImage& frame : gif.frames)
            QCOMPARE(frame.size(), QSize(480, 300));
        QVERIFY(gif.loopsForever);
        QCOMPARE(gif.delaysCs.front(), 8);
        QCOMPARE(gif.delaysCs.back(), 300); // the hold on the last frame
        QVERIFY(gif.frames.front() != gif.frames.back());

        // The same run as PNG frames: as many, and the same pictures (exact but for antialiased edges when
        // the frames hold more than 256 colours).
        const QString pngPath = dir.filePath("frames");
        const RunResult pngRun = runGui(QStringList{"--export-animation", pngPath} + common);
        QVERIFY2(pngRun.exitCode == 0, qPrintable(pngRun.stdErr));
        const QStringList pngs = filesIn(pngPath);
        QCOMPARE(pngs.size(), qsizetype(gif.frames.size()));
        QCOMPARE(pngs.front(), QString("spectrum-0001.png"));
        for (const auto& [png, decoded] :
             {std::pair{pngs.front(), gif.frames.front()}, std::pair{pngs.back(), gif.frames.back()}}) {
            const QImage image(QDir(pngPath).filePath(png));
            QCOMPARE(image.size(), decoded.size());
            const ImageDifference difference = compareImages(image, decoded);
            const QString numbers = QString("%1: %2 of pixels equal, mean difference %3, largest %4")
                                        .arg(png)
                                        .arg(difference.equalShare)
                                        .arg(difference.meanDifference)
                                        .arg(difference.largestDifference);
            qInfo("%s", qPrintable(numbers));
            QVERIFY2(difference.equalShare > 0.9, qPrintable(numbers));
            QVERIFY2(difference.meanDifference < 2.0, qPrintable(numbers));
            QVERIFY2(difference.largestDifference < 80, qPrintable(numbers));
        }
        std::vector<QImage> rendered;
        for (const QString& png : pngs)
            rendered.push_back(QImage(QDir(pngPath).filePath(png)));
        const QString beyond = differencesBeyondThePalette(rendered, gif.frames);
        QVERIFY2(beyond.isEmpty(), qPrintable(beyond));
        // Only what changes between frames is stored: the curve, the title's epoch.
        const qint64 oneFrame = encodedSize({gif.frames.back()});
        const qint64 whole = QFileInfo(gifPath).size();
        qInfo("%s", qPrintable(QString("%1 frames in %2 bytes, one frame alone %3 bytes")
                                   .arg(gif.frames.size())
                                   .arg(whole)
                                   .arg(oneFrame)));
        QVERIFY(oneFrame > 0);
        QVERIFY(whole < qint64(gif.frames.size()) * oneFrame / 2);
        // A second export into the same folder replaces the earlier frames whole.
        const RunResult again = runGui(QStringList{"--export-animation", pngPath} + common);
        QVERIFY2(again.exitCode == 0, qPrintable(again.stdErr));
        QCOMPARE(filesIn(pngPath), pngs);
        QCOMPARE(filesIn(dir.path()), QStringList({"frames", "spectrum.gif"}));
    }

    void gifStoresOnlyWhatChanges() {
        // A detailed still background (255 colours in no pattern LZW could shorten) with a small square
        // moving over it; one frame repeats the one before, one moves the whole background by a pixel so
        // that every colour changes somewhere (no index is left to mark the unchanged pixels).
        const QSize size(400, 300);
        auto background = [&](int shift) {
            QImage image(size, QImage::Format_RGB32);
            for (int y = 0; y < size.height(); ++y)
                for (int x = 0; x < size.width(); ++x) {
                    const quint32 hash =
                        quint32(x + shift) * 73856093u ^ quint32(y) * 19349663u; // wraps, unsigned
                    const int shade = int(hash % 255u);
                    image.setPixel(x, y, qRgb(shade, 255 - shade, (shade * 7) % 256));
                }
            return image;
        };
        const QImage still = background(0);
        std::vector<QImage> frames;
        for (int f = 0; f < 30; ++f) {
            QImage frame = f == 20 ? background(1) : still;
            const int at = f == 11 ? 10 : f; // frame 11 repeats frame 10
            QPainter(&frame).fillRect(QRect(20 + 9 * at, 40 + 5 * at, 12, 12), QColor(255, 255, 255));
            frames.push_back(frame);
        }
        QTemporaryDir dir;
        const QString path = dir.filePath("square.gif");
        GifFrames gif;
        gif.count = int(frames.size());
        gif.frame = [&](int index) { return frames[index]; };
        gif.delayMs = [](int) { return 80; };
        QByteArray bytes;
        const auto error = encodeAnimatedGif(gif, bytes);
        QVERIFY2(!error, qPrintable(error.value_or("")));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size());
        file.close();
        const DecodedGif decoded = decodeGif(path);
        QVERIFY2(decoded.error.isEmpty(), qPrintable(decoded.error));
        const QString beyond = differencesBeyondThePalette(frames, decoded.frames);
        QVERIFY2(beyond.isEmpty(), qPrintable(beyond));
        // The first frame, the shifted one and the one after it (which moves it back) are stored whole;
        // the other 27 hold two small squares each.
        const qint64 oneFrame = encodedSize({still});
        qInfo("%s", qPrintable(QString("%1 frames in %2 bytes, one frame alone %3 bytes")
                                   .arg(frames.size())
                                   .arg(bytes.size())
                                   .arg(oneFrame)));
        QVERIFY(oneFrame > 50000);
        QVERIFY(bytes.size() < 4 * oneFrame);
    }

    void everyLivePlotAnimates() {
        QTemporaryDir dir;
        AnimationOptions options;
        options.size = QSize(360, 240);
        options.maxFrames = 4;
        const QStringList names = animationPlotNames();
        QWidget host;
        QCOMPARE(names.size(), qsizetype(createLivePlots(&host).all().size()));
        for (const QString& name : names) {
            const QString path = dir.filePath(name + ".gif");
            // Every frame keeps the whole run's axes and colour scale: the animation does not jump.
            // Nor does the axes' place in the frame, however wide each frame's tick labels are.
            std::vector<QStringList> ranges, layouts;
            const auto error =
                exportAnimation(shortRun(), name, path, options, nullptr, {}, [&](const QCustomPlot& plot) {
                    ranges.push_back(shownRanges(plot));
                    layouts.push_back(layoutOf(plot));
                });
            QVERIFY2(!error, qPrintable(name + ": " + error.value_or("")));
            for (const QStringList& frame : ranges)
                QVERIFY2(frame == ranges.back(),
                         qPrintable(name + ": " + frame.join(", ") + " in one frame, " +
                                    ranges.back().join(", ") + " in the last"));
            QVERIFY2(!layouts.back().isEmpty(), qPrintable(name + ": no axis rect"));
            for (const QStringList& frame : layouts)
                QVERIFY2(frame == layouts.back(),
                         qPrintable(name + ": " + frame.join(", ") + " in one frame, " +
                                    layouts.back().join(", ") + " in the last"));
            const DecodedGif gif = decodeGif(path);
            QVERIFY2(gif.error.isEmpty(), qPrintable(name + ": " + gif.error));
            QVERIFY2(gif.frames.size() >= 4, qPrintable(name));
            QVERIFY2(gif.frames.front().size() == QSize(360, 240), qPrintable(name));
            QVERIFY2(gif.frames.front() != gif.frames.back(),
                     qPrintable(name + ": first and last frame equal"));
        }
    }

    void badInputGetsOneLineAndExitCodeTwo_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("named");
        QTest::newRow("unknown plot")
            << QStringList{"--export-animation", "@DIR/a.gif", "--plot", "nosuchplot"} << "nosuchplot";
        QTest::newRow("no plot") << QStringList{"--export-animation", "@DIR/a.gif"} << "--plot";
        QTest::newRow("plot without export") << QStringList{"--plot", "spectrum"} << "--export-animation";
        QTest::newRow("missing folder")
            << QStringList{"--export-animation", "@DIR/no/such/a.gif", "--plot", "trace"} << "no/such";
        QTest::newRow("png file") << QStringList{"--export-animation", "@DIR/a.png", "--plot", "trace"}
                                  << "a.png";
        QTest::newRow("few frames") << QStringList{"--export-animation", "@DIR/a.gif", "--plot", "trace",
                                                   "--animation-frames", "1"}
                                    << "--animation-frames";
        QTest::newRow("bad delay") << QStringList{"--export-animation", "@DIR/a.gif", "--plot", "trace",
                                                  "--animation-delay",  "fast"}
                                   << "fast";
        QTest::newRow("bad size") << QStringList{"--export-animation", "@DIR/a.gif", "--plot", "trace",
                                                 "--figure-size",      "big"}
                                  << "big";
    }
    void badInputGetsOneLineAndExitCodeTwo() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, named);
        QTemporaryDir dir;
        for (QString& argument : arguments)
            argument.replace("@DIR", dir.path());
        const RunResult run = runGui(arguments);
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.stdErr.trimmed().count('\n'), 0);
        QVERIFY2(run.stdErr.contains(named), qPrintable(run.stdErr));
        QVERIFY(filesIn(dir.path()).isEmpty());
    }

    void cancelledExportLeavesNothing() {
        QTemporaryDir dir;
        AnimationOptions options;
        options.size = QSize(300, 200);
        options.maxFrames = 6;
        for (const QString& stage : QStringList{"training", "drawing", "writing"})
            for (const QString& target : QStringList{"a.gif", "frames"}) {
                int calls = 0;
                const auto error =
                    exportAnimation(shortRun(), "lambda_max", dir.filePath(target), options, nullptr,
                                    [&](const QString& at, int, int) { return at != stage || ++calls < 3; });
                QVERIFY2(error == QString("cancelled"), qPrintable(stage + ": " + error.value_or("written")));
                QVERIFY2(filesIn(dir.path()).isEmpty(),
                         qPrintable(stage + ": " + filesIn(dir.path()).join(", ")));
            }
    }

    void everyLivePlotsMenuOffersTheAnimation() {
        MainWindow window(shortRun(), false);
        window.show();
        for (LivePlot* plot : window.plots()) {
            QStringList texts;
            QTimer::singleShot(0, [&] {
                if (auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget())) {
                    for (QAction* action : menu->actions())
                        texts << action->text();
                    menu->close();
                }
            });
            QContextMenuEvent event(QContextMenuEvent::Mouse, QPoint(20, 20),
                                    plot->mapToGlobal(QPoint(20, 20)));
            QApplication::sendEvent(plot, &event);
            QVERIFY2(texts.filter("Export animation").size() == 1, qPrintable(plot->fileName()));
        }
    }

    void windowWritesWhatTheCommandLineWrites() {
        QTemporaryDir dir;
        const RunConfig config = shortRun();
        MainWindow window(config, false);
        window.show();
        AnimationOptions options;
        options.size = QSize(400, 260);
        options.maxFrames = 8;
        const QString fromWindow = dir.filePath("window.gif");
        const auto error = window.exportAnimationTo("lambda_max", fromWindow, options);
        QVERIFY2(!error, qPrintable(error.value_or("")));
        const QString fromCli = dir.filePath("cli.gif");
        const RunResult run = runGui(QStringList{"--export-animation", fromCli, "--plot", "lambda_max",
                                                 "--figure-size", "400x260", "--animation-frames", "8"} +
                                     settingFlags(window.liveRun().settings()));
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
        QFile a(fromWindow), b(fromCli);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        const QByteArray windowBytes = a.readAll();
        QVERIFY(windowBytes.size() > 1000);
        QVERIFY2(windowBytes == b.readAll(), "the window's GIF differs from the command line's");
    }
};

QTEST_MAIN(AnimationTest)
#include "test_animation.moc"
