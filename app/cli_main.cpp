// ntkviz-cli: the headless command line. Needs no display.
#include "message_text.h"
#include "mpi_session.h"
#include "scene_command.h"
#include "spectrum_command.h"
#include "train_command.h"

#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char** argv) {
    // Before anything else: MPI_Init may take its own arguments out of argv.
    const ntk::MpiSession mpi(argc, argv);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("ntkviz-cli");
    QCoreApplication::setApplicationVersion(NTKVIZ_VERSION);
    const QStringList arguments = QCoreApplication::arguments();
    QTextStream out(stdout);
    const QString command = arguments.value(1);
    if (const auto problem = mpi.problem()) {
        QTextStream(stderr) << "ntkviz-cli: " << *problem << "\n";
        return 2;
    }
    if (mpi.group() && command != "spectrum") {
        // Every process would do the whole of it and write the same files.
        if (mpi.rank() == 0)
            QTextStream(stderr) << "ntkviz-cli: " << ntk::quotedForMessage(command)
                                << " runs in one process; under mpirun only spectrum splits its work\n";
        return 2;
    }
    if (command == "spectrum")
        return runSpectrumCommand(arguments.mid(1), mpi);
    if (command == "train")
        return runTrainCommand(arguments.mid(1));
    if (command == "scene")
        return runSceneCommand(arguments.mid(1));
    if (command == "merge")
        return runMergeCommand(arguments.mid(1));
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
