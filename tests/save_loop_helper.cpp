// Helper for test_kill_during_save: writes a session, a CSV and a .npy file into DIR over and over, each
// round with a different size, through the same atomic writer as the app and the CLI, until it is killed.
// Prints "ready" once every file has been written at least once.
#include "atomic_write.h"
#include "npy.h"
#include "run_export.h"
#include "session.h"

#include <QCoreApplication>
#include <QDir>
#include <cstdio>

using namespace ntk;

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: save_loop_helper DIR\n");
        return 2;
    }
    const QDir dir(QString::fromLocal8Bit(argv[1]));
    for (int round = 0;; ++round) {
        // Sizes vary from round to round, so a truncated file could not pass for a shorter complete one.
        Session session;
        session.config.epochs = 1 + round % 1000;
        session.config.seed = std::uint64_t(round) * 1000003u;
        if (round % 2 == 1)
            session.reference = PinnedReference{session.config, round % session.config.epochs};
        const int rows = 1 + (round * 7) % 400;
        std::vector<EpochReport> reports(static_cast<std::size_t>(rows));
        for (int i = 0; i < rows; ++i) {
            reports[std::size_t(i)].epoch = i;
            reports[std::size_t(i)].trainLoss = 1.0 / (1 + i + round);
        }
        const int size = 1 + (round * 13) % 300;
        Eigen::MatrixXd kernel(size, size);
        for (int r = 0; r < size; ++r)
            for (int c = 0; c < size; ++c)
                kernel(r, c) = double(round + r + c);
        const std::string npy = encodeNpy(kernel);
        for (const auto& [name, bytes] :
             {std::pair{QString("session.json"), sessionFileBytes(session)},
              std::pair{QString("epochs.csv"), epochsCsv(reports)},
              std::pair{QString("kernel.npy"), QByteArray(npy.data(), qsizetype(npy.size()))}})
            if (auto error = writeFileAtomically(dir.filePath(name), bytes)) {
                std::fprintf(stderr, "%s\n", qPrintable(*error));
                return 1;
            }
        if (round == 0) {
            std::puts("ready");
            std::fflush(stdout);
        }
    }
}
