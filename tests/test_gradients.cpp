// Back-propagated gradients against central finite differences, for every activation, loss and
// parameterization, and the penalty gradients on top.
#include "loss.h"
#include "mlp.h"
#include "optimizer.h"

#include <QtTest>
#include <random>

using namespace ntk;

Q_DECLARE_METATYPE(ntk::Activation)
Q_DECLARE_METATYPE(ntk::LossKind)
Q_DECLARE_METATYPE(ntk::Parameterization)

namespace {

struct Problem {
    Eigen::MatrixXd x, targets;
};

Problem makeProblem(LossKind loss, int outputs, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    Problem p;
    p.x = Eigen::MatrixXd::NullaryExpr(5, 3, [&] { return normal(rng); });
    p.targets = Eigen::MatrixXd::Zero(5, outputs);
    for (int i = 0; i < 5; ++i) {
        if (loss == LossKind::CrossEntropy)
            p.targets(i, i % outputs) = 1.0;
        else
            p.targets.row(i) = Eigen::RowVectorXd::NullaryExpr(outputs, [&] { return normal(rng); });
    }
    return p;
}

double objective(const Mlp& model, const Problem& p, LossKind loss, const PenaltySettings& penalties) {
    return lossValue(loss, model.predict(p.x), p.targets) + penaltyValue(model.layers(), penalties);
}

Eigen::VectorXd flatGradient(const Mlp& model, const LayerSet& gradient) {
    Mlp holder = model;
    holder.layers() = gradient;
    return holder.flatParameters();
}

// Largest |analytic - numeric| relative to the gradient's scale.
double gradientError(Mlp model, const Problem& p, LossKind loss, const PenaltySettings& penalties) {
    Eigen::MatrixXd outputGradient;
    const ForwardCache cache = model.forward(p.x);
    lossAndGradient(loss, cache.output, p.targets, outputGradient);
    LayerSet gradient = model.backward(cache, outputGradient);
    addPenaltyGradient(model.layers(), penalties, gradient);
    const Eigen::VectorXd analytic = flatGradient(model, gradient);

    const Eigen::VectorXd theta = model.flatParameters();
    Eigen::VectorXd numeric(theta.size());
    const double h = 1e-6;
    for (Eigen::Index i = 0; i < theta.size(); ++i) {
        Eigen::VectorXd shifted = theta;
        shifted[i] = theta[i] + h;
        model.setFlatParameters(shifted);
        const double up = objective(model, p, loss, penalties);
        shifted[i] = theta[i] - h;
        model.setFlatParameters(shifted);
        const double down = objective(model, p, loss, penalties);
        numeric[i] = (up - down) / (2 * h);
    }
    return (analytic - numeric).lpNorm<Eigen::Infinity>() / std::max(1.0, analytic.lpNorm<Eigen::Infinity>());
}

MlpShape smallShape(Activation activation, Parameterization parameterization, int outputs) {
    MlpShape shape;
    shape.inputDim = 3;
    shape.width = 6;
    shape.depth = 2;
    shape.outputs = outputs;
    shape.activation = activation;
    shape.parameterization = parameterization;
    shape.sigmaW = 1.3;
    shape.sigmaB = 0.4;
    return shape;
}

} // namespace

class GradientTest : public QObject {
    Q_OBJECT
private slots:
    void matchesFiniteDifferences_data() {
        QTest::addColumn<Activation>("activation");
        QTest::addColumn<LossKind>("loss");
        QTest::addColumn<Parameterization>("parameterization");
        for (Activation a : allValues<Activation>())
            for (LossKind l : allValues<LossKind>())
                for (Parameterization p : allValues<Parameterization>())
                    QTest::addRow("%s/%s/%s", toString(a).data(), toString(l).data(), toString(p).data())
                        << a << l << p;
    }

    void matchesFiniteDifferences() {
        QFETCH(Activation, activation);
        QFETCH(LossKind, loss);
        QFETCH(Parameterization, parameterization);
        const Problem p = makeProblem(loss, 3, 7);
        const Mlp model(smallShape(activation, parameterization, 3), 11);
        const double error = gradientError(model, p, loss, {});
        QVERIFY2(error < 1e-6, qPrintable(QString("max relative error %1").arg(error)));
    }

    void penaltyGradientsMatchFiniteDifferences() {
        const Problem p = makeProblem(LossKind::Mse, 2, 3);
        const Mlp model(smallShape(Activation::Tanh, Parameterization::Ntk, 2), 5);
        // Random Gaussian weights are never within 1e-6 of the L1 kink at zero.
        for (bool biases : {true, false}) {
            PenaltySettings penalties;
            penalties.l1 = 0.01;
            penalties.l2 = 0.03;
            penalties.penalizeBiases = biases;
            const double error = gradientError(model, p, LossKind::Mse, penalties);
            QVERIFY2(error < 1e-6, qPrintable(QString("max relative error %1").arg(error)));
        }
    }

    void crossEntropyIsStableForLargeLogits() {
        Eigen::MatrixXd logits(1, 3);
        logits << 1000.0, 0.0, -1000.0;
        Eigen::MatrixXd targets = Eigen::MatrixXd::Zero(1, 3);
        targets(0, 1) = 1.0;
        Eigen::MatrixXd gradient;
        const double value = lossAndGradient(LossKind::CrossEntropy, logits, targets, gradient);
        QVERIFY(std::isfinite(value));
        QCOMPARE(value, 1000.0);
        QVERIFY(gradient.allFinite());
    }
};

QTEST_APPLESS_MAIN(GradientTest)
#include "test_gradients.moc"
