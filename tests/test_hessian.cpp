// Curvature products of the training objective (core/hessian.h) against independent references: central
// differences of the gradient, the explicit Jacobian's J^T H_L J, the dense matrices' own eigenvalues, and
// the NTK whose spectrum the Gauss-Newton matrix shares.
#include "test_helpers.h"

#include <QtTest>

#include <random>

#include "hessian.h"
#include "loss.h"
#include "ntk.h"
#include "optimizer.h"
#include "spectrum.h"

using namespace ntk;
using ntk::testing::randomModel;
using ntk::testing::randomPoints;

namespace {

struct Problem {
    Eigen::MatrixXd x, targets;
    CurvatureObjective objective; // its targets point at this problem's own: set by problem(), kept by copies
    Problem() = default;
    Problem(const Problem& other)
        : x(other.x)
        , targets(other.targets)
        , objective(other.objective) {
        objective.targets = &targets;
    }
    Problem& operator=(const Problem&) = delete;
};

Problem problem(const Mlp& model, int n, LossKind loss, std::uint64_t seed) {
    Problem p;
    p.x = randomPoints(n, model.shape().inputDim, seed);
    const int outputs = model.shape().outputs;
    if (loss == LossKind::CrossEntropy) {
        p.targets = Eigen::MatrixXd::Zero(n, outputs);
        for (int i = 0; i < n; ++i)
            p.targets(i, (i * 7 + 3) % outputs) = 1.0;
    } else {
        p.targets = randomPoints(n, outputs, seed + 1);
    }
    p.objective.loss = loss;
    p.objective.targets = &p.targets;
    return p;
}

// The gradient of the objective (data loss + L2 penalty) at the model's parameters, flat.
Eigen::VectorXd gradient(const Mlp& model, const Problem& p) {
    const ForwardCache cache = model.forward(p.x);
    Eigen::MatrixXd outputGradient;
    lossAndGradient(p.objective.loss, cache.output, p.targets, outputGradient);
    LayerSet g = model.backward(cache, outputGradient);
    addPenaltyGradient(model.layers(), p.objective.penalties, g);
    return flatten(g);
}

// H v by central differences of the gradient: (g(theta + h v) - g(theta - h v)) / 2h.
Eigen::VectorXd finiteDifferenceHv(Mlp model, const Problem& p, const Eigen::VectorXd& v, double h) {
    const Eigen::VectorXd theta = model.flatParameters();
    model.setFlatParameters(theta + h * v);
    const Eigen::VectorXd up = gradient(model, p);
    model.setFlatParameters(theta - h * v);
    const Eigen::VectorXd down = gradient(model, p);
    return (up - down) / (2 * h);
}

// A dense P x P matrix from its products with the unit vectors.
template <class Product> Eigen::MatrixXd denseFromProducts(const Mlp& model, Product product) {
    const Eigen::Index size = model.parameterCount();
    Eigen::MatrixXd dense(size, size);
    for (Eigen::Index j = 0; j < size; ++j)
        dense.col(j) = flatten(product(unflattenLike(model.layers(), Eigen::VectorXd::Unit(size, j))));
    return dense;
}

// The explicit Jacobian of the outputs, (n O) x P with rows (point i, output k) at i O + k, by one
// backward pass per output.
Eigen::MatrixXd explicitJacobian(const Mlp& model, const Eigen::MatrixXd& x) {
    const ForwardCache cache = model.forward(x);
    const Eigen::Index n = x.rows();
    const int outputs = model.shape().outputs;
    Eigen::MatrixXd jacobian(n * outputs, model.parameterCount());
    for (Eigen::Index i = 0; i < n; ++i)
        for (int k = 0; k < outputs; ++k) {
            Eigen::MatrixXd seed = Eigen::MatrixXd::Zero(n, outputs);
            seed(i, k) = 1.0;
            jacobian.row(i * outputs + k) = flatten(model.backward(cache, seed)).transpose();
        }
    return jacobian;
}

// The loss's Hessian in the outputs, (n O) x (n O), in explicitJacobian's row order.
Eigen::MatrixXd lossHessian(LossKind loss, const Eigen::MatrixXd& output) {
    const Eigen::Index n = output.rows(), outputs = output.cols();
    Eigen::MatrixXd h = Eigen::MatrixXd::Zero(n * outputs, n * outputs);
    for (Eigen::Index i = 0; i < n; ++i) {
        if (loss == LossKind::Mse) {
            h.block(i * outputs, i * outputs, outputs, outputs).setIdentity();
            h.block(i * outputs, i * outputs, outputs, outputs) /= double(n * outputs);
            continue;
        }
        const Eigen::RowVectorXd shifted = (output.row(i).array() - output.row(i).maxCoeff()).exp();
        const Eigen::VectorXd p = (shifted / shifted.sum()).transpose();
        h.block(i * outputs, i * outputs, outputs, outputs) =
            (Eigen::MatrixXd(p.asDiagonal()) - p * p.transpose()) / double(n);
    }
    return h;
}

double relativeError(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    return (a - b).norm() / std::max(b.norm(), 1e-300);
}

} // namespace

class HessianTest : public QObject {
    Q_OBJECT

private slots:
    void hessianMatchesCentralDifferences_data() {
        QTest::addColumn<int>("activation");
        QTest::addColumn<int>("loss");
        QTest::addColumn<int>("parameterization");
        const std::pair<const char*, Activation> activations[] = {{"relu", Activation::Relu},
                                                                  {"tanh", Activation::Tanh},
                                                                  {"gelu", Activation::Gelu},
                                                                  {"erf", Activation::Erf},
                                                                  {"identity", Activation::Identity}};
        for (const auto& [name, activation] : activations)
            for (LossKind loss : {LossKind::Mse, LossKind::CrossEntropy})
                for (Parameterization p : {Parameterization::Ntk, Parameterization::Standard})
                    QTest::newRow(QString("%1/%2/%3")
                                      .arg(name, loss == LossKind::Mse ? "mse" : "ce",
                                           p == Parameterization::Ntk ? "ntk" : "standard")
                                      .toUtf8()
                                      .constData())
                        << int(activation) << int(loss) << int(p);
    }

    // Every activation x loss x parameterization, depth 2 so that the second derivative of the
    // activation and the moving layer inputs both enter; with an L2 penalty on every parameter.
    void hessianMatchesCentralDifferences() {
        QFETCH(int, activation);
        QFETCH(int, loss);
        QFETCH(int, parameterization);
        const Mlp model =
            randomModel(3, 6, 2, 3, Activation(activation), Parameterization(parameterization), 0.3, 17);
        Problem p = problem(model, 9, LossKind(loss), 5);
        p.objective.penalties.l2 = 0.01;
        const ForwardCache cache = model.forward(p.x);
        for (std::uint64_t seed : {1u, 2u, 3u}) {
            const Eigen::VectorXd v = randomPoints(int(model.parameterCount()), 1, seed);
            const Eigen::VectorXd hv =
                flatten(hessianVectorProduct(model, cache, p.objective, unflattenLike(model.layers(), v)));
            const Eigen::VectorXd reference = finiteDifferenceHv(model, p, v, 1e-5);
            // Central differences err by O(h^2) and by round-off / h: about 1e-8 relative here. A ReLU kink
            // crossed inside +-h would show as a large error; none lies that close on these points.
            QVERIFY2(relativeError(hv, reference) < 1e-6,
                     qPrintable(QString("relative error %1").arg(relativeError(hv, reference))));
        }
    }

    // The dense Hessian of a small network, assembled from products: symmetric, equal to central
    // differences column by column, and its eigenvalues are what Lanczos finds at both ends.
    void denseHessianAndItsExtremes() {
        const Mlp model = randomModel(2, 5, 2, 2, Activation::Tanh, Parameterization::Ntk, 0.2, 3);
        Problem p = problem(model, 12, LossKind::CrossEntropy, 9);
        const ForwardCache cache = model.forward(p.x);
        const Eigen::MatrixXd h = denseFromProducts(
            model, [&](const LayerSet& v) { return hessianVectorProduct(model, cache, p.objective, v); });
        QVERIFY((h - h.transpose()).norm() <= 1e-13 * h.norm());
        Eigen::MatrixXd byDifferences(h.rows(), h.cols());
        for (Eigen::Index j = 0; j < h.cols(); ++j)
            byDifferences.col(j) = finiteDifferenceHv(model, p, Eigen::VectorXd::Unit(h.rows(), j), 1e-5);
        QVERIFY2(relativeError(h, byDifferences) < 1e-6,
                 qPrintable(QString("relative error %1").arg(relativeError(h, byDifferences))));

        const Spectrum dense = fullSpectrum(h);
        QVERIFY(dense.ok());
        const CurvatureExtremes ends =
            curvatureExtremes(model, cache, p.objective, CurvatureMatrix::Hessian, 3, 2, 1e-11);
        QVERIFY(ends.ok());
        const double scale = dense.eigenvalues.cwiseAbs().maxCoeff();
        for (int i = 0; i < 3; ++i)
            QVERIFY(std::abs(ends.largest(i) - dense.eigenvalues(i)) <= 1e-9 * scale);
        const Eigen::Index last = dense.eigenvalues.size() - 1;
        QVERIFY(std::abs(ends.smallest(0) - dense.eigenvalues(last)) <= 1e-9 * scale);
        QVERIFY(std::abs(ends.smallest(1) - dense.eigenvalues(last - 1)) <= 1e-9 * scale);
        QVERIFY(ends.smallest(0) < 0); // cross-entropy on a tanh network is not convex
        QVERIFY((ends.residuals.array() <= 1e-8).all());
    }

    // G = J^T H_L J with the explicit Jacobian, for both losses.
    void gaussNewtonIsJacobianTransposeLossHessianJacobian() {
        for (LossKind loss : {LossKind::Mse, LossKind::CrossEntropy}) {
            const Mlp model = randomModel(3, 7, 2, 3, Activation::Gelu, Parameterization::Standard, 0.4, 8);
            const Problem p = problem(model, 10, loss, 2);
            const ForwardCache cache = model.forward(p.x);
            const Eigen::MatrixXd jacobian = explicitJacobian(model, p.x);
            const Eigen::MatrixXd expected =
                jacobian.transpose() * lossHessian(loss, cache.output) * jacobian;
            const Eigen::MatrixXd g = denseFromProducts(model, [&](const LayerSet& v) {
                return gaussNewtonVectorProduct(model, cache, p.objective, v);
            });
            QVERIFY2(relativeError(g, expected) < 1e-12,
                     qPrintable(QString("relative error %1").arg(relativeError(g, expected))));
        }
    }

    // For MSE with one output, G = J^T J / n: its top eigenvalues are the empirical NTK's divided by n.
    void gaussNewtonSharesTheNtkSpectrum() {
        const Mlp model = randomModel(4, 32, 2, 1, Activation::Relu, Parameterization::Ntk, 0.1, 6);
        const Problem p = problem(model, 40, LossKind::Mse, 3);
        const ForwardCache cache = model.forward(p.x);
        const Spectrum kernel = fullSpectrum(empiricalNtk(model, p.x));
        QVERIFY(kernel.ok());
        const CurvatureExtremes g =
            curvatureExtremes(model, cache, p.objective, CurvatureMatrix::GaussNewton, 4, 0, 1e-11);
        QVERIFY(g.ok());
        for (int i = 0; i < 4; ++i)
            QVERIFY2(std::abs(g.largest(i) - kernel.eigenvalues(i) / 40.0) <= 1e-10 * g.largest(0),
                     qPrintable(QString("lambda_%1: %2 vs %3")
                                    .arg(i + 1)
                                    .arg(g.largest(i))
                                    .arg(kernel.eigenvalues(i) / 40)));
    }

    // The L2 penalty l2 |theta|^2 adds 2 l2 to every eigenvalue of the Hessian (biases penalized) and
    // leaves the Gauss-Newton matrix, which is the data loss's, as it was.
    void l2ShiftsTheHessianOnly() {
        const Mlp model = randomModel(3, 8, 1, 2, Activation::Erf, Parameterization::Ntk, 0.3, 12);
        Problem p = problem(model, 15, LossKind::Mse, 4);
        const ForwardCache cache = model.forward(p.x);
        const CurvatureExtremes plain =
            curvatureExtremes(model, cache, p.objective, CurvatureMatrix::Hessian, 2, 2, 1e-11);
        const CurvatureExtremes gPlain =
            curvatureExtremes(model, cache, p.objective, CurvatureMatrix::GaussNewton, 2, 0, 1e-11);
        p.objective.penalties.l2 = 0.05;
        const CurvatureExtremes shifted =
            curvatureExtremes(model, cache, p.objective, CurvatureMatrix::Hessian, 2, 2, 1e-11);
        const CurvatureExtremes gShifted =
            curvatureExtremes(model, cache, p.objective, CurvatureMatrix::GaussNewton, 2, 0, 1e-11);
        QVERIFY(plain.ok() && shifted.ok() && gPlain.ok() && gShifted.ok());
        const double scale = plain.largest(0);
        QVERIFY(((shifted.largest - plain.largest).array() - 0.1).abs().maxCoeff() <= 1e-9 * scale);
        QVERIFY(((shifted.smallest - plain.smallest).array() - 0.1).abs().maxCoeff() <= 1e-9 * scale);
        QVERIFY((gShifted.largest - gPlain.largest).cwiseAbs().maxCoeff() <= 1e-12 * scale);
    }

    // lambda_max(P^-1 H) against the generalized problem H x = lambda P x, solved densely by Eigen (a
    // Cholesky of P, not the P^-1/2 scaling the solver uses), on a cross-entropy tanh network whose
    // Hessian is indefinite, with a preconditioner spread over four decades.
    // The trainer starts each curvature epoch's solves from the previous epoch's eigenvectors. After a small
    // step of the parameters a warm solve must find the very ends a cold one finds, in no more products; a
    // start of the wrong size is ignored, not an error.
    void warmStartFindsTheSameEndsInNoMoreProducts() {
        Mlp model = randomModel(12, 30, 2, 3, Activation::Tanh, Parameterization::Standard, 0.2, 41);
        const Problem p = problem(model, 40, LossKind::Mse, 42);
        const CurvatureExtremes before =
            curvatureExtremes(model, model.forward(p.x), p.objective, CurvatureMatrix::Hessian, 1, 1, 1e-10);
        QVERIFY(before.ok());
        QCOMPARE(before.vectors.top.size(), model.parameterCount());
        QCOMPARE(before.vectors.bottom.size(), model.parameterCount());

        std::mt19937_64 rng(43);
        std::normal_distribution<double> normal(0.0, 1e-3);
        for (Layer& layer : model.layers())
            layer.weight = layer.weight.unaryExpr([&](double w) { return w * (1.0 + normal(rng)); });
        const ForwardCache cache = model.forward(p.x);
        const CurvatureExtremes cold =
            curvatureExtremes(model, cache, p.objective, CurvatureMatrix::Hessian, 1, 1, 1e-10);
        const CurvatureExtremes warm = curvatureExtremes(model, cache, p.objective, CurvatureMatrix::Hessian,
                                                         1, 1, 1e-10, nullptr, before.vectors);
        QVERIFY(cold.ok() && warm.ok());
        const double scale = std::abs(cold.largest(0));
        QVERIFY(std::abs(warm.largest(0) - cold.largest(0)) <= 1e-9 * scale);
        QVERIFY(std::abs(warm.smallest(0) - cold.smallest(0)) <= 1e-9 * scale);
        QVERIFY2(warm.products <= cold.products,
                 qPrintable(QString("warm %1 products, cold %2").arg(warm.products).arg(cold.products)));

        CurvatureStart wrongSize;
        wrongSize.top = Eigen::VectorXd::Ones(5);
        const CurvatureExtremes ignored = curvatureExtremes(
            model, cache, p.objective, CurvatureMatrix::Hessian, 1, 1, 1e-10, nullptr, wrongSize);
        QVERIFY(ignored.ok());
        QCOMPARE(ignored.largest(0), cold.largest(0));
    }

    void preconditionedSharpnessIsTheGeneralizedProblemsTop() {
        const Mlp model = randomModel(3, 6, 2, 3, Activation::Tanh, Parameterization::Standard, 0.3, 4);
        Problem p = problem(model, 15, LossKind::CrossEntropy, 5);
        p.objective.penalties.l2 = 1e-3;
        const ForwardCache cache = model.forward(p.x);
        const Eigen::MatrixXd h = denseFromProducts(
            model, [&](const LayerSet& v) { return hessianVectorProduct(model, cache, p.objective, v); });
        std::mt19937_64 rng(8);
        std::uniform_real_distribution<double> decades(-2.0, 2.0);
        Eigen::VectorXd diagonal(h.rows());
        for (Eigen::Index i = 0; i < diagonal.size(); ++i)
            diagonal(i) = std::pow(10.0, decades(rng));
        const Eigen::MatrixXd pMatrix = diagonal.asDiagonal();
        const Eigen::GeneralizedSelfAdjointEigenSolver<Eigen::MatrixXd> reference(h, pMatrix,
                                                                                  Eigen::EigenvaluesOnly);
        const double top = reference.eigenvalues().maxCoeff();
        const CurvatureExtremes adam = preconditionedSharpness(
            model, cache, p.objective, unflattenLike(model.layers(), diagonal), 1e-12);
        QVERIFY(adam.ok());
        QVERIFY2(std::abs(adam.largest(0) - top) <= 1e-9 * std::abs(top),
                 qPrintable(QString("%1 vs %2").arg(adam.largest(0), 0, 'g', 17).arg(top, 0, 'g', 17)));
        // With P = c I it is the sharpness divided by c.
        const double c = 3.5;
        const CurvatureExtremes plain =
            curvatureExtremes(model, cache, p.objective, CurvatureMatrix::Hessian, 1, 0, 1e-12);
        const CurvatureExtremes uniform = preconditionedSharpness(
            model, cache, p.objective, unflattenLike(model.layers(), Eigen::VectorXd::Constant(h.rows(), c)),
            1e-12);
        QVERIFY(plain.ok() && uniform.ok());
        QVERIFY(std::abs(uniform.largest(0) - plain.largest(0) / c) <= 1e-10 * plain.largest(0));
        // Not positive, or not shaped like the parameters: refused.
        Eigen::VectorXd bad = diagonal;
        bad(0) = 0.0;
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            preconditionedSharpness(model, cache, p.objective, unflattenLike(model.layers(), bad)));
        LayerSet short_ = unflattenLike(model.layers(), diagonal);
        short_.pop_back();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 preconditionedSharpness(model, cache, p.objective, short_));
    }

    // Adam's step is theta -= lr P^-1 m with P from adamPreconditioner: checked on a few steps with
    // changing gradients by replaying the moments by hand; plain steps have no preconditioner.
    void adamPreconditionerIsTheOneItsStepDividesBy() {
        const Mlp model = randomModel(2, 4, 1, 2, Activation::Tanh, Parameterization::Ntk, 0.1, 6);
        LayerSet theta = model.layers();
        Optimizer adam(OptimizerKind::Adam, 0.01, 0.9, PenaltySettings{});
        QVERIFY(!adam.adamPreconditioner());
        const Eigen::Index size = model.parameterCount();
        Eigen::VectorXd m = Eigen::VectorXd::Zero(size);
        std::mt19937_64 rng(3);
        std::normal_distribution<double> normal(0.0, 1.0);
        for (int step = 1; step <= 4; ++step) {
            Eigen::VectorXd g(size);
            for (Eigen::Index i = 0; i < size; ++i)
                g(i) = normal(rng);
            const Eigen::VectorXd before = flatten(theta);
            adam.step(theta, unflattenLike(theta, g));
            m = Optimizer::adamBeta1 * m + (1.0 - Optimizer::adamBeta1) * g;
            const std::optional<LayerSet> p = adam.adamPreconditioner();
            QVERIFY(p.has_value());
            const Eigen::VectorXd expected = before - 0.01 * m.cwiseQuotient(flatten(*p));
            QVERIFY((flatten(theta) - expected).norm() <= 1e-14 * before.norm());
        }
        for (OptimizerKind kind : {OptimizerKind::Gd, OptimizerKind::Momentum}) {
            Optimizer plain(kind, 0.01, 0.9, PenaltySettings{});
            plain.step(theta, zerosLike(theta));
            QVERIFY(!plain.adamPreconditioner());
        }
    }

    void badRequestsAreRefused() {
        const Mlp model = randomModel(2, 3, 1, 1, Activation::Tanh, Parameterization::Ntk, 0.1, 1);
        const Problem p = problem(model, 5, LossKind::Mse, 1);
        const ForwardCache cache = model.forward(p.x);
        const Eigen::Index size = model.parameterCount();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 curvatureExtremes(model, cache, p.objective, CurvatureMatrix::Hessian, 0));
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            curvatureExtremes(model, cache, p.objective, CurvatureMatrix::Hessian, int(size) - 1, 1));
        LayerSet wrong = zerosLike(model.layers());
        wrong.pop_back();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 hessianVectorProduct(model, cache, p.objective, wrong));
        CurvatureObjective noTargets = p.objective;
        noTargets.targets = nullptr;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 hessianVectorProduct(model, cache, noTargets, zerosLike(model.layers())));
    }

    void cancelStopsTheSolve() {
        const Mlp model = randomModel(3, 16, 1, 2, Activation::Tanh, Parameterization::Ntk, 0.1, 2);
        const Problem p = problem(model, 20, LossKind::Mse, 2);
        const ForwardCache cache = model.forward(p.x);
        const std::atomic<bool> cancelled{true};
        QVERIFY_THROWS_EXCEPTION(
            Cancelled,
            curvatureExtremes(model, cache, p.objective, CurvatureMatrix::Hessian, 1, 0, 1e-10, &cancelled));
    }
};

QTEST_APPLESS_MAIN(HessianTest)
#include "test_hessian.moc"
