// ntkviz-cli: the headless command line. Needs no display.
#include "message_text.h"
#include "scene_command.h"
#include "spectrum_command.h"
#include "train_command.h"

#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("ntkviz-cli");
    QCoreApplication::setApplicationVersion(NTKVIZ_VERSION);
    const QStringList arguments = QCoreApplication::arguments();
    QTextStream out(stdout);
    const QString command = arguments.value(1);
    if (command == "train")
        return runTrainCommand(arguments.mid(1));
    if (command == "scene")
        return runSceneCommand(arguments.mid(1));
    if (command == "merge")
        return runMergeCommand(arguments.mid(1));
    if (command == "spectrum")
        return runSpectrumCommand(arguments.mid(1));
    if (command == "--version" || command == "-v") {
        out << "ntkviz-cli " << NTKVIZ_VERSION << "\n";
        return 0;
    }
    const QString usage =
        "Usage: ntkviz-cli train [options]          one run (train --help lists the options)\n"
        "       ntkviz-cli scene NAME|FILE --out DIR   every run of a scene (scene --list)\n"
        "       ntkviz-cli merge DIR... --out DIR      merge scene shards\n"
        "       ntkviz-cli spectrum [options]       the NTK spectrum at initialization (spectrum --help)\n";
    if (command.isEmpty() || command == "--help" || command == "-h") {
        out << usage;
        return 0;
    }
    // One line, like every other error: the usage is one `ntkviz-cli --help` away.
    QTextStream(stderr) << "ntkviz-cli: unknown command " << ntk::quotedForMessage(command)
                        << " (expected train, scene, merge or spectrum; --help shows the usage)\n";
    return 2;
}
