// Training behaviour: learning happens, penalties act, early stopping restores, divergence is caught.
#include "data_prep.h"
#include "loss.h"
#include "trainer.h"

#include <QtTest>

using namespace ntk;

namespace {

RunConfig moonsConfig() {
    RunConfig c;
    c.dataset = DatasetKind::Moons;
    c.trainSize = 64;
    c.testSize = 64;
    c.width = 32;
    c.depth = 1;
    c.learningRate = 0.5;
    c.epochs = 60;
    c.ntkEvery = 10;
    c.seed = 3;
    return c;
}

std::vector<EpochReport> runToEnd(Trainer& trainer) {
    std::vector<EpochReport> reports;
    while (auto report = trainer.advance())
        reports.push_back(*report);
    return reports;
}

} // namespace

class TrainingTest : public QObject {
    Q_OBJECT
private slots:
    void gradientDescentLowersTheLoss() {
        Trainer trainer(moonsConfig(), prepareData(moonsConfig()));
        const auto reports = runToEnd(trainer);
        QVERIFY(trainer.state() == RunState::Finished);
        QCOMPARE(int(reports.size()), 61); // epochs 0..60
        QVERIFY(reports.back().trainLoss < 0.8 * reports.front().trainLoss);
        QVERIFY(reports.front().hasKernel && reports[10].hasKernel && reports.back().hasKernel);
        QVERIFY(!reports[5].hasKernel);
        QCOMPARE(reports[10].eigenvalues.size(), Eigen::Index(64));
    }

    void everyOptimizerLearns_data() {
        QTest::addColumn<int>("optimizer");
        QTest::addColumn<double>("lr");
        QTest::newRow("sgd") << int(OptimizerKind::Sgd) << 0.2;
        QTest::newRow("momentum") << int(OptimizerKind::Momentum) << 0.05;
        QTest::newRow("adam") << int(OptimizerKind::Adam) << 0.01;
    }

    void everyOptimizerLearns() {
        QFETCH(int, optimizer);
        QFETCH(double, lr);
        RunConfig c = moonsConfig();
        c.optimizer = OptimizerKind(optimizer);
        c.learningRate = lr;
        c.batchSize = 16;
        c.epochs = 30;
        Trainer trainer(c, prepareData(c));
        const auto reports = runToEnd(trainer);
        QVERIFY2(reports.back().trainLoss < 0.7 * reports.front().trainLoss,
                 qPrintable(
                     QString("loss %1 -> %2").arg(reports.front().trainLoss).arg(reports.back().trainLoss)));
    }

    void sameSeedGivesIdenticalRuns() {
        RunConfig c = moonsConfig();
        c.optimizer = OptimizerKind::Sgd;
        c.epochs = 5;
        Trainer a(c, prepareData(c)), b(c, prepareData(c));
        const auto ra = runToEnd(a), rb = runToEnd(b);
        for (std::size_t i = 0; i < ra.size(); ++i) {
            QCOMPARE(ra[i].trainLoss, rb[i].trainLoss);
            QCOMPARE(ra[i].eigenvalues, rb[i].eigenvalues);
        }
        c.seed = 4;
        Trainer other(c, prepareData(c));
        QVERIFY(runToEnd(other).front().trainLoss != ra.front().trainLoss);
    }

    // The kernel's precision changes what is measured, not the training: the same losses, and spectra within
    // single precision of the double ones.
    void singlePrecisionKernelKeepsTrainingAndMovesTheSpectrumByFloatError() {
        RunConfig c = moonsConfig();
        c.epochs = 20;
        Trainer exact(c, prepareData(c));
        c.kernelPrecision = KernelPrecision::Single;
        Trainer single(c, prepareData(c));
        const auto re = runToEnd(exact), rs = runToEnd(single);
        QCOMPARE(re.size(), rs.size());
        for (std::size_t i = 0; i < re.size(); ++i) {
            QCOMPARE(rs[i].trainLoss, re[i].trainLoss);
            QCOMPARE(rs[i].hasKernel, re[i].hasKernel);
            if (!re[i].hasKernel)
                continue;
            const double shift =
                (rs[i].eigenvalues - re[i].eigenvalues).cwiseAbs().maxCoeff() / re[i].eigenvalues[0];
            QVERIFY2(shift < 1e-5, qPrintable(QString("epoch %1: shift %2 x lambda_max").arg(i).arg(shift)));
            QVERIFY2(rs[i].eigenvalues != re[i].eigenvalues, "single precision gave the double spectrum");
        }
    }

    // The matrix-free solver is a way of measuring, not of training: the same losses, the dense run's top
    // eigenvalues and exact trace, the layers' traces adding up to it, and a density on the due epochs whose
    // trace estimate agrees with the exact trace.
    void matrixFreeEpochsMeasureWhatDenseEpochsMeasure() {
        RunConfig c = moonsConfig();
        c.trainSize = 150;
        c.depth = 2;
        c.width = 24;
        c.epochs = 20;
        c.ntkEvery = 5;
        c.topK = 6;
        c.densityEvery = 2;
        Trainer dense(c, prepareData(c));
        c.kernelSolver = KernelSolver::MatrixFree;
        Trainer free(c, prepareData(c));
        QVERIFY(free.matrixFree() && !dense.matrixFree());
        const auto rd = runToEnd(dense), rf = runToEnd(free);
        QCOMPARE(rf.size(), rd.size());
        int densities = 0;
        for (std::size_t i = 0; i < rd.size(); ++i) {
            QCOMPARE(rf[i].trainLoss, rd[i].trainLoss);
            QCOMPARE(rf[i].hasKernel, rd[i].hasKernel);
            if (!rd[i].hasKernel)
                continue;
            QVERIFY(rf[i].matrixFree && !rd[i].matrixFree);
            const double lambdaMax = rd[i].eigenvalues[0];
            QCOMPARE(rf[i].eigenvalues.size(), Eigen::Index(6));
            QVERIFY2((rf[i].eigenvalues - rd[i].eigenvalues).cwiseAbs().maxCoeff() <= 1e-9 * lambdaMax,
                     qPrintable(QString("epoch %1").arg(rd[i].epoch)));
            QVERIFY(rf[i].residuals.maxCoeff() < 1e-6);
            QVERIFY(std::abs(rf[i].kernel.trace - rd[i].kernel.trace) <= 1e-12 * rd[i].kernel.trace);
            QCOMPARE(rf[i].layerTraces.size(), Eigen::Index(3));
            QVERIFY(std::abs(rf[i].layerTraces.sum() - rd[i].kernel.trace) <= 1e-12 * rd[i].kernel.trace);
            QVERIFY((rf[i].layerTraces - rd[i].layerTraces).cwiseAbs().maxCoeff() <=
                    1e-12 * rd[i].kernel.trace);
            QVERIFY(!rf[i].kernel.frobeniusNorm &&
                    !rf[i].kernel.kernelDistance); // not measured without entries
            QVERIFY(rd[i].kernel.frobeniusNorm && rd[i].kernel.kernelDistance);
            // NTK epochs 0, 5, 10, 15, 20 are the 1st..5th: the density on the 2nd, 4th and 5th (the last).
            const bool due = rd[i].epoch == 5 || rd[i].epoch == 15 || rd[i].epoch == 20;
            QCOMPARE(bool(rf[i].density), due);
            QVERIFY(!rd[i].density);
            if (rf[i].density) {
                ++densities;
                const SpectralDensity& d = *rf[i].density;
                QVERIFY2(std::abs(d.traceEstimate - rd[i].kernel.trace) < 4 * d.traceStandardError,
                         qPrintable(QString("%1 vs %2 (se %3)")
                                        .arg(d.traceEstimate)
                                        .arg(rd[i].kernel.trace)
                                        .arg(d.traceStandardError)));
            }
        }
        QCOMPARE(densities, 3);
        QVERIFY(free.sharedInitialKernel() == nullptr && free.latestKernel().size() == 0); // no matrix kept
    }

    void proximalL1MakesExactZerosAndSubgradientDoesNot() {
        RunConfig c = moonsConfig();
        c.l1 = 0.01;
        c.l1Mode = L1Mode::Proximal;
        Trainer proximal(c, prepareData(c));
        const auto reports = runToEnd(proximal);
        QVERIFY2(reports.back().zeroFraction > 0.05,
                 qPrintable(QString::number(reports.back().zeroFraction)));
        QCOMPARE(reports.front().zeroFraction, 0.0);
        c.l1Mode = L1Mode::Subgradient;
        Trainer subgradient(c, prepareData(c));
        QVERIFY(runToEnd(subgradient).back().zeroFraction < reports.back().zeroFraction);
    }

    void l2ShrinksTheParameterNormAndLambdaMax() {
        RunConfig c = moonsConfig();
        Trainer plain(c, prepareData(c));
        const auto base = runToEnd(plain);
        c.l2 = 0.01;
        Trainer penalized(c, prepareData(c));
        const auto shrunk = runToEnd(penalized);
        QVERIFY(shrunk.back().parameterNorm < base.back().parameterNorm);
        QVERIFY(shrunk.back().penalty > 0.0);
        QVERIFY(shrunk.back().kernel.lambdaMax < base.back().kernel.lambdaMax);
    }

    void earlyStoppingRestoresTheBestEpoch() {
        RunConfig c = moonsConfig();
        c.trainSize = 16; // few points, high noise, wide net: the test loss turns up
        c.noise = 0.35;
        c.width = 256;
        c.learningRate = 2.0;
        c.epochs = 2000;
        c.earlyStopPatience = 20;
        c.ntkEvery = 0;
        Trainer trainer(c, prepareData(c));
        const auto reports = runToEnd(trainer);
        QVERIFY(trainer.state() == RunState::EarlyStopped);
        QCOMPARE(trainer.stopEpoch(), trainer.bestEpoch() + 20);
        QVERIFY(trainer.stopEpoch() < 2000);
        double bestLoss = *reports.front().testLoss;
        for (const auto& r : reports)
            bestLoss = std::min(bestLoss, *r.testLoss);
        QCOMPARE(*reports[trainer.bestEpoch()].testLoss, bestLoss);
        // The model now is the best epoch's model.
        const auto& test = trainer.data().test;
        const double restored = lossValue(c.loss, trainer.model().predict(test.features), test.targets());
        QCOMPARE(restored, bestLoss);
        QVERIFY(QString::fromStdString(trainer.statusText()).startsWith("early-stopped at epoch"));
    }

    void divergenceIsCaughtAndNothingNonFiniteIsKept() {
        RunConfig c = moonsConfig();
        c.learningRate = 1e5;
        c.loss = LossKind::Mse;
        c.epochs = 200;
        Trainer trainer(c, prepareData(c));
        const auto reports = runToEnd(trainer);
        QVERIFY(trainer.state() == RunState::Diverged);
        QVERIFY(trainer.stopEpoch() > 0 && trainer.stopEpoch() < 200);
        QVERIFY(QString::fromStdString(trainer.statusText()) ==
                QString("diverged at epoch %1").arg(trainer.stopEpoch()));
        for (const auto& r : reports) {
            QVERIFY(std::isfinite(r.trainLoss));
            QVERIFY(!r.hasKernel || r.eigenvalues.allFinite());
        }
        QVERIFY(allFinite(trainer.model().layers()));
        QVERIFY(!trainer.advance().has_value());
    }

    void badConfigsAreRefusedWithTheField() {
        RunConfig c = moonsConfig();
        c.width = 0;
        const auto problem = validate(c);
        QVERIFY(problem.has_value());
        QVERIFY(problem->find("width = 0") != std::string::npos);
        RunConfig regression = moonsConfig();
        regression.dataset = DatasetKind::Sine;
        QVERIFY(validate(regression).has_value()); // ce on a regression set
        regression.loss = LossKind::Mse;
        QVERIFY(!validate(regression).has_value());
        Trainer sine(regression, prepareData(regression));
        QVERIFY(!runToEnd(sine).front().trainAccuracy.has_value());
    }

    void balancedSubsampleIsBalancedAndDeterministic() {
        Eigen::VectorXi labels(300);
        for (int i = 0; i < 300; ++i)
            labels[i] = i < 200 ? 0 : (i < 270 ? 1 : 2); // unbalanced pool: 200/70/30
        const auto chosen = balancedSubsample(labels, 3, 90, 7);
        QCOMPARE(int(chosen.size()), 90);
        int counts[3] = {0, 0, 0};
        for (auto i : chosen)
            ++counts[labels[i]];
        QCOMPARE(counts[0], 30);
        QCOMPARE(counts[1], 30);
        QCOMPARE(counts[2], 30);
        QCOMPARE(balancedSubsample(labels, 3, 90, 7), chosen);
        QVERIFY(balancedSubsample(labels, 3, 90, 8) != chosen);
    }
};

QTEST_APPLESS_MAIN(TrainingTest)
#include "test_training.moc"
