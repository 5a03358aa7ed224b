// ntkviz: the desktop app. With --export-figures it runs headless and writes the plots as PNG files.
#include "figure_export.h"
#include "main_window.h"
#include "message_text.h"
#include "scene.h"
#include "settings_cli.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTextStream>
#include <cstdlib>

namespace {

bool hasDisplay() {
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
}

int exportHeadless(const ntk::RunConfig& config, const QString& directory,
                   const ntk::FigureOptions& options) {
    QTextStream err(stderr);
    try {
        ntk::RunHistory history;
        ntk::runToHistory(config, history);
        QStringList written;
        if (auto error = ntk::exportFigures(history, directory, options, &written)) {
            err << "ntkviz: " << *error << Qt::endl;
            return 2;
        }
        for (const QString& path : written)
            QTextStream(stdout) << path << Qt::endl;
        err << history.outcome()->status << Qt::endl;
        return 0;
    } catch (const std::exception& e) {
        err << "ntkviz: " << e.what() << Qt::endl;
        return 2;
    }
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
    if (exporting && !hasDisplay() && !qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");

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
    parser.addOption({"fresh", "Ignore the settings saved from the last session."});
    parser.addOption({"scene",
                      "Open a scene (built-in name such as 01-l2-spectrum, or a scene .json file); with "
                      "--export-figures, run it headless and write its plots and numbers.",
                      "NAME|FILE"});
    ntk::addSettingOptions(parser);
    parser.process(app);

    ntk::RunConfig config;
    if (auto error = ntk::applySettingOptions(parser, config)) {
        QTextStream(stderr) << "ntkviz: " << *error << Qt::endl;
        return 2;
    }
    if (parser.isSet("export-figures")) {
        ntk::FigureOptions options;
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
            QStringList written;
            if (auto problem =
                    ntk::exportSceneFigures(*scene, parser.value("export-figures"), options, &written)) {
                QTextStream(stderr) << "ntkviz: " << *problem << Qt::endl;
                return 2;
            }
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
    // Settings given on the command line win over the last session's.
    const bool explicitSettings = !parser.optionNames().isEmpty();
    ntk::MainWindow window(config, !explicitSettings);
    window.resize(1366, 768);
    window.show();
    if (startupScene)
        window.openScene(*startupScene);
    return app.exec();
}
