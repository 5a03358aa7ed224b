// Eigen-decompositions checked by residuals, not by stored numbers; derived quantities by their definitions.
#include "abandonable.h"
#include "ntk.h"
#include "spectrum.h"

#include <QtTest>
#include <random>
#include <thread>

using namespace ntk;

namespace {

// A kernel-like PSD matrix with a decaying spectrum: the real NTK of a small random network.
Eigen::MatrixXd ntkKernel(int n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    const Eigen::MatrixXd x = Eigen::MatrixXd::NullaryExpr(n, 6, [&] { return normal(rng); });
    MlpShape shape;
    shape.inputDim = 6;
    shape.width = 32;
    shape.depth = 2;
    shape.outputs = 3;
    shape.sigmaW = 1.4;
    shape.sigmaB = 0.1;
    return empiricalNtk(Mlp(shape, seed), x);
}

double maxResidual(const Eigen::MatrixXd& k, const Spectrum& s) {
    double worst = 0.0;
    for (Eigen::Index i = 0; i < s.eigenvalues.size(); ++i) {
        const Eigen::VectorXd v = s.eigenvectors.col(i);
        worst = std::max(worst, (k * v - s.eigenvalues[i] * v).norm() / k.norm());
    }
    return worst;
}

} // namespace

class SpectrumTest : public QObject {
    Q_OBJECT
private slots:
    void fullSolveHasSmallResidualsAndSumsToTrace() {
        const Eigen::MatrixXd k = ntkKernel(120, 1);
        const Spectrum s = fullSpectrum(k, true);
        QVERIFY(s.ok());
        QVERIFY(s.complete);
        QCOMPARE(s.eigenvalues.size(), Eigen::Index(120));
        QVERIFY(maxResidual(k, s) < 1e-10);
        QVERIFY(std::abs(s.eigenvalues.sum() - k.trace()) < 1e-10 * k.trace());
        for (Eigen::Index i = 1; i < s.eigenvalues.size(); ++i)
            QVERIFY(s.eigenvalues[i - 1] >= s.eigenvalues[i]);
        // Eigenvalues only must give the same values.
        QVERIFY((fullSpectrum(k).eigenvalues - s.eigenvalues).norm() < 1e-10 * s.eigenvalues.norm());
    }

    void topKAgreesWithFullSolve() {
        const Eigen::MatrixXd k = ntkKernel(400, 2);
        const Spectrum full = fullSpectrum(k);
        const Spectrum top = topSpectrum(k, 16, true);
        QVERIFY(top.ok());
        QVERIFY(!top.complete);
        QCOMPARE(top.eigenvalues.size(), Eigen::Index(16));
        for (int i = 0; i < 16; ++i)
            QVERIFY2(std::abs(top.eigenvalues[i] - full.eigenvalues[i]) <= 1e-8 * full.eigenvalues[0],
                     qPrintable(QString("eigenvalue %1: %2 vs %3")
                                    .arg(i)
                                    .arg(top.eigenvalues[i])
                                    .arg(full.eigenvalues[i])));
        QVERIFY(maxResidual(k, top) < 1e-9);
    }

    void topKNearNFallsBackToDenseSolve() {
        const Eigen::MatrixXd k = ntkKernel(20, 3);
        const Spectrum top = topSpectrum(k, 15);
        QVERIFY(top.ok());
        QCOMPARE(top.eigenvalues.size(), Eigen::Index(15));
        QVERIFY((top.eigenvalues - fullSpectrum(k).eigenvalues.head(15)).norm() < 1e-10 * k.norm());
    }

    // Rank-deficient kernels (width 1, or every weight zeroed by L1 so only the output biases are left):
    // Spectra 1.0.1's Lanczos used to report eigenvalues like 1e146 here, or throw from its tridiagonal
    // solve (which ended the app: found by tests/test_monkey.cpp). The top k must be the dense solve's.
    void topKOfRankDeficientKernels_data() {
        QTest::addColumn<int>("rank");
        QTest::addColumn<double>("scale");
        QTest::newRow("rank 1") << 1 << 600.0;
        QTest::newRow("rank 2") << 2 << 600.0;
        QTest::newRow("rank 3, large") << 3 << 1e6;
        QTest::newRow("constant (biases only)") << 0 << 0.01;
    }

    void topKOfRankDeficientKernels() {
        QFETCH(int, rank);
        QFETCH(double, scale);
        const Eigen::Index n = 150;
        Eigen::MatrixXd k;
        if (rank == 0) {
            k = Eigen::MatrixXd::Constant(n, n, scale);
        } else {
            std::mt19937 rng(7);
            std::normal_distribution<double> normal;
            Eigen::MatrixXd a(n, rank);
            for (Eigen::Index i = 0; i < a.size(); ++i)
                a.data()[i] = normal(rng);
            k = scale / double(n) * a * a.transpose();
        }
        const Spectrum full = fullSpectrum(k);
        for (int top : {1, 2, 3, 5, 16, 40}) {
            const Spectrum s = topSpectrum(k, top, top % 2 == 1);
            QVERIFY2(s.ok(), qPrintable(QString("k = %1").arg(top)));
            QCOMPARE(s.eigenvalues.size(), Eigen::Index(top));
            const double error = (s.eigenvalues - full.eigenvalues.head(top)).cwiseAbs().maxCoeff();
            QVERIFY2(error <= 1e-8 * full.eigenvalues[0],
                     qPrintable(QString("k = %1: lambda_1 %2 against %3, max error %4")
                                    .arg(top)
                                    .arg(s.eigenvalues[0])
                                    .arg(full.eigenvalues[0])
                                    .arg(error)));
        }
    }

    void nonFiniteKernelIsRefused() {
        Eigen::MatrixXd k = ntkKernel(10, 4);
        k(3, 4) = k(4, 3) = std::numeric_limits<double>::quiet_NaN();
        QVERIFY(fullSpectrum(k).status == SpectrumStatus::NonFiniteInput);
        k(3, 4) = k(4, 3) = std::numeric_limits<double>::infinity();
        QVERIFY(topSpectrum(k, 2).status == SpectrumStatus::NonFiniteInput);
        QVERIFY(fullSpectrum(Eigen::MatrixXd()).status == SpectrumStatus::Empty);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fullSpectrum(Eigen::MatrixXd::Zero(2, 3)));
    }

    void summaryFollowsDefinitions() {
        const Eigen::MatrixXd k = ntkKernel(60, 5);
        const Spectrum s = fullSpectrum(k, true);
        Eigen::MatrixXd targets = Eigen::MatrixXd::Zero(60, 3);
        for (int i = 0; i < 60; ++i)
            targets(i, i % 3) = 1.0;
        const PackedSymmetricMatrix initial(k);
        const KernelSummary sum = summarize(k, s, &initial, &targets);
        const Eigen::VectorXd& l = s.eigenvalues;
        QVERIFY(std::abs(sum.trace - l.sum()) < 1e-10 * sum.trace);
        QCOMPARE(sum.lambdaMax, l[0]);
        QVERIFY(sum.lambdaMin.has_value());
        QCOMPARE(*sum.lambdaMin, l[59]);
        QVERIFY(std::abs(*sum.effectiveRank - l.sum() * l.sum() / l.squaredNorm()) <
                1e-9 * *sum.effectiveRank);
        QVERIFY(std::abs(*sum.frobeniusNorm - l.norm()) < 1e-10 * *sum.frobeniusNorm);
        QVERIFY(std::abs(sum.topShare5 - l.head(5).sum() / l.sum()) < 1e-12);
        QVERIFY(std::abs(*sum.kernelDistance) < 1e-12);
        QCOMPARE(sum.targetEnergy.size(), Eigen::Index(60));
        QVERIFY(std::abs(sum.targetEnergy.sum() - 1.0) < 1e-10); // eigenvectors are a complete basis
        // Alignment of Y Y^T with itself is 1; distance between K and 2K is 0.
        const Eigen::MatrixXd yy = targets * targets.transpose();
        QVERIFY(std::abs(kernelTargetAlignment(yy, targets) - 1.0) < 1e-12);
        QVERIFY(std::abs(kernelDistance(k, 2.0 * k)) < 1e-12);
        QVERIFY(kernelDistance(k, Eigen::MatrixXd::Identity(60, 60)) > 0.1);
        QVERIFY(sum.kernelDistance && std::abs(*sum.kernelDistance) < 1e-12);
    }

    void packedKernelEqualsTheWholeMatrix() {
        // A run keeps its initial kernel packed: every number read back must be the dense one, bit for bit,
        // and the distance to it must agree with the dense formula.
        for (const int n : {1, 2, 7, 150}) {
            const Eigen::MatrixXd k = ntkKernel(n, 11);
            const PackedSymmetricMatrix packed(k);
            QCOMPARE(packed.size(), Eigen::Index(n));
            QVERIFY(packed.toDense() == k);
            for (int i = 0; i < n; i += 3)
                for (int j = 0; j < n; j += 2)
                    QCOMPARE(packed(i, j), k(i, j));
            Eigen::MatrixXd block;
            for (Eigen::Index first = 0; first < n; first += 13) {
                const Eigen::Index count = std::min<Eigen::Index>(13, n - first);
                packed.copyColumns(first, count, block);
                QVERIFY(block == k.middleCols(first, count));
            }
            QVERIFY(std::abs(packed.norm() - k.norm()) <= 1e-13 * k.norm());
            const Eigen::MatrixXd other = ntkKernel(n, 12);
            const double inner = k.cwiseProduct(other).sum();
            QVERIFY(std::abs(packed.frobeniusInner(other) - inner) <= 1e-12 * std::abs(inner));
            QVERIFY(std::abs(kernelDistance(packed, other) - kernelDistance(k, other)) < 1e-12);
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, PackedSymmetricMatrix(Eigen::MatrixXd::Zero(2, 3)));
    }

    void degenerateSpectraGiveValidSummaries() {
        const KernelSummary identity =
            summarize(Eigen::MatrixXd::Identity(8, 8), fullSpectrum(Eigen::MatrixXd::Identity(8, 8)));
        QVERIFY(std::abs(*identity.effectiveRank - 8.0) < 1e-12);
        QCOMPARE(*identity.conditionNumber, 1.0);
        const Eigen::MatrixXd zero = Eigen::MatrixXd::Zero(5, 5);
        const KernelSummary zeros = summarize(zero, fullSpectrum(zero));
        QCOMPARE(zeros.nonPositiveCount, 5);
        QVERIFY(!zeros.conditionNumber.has_value());
        QCOMPARE(*zeros.effectiveRank, 0.0);
        QCOMPARE(zeros.topShare1, 0.0);
    }
    // A cancellable caller gets the same answer as before (the solve just runs on a helper thread).
    void cancellableSolveMatchesThePlainOne() {
        const Eigen::MatrixXd k = ntkKernel(700, 11);
        const std::atomic<bool> cancel{false};
        const Spectrum plain = fullSpectrum(k, true);
        const Spectrum cancellable = fullSpectrum(k, true, &cancel);
        QVERIFY(cancellable.ok() && cancellable.complete);
        QVERIFY((cancellable.eigenvalues - plain.eigenvalues).cwiseAbs().maxCoeff() <=
                1e-12 * plain.eigenvalues[0]);
        QVERIFY(maxResidual(k, cancellable) <= 1e-10 * plain.eigenvalues[0]);
        const Spectrum top = topSpectrum(k, 8, true, &cancel);
        QVERIFY(top.ok());
        QVERIFY((top.eigenvalues - plain.eigenvalues.head(8)).cwiseAbs().maxCoeff() <=
                1e-9 * plain.eigenvalues[0]);
    }

    // A replaced run must not wait for uninterruptible work (LAPACK): raising the flag while the work runs
    // returns Cancelled at once, the work goes on unobserved, and joinAbandonedWork waits for it.
    void cancelledCallerDoesNotWaitForTheWork() {
        std::atomic<bool> cancel{false}, started{false}, release{false};
        std::thread raiser([&] {
            while (!started)
                std::this_thread::yield();
            cancel = true;
        });
        bool cancelled = false;
        try {
            runAbandonable(&cancel, [&] {
                started = true;
                while (!release) // the work cannot end before the caller has returned
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                return 1;
            });
        } catch (const Cancelled&) {
            cancelled = true;
        }
        raiser.join();
        QVERIFY(cancelled);
        QCOMPARE(abandonedWorkRunning(), 1);
        release = true;
        joinAbandonedWork();
        QCOMPARE(abandonedWorkRunning(), 0);
        // Without a flag the work runs in the calling thread and its result comes back.
        QCOMPARE(runAbandonable(nullptr, [] { return 7; }), 7);
    }

    // The dense solve is such work: a flag raised mid-solve ends the call with Cancelled.
    void flagRaisedDuringDenseSolveCancelsIt() {
        const Eigen::Index n = 1500;
        Eigen::MatrixXd k = Eigen::MatrixXd::Random(n, n);
        k = (k + k.transpose()).eval();
        std::atomic<bool> cancel{false};
        std::thread raiser([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            cancel = true;
        });
        QVERIFY_THROWS_EXCEPTION(Cancelled, fullSpectrum(k, true, &cancel));
        raiser.join();
        joinAbandonedWork();
    }

    void raisedFlagStopsBothSolvers() {
        const Eigen::MatrixXd k = ntkKernel(600, 5);
        const std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(Cancelled, fullSpectrum(k, false, &cancel));
        // Lanczos: the first product sees the flag; it must not turn into "not converged" or a dense solve.
        QVERIFY_THROWS_EXCEPTION(Cancelled, topSpectrum(k, 10, false, &cancel));
    }
};

QTEST_APPLESS_MAIN(SpectrumTest)
#include "test_spectrum.moc"
