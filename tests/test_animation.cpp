// Animated export (ntkviz --export-animation, and the plot's context menu): the GIF decodes with giflib,
// loops, has more than one frame of the stated size and frames that differ; the PNG frames are the GIF's
// frames; every live plot can be animated; bad input gets one line and exit code 2; a cancelled export
// leaves nothing behind; the window writes the same file as the command line.
#include "animation_export.h"
#include "live_plot_set.h"
#include "main_window.h"
#include "settings_cli.h"

#include <QMenu>
#include <QProcess>
#include <QtTest>
#include <gif_lib.h>
#include <memory>

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

// Decodes with giflib's DGifSlurp; frames are composed as a viewer shows them (each covers the screen
// here, so composing is copying).
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
    for (int i = 0; i < gif->ImageCount; ++i) {
        const SavedImage& saved = gif->SavedImages[i];
        result.loopsForever =
            result.loopsForever || isLoopBlock(saved.ExtensionBlocks, saved.ExtensionBlockCount);
        const ColorMapObject* map = saved.ImageDesc.ColorMap ? saved.ImageDesc.ColorMap : gif->SColorMap;
        QImage image(saved.ImageDesc.Width, saved.ImageDesc.Height, QImage::Format_RGB32);
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x) {
                const GifColorType c = map->Colors[saved.RasterBits[y * image.width() + x]];
                image.setPixel(x, y, qRgb(c.Red, c.Green, c.Blue));
            }
        result.frames.push_back(image);
        GraphicsControlBlock control;
        result.delaysCs.push_back(DGifSavedExtensionToGCB(gif, i, &control) == GIF_OK ? control.DelayTime
                                                                                      : -1);
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
        // A second export into the same folder replaces the earlier frames whole.
        const RunResult again = runGui(QStringList{"--export-animation", pngPath} + common);
        QVERIFY2(again.exitCode == 0, qPrintable(again.stdErr));
        QCOMPARE(filesIn(pngPath), pngs);
        QCOMPARE(filesIn(dir.path()), QStringList({"frames", "spectrum.gif"}));
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
            std::vector<QStringList> ranges;
            const auto error =
                exportAnimation(shortRun(), name, path, options, nullptr, {},
                                [&](const QCustomPlot& plot) { ranges.push_back(shownRanges(plot)); });
            QVERIFY2(!error, qPrintable(name + ": " + error.value_or("")));
            for (const QStringList& frame : ranges)
                QVERIFY2(frame == ranges.back(),
                         qPrintable(name + ": " + frame.join(", ") + " in one frame, " +
                                    ranges.back().join(", ") + " in the last"));
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
