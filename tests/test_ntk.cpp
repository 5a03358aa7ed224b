// The layer-wise empirical NTK against the explicit Jacobian, and its infinite-width limit.
#include "analytic_ntk.h"
#include "ntk.h"

#include "test_helpers.h"

#include <QtTest>
#include <random>

using namespace ntk;
using ntk::testing::randomPoints;

namespace {

MlpShape shape(int d, int width, int depth, int outputs, Activation activation, Parameterization p) {
    MlpShape s;
    s.inputDim = d;
    s.width = width;
    s.depth = depth;
    s.outputs = outputs;
    s.activation = activation;
    s.parameterization = p;
    s.sigmaW = 1.5;
    s.sigmaB = 0.3;
    return s;
}

double relativeError(const Eigen::MatrixXd& a, const Eigen::MatrixXd& reference) {
    return (a - reference).norm() / reference.norm();
}

} // namespace

class NtkTest : public QObject {
    Q_OBJECT
private slots:
    void layerwiseEqualsExplicitJacobian_data() {
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("outputs");
        QTest::addColumn<int>("activation");
        QTest::addColumn<int>("parameterization");
        int row = 0;
        for (int depth : {1, 2, 3})
            for (Activation a : allValues<Activation>())
                for (Parameterization p : allValues<Parameterization>()) {
                    ++row;
                    QTest::addRow("depth%d/%s/%s/%d", depth, toString(a).data(), toString(p).data(), row)
                        << depth << 7 + depth << (row % 2 ? 3 : 1) << int(a) << int(p);
                }
    }

    void layerwiseEqualsExplicitJacobian() {
        QFETCH(int, depth);
        QFETCH(int, width);
        QFETCH(int, outputs);
        QFETCH(int, activation);
        QFETCH(int, parameterization);
        const Mlp model(
            shape(4, width, depth, outputs, Activation(activation), Parameterization(parameterization)), 3);
        const Eigen::MatrixXd x = randomPoints(9, 4, 5);
        const Eigen::MatrixXd reference = explicitJacobianNtk(model, x);
        const Eigen::MatrixXd kernel = empiricalNtk(model, x);
        QVERIFY2(relativeError(kernel, reference) < 1e-10,
                 qPrintable(QString("relative error %1").arg(relativeError(kernel, reference))));
        QCOMPARE((kernel - kernel.transpose()).norm(), 0.0);
    }

    // The blocked build (large n) against the explicit Jacobian, with blocks that do not divide n, and
    // against the whole-matrix build, with and without a cached input Gram.
    void blockedBuildEqualsTheReference_data() {
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("outputs");
        QTest::addColumn<int>("block");
        for (int depth : {1, 2, 3})
            for (int outputs : {1, 3})
                for (int block : {1, 4, 7, 50})
                    QTest::addRow("depth%d/outputs%d/block%d", depth, outputs, block)
                        << depth << outputs << block;
    }
    void blockedBuildEqualsTheReference() {
        QFETCH(int, depth);
        QFETCH(int, outputs);
        QFETCH(int, block);
        const Mlp model(shape(5, 9, depth, outputs, Activation::Gelu, Parameterization::Ntk), 21);
        const Eigen::MatrixXd x = randomPoints(13, 5, 22);
        const Eigen::MatrixXd gram = x * x.transpose();
        NtkOptions blocked;
        blocked.blockColumns = block;
        const Eigen::MatrixXd kernel = empiricalNtk(model, x, blocked);
        QVERIFY(relativeError(kernel, explicitJacobianNtk(model, x)) < 1e-10);
        QVERIFY(relativeError(kernel, empiricalNtk(model, x)) < 1e-13);
        QCOMPARE((kernel - kernel.transpose()).norm(), 0.0);
        blocked.inputGram = &gram;
        QVERIFY(relativeError(empiricalNtk(model, x, blocked), kernel) < 1e-13);
        blocked.signalBudgetBytes = 1.0; // one output at a time
        QVERIFY(relativeError(empiricalNtk(model, x, blocked), kernel) < 1e-13);
    }

    // Single precision: the same kernel to float accuracy, on both build paths, and the same eigenvalues to
    // a small multiple of float epsilon times lambda_max (the perturbation bound |dlambda| <= ||dK||_2).
    void singlePrecisionBuildMatchesDouble_data() {
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("block");
        for (int depth : {1, 2, 3})
            for (int block : {-1, 16})
                QTest::addRow("depth%d/%s", depth, block < 0 ? "whole" : "blocked") << depth << block;
    }
    void singlePrecisionBuildMatchesDouble() {
        QFETCH(int, depth);
        QFETCH(int, block);
        const Mlp model(shape(20, 64, depth, 5, Activation::Relu, Parameterization::Ntk), 31);
        const Eigen::MatrixXd x = randomPoints(60, 20, 32);
        const Eigen::MatrixXd gram = x * x.transpose();
        NtkOptions options;
        options.blockColumns = block;
        const Eigen::MatrixXd reference = empiricalNtk(model, x, options);
        options.precision = KernelPrecision::Single;
        const Eigen::MatrixXd single = empiricalNtk(model, x, options);
        QCOMPARE((single - single.transpose()).norm(), 0.0);
        const double error = relativeError(single, reference);
        QVERIFY2(error < 1e-5, qPrintable(QString("relative error %1").arg(error)));
        QVERIFY2(error > 0.0, "the single-precision path computed in double");
        options.inputGram = &gram;
        QVERIFY(relativeError(empiricalNtk(model, x, options), reference) < 1e-5);

        const Eigen::VectorXd exact = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(reference).eigenvalues();
        const Eigen::VectorXd approximate =
            Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(single).eigenvalues();
        const double shift = (approximate - exact).cwiseAbs().maxCoeff() / exact.maxCoeff();
        QVERIFY2(shift < 1e-5, qPrintable(QString("eigenvalue shift %1 x lambda_max").arg(shift)));
    }

    void cachedInputGramGivesTheSameKernel() {
        const Mlp model(shape(4, 10, 2, 3, Activation::Relu, Parameterization::Ntk), 8);
        const Eigen::MatrixXd x = randomPoints(12, 4, 9);
        const Eigen::MatrixXd gram = x * x.transpose();
        NtkOptions options;
        options.inputGram = &gram;
        QVERIFY(relativeError(empiricalNtk(model, x, options), empiricalNtk(model, x)) < 1e-14);
    }

    void perOutputBlocksSumToTheKernelAndMatchJacobians() {
        const Mlp model(shape(3, 8, 2, 4, Activation::Tanh, Parameterization::Standard), 4);
        const Eigen::MatrixXd x = randomPoints(7, 3, 2);
        const auto blocks = empiricalNtkPerOutput(model, model.forward(x));
        QCOMPARE(int(blocks.size()), 4);
        Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(7, 7);
        for (int k = 0; k < 4; ++k) {
            const Eigen::MatrixXd jacobian = explicitJacobian(model, x, k);
            QVERIFY(relativeError(blocks[k], jacobian * jacobian.transpose()) < 1e-10);
            sum += blocks[k];
        }
        QVERIFY(relativeError(sum, empiricalNtk(model, x)) < 1e-12);
    }

    void crossKernelIsTheOffDiagonalBlock() {
        const Mlp model(shape(3, 9, 2, 2, Activation::Gelu, Parameterization::Ntk), 6);
        const Eigen::MatrixXd a = randomPoints(5, 3, 1), b = randomPoints(4, 3, 2);
        Eigen::MatrixXd joint(9, 3);
        joint << a, b;
        const Eigen::MatrixXd full = empiricalNtk(model, joint);
        const Eigen::MatrixXd cross = empiricalNtkCross(model, model.forward(a), model.forward(b));
        QVERIFY(relativeError(cross, full.topRightCorner(5, 4)) < 1e-12);
    }

    void cancelFlagStopsTheComputation() {
        const Mlp model(shape(3, 8, 3, 2, Activation::Relu, Parameterization::Ntk), 1);
        std::atomic<bool> cancel{true};
        NtkOptions options;
        options.cancel = &cancel;
        QVERIFY_THROWS_EXCEPTION(Cancelled, empiricalNtk(model, randomPoints(6, 3, 1), options));
    }

    // Infinite-width limit: the summed empirical kernel over O outputs tends to O * Theta_infinity, with a
    // relative error that shrinks like 1/sqrt(width).
    void approachesAnalyticKernelWithWidth_data() {
        QTest::addColumn<int>("activation");
        QTest::addColumn<int>("depth");
        QTest::newRow("relu/1") << int(Activation::Relu) << 1;
        QTest::newRow("relu/2") << int(Activation::Relu) << 2;
        QTest::newRow("erf/1") << int(Activation::Erf) << 1;
        QTest::newRow("erf/2") << int(Activation::Erf) << 2;
    }

    void approachesAnalyticKernelWithWidth() {
        QFETCH(int, activation);
        QFETCH(int, depth);
        const Eigen::MatrixXd x = randomPoints(6, 5, 42);
        AnalyticNtkSpec spec;
        spec.depth = depth;
        spec.activation = Activation(activation);
        spec.sigmaW = 1.5;
        spec.sigmaB = 0.3;
        const Eigen::MatrixXd limit = analyticNtk(spec, x);
        auto meanError = [&](int width) {
            double sum = 0.0;
            const int seeds = 4;
            for (int seed = 0; seed < seeds; ++seed) {
                const Mlp model(shape(5, width, depth, 1, Activation(activation), Parameterization::Ntk),
                                100 + seed);
                sum += relativeError(empiricalNtk(model, x), limit);
            }
            return sum / seeds;
        };
        const double narrow = meanError(64), wide = meanError(4096);
        qInfo("relative error: width 64 %.4f, width 4096 %.4f (1/sqrt scaling predicts a ratio of 8)", narrow,
              wide);
        QVERIFY2(wide < 0.05, qPrintable(QString("error at width 4096: %1").arg(wide)));
        QVERIFY2(narrow / wide > 3.0, qPrintable(QString("error ratio 64/4096: %1").arg(narrow / wide)));
    }

    // Hand-checked closed forms: one hidden layer, identity activation, d = 1.
    void analyticKernelMatchesHandComputation() {
        Eigen::MatrixXd x(2, 1);
        x << 1.0, 2.0;
        AnalyticNtkSpec spec;
        spec.depth = 1;
        spec.activation = Activation::Identity;
        spec.sigmaW = 1.0;
        spec.sigmaB = 0.0;
        // Sigma_1 = x x', Theta_2 = Sigma_2 + Sigma'_2 Theta_1 = x x' + x x' = 2 x x'.
        const Eigen::MatrixXd kernel = analyticNtk(spec, x);
        QCOMPARE(kernel(0, 0), 2.0);
        QCOMPARE(kernel(0, 1), 4.0);
        QCOMPARE(kernel(1, 1), 8.0);
        // ReLU on a single point: Sigma_2 = sigma_w^2 Sigma_1 / 2, Sigma'_2 = sigma_w^2 / 2.
        spec.activation = Activation::Relu;
        spec.sigmaW = std::sqrt(2.0);
        const Eigen::MatrixXd relu = analyticNtk(spec, x.topRows(1));
        // Sigma_1 = 2, Sigma_2 = 2, Sigma'_2 = 1, Theta_2 = 2 + 1 * 2 = 4.
        QVERIFY(std::abs(relu(0, 0) - 4.0) < 1e-12);
    }

    void analyticKernelRefusesActivationsWithoutClosedForm() {
        AnalyticNtkSpec spec;
        spec.activation = Activation::Tanh;
        QVERIFY(!hasAnalyticNtk(Activation::Tanh));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, analyticNtk(spec, randomPoints(2, 2, 1)));
    }
};

QTEST_APPLESS_MAIN(NtkTest)
#include "test_ntk.moc"
