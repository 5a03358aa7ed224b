// ntkviz: the desktop app. With --export-figures it runs headless and writes the plots as PNG files.
#include "figure_export.h"
#include "main_window.h"
#include "message_text.h"
#include "run_export.h"
#include "scene.h"
#include "session.h"
#include "settings_cli.h"
#include "shutdown_deadline.h"
#include "termination_signals.h"

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
    // Figures need no screen: fall back to the offscreen platform when there is none.
    const bool exporting = [&] {
        for (int i = 1; i < argc; ++i)
            if (QByteArray(argv[i]).startsWith("--export-figures") || QByteArray(argv[i]) == "--help" ||
                QByteArray(argv[i]) == "--version")
                return true;
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
    QApplication::setWindowIcon(QIcon(":/ntkviz.svg"));

    QCommandLineParser parser;
    parser.setApplicationDescription("Watch the neural tangent kernel of a small network while it trains.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({"export-figures", "Train headless and write every plot as a PNG to DIR.", "DIR"});
    parser.addOption(
        {"figure-size", "Figure size for --export-figures, WIDTHxHEIGHT (default 1600x1000).", "WxH"});
    parser.addOption({"figure-scale", "Pixel scale for --export-figures (default 2).", "X"});
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
        if (parser.isSet("figure-size")) {
            const QStringList parts = parser.value("figure-size").split('x');
            const int w = parts.value(0).toInt(), h = parts.value(1).toInt();
            if (parts.size() != 2 || w < 100 || h < 100 || w > 10000 || h > 10000) {
                QTextStream(stderr) << "ntkviz: --figure-size: "
                                    << ntk::quotedForMessage(parser.value("figure-size"))
                                    << " is not WIDTHxHEIGHT between 100 and 10000" << Qt::endl;
                return 2;
            }
            options.size = QSize(w, h);
        }
        if (parser.isSet("figure-scale")) {
            bool ok = false;
            options.scale = parser.value("figure-scale").toDouble(&ok);
            if (!ok || options.scale < 0.25 || options.scale > 8) {
                QTextStream(stderr) << "ntkviz: --figure-scale: "
                                    << ntk::quotedForMessage(parser.value("figure-scale"))
                                    << " is not a number between 0.25 and 8" << Qt::endl;
                return 2;
            }
        }
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
        window->show();
        if (session)
            window->applySession(*session);
        if (startupScene)
            window->openScene(*startupScene);
        const bool offerRestore = !parser.isSet("fresh") && !session;
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
    }
    return exitCode;
}
