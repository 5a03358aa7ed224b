// The matrix-free NTK operator against the dense kernel it stands for: products, per-layer shares, the
// diagonal, top eigenpairs by Lanczos, and the eigenvalue density by stochastic Lanczos quadrature (against
// a matrix of known spectrum), for every activation and parameterization, one and two hidden
// layers, one and several outputs. References are independent: the dense layer-by-layer build and the
// explicit-Jacobian kernel (core/ntk.h), and a dense eigen-solve.
#include "ntk.h"
#include "ntk_operator.h"
#include "spectral_density.h"

#include "test_helpers.h"

#include <QtTest>
#include <algorithm>
#include <barrier>
#include <random>
#include <thread>

using namespace ntk;
using ntk::testing::randomModel;
using ntk::testing::randomPoints;

namespace {

double relativeError(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    return (a - b).norm() / std::max(b.norm(), 1e-300);
}

// The dense kernel of layer `l` alone, from the explicit per-output Jacobians: the columns of that layer's
// parameters (flatParameters order: each layer's W row-major, then b).
Eigen::MatrixXd explicitLayerKernel(const Mlp& model, const Eigen::MatrixXd& x, int l) {
    Eigen::Index offset = 0;
    for (int j = 0; j < l; ++j)
        offset += model.layers()[j].weight.size() + model.layers()[j].bias.size();
    const Eigen::Index count = model.layers()[l].weight.size() + model.layers()[l].bias.size();
    Eigen::MatrixXd kernel = Eigen::MatrixXd::Zero(x.rows(), x.rows());
    for (int k = 0; k < model.shape().outputs; ++k) {
        const Eigen::MatrixXd jacobian = explicitJacobian(model, x, k).middleCols(offset, count);
        kernel += jacobian * jacobian.transpose();
    }
    return kernel;
}

// Processes that split the samples, played by threads: sum() adds every shard's buffer in the same order
// on each (so all get identical bits, as MPI_Allreduce gives), gatherRows() stacks the shards' rows.
class ThreadShards {
public:
    explicit ThreadShards(std::vector<Eigen::Index> firstRows, Eigen::Index globalRows)
        : first_(std::move(firstRows))
        , globalRows_(globalRows)
        , barrier_(std::ptrdiff_t(first_.size()))
        , buffers_(first_.size())
        , locals_(first_.size()) {}

    ShardExchange exchange(int shard) {
        ShardExchange e;
        e.globalRows = globalRows_;
        e.firstRow = first_[std::size_t(shard)];
        e.sum = [this, shard](double* values, std::size_t count) {
            buffers_[std::size_t(shard)] = values;
            barrier_.arrive_and_wait();
            std::vector<double> total(count, 0.0);
            for (double* b : buffers_)
                for (std::size_t i = 0; i < count; ++i)
                    total[i] += b[i];
            barrier_.arrive_and_wait();
            std::copy(total.begin(), total.end(), values);
        };
        e.gatherRows = [this, shard](const Eigen::MatrixXd& local, Eigen::MatrixXd& global) {
            locals_[std::size_t(shard)] = &local;
            barrier_.arrive_and_wait();
            for (std::size_t q = 0; q < first_.size(); ++q)
                global.middleRows(first_[q], locals_[q]->rows()) = *locals_[q];
            barrier_.arrive_and_wait();
        };
        return e;
    }

private:
    std::vector<Eigen::Index> first_;
    Eigen::Index globalRows_;
    std::barrier<> barrier_;
    std::vector<double*> buffers_;
    std::vector<const Eigen::MatrixXd*> locals_;
};

} // namespace

class NtkOperatorTest : public QObject {
    Q_OBJECT

private slots:
    void productsEqualTheDenseKernel_data() {
        QTest::addColumn<int>("activation");
        QTest::addColumn<int>("parameterization");
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("outputs");
        QTest::addColumn<double>("sigmaB");
        for (Activation a : {Activation::Relu, Activation::Tanh, Activation::Erf, Activation::Gelu})
            for (Parameterization p : {Parameterization::Ntk, Parameterization::Standard})
                for (int depth : {1, 2})
                    QTest::addRow("%s %s depth %d", toString(a).data(), toString(p).data(), depth)
                        << int(a) << int(p) << depth << (depth == 1 ? 1 : 3) << (depth == 1 ? 0.0 : 0.3);
    }

    void productsEqualTheDenseKernel() {
        QFETCH(int, activation);
        QFETCH(int, parameterization);
        QFETCH(int, depth);
        QFETCH(int, outputs);
        QFETCH(double, sigmaB);
        const Eigen::MatrixXd x = randomPoints(37, 4, 11);
        const Mlp model = randomModel(4, 9, depth, outputs, Activation(activation),
                                      Parameterization(parameterization), sigmaB, 5);
        const Eigen::MatrixXd dense = empiricalNtk(model, x);
        QVERIFY(relativeError(dense, explicitJacobianNtk(model, x)) < 1e-10); // the reference holds
        const NtkOperator op(model, x);
        const Eigen::MatrixXd v = randomPoints(37, 5, 23);
        QVERIFY2(relativeError(op.apply(v), dense * v) < 1e-12, "Theta V");
        QCOMPARE(op.products(), 5LL);
        QVERIFY2(relativeError(op.diagonal(), dense.diagonal()) < 1e-12, "diagonal");
        // Layer by layer: each share against its own Jacobian columns, and the shares sum to Theta.
        Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(37, 5);
        Eigen::VectorXd diagonalSum = Eigen::VectorXd::Zero(37);
        for (int l = 0; l <= depth; ++l) {
            const Eigen::MatrixXd layer = explicitLayerKernel(model, x, l);
            const Eigen::MatrixXd share = op.applyLayer(l, v);
            QVERIFY2(relativeError(share, layer * v) < 1e-10, qPrintable(QString("layer %1").arg(l)));
            QVERIFY(relativeError(op.layerDiagonal(l), layer.diagonal()) < 1e-10);
            sum += share;
            diagonalSum += op.layerDiagonal(l);
        }
        QVERIFY(relativeError(sum, dense * v) < 1e-12);
        QVERIFY(relativeError(diagonalSum, dense.diagonal()) < 1e-12);
    }

    // Sample blocks and column chunks change how the sums are taken, not what they are: blocks of 7 rows
    // of 37 (the last one short), one column per chunk, against the dense kernel.
    void blocksAndChunksGiveTheSameProducts() {
        const Eigen::MatrixXd x = randomPoints(37, 4, 3);
        for (int depth : {1, 3}) {
            const Mlp model = randomModel(4, 6, depth, 3, Activation::Tanh, Parameterization::Ntk, 0.2, 8);
            const Eigen::MatrixXd dense = empiricalNtk(model, x);
            NtkOperatorOptions options;
            options.blockRows = 7;
            options.sumBudgetBytes = 1.0;
            const NtkOperator op(model, x, options);
            const Eigen::MatrixXd v = randomPoints(37, 4, 5);
            QVERIFY2(relativeError(op.apply(v), dense * v) < 1e-12,
                     qPrintable(QString("depth %1").arg(depth)));
            QVERIFY(relativeError(op.diagonal(), dense.diagonal()) < 1e-12);
            QVERIFY(relativeError(op.layerDiagonals().rowwise().sum(), dense.diagonal()) < 1e-12);
        }
    }

    // On request, one output's block Theta_k: against the dense per-output kernels, which sum to Theta.
    void perOutputBlocks() {
        const Eigen::MatrixXd x = randomPoints(25, 3, 13);
        for (int depth : {1, 2}) {
            const Mlp model =
                randomModel(3, 8, depth, 3, Activation::Relu, Parameterization::Standard, 0.3, 4);
            const std::vector<Eigen::MatrixXd> blocks = empiricalNtkPerOutput(model, model.forward(x));
            const Eigen::MatrixXd v = randomPoints(25, 3, 6);
            for (int k = 0; k < 3; ++k) {
                NtkOperatorOptions options;
                options.output = k;
                options.blockRows = 10;
                const NtkOperator op(model, x, options);
                QVERIFY2(relativeError(op.apply(v), blocks[std::size_t(k)] * v) < 1e-12,
                         qPrintable(QString("depth %1 output %2").arg(depth).arg(k)));
                QVERIFY(relativeError(op.diagonal(), blocks[std::size_t(k)].diagonal()) < 1e-12);
            }
            NtkOperatorOptions noSuchOutput;
            noSuchOutput.output = 3;
            QVERIFY_THROWS_EXCEPTION(std::invalid_argument, NtkOperator(model, x, noSuchOutput));
        }
    }

    // Each layer's own top eigenpairs by Lanczos on its share, against a dense solve of that layer's
    // kernel from its explicit Jacobian columns.
    void layerTopEigenpairs() {
        const Eigen::MatrixXd x = randomPoints(60, 3, 17);
        const Mlp model = randomModel(3, 12, 2, 2, Activation::Erf, Parameterization::Ntk, 0.1, 3);
        const NtkOperator op(model, x);
        for (int l = 0; l <= 2; ++l) {
            const Spectrum full = fullSpectrum(explicitLayerKernel(model, x, l));
            const MatrixFreeSpectrum top = topSpectrumMatrixFree(op, 4, 1e-11, l);
            QVERIFY(top.spectrum.ok());
            for (int i = 0; i < 4; ++i)
                QVERIFY2(std::abs(top.spectrum.eigenvalues(i) - full.eigenvalues(i)) <=
                             1e-9 * full.eigenvalues(0),
                         qPrintable(QString("layer %1 lambda_%2").arg(l).arg(i + 1)));
        }
    }

    // Samples split over three "processes" (threads with an exchange that sums and gathers as MPI would):
    // every shard sees the same products, diagonal and top eigenvalues as one process holding them all.
    void shardsAgreeWithOneProcess() {
        const Eigen::Index n = 90;
        const Eigen::MatrixXd x = randomPoints(int(n), 5, 21);
        const Mlp model = randomModel(5, 16, 2, 3, Activation::Gelu, Parameterization::Ntk, 0.1, 6);
        const NtkOperator whole(model, x);
        const Eigen::MatrixXd v = randomPoints(int(n), 3, 2);
        const Eigen::MatrixXd expectedProduct = whole.apply(v);
        const Eigen::VectorXd expectedDiagonal = whole.diagonal();
        const MatrixFreeSpectrum expectedTop = topSpectrumMatrixFree(whole, 5, 1e-12);
        QVERIFY(expectedTop.spectrum.ok());

        const std::vector<Eigen::Index> first{0, 31, 58}; // uneven shards
        ThreadShards shards(first, n);
        std::vector<Eigen::MatrixXd> product(3), diagonal(3), eigenvalues(3);
        std::vector<std::thread> threads;
        for (int r = 0; r < 3; ++r)
            threads.emplace_back([&, r] {
                const Eigen::Index end = r + 1 < 3 ? first[std::size_t(r) + 1] : n;
                const Eigen::MatrixXd mine = x.middleRows(first[std::size_t(r)], end - first[std::size_t(r)]);
                NtkOperatorOptions options;
                options.exchange = shards.exchange(r);
                options.blockRows = 8;
                const NtkOperator op(model, mine, options);
                product[std::size_t(r)] = op.apply(v);
                diagonal[std::size_t(r)] = op.diagonal();
                eigenvalues[std::size_t(r)] = topSpectrumMatrixFree(op, 5, 1e-12).spectrum.eigenvalues;
            });
        for (std::thread& t : threads)
            t.join();
        for (int r = 0; r < 3; ++r) {
            QCOMPARE(product[std::size_t(r)].rows(), n);
            QVERIFY(relativeError(product[std::size_t(r)], expectedProduct) < 1e-13);
            QVERIFY(relativeError(diagonal[std::size_t(r)], expectedDiagonal) < 1e-13);
            QCOMPARE(eigenvalues[std::size_t(r)].size(), 5);
            QVERIFY((eigenvalues[std::size_t(r)] - expectedTop.spectrum.eigenvalues).cwiseAbs().maxCoeff() <=
                    1e-10 * expectedTop.spectrum.eigenvalues(0));
        }
        // Every shard holds the same numbers, bit for bit.
        QCOMPARE(product[1], product[0]);
        QCOMPARE(eigenvalues[2], eigenvalues[0]);
    }

    void topEigenpairsMatchTheDenseSolve() {
        const Eigen::MatrixXd x = randomPoints(120, 3, 7);
        const Mlp model = randomModel(3, 32, 2, 2, Activation::Tanh, Parameterization::Ntk, 0.1, 9);
        const NtkOperator op(model, x);
        const MatrixFreeSpectrum top = topSpectrumMatrixFree(op, 6, 1e-11);
        QVERIFY(top.spectrum.ok());
        const Spectrum full = fullSpectrum(empiricalNtk(model, x));
        QVERIFY(full.ok());
        for (int i = 0; i < 6; ++i) {
            const double expected = full.eigenvalues(i);
            QVERIFY2(std::abs(top.spectrum.eigenvalues(i) - expected) <= 1e-9 * full.eigenvalues(0),
                     qPrintable(QString("lambda_%1: %2 vs %3")
                                    .arg(i + 1)
                                    .arg(top.spectrum.eigenvalues(i))
                                    .arg(expected)));
            QVERIFY(top.residuals(i) < 1e-6);
        }
        QVERIFY(top.products > 6);
        // Residuals are those of the operator: recompute one independently with the dense kernel.
        const Eigen::MatrixXd dense = empiricalNtk(model, x);
        const Eigen::VectorXd v = top.spectrum.eigenvectors.col(0);
        const double lambda = top.spectrum.eigenvalues(0);
        QVERIFY(std::abs((dense * v - lambda * v).norm() / lambda - top.residuals(0)) < 1e-9);
    }

    void lanczosResidualsAreThoseOfTheOperator() {
        // The residuals come from the Lanczos relation, not from k more products: each must be the
        // measured |Theta v - lambda v| / lambda, to round-off relative to lambda_max.
        const Eigen::MatrixXd x = randomPoints(400, 5, 11);
        const Mlp model = randomModel(5, 48, 1, 3, Activation::Relu, Parameterization::Ntk, 0.1, 4);
        const NtkOperator op(model, x);
        for (double tolerance : {1e-6, 1e-10}) {
            const MatrixFreeSpectrum top = topSpectrumMatrixFree(op, 12, tolerance);
            QVERIFY(top.spectrum.ok());
            QVERIFY(!top.residualsMeasured);
            const Eigen::MatrixXd& vectors = top.spectrum.eigenvectors;
            const Eigen::VectorXd& values = top.spectrum.eigenvalues;
            const Eigen::VectorXd measured =
                (op.apply(vectors) - vectors * values.asDiagonal()).colwise().norm().transpose();
            for (Eigen::Index i = 0; i < values.size(); ++i) {
                QVERIFY2(std::abs(top.residuals(i) * values(i) - measured(i)) <= 1e-12 * values(0),
                         qPrintable(QString("pair %1: Lanczos residual %2, measured %3")
                                        .arg(i + 1)
                                        .arg(top.residuals(i) * values(i))
                                        .arg(measured(i))));
                QVERIFY(top.residuals(i) <= tolerance);
            }
        }
    }

    void residualsThatDoNotHoldAreMeasured() {
        // An operator that Lanczos sees as A (one vector at a time) but that is A + E on blocks, as the
        // check multiplies: the Lanczos residuals do not describe it, so each pair must be measured.
        const int n = 200;
        const Eigen::MatrixXd basis =
            Eigen::HouseholderQR<Eigen::MatrixXd>(randomPoints(n, n, 5)).householderQ();
        const Eigen::VectorXd lambda = Eigen::VectorXd::LinSpaced(n, 1.0, 100.0);
        const Eigen::MatrixXd a = basis * lambda.asDiagonal() * basis.transpose();
        const Eigen::MatrixXd e = 1e-3 * Eigen::MatrixXd::Identity(n, n);
        const auto product = [&](const Eigen::MatrixXd& v) -> Eigen::MatrixXd {
            return v.cols() == 1 ? Eigen::MatrixXd(a * v) : Eigen::MatrixXd((a + e) * v);
        };
        const MatrixFreeSpectrum top = topEigenpairs(product, n, 5, 1e-10);
        QVERIFY(top.residualsMeasured);
        for (Eigen::Index i = 0; i < 5; ++i)
            QVERIFY(std::abs(top.residuals(i) * top.spectrum.eigenvalues(i) - 1e-3) < 1e-9);
    }

    void densityFollowsAKnownSpectrum() {
        // Eigenvalues spread over six decades, in a random basis.
        const int n = 300;
        const Eigen::VectorXd lambda =
            Eigen::VectorXd::LinSpaced(n, -4.0, 2.0).unaryExpr([](double e) { return std::pow(10.0, e); });
        const Eigen::HouseholderQR<Eigen::MatrixXd> qr(randomPoints(n, n, 3));
        const Eigen::MatrixXd basis = qr.householderQ();
        const Eigen::MatrixXd a = basis * lambda.asDiagonal() * basis.transpose();
        DensityOptions options;
        options.probes = 30;
        options.steps = 60;
        const SpectralDensity slq =
            spectralDensity([&](const Eigen::MatrixXd& v) { return a * v; }, n, options);
        QCOMPARE(slq.products, 30LL * 60);
        // Moments: per probe, m Lanczos steps integrate polynomials up to degree 2m - 1 exactly, so
        // n sum_j tau_j theta_j^p is z^T A^p z, an unbiased estimate of trace(A^p).
        for (int power : {2, 3}) {
            const Eigen::RowVectorXd perProbe =
                double(n) *
                slq.quadrature.weights.cwiseProduct(slq.quadrature.nodes.array().pow(power).matrix())
                    .colwise()
                    .sum();
            const double mean = perProbe.mean();
            const double se =
                std::sqrt((perProbe.array() - mean).square().sum() / (options.probes - 1) / options.probes);
            const double exact = lambda.array().pow(power).sum();
            QVERIFY2(std::abs(mean - exact) < 4 * se,
                     qPrintable(
                         QString("trace of A^%1: %2 vs %3 (se %4)").arg(power).arg(mean).arg(exact).arg(se)));
        }
        // The distribution function where the nodes are dense enough to resolve it (Lanczos places them
        // about evenly on a linear scale: the top two decades here), the share of eigenvalues below t.
        for (double t : {3.0, 10.0, 30.0, 60.0}) {
            const double exact = (lambda.array() < t).cast<double>().mean();
            const double estimated =
                (slq.quadrature.weights.array() * (slq.quadrature.nodes.array() < t).cast<double>()).sum() /
                options.probes;
            QVERIFY2(
                std::abs(estimated - exact) < 0.05,
                qPrintable(QString("below %1: %2 estimated, %3 exact").arg(t).arg(estimated).arg(exact)));
        }
        // Every eigenvalue is positive: the density integrates to one.
        const double step = slq.log10Lambda(1) - slq.log10Lambda(0);
        QVERIFY(std::abs(slq.density.sum() * step - 1.0) < 0.02);
        // Flat in log10 lambda (one sixth of the eigenvalues per decade) over the resolved top decades.
        for (Eigen::Index i = 0; i < slq.log10Lambda.size(); ++i)
            if (slq.log10Lambda(i) > 0.5 && slq.log10Lambda(i) < 1.8)
                QVERIFY2(
                    std::abs(slq.density(i) - 1.0 / 6.0) < 0.05 + 3 * slq.standardError(i),
                    qPrintable(QString("density %1 at 10^%2").arg(slq.density(i)).arg(slq.log10Lambda(i))));
        QVERIFY(slq.traceStandardError > 0);
        QVERIFY(std::abs(slq.traceEstimate - lambda.sum()) < 4 * slq.traceStandardError);
        // Read as a spectrum, the density counts the eigenvalues above each level: against the exact count
        // over the resolved top decades (smoothing blurs a count by about n/6 per decade * 0.05 decades).
        const Eigen::VectorXd above = eigenvaluesAtOrAbove(slq, n, options.smoothing);
        QCOMPARE(above.size(), slq.log10Lambda.size());
        QVERIFY2(std::abs(above(0) - n) < 2e-3 * n, // the grid starts 3 smoothing widths below the least node
                 qPrintable(QString("%1 at the bottom").arg(above(0))));
        for (Eigen::Index g = 1; g < above.size(); ++g)
            QVERIFY(above(g) <= above(g - 1) + 1e-9);
        for (Eigen::Index g = 0; g < above.size(); ++g) {
            const double level = std::pow(10.0, slq.log10Lambda(g));
            if (level < 3.0)
                continue;
            const double exact = (lambda.array() >= level).cast<double>().sum();
            QVERIFY2(
                std::abs(above(g) - exact) < 0.05 * n,
                qPrintable(
                    QString("%1 estimated at or above %2, %3 exact").arg(above(g)).arg(level).arg(exact)));
        }
    }

    void densityOfAnNtkByItsOperator() {
        const Eigen::MatrixXd x = randomPoints(200, 3, 4);
        const Mlp model = randomModel(3, 24, 2, 2, Activation::Relu, Parameterization::Ntk, 0.1, 2);
        const NtkOperator op(model, x);
        DensityOptions options;
        options.probes = 12;
        options.steps = 40;
        const SpectralDensity slq =
            spectralDensity([&](const Eigen::MatrixXd& v) { return op.apply(v); }, op.rows(), options);
        const double exactTrace = op.diagonal().sum();
        QVERIFY2(std::abs(slq.traceEstimate - exactTrace) < 4 * slq.traceStandardError,
                 qPrintable(QString("%1 vs %2 (se %3)")
                                .arg(slq.traceEstimate)
                                .arg(exactTrace)
                                .arg(slq.traceStandardError)));
        // The largest node is the top eigenvalue (Lanczos finds the extremes first).
        const Spectrum full = fullSpectrum(empiricalNtk(model, x));
        QVERIFY(std::abs(slq.quadrature.nodes.maxCoeff() - full.eigenvalues(0)) < 1e-8 * full.eigenvalues(0));
        QCOMPARE(slq.quadrature.weights.colwise().sum().minCoeff() > 1.0 - 1e-10, true);
    }

    // The accuracy target: at n = 3000 the quadrature's distribution of log10 lambda is within 0.05
    // of the exact eigenvalues' in Wasserstein-1 distance, the area between the two distribution functions
    // (the measure SLQ estimates, before the smoothing that only serves drawing).
    void densityIsCloseToAnNtkSpectrumInWasserstein() {
        const int n = 3000;
        const Eigen::MatrixXd x = randomPoints(n, 20, 8);
        const Mlp model =
            randomModel(20, 256, 1, 2, Activation::Relu, Parameterization::Ntk, 0.1, 3); // P > n
        // The dense kernel as the product: the operator equals it to 1e-12 (tests above), and a GEMM keeps
        // this test's 1,200 products cheap.
        const Eigen::MatrixXd kernel = empiricalNtk(model, x);
        DensityOptions options;
        // Steps set the resolution at the small end of the spectrum's 5 decades; measured on this kernel
        // with 10 probes: 60 steps 0.085, 100 steps 0.046, 120 steps 0.038, 150 steps 0.030.
        options.probes = 10;
        options.steps = 120;
        const SpectralDensity slq = spectralDensity(
            [&](const Eigen::MatrixXd& v) { return Eigen::MatrixXd(kernel * v); }, n, options);
        const Eigen::VectorXd exact = fullSpectrum(kernel).eigenvalues;
        QVERIFY2(exact.minCoeff() > 1e-10 * exact.maxCoeff(), "the reference has no round-off zeros");
        // Both distribution functions on one fine grid of log10 lambda spanning every node and eigenvalue.
        std::vector<double> exactLogs;
        for (double v : exact)
            exactLogs.push_back(std::log10(v));
        std::sort(exactLogs.begin(), exactLogs.end());
        std::vector<std::pair<double, double>> nodes; // (log10 theta, weight / probes)
        for (Eigen::Index p = 0; p < slq.quadrature.nodes.cols(); ++p)
            for (Eigen::Index j = 0; j < slq.quadrature.nodes.rows(); ++j)
                if (slq.quadrature.nodes(j, p) > 0)
                    nodes.emplace_back(std::log10(slq.quadrature.nodes(j, p)),
                                       slq.quadrature.weights(j, p) / double(slq.quadrature.nodes.cols()));
        std::sort(nodes.begin(), nodes.end());
        const double low = std::min(exactLogs.front(), nodes.front().first) - 0.1,
                     high = std::max(exactLogs.back(), nodes.back().first) + 0.1;
        const int steps = 20000;
        const double dx = (high - low) / steps;
        double distance = 0.0, cdfNodes = 0.0;
        std::size_t e = 0, q = 0;
        for (int i = 0; i < steps; ++i) {
            const double at = low + (i + 0.5) * dx;
            while (e < exactLogs.size() && exactLogs[e] <= at)
                ++e;
            while (q < nodes.size() && nodes[q].first <= at)
                cdfNodes += nodes[q++].second;
            distance += std::abs(double(e) / n - cdfNodes) * dx;
        }
        qInfo("W1 in log10 lambda: %.4f over %.1f decades", distance, exactLogs.back() - exactLogs.front());
        QVERIFY2(distance <= 0.05, qPrintable(QString("Wasserstein-1 distance %1").arg(distance)));
    }

    void badRequestsAreRefused() {
        const Eigen::MatrixXd x = randomPoints(10, 2, 1);
        const Mlp model = randomModel(2, 4, 1, 1, Activation::Relu, Parameterization::Ntk, 0.0, 1);
        const NtkOperator op(model, x);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, op.apply(Eigen::MatrixXd::Ones(9, 1)));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, op.applyLayer(2, Eigen::MatrixXd::Ones(10, 1)));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, topSpectrumMatrixFree(op, 10));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, topSpectrumMatrixFree(op, 0));
        DensityOptions oneProbe;
        oneProbe.probes = 1;
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            spectralDensity([&](const Eigen::MatrixXd& v) { return op.apply(v); }, 10, oneProbe));
    }

    void cancelStopsAProduct() {
        const Eigen::MatrixXd x = randomPoints(10, 2, 1);
        const Mlp model = randomModel(2, 4, 2, 1, Activation::Relu, Parameterization::Ntk, 0.0, 1);
        std::atomic<bool> cancel{true};
        const NtkOperator op(model, x, &cancel);
        QVERIFY_THROWS_EXCEPTION(Cancelled, op.apply(Eigen::MatrixXd::Ones(10, 1)));
    }
};

QTEST_APPLESS_MAIN(NtkOperatorTest)
#include "test_ntk_operator.moc"
