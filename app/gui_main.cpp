// ntkviz: the desktop app. With --export-figures it runs headless and writes the plots as PNG files; with
// --export-animation, one plot over the run's epochs as an animated GIF or PNG frames.
#include "abandonable.h"
#include "animation_export.h"
#include "figure_export.h"
#include "lecture.h"
#include "main_window.h"
#include "message_text.h"
#include "run_export.h"
#include "scene.h"
#include "session.h"
#include "settings_cli.h"
#include "shutdown_deadline.h"
#include "termination_signals.h"
#include "ui_resources.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTextStream>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace {

bool hasDisplay() {
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
}

int failHeadless(const QString& message) {
    QTextStream(stderr) << "ntkviz: " << ntk::singleLineMessage(message) << Qt::endl;
    return 2;
}

// The plots as PNG files and, beside them, the run's numbers: the same files as `ntkviz-cli train --out`.
int exportHeadless(const ntk::RunConfig& config, const QString& directory,
                   const ntk::FigureOptions& options) {
    ntk::RunHistory history;
    const ntk::RunRecord record = ntk::runForFigures(config, history);
    if (!record.outcome()->failure.isEmpty())
        return failHeadless(record.outcome()->failure);
    QStringList written, skipped;
    if (auto error = ntk::exportFigures(history, directory, options, &written, &skipped))
        return failHeadless(*error);
    for (const QString& line : skipped)
        QTextStream(stderr) << "ntkviz: " << line << Qt::endl;
    if (auto error = ntk::writeRunDirectory(directory, record, nullptr, &written))
        return failHeadless(*error);
    for (const QString& path : written)
        QTextStream(stdout) << path << Qt::endl;
    QTextStream(stderr) << record.outcome()->status << Qt::endl;
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    // Figures, the help and the version need no screen: fall back to the offscreen platform when there is
    // none (every spelling of help and version, since the man page and --help name them all).
    const bool exporting = [&] {
        for (int i = 1; i < argc; ++i) {
            const QByteArray argument(argv[i]);
            if (argument.startsWith("--export-figures") || argument.startsWith("--export-animation") ||
                argument == "--help" || argument == "-h" || argument == "--help-all" ||
                argument == "--version" || argument == "-v")
                return true;
        }
        return false;
    }();
    // Qt would silently take `--session FILE` as a session manager's id: point to the right option.
    for (int i = 1; i + 1 < argc; ++i)
        if ((QByteArray(argv[i]) == "--session" || QByteArray(argv[i]) == "-session") &&
            QByteArray(argv[i + 1]).endsWith(".json")) {
            std::fprintf(stderr, "ntkviz: to open a session file use --open-session %s\n", argv[i + 1]);
            return 2;
        }
    if (exporting && !hasDisplay() && !qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // Without a screen the window cannot open: say so in one line, and what works without one, instead
    // of Qt's platform-plugin abort.
    if (!exporting && !hasDisplay() && !qEnvironmentVariableIsSet("QT_QPA_PLATFORM")) {
        std::fprintf(stderr, "ntkviz: no display (DISPLAY and WAYLAND_DISPLAY are unset): the window cannot "
                             "open. Without a display, use ntkviz-cli train/scene, or ntkviz "
                             "--export-figures DIR for the plots as PNG files.\n");
        return 2;
    }

    QApplication app(argc, argv);
    QApplication::setOrganizationName("ntkviz");
    QApplication::setApplicationName("ntkviz");
    QApplication::setApplicationVersion(NTKVIZ_VERSION);
    // Wayland desktops find the window's name and icon through this desktop entry (X11 ones through
    // StartupWMClass in it).
    QApplication::setDesktopFileName(NTKVIZ_APP_ID);
    ntk::registerUiResources();
    QApplication::setWindowIcon(QIcon(":/ntkviz.svg"));

    QCommandLineParser parser;
    parser.setApplicationDescription("Watch the neural tangent kernel of a small network while it trains.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({"export-figures", "Train headless and write every plot as a PNG to DIR.", "DIR"});
    parser.addOption(
        {"figure-size", "Figure size for --export-figures, WIDTHxHEIGHT (default 1600x1000).", "WxH"});
    parser.addOption({"figure-scale", "Pixel scale for --export-figures (default 2).", "X"});
    const QStringList plotNames = ntk::animationPlotNames();
    parser.addOption({"export-animation",
                      "Train headless and write one plot (--plot) over the run's epochs as an animated GIF "
                      "(FILE.gif; loops, holds the last frame 3 s) or, for any other FILE, as PNG frames in "
                      "that folder (NAME-0001.png, …). Frame size from --figure-size and --figure-scale "
                      "(default 1200x750, scale 1).",
                      "FILE"});
    parser.addOption(
        {"plot", "The plot for --export-animation, one of: " + plotNames.join(", ") + ".", "NAME"});
    parser.addOption({"animation-frames",
                      "Most frames for --export-animation, evenly spaced over the NTK epochs (2 to 300, "
                      "default 120).",
                      "N"});
    parser.addOption(
        {"animation-delay", "Time per frame for --export-animation in ms (20 to 2000, default 80).", "MS"});
    parser.addOption({"figure-preset",
                      "Figures for slides with --export-figures: slide (1920x1080, 16:9) or slide-4:3 "
                      "(1440x1080), text sized for a projector. Not with --figure-size or --figure-scale.",
                      "NAME"});
    parser.addOption({"fresh", "Ignore the settings saved from the last session, and do not offer to "
                               "restore the autosaved session after a crash."});
    // Not --session: QGuiApplication takes that (and -session) for the desktop's session manager.
    parser.addOption({"open-session",
                      "Open a session file (settings, pinned reference, scene, view); flags given as well "
                      "override its settings.",
                      "FILE"});
    parser.addOption({"scene",
                      "Open a scene (built-in name such as 01-l2-spectrum, or a scene .json file); with "
                      "--export-figures, run it headless and write its plots and numbers.",
                      "NAME|FILE"});
    parser.addOption({"lecture",
                      "Open the window in a lecture (built-in name such as regularization-and-the-ntk, or a "
                      "lecture .json file): PageDown and PageUp step through it.",
                      "NAME|FILE"});
    ntk::addSettingOptions(parser);
    parser.process(app);

    ntk::RunConfig config;
    std::optional<ntk::Session> session;
    if (parser.isSet("open-session")) {
        QString error;
        session = ntk::loadSessionFile(parser.value("open-session"), error);
        if (!session || parser.isSet("config")) {
            QTextStream(stderr) << "ntkviz: "
                                << (session
                                        ? "--open-session and --config cannot be combined: a session holds "
                                          "its own settings"
                                        : error)
                                << Qt::endl;
            return 2;
        }
        config = session->config;
    }
    if (auto error = ntk::applySettingOptions(parser, config)) {
        QTextStream(stderr) << "ntkviz: " << *error << Qt::endl;
        return 2;
    }
    if (session)
        session->config = config; // flags given as well override the session's settings
    std::optional<ntk::Lecture> lecture;
    if (parser.isSet("lecture")) {
        // A lecture sets up each step's run itself: a scene, a session or an export beside it would be
        // replaced at the first step, or never shown.
        for (const char* other : {"scene", "open-session", "export-figures", "export-animation"})
            if (parser.isSet(other)) {
                QTextStream(stderr) << "ntkviz: --lecture cannot be combined with --" << other << Qt::endl;
                return 2;
            }
        QString error;
        lecture = ntk::findLecture(parser.value("lecture"), error);
        if (!lecture) {
            QTextStream(stderr) << "ntkviz: " << error << Qt::endl;
            return 2;
        }
    }
    // --figure-size and --figure-scale, for figures and animation frames alike.
    auto figureSize = [&](QSize& size) {
        if (!parser.isSet("figure-size"))
            return true;
        const QStringList parts = parser.value("figure-size").split('x');
        const int w = parts.value(0).toInt(), h = parts.value(1).toInt();
        if (parts.size() != 2 || w < 100 || h < 100 || w > 10000 || h > 10000) {
            QTextStream(stderr) << "ntkviz: --figure-size: "
                                << ntk::quotedForMessage(parser.value("figure-size"))
                                << " is not WIDTHxHEIGHT between 100 and 10000" << Qt::endl;
            return false;
        }
        size = QSize(w, h);
        return true;
    };
    auto figureScale = [&](double& scale) {
        if (!parser.isSet("figure-scale"))
            return true;
        bool ok = false;
        scale = parser.value("figure-scale").toDouble(&ok);
        if (!ok || scale < 0.25 || scale > 8) {
            QTextStream(stderr) << "ntkviz: --figure-scale: "
                                << ntk::quotedForMessage(parser.value("figure-scale"))
                                << " is not a number between 0.25 and 8" << Qt::endl;
            return false;
        }
        return true;
    };
    const bool animating = parser.isSet("export-animation");
    for (const char* option : {"plot", "animation-frames", "animation-delay"})
        if (parser.isSet(option) && !animating) {
            QTextStream(stderr) << "ntkviz: --" << option << " needs --export-animation FILE" << Qt::endl;
            return 2;
        }
    if (animating) {
        if (parser.isSet("export-figures") || parser.isSet("scene")) {
            QTextStream(stderr) << "ntkviz: --export-animation animates a live plot of one run; it cannot be "
                                   "combined with "
                                << (parser.isSet("scene") ? "--scene" : "--export-figures") << Qt::endl;
            return 2;
        }
        if (!parser.isSet("plot") || !plotNames.contains(parser.value("plot"))) {
            QTextStream(stderr) << "ntkviz: --plot: "
                                << (parser.isSet("plot")
                                        ? ntk::quotedForMessage(parser.value("plot")) + " is not a plot"
                                        : QString("missing"))
                                << "; the plots are " << plotNames.join(", ") << Qt::endl;
            return 2;
        }
        ntk::AnimationOptions options;
        if (!figureSize(options.size) || !figureScale(options.scale))
            return 2;
        auto integer = [&](const char* option, int low, int high, int& value) {
            if (!parser.isSet(option))
                return true;
            bool ok = false;
            value = parser.value(option).toInt(&ok);
            if (ok && value >= low && value <= high)
                return true;
            QTextStream(stderr) << "ntkviz: --" << option << ": "
                                << ntk::quotedForMessage(parser.value(option))
                                << " is not a whole number from " << low << " to " << high << Qt::endl;
            return false;
        };
        if (!integer("animation-frames", 2, 300, options.maxFrames) ||
            !integer("animation-delay", 20, 2000, options.frameDelayMs))
            return 2;
        const QString path = parser.value("export-animation");
        if (auto error = ntk::checkAnimationTarget(path))
            return failHeadless(*error);
        QStringList written;
        if (auto error = ntk::exportAnimation(config, parser.value("plot"), path, options, &written))
            return failHeadless(*error);
        for (const QString& file : written)
            QTextStream(stdout) << file << Qt::endl;
        return 0;
    }
    if (parser.isSet("export-figures")) {
        ntk::FigureOptions options;
        if (parser.isSet("figure-preset")) {
            const auto preset = ntk::parseFigurePreset(parser.value("figure-preset"));
            if (!preset || parser.isSet("figure-size") || parser.isSet("figure-scale")) {
                QTextStream(stderr) << "ntkviz: --figure-preset: "
                                    << (preset ? QString("a preset sets the size and scale: leave out "
                                                         "--figure-size and --figure-scale")
                                               : ntk::quotedForMessage(parser.value("figure-preset")) +
                                                     " is not slide or slide-4:3")
                                    << Qt::endl;
                return 2;
            }
            options = ntk::figureOptions(*preset);
        }
        if (!figureSize(options.size) || !figureScale(options.scale))
            return 2;
        if (parser.isSet("scene")) {
            QString error;
            const auto scene = ntk::findScene(parser.value("scene"), error);
            if (!scene) {
                QTextStream(stderr) << "ntkviz: " << error << Qt::endl;
                return 2;
            }
            QStringList written, skipped;
            if (auto problem = ntk::exportSceneFigures(*scene, parser.value("export-figures"), options,
                                                       &written, &skipped)) {
                QTextStream(stderr) << "ntkviz: " << *problem << Qt::endl;
                return 2;
            }
            for (const QString& line : skipped)
                QTextStream(stderr) << "ntkviz: " << line << Qt::endl;
            for (const QString& path : written)
                QTextStream(stdout) << path << Qt::endl;
            return 0;
        }
        return exportHeadless(config, parser.value("export-figures"), options);
    }
    std::optional<ntk::Scene> startupScene;
    if (parser.isSet("scene")) {
        QString error;
        startupScene = ntk::findScene(parser.value("scene"), error);
        if (!startupScene) {
            QTextStream(stderr) << "ntkviz: " << error << Qt::endl;
            return 2;
        }
    }
    int exitCode = 0;
    {
        // Settings given on the command line win over the last session's.
        const bool explicitSettings = !parser.optionNames().isEmpty();
        auto window = std::make_unique<ntk::MainWindow>(config, !explicitSettings);
        window->resize(1366, 768);
        window->restorePace(); // a view preference, kept even when the run's settings come from the flags
        window->show();
        if (session)
            window->applySession(*session);
        if (startupScene)
            window->openScene(*startupScene);
        if (lecture)
            window->openLecture(*lecture);
        const bool offerRestore = !parser.isSet("fresh") && !session && !lecture;
        window->enableCrashRecovery(
            QStandardPaths::writableLocation(QStandardPaths::AppDataLocation), [&](const QString&) {
                return offerRestore &&
                       QMessageBox::question(window.get(), QObject::tr("Restore the last session?"),
                                             QObject::tr("ntkviz did not close cleanly last time. Restore "
                                                         "its settings, pinned reference and scene?")) ==
                           QMessageBox::Yes;
            });
        closeOnTerminationSignals(window.get());
        exitCode = app.exec();
        // The window's threads get a moment to stop; one stuck in LAPACK does not hold up the exit.
        const ShutdownDeadline deadline(std::chrono::milliseconds(1000), exitCode);
        window.reset();
        ntk::joinAbandonedWork(); // a replaced run's solve still inside LAPACK
    }
    return exitCode;
}
