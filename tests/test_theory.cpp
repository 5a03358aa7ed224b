// The theory overlays against their formulas: hand-checked cases, the loss convention that links one
// gradient step to the kernel, the stability edge, and the linearized network next to a wide real one.
#include "data_prep.h"
#include "linearized_model.h"
#include "loss.h"
#include "ntk.h"
#include "optimizer.h"
#include "spectrum.h"
#include "theory.h"
#include "trainer.h"

#include <QtTest>
#include <random>

using namespace ntk;

namespace {

Eigen::MatrixXd randomMatrix(int rows, int cols, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    return Eigen::MatrixXd::NullaryExpr(rows, cols, [&] { return normal(rng); });
}

MlpShape smallShape(int d, int width, int outputs) {
    MlpShape s;
    s.inputDim = d;
    s.width = width;
    s.depth = 2;
    s.outputs = outputs;
    s.activation = Activation::Tanh;
    s.sigmaW = 1.2;
    s.sigmaB = 0.2;
    return s;
}

// The nO x nO kernel of all outputs, blocks ordered by output, from the explicit Jacobian.
Eigen::MatrixXd fullKernel(const Mlp& model, const Eigen::MatrixXd& x, int outputs) {
    const Eigen::Index n = x.rows();
    Eigen::MatrixXd jacobian(n * outputs, model.flatParameters().size());
    for (int k = 0; k < outputs; ++k)
        jacobian.middleRows(k * n, n) = explicitJacobian(model, x, k);
    return jacobian * jacobian.transpose();
}

Eigen::VectorXd byOutput(const Eigen::MatrixXd& m) {
    return Eigen::Map<const Eigen::VectorXd>(m.data(), m.size()); // column-major: output blocks
}

// A linearized mse run whose largest per-output eigenvalue sits at `edgeMultiple` of the stability edge.
double linearizedLossAfter(double edgeMultiple, int outputs, int steps) {
    const int n = 12;
    const Eigen::MatrixXd features = randomMatrix(n, 5, 7);
    LinearizedStart start;
    start.kernel = std::make_shared<const Eigen::MatrixXd>(
        outputs * (features * features.transpose() + Eigen::MatrixXd::Identity(n, n)));
    start.trainOutput = Eigen::MatrixXd::Zero(n, outputs);
    start.trainTargets = randomMatrix(n, outputs, 8);
    start.testOutput = Eigen::MatrixXd(0, outputs);
    start.testTargets = Eigen::MatrixXd(0, outputs);
    const double lambdaMax = fullSpectrum(*start.kernel).eigenvalues(0);
    // stabilityEdge(lr) = lambdaMax exactly when lr = edge(1) / lambdaMax.
    const double lr = edgeMultiple * stabilityEdge(LossKind::Mse, n, outputs, 1.0) / lambdaMax;
    LinearizedModel model(LossKind::Mse, lr, 1.0, start);
    for (int t = 0; t < steps; ++t)
        model.step();
    return model.trainLoss();
}

RunConfig wideRegression() {
    RunConfig c;
    c.dataset = DatasetKind::Sine;
    c.trainSize = 24;
    c.testSize = 24;
    c.width = 2048;
    c.depth = 1;
    c.activation = Activation::Erf;
    c.loss = LossKind::Mse;
    c.optimizer = OptimizerKind::Gd;
    c.learningRate = 0.5;
    c.epochs = 40;
    c.ntkEvery = 40;
    c.seed = 5;
    return c;
}

} // namespace

class TheoryTest : public QObject {
    Q_OBJECT
private slots:
    // Each threshold is where its optimizer stops being stable on the quadratic J = a/2 |theta|^2: plain
    // and heavy-ball steps by the optimizer itself (the iterate shrinks 1 % below the line and grows 1 %
    // above it); Adam's by its update with the preconditioner held fixed, m <- beta1 m + (1 - beta1) a x,
    // x <- x - lr m, whose companion matrix's spectral radius crosses 1 there.
    void sharpnessThresholdsAreWhereQuadraticsTurnUnstable() {
        const double lr = 0.05, beta = 0.7;
        for (OptimizerKind kind : {OptimizerKind::Gd, OptimizerKind::Momentum}) {
            const std::vector<SharpnessThreshold> lines = sharpnessThresholds(kind, lr, beta);
            QCOMPARE(lines.front().kind, SharpnessThreshold::Kind::GradientDescent);
            QCOMPARE(lines.front().value, 2.0 / lr);
            const double edge = lines.back().value;
            QCOMPARE(lines.size(), kind == OptimizerKind::Momentum ? std::size_t(2) : std::size_t(1));
            for (double factor : {0.99, 1.01}) {
                const double a = factor * edge;
                Optimizer optimizer(kind, lr, beta, PenaltySettings{});
                LayerSet theta{
                    Layer{Eigen::MatrixXd::Constant(1, 1, 1.0), Eigen::VectorXd::Constant(1, 1.0)}};
                for (int t = 0; t < 3000; ++t) {
                    LayerSet gradient = theta;
                    gradient[0].weight *= a;
                    gradient[0].bias *= a;
                    optimizer.step(theta, gradient);
                }
                const double size = std::abs(theta[0].weight(0, 0));
                QVERIFY2(factor < 1 ? size < 1e-3 : size > 1e3, qPrintable(QString::number(size)));
            }
        }
        const std::vector<SharpnessThreshold> adam = sharpnessThresholds(OptimizerKind::Adam, lr, beta);
        QCOMPARE(adam.size(), std::size_t(2));
        QCOMPARE(adam.back().kind, SharpnessThreshold::Kind::Adam);
        const double beta1 = Optimizer::adamBeta1;
        for (double factor : {0.99, 1.01}) {
            const double a = factor * adam.back().value;
            Eigen::Matrix2d step; // (m, x) -> (m', x')
            step << beta1, (1 - beta1) * a, -lr * beta1, 1 - lr * (1 - beta1) * a;
            const double radius = step.eigenvalues().cwiseAbs().maxCoeff();
            QVERIFY2(factor < 1 ? radius < 1 : radius > 1, qPrintable(QString::number(radius)));
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, sharpnessThresholds(OptimizerKind::Gd, 0.0, 0.9));
    }

    // The NTK's lambda_max in curvature units puts the linearized edge at 2/lr for both losses.
    void kernelCurvatureScalePutsTheEdgeAtTwoOverLr() {
        for (LossKind loss : {LossKind::Mse, LossKind::CrossEntropy})
            for (int outputs : {1, 3})
                QVERIFY(
                    std::abs(stabilityEdge(loss, 40, outputs, 0.2) * kernelCurvatureScale(loss, 40, outputs) -
                             2.0 / 0.2) <= 1e-12);
    }

    void formulasOnHandCheckedCases() {
        // n = 2, O = 1, lr = 0.5, eigenvalue 4: step factor 1 - 0.5 * 4 / 2 = 0; eigenvalue 1: 0.75.
        QCOMPARE(linearizedDecay(4.0, 0.5, 2, 1, 1), 0.0);
        QCOMPARE(linearizedDecay(1.0, 0.5, 2, 1, 2), 0.5625);
        QCOMPARE(earlyStoppingFilter(1.0, 0.5, 2, 1, 2), 0.4375);
        // kappa = 2, 2 n O l2 = 2 * 2 * 1 * 0.25 = 1: 2 / 3.
        QCOMPARE(ridgeFilter(2.0, 0.25, 2, 1), 2.0 / 3.0);
        QCOMPARE(ridgeFilter(2.0, 0.0, 2, 1), 1.0);
        // Two outputs: the summed eigenvalue 4 is kappa = 2.
        QCOMPARE(ridgeFilter(4.0, 0.25, 2, 2), 0.5); // 2 n O l2 = 2
        QCOMPARE(linearizedDecay(4.0, 0.5, 1, 2, 1), 0.5);
        // Edges: mse 2 n O * O / lr = 2 * 10 * 3 * 3 / 0.5; cross-entropy 4 n * O / lr.
        QCOMPARE(stabilityEdge(LossKind::Mse, 10, 3, 0.5), 360.0);
        QCOMPARE(stabilityEdge(LossKind::CrossEntropy, 10, 3, 0.5), 240.0);
        QCOMPARE(stabilityEdge(LossKind::Mse, 10, 1, 0.5), 40.0); // the textbook 2n/lr for one output
        QCOMPARE(spectralBiasDirections(200), (std::vector<int>{0, 2, 9, 29, 99}));
        QCOMPARE(spectralBiasDirections(1), (std::vector<int>{0}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, stabilityEdge(LossKind::Mse, 0, 1, 0.1));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, stabilityEdge(LossKind::Mse, 5, 1, 0.0));
    }

    // The convention every formula rests on: one gradient step on L = 1/(2nO) sum (f-y)^2 moves the outputs
    // by -lr/(nO) Theta r to first order in lr, Theta the full nO x nO kernel.
    void oneStepMovesOutputsByTheKernel_data() {
        QTest::addColumn<int>("outputs");
        QTest::addColumn<int>("loss");
        QTest::newRow("mse, one output") << 1 << int(LossKind::Mse);
        QTest::newRow("mse, three outputs") << 3 << int(LossKind::Mse);
        QTest::newRow("cross-entropy, three outputs") << 3 << int(LossKind::CrossEntropy);
    }
    void oneStepMovesOutputsByTheKernel() {
        QFETCH(int, outputs);
        QFETCH(int, loss);
        const int n = 9;
        const Eigen::MatrixXd x = randomMatrix(n, 4, 1);
        Mlp model(smallShape(4, 16, outputs), 2);
        Eigen::MatrixXd targets = randomMatrix(n, outputs, 3);
        if (LossKind(loss) == LossKind::CrossEntropy) {
            targets.setZero();
            for (int i = 0; i < n; ++i)
                targets(i, i % outputs) = 1.0;
        }
        const Eigen::MatrixXd theta = fullKernel(model, x, outputs);
        const ForwardCache cache = model.forward(x);
        Eigen::MatrixXd gradient;
        lossAndGradient(LossKind(loss), cache.output, targets, gradient);
        const double scale = residualScale(LossKind(loss), n, outputs);
        const Eigen::MatrixXd residual = scale * gradient;
        const double lr = 1e-5;
        Optimizer(OptimizerKind::Gd, lr, 0.0, {}).step(model.layers(), model.backward(cache, gradient));
        const Eigen::VectorXd moved = byOutput(model.predict(x) - cache.output);
        const Eigen::VectorXd predicted = -lr / scale * theta * byOutput(residual);
        QVERIFY2((moved - predicted).norm() < 1e-4 * predicted.norm(),
                 qPrintable(QString("relative error %1").arg((moved - predicted).norm() / predicted.norm())));
    }

    // The edge drawn on the summed kernel's plot: the full kernel's top eigenvalue is at least lambda_max/O,
    // so a summed lambda_max beyond O times the per-output edge means an unstable linearized step.
    void summedKernelBoundsTheFullKernel() {
        const int n = 10, outputs = 4;
        const Eigen::MatrixXd x = randomMatrix(n, 3, 4);
        const Mlp model(smallShape(3, 12, outputs), 5);
        const double fullMax = fullSpectrum(fullKernel(model, x, outputs)).eigenvalues(0);
        const double summedMax = fullSpectrum(empiricalNtk(model, x)).eigenvalues(0);
        QVERIFY(fullMax >= summedMax / outputs * (1.0 - 1e-12));
        QVERIFY(fullMax <= summedMax * (1.0 + 1e-12)); // and at most the summed one
    }

    void stabilityEdgeSeparatesConvergenceFromDivergence() {
        for (int outputs : {1, 3}) {
            const double start = linearizedLossAfter(0.5, outputs, 0);
            QVERIFY(linearizedLossAfter(0.95, outputs, 400) < 1e-3 * start);
            QVERIFY(linearizedLossAfter(1.05, outputs, 400) > 1e3 * start);
        }
    }

    // With mse and no penalty the linearized model follows the closed form exactly.
    void linearizedModelFollowsTheClosedForm() {
        const int n = 8, outputs = 2, steps = 7;
        const Eigen::MatrixXd features = randomMatrix(n, 3, 9);
        LinearizedStart start;
        start.kernel = std::make_shared<const Eigen::MatrixXd>(features * features.transpose() +
                                                               0.5 * Eigen::MatrixXd::Identity(n, n));
        start.trainOutput = randomMatrix(n, outputs, 10);
        start.trainTargets = randomMatrix(n, outputs, 11);
        start.testOutput = Eigen::MatrixXd(0, outputs);
        start.testTargets = Eigen::MatrixXd(0, outputs);
        const Spectrum spectrum = fullSpectrum(*start.kernel, true);
        const double lr = 0.3;
        LinearizedModel model(LossKind::Mse, lr, 1.0, start);
        for (int t = 0; t < steps; ++t)
            model.step();
        const Eigen::MatrixXd& v = spectrum.eigenvectors;
        Eigen::MatrixXd expected = v.transpose() * (start.trainOutput - start.trainTargets);
        for (int k = 0; k < n; ++k)
            expected.row(k) *= std::pow(1.0 - lr * spectrum.eigenvalues(k) / outputs / (n * outputs), steps);
        const Eigen::MatrixXd residual = v.transpose() * (model.trainOutput() - start.trainTargets);
        QVERIFY((residual - expected).norm() < 1e-12 * expected.norm());
        // A penalty keeps part of the displacement each step: with keep = 0 the outputs never move.
        LinearizedModel frozen(LossKind::Mse, lr, 0.0, start);
        frozen.step();
        frozen.step();
        QVERIFY((frozen.trainOutput() - start.trainOutput).norm() <
                1e-12 + lr * (start.kernel->norm() * start.trainOutput.norm()));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, LinearizedModel(LossKind::Mse, lr, 1.5, start));
    }

    // A wide network in the NTK parameterization trains like its linearization: the residual along each
    // initial eigenvector decays as predicted and the linearized losses track the network's.
    void wideNetworkFollowsItsLinearization() {
        const RunConfig c = wideRegression();
        Trainer trainer(c, prepareData(c));
        std::vector<EpochReport> reports;
        while (auto report = trainer.advance()) {
            reports.push_back(*report);
            if (trainer.theoryPending()) { // right after epoch 0, as the run driver does
                QCOMPARE(report->epoch, 0);
                QCOMPARE(report->residualEnergy.size(), Eigen::Index(0)); // not yet: the first frame first
                const auto theory = trainer.completeTheory();
                QVERIFY(theory.has_value());
                theory->applyTo(reports.back());
            }
        }
        QCOMPARE(int(reports.size()), c.epochs + 1);
        const EpochReport& first = reports.front();
        const EpochReport& last = reports.back();
        QVERIFY(first.hasKernel);
        QCOMPARE(first.residualEnergy.size(), Eigen::Index(c.trainSize));
        // The eigenvectors are orthonormal: the energies add up to the residual's squared norm.
        QVERIFY(std::abs(first.residualEnergy.sum() / (2.0 * c.trainSize * first.trainLoss) - 1.0) < 1e-10);
        QCOMPARE(*first.linearizedTrainLoss, first.trainLoss);
        QCOMPARE(*first.linearizedTestLoss, *first.testLoss);
        const int n = c.trainSize;
        int followed = 0;
        for (int k : spectralBiasDirections(n)) {
            if (first.residualEnergy(k) < 1e-6 * first.residualEnergy.sum())
                continue; // nothing of the target along this direction to follow
            ++followed;
            const double measured = std::sqrt(last.residualEnergy(k) / first.residualEnergy(k));
            const double predicted = linearizedDecay(first.eigenvalues(k), c.learningRate, n, 1, c.epochs);
            QVERIFY2(
                std::abs(measured - predicted) < 0.05 * std::max(predicted, 0.02),
                qPrintable(
                    QString("direction %1: measured %2, predicted %3").arg(k).arg(measured).arg(predicted)));
        }
        QVERIFY(followed >= 3);
        // Fast and slow directions both occur, so the check is not only of fitted or untouched ones.
        QVERIFY(linearizedDecay(first.eigenvalues(0), c.learningRate, n, 1, c.epochs) < 0.1);
        QVERIFY(linearizedDecay(first.eigenvalues(9), c.learningRate, n, 1, c.epochs) > 0.5);
        QVERIFY(std::abs(*last.linearizedTrainLoss / last.trainLoss - 1.0) < 0.05);
        QVERIFY(std::abs(*last.linearizedTestLoss / *last.testLoss - 1.0) < 0.05);
        QVERIFY(last.trainLoss < 0.5 * first.trainLoss); // it did learn
    }

    // Between the linear edge and twice it the residual flips sign every step: the fitted share is
    // measured in magnitude, so the filter must be 1 - |1 - x|^t, not 1 - (1 - x)^t.
    void earlyStoppingFilterUsesMagnitudes() {
        const int n = 10, outputs = 1, epochs = 3;
        const double lr = 1.0;
        const double lambda = 1.5 * n * outputs / lr; // x = lr kappa / (nO) = 1.5
        QVERIFY(std::abs(earlyStoppingFilter(lambda, lr, n, outputs, epochs) - (1.0 - 0.125)) < 1e-12);
        QVERIFY(std::abs(earlyStoppingFilter(lambda, lr, n, outputs, epochs) +
                         linearizedDecay(lambda, lr, n, outputs, epochs) - 1.0) < 1e-15);
        const double slow = 0.5 * n * outputs / lr; // below the edge the two forms agree
        QVERIFY(std::abs(earlyStoppingFilter(slow, lr, n, outputs, epochs) - (1.0 - 0.125)) < 1e-12);
    }

    void theoryIsLeftOutWhereItDoesNotApply() {
        RunConfig c = wideRegression();
        c.width = 32;
        c.epochs = 3;
        c.optimizer = OptimizerKind::Adam;
        c.learningRate = 0.01;
        Trainer adam(c, prepareData(c));
        QVERIFY(adam.advance());
        const auto theory = adam.completeTheory();
        QVERIFY(theory && theory->residualEnergy.size() == c.trainSize); // measured for any optimizer
        QVERIFY(!theory->linearizedTrainLoss);                           // predicted only for plain GD
        const auto second = adam.advance();
        QVERIFY(second && second->residualEnergy.size() == c.trainSize);
        c.optimizer = OptimizerKind::Gd;
        c.ntkEvery = 0;
        Trainer noKernel(c, prepareData(c));
        const auto plain = noKernel.advance();
        QVERIFY(plain && plain->residualEnergy.size() == 0 && !plain->linearizedTrainLoss);
        QVERIFY(!noKernel.theoryPending() && !noKernel.completeTheory());
    }

    // Deferring epoch 0's theory changes nothing that follows: a trainer whose caller completes it after
    // epoch 0 and one that leaves it to advance() report the same numbers, bit for bit.
    void deferredTheoryChangesNoLaterReport() {
        RunConfig c = wideRegression();
        c.width = 64;
        c.epochs = 12;
        c.l2 = 1e-3;
        Trainer completed(c, prepareData(c)), automatic(c, prepareData(c));
        QVERIFY(completed.advance() && automatic.advance());
        QVERIFY(completed.completeTheory());
        for (int epoch = 1; epoch <= c.epochs; ++epoch) {
            const auto a = completed.advance();
            const auto b = automatic.advance();
            QVERIFY(a && b);
            QCOMPARE(a->epoch, epoch);
            QCOMPARE(a->trainLoss, b->trainLoss);
            QVERIFY(a->residualEnergy.size() == c.trainSize && a->residualEnergy == b->residualEnergy);
            QVERIFY(a->linearizedTrainLoss && a->linearizedTrainLoss == b->linearizedTrainLoss);
            QCOMPARE(a->linearizedTestLoss, b->linearizedTestLoss);
            QCOMPARE(a->eigenvalues, b->eigenvalues);
        }
    }
};

QTEST_GUILESS_MAIN(TheoryTest)
#include "test_theory.moc"
