#include "ntk_operator.h"

#include "statistics.h"

#include <Spectra/SymEigsSolver.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace ntk {
namespace {

// Spectra's solvers call perform_op one vector at a time, through a non-const reference.
struct SpectraProduct {
    using Scalar = double;
    const SymmetricProduct& product;
    Eigen::Index n;
    long long& columns;
    Eigen::Index rows() const { return n; }
    Eigen::Index cols() const { return n; }
    void perform_op(const double* x, double* y) const {
        const Eigen::MatrixXd in = Eigen::Map<const Eigen::VectorXd>(x, n);
        Eigen::Map<Eigen::VectorXd>(y, n) = product(in).col(0);
        ++columns;
    }
};

// Spectra's Lanczos solver with the residual norms it converged on: by the Lanczos relation
// A V = V H + f e_m^T, a Ritz pair (theta, V y) of the tridiagonal H has |A V y - theta V y| = |f| |e_m^T y|
// (Spectra's "Ritz estimates"; its full re-orthogonalization holds the relation to round-off). Spectra 1.0.1
// keeps those private, but the factorization it stopped on is in view: H's top k eigenpairs again, with
// the Ritz values that go with them, to match against the solver's own.
class LanczosWithResiduals : public Spectra::SymEigsSolver<SpectraProduct> {
public:
    using Spectra::SymEigsSolver<SpectraProduct>::SymEigsSolver;
    struct Estimates {
        Eigen::VectorXd values, residualNorms; // descending
    };
    Estimates estimates() const {
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> small(Eigen::MatrixXd(m_fac.matrix_H()));
        const Eigen::Index m = small.eigenvalues().size(), k = std::min<Eigen::Index>(m_nev, m);
        Estimates out;
        out.values = small.eigenvalues().tail(k).reverse();
        out.residualNorms =
            small.eigenvectors().row(m - 1).tail(k).reverse().transpose().cwiseAbs() * m_fac.f_norm();
        return out;
    }
};

// Random combinations the Lanczos residuals are checked on (each costs one product).
constexpr Eigen::Index residualCheckColumns = 2;

double square(double s) {
    return s * s;
}

constexpr double defaultBlockBytes = 32.0 * 1024 * 1024;
constexpr double defaultSumBudgetBytes = 64.0 * 1024 * 1024;

} // namespace

NtkOperator::NtkOperator(const Mlp& model, const Eigen::MatrixXd& x, CancelFlag cancel)
    : NtkOperator(model, x, [cancel] {
        NtkOperatorOptions options;
        options.cancel = cancel;
        return options;
    }()) {}

NtkOperator::NtkOperator(const Mlp& model, const Eigen::MatrixXd& x, NtkOperatorOptions options)
    : model_(model)
    , ownCache_(model.forward(x))
    , cache_(ownCache_)
    , options_(std::move(options))
    , localRows_(x.rows()) {
    setUp();
}

NtkOperator::NtkOperator(const Mlp& model, const ForwardCache& cache, NtkOperatorOptions options)
    : model_(model)
    , cache_(cache)
    , options_(std::move(options))
    , localRows_(cache.inputCount() > 0 ? cache.input(0).rows() : 0) {
    if (cache.inputCount() != model.shape().layerCount() || int(cache.slopes.size()) != model.shape().depth)
        throw std::invalid_argument("NtkOperator: the forward pass does not belong to this model");
    setUp();
}

void NtkOperator::setUp() {
    const Mlp& model = model_;
    const MlpShape& shape = model.shape();
    if (options_.output >= shape.outputs)
        throw std::invalid_argument("NtkOperator: no output " + std::to_string(options_.output) + " of " +
                                    std::to_string(shape.outputs));
    const ShardExchange& exchange = options_.exchange;
    globalRows_ = exchange.sharded() ? exchange.globalRows : localRows_;
    if (exchange.sharded() &&
        (!exchange.gatherRows || exchange.firstRow < 0 || exchange.firstRow + localRows_ > globalRows_))
        throw std::invalid_argument("NtkOperator: the shard's rows do not lie inside the data set");
    // A block's signals and their products (about four block x width matrices) take defaultBlockBytes.
    const double perRow = 4.0 * double(sizeof(double)) * double(std::max(shape.width, shape.outputs));
    blockRows_ = options_.blockRows > 0
                     ? options_.blockRows
                     : std::max<Eigen::Index>(256, Eigen::Index(defaultBlockBytes / perRow));
    blockRows_ = std::max<Eigen::Index>(1, std::min(blockRows_, localRows_));
    const int depth = shape.depth;
    const Eigen::MatrixXd& top = model.layers()[depth].weight; // outputs x width
    const double cw = model.weightScale(depth);
    topScale_ = options_.output < 0 ? Eigen::RowVectorXd(cw * top.colwise().norm())
                                    : Eigen::RowVectorXd(cw * top.row(options_.output));
}

Eigen::MatrixXd NtkOperator::localPart(const Eigen::MatrixXd& global) const {
    if (global.rows() != globalRows_)
        throw std::invalid_argument("NtkOperator: the vectors have " + std::to_string(global.rows()) +
                                    " rows, the kernel " + std::to_string(globalRows_));
    return global.middleRows(options_.exchange.firstRow, localRows_);
}

Eigen::MatrixXd NtkOperator::gathered(const Eigen::MatrixXd& local) const {
    if (!options_.exchange.sharded())
        return local;
    Eigen::MatrixXd global(globalRows_, local.cols());
    options_.exchange.gatherRows(local, global);
    return global;
}

Eigen::MatrixXd NtkOperator::apply(const Eigen::MatrixXd& v) const {
    return applyLayer(-1, v);
}

Eigen::MatrixXd NtkOperator::applyLayer(int layer, const Eigen::MatrixXd& v) const {
    if (layer > model_.shape().depth)
        throw std::invalid_argument("NtkOperator: no layer " + std::to_string(layer));
    const auto start = std::chrono::steady_clock::now();
    Eigen::MatrixXd out = gathered(applyLocal(layer, localPart(v)));
    products_ += v.cols();
    productSeconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

Eigen::MatrixXd NtkOperator::applyLocal(int only, const Eigen::MatrixXd& v) const {
    Eigen::MatrixXd out = Eigen::MatrixXd::Zero(localRows_, v.cols());
    addGroup(Group::Top, options_.output, only, v, out);
    if (model_.shape().depth >= 2) {
        if (options_.output >= 0)
            addGroup(Group::Deep, options_.output, only, v, out);
        else
            for (int k = 0; k < model_.shape().outputs; ++k)
                addGroup(Group::Deep, k, only, v, out);
    }
    return out;
}

template <class Visit>
void NtkOperator::walkSignals(Group group, int output, int lowest, Eigen::Index first, Eigen::Index count,
                              Visit&& visit) const {
    const int depth = model_.shape().depth;
    const auto slope = [&](int l) { return cache_.slopes[std::size_t(l)].middleRows(first, count); };
    if (group == Group::Top) {
        // D_{depth-1} with the outputs' shared slopes (traced) or output k's own weights: an expression,
        // never formed, which each use fuses into its own pass over the slopes (at n = 60,000 forming it
        // twice per product cost 7 % of the product's time).
        visit(depth - 1, (slope(depth - 1).array().rowwise() * topScale_.array()).matrix());
        return;
    }
    // D_{l,k} = c_w(l+1) (D_{l+1,k} W_{l+1}) o phi'(z_l), from D_{depth-1,k} = S o c_w W_depth[k, :].
    const double cwTop = model_.weightScale(depth);
    Eigen::MatrixXd signals =
        slope(depth - 1).array().rowwise() * (cwTop * model_.layers()[depth].weight.row(output)).array();
    Eigen::MatrixXd back;
    for (int l = depth - 2; l >= lowest; --l) {
        back.noalias() = model_.weightScale(l + 1) * (signals * model_.layers()[l + 1].weight);
        signals = back.cwiseProduct(slope(l));
        visit(l, signals);
    }
}

void NtkOperator::addGroup(Group group, int output, int only, const Eigen::MatrixXd& v,
                           Eigen::MatrixXd& out) const {
    const MlpShape& shape = model_.shape();
    const int depth = shape.depth;
    const double cb2 = square(model_.biasScale());
    // The layers this group contributes: the output layer and the one below it, or the ones below those.
    const int highest = group == Group::Top ? depth : depth - 2;
    const int lowestHidden = group == Group::Top ? depth - 1 : 0;
    std::vector<int> hidden; // wanted hidden layers of the group, top down
    for (int l = std::min(highest, depth - 1); l >= lowestHidden; --l)
        if (wanted(only, l))
            hidden.push_back(l);
    const bool outputLayer = group == Group::Top && wanted(only, depth);
    if (hidden.empty() && !outputLayer)
        return;
    const int walkTo = hidden.empty() ? depth - 1 : hidden.back();
    // d_i = e_k on the output layer: each output adds that layer's input kernel once.
    const double outputFactor = options_.output < 0 ? double(shape.outputs) : 1.0;

    // Doubles of parameter-sized sums per column: M (fan_out x fan_in) and b (fan_out) per hidden layer,
    // A^T v and 1^T v for the output layer.
    double perColumn = outputLayer ? double(shape.fanIn(depth) + 1) : 0.0;
    for (int l : hidden)
        perColumn += double(shape.fanOut(l)) * double(shape.fanIn(l) + 1);
    const double budget = options_.sumBudgetBytes > 0 ? options_.sumBudgetBytes : defaultSumBudgetBytes;
    const Eigen::Index chunk = std::clamp<Eigen::Index>(
        Eigen::Index(budget / (double(sizeof(double)) * perColumn)), 1, std::max<Eigen::Index>(1, v.cols()));

    // Columns of one chunk share each GEMM: their scaled signals stand side by side, so the layer inputs
    // are read once per block for all of them. Blocks shrink as chunks widen, to hold the stacked signals
    // near the same memory as a block's signals.
    int widest = 1;
    for (int l : hidden)
        widest = std::max(widest, shape.fanOut(l));

    for (Eigen::Index c0 = 0; c0 < v.cols(); c0 += chunk) {
        const Eigen::Index m = std::min(chunk, v.cols() - c0);
        const auto columns = v.middleCols(c0, m);
        const Eigen::Index rowsPerBlock =
            options_.blockRows > 0
                ? blockRows_
                : std::clamp<Eigen::Index>(
                      Eigen::Index(defaultBlockBytes / (double(sizeof(double)) * double(widest) * double(m))),
                      std::min<Eigen::Index>(256, blockRows_), blockRows_);
        // One buffer for every sum of this chunk, so that the processes add them up in one exchange:
        // the output layer's A^T V and 1^T V, then per wanted hidden layer M (the columns' M_c stacked,
        // (fan_out m) x fan_in) and b (fan_out x m).
        std::size_t size = outputLayer ? std::size_t(shape.fanIn(depth) + 1) * std::size_t(m) : 0;
        std::vector<std::size_t> offset;
        for (int l : hidden) {
            offset.push_back(size);
            size += std::size_t(shape.fanOut(l)) * std::size_t(shape.fanIn(l) + 1) * std::size_t(m);
        }
        Eigen::VectorXd& sums = scratch_.sums;
        sums.setZero(Eigen::Index(size));
        const auto outputSums = [&] {
            return Eigen::Map<Eigen::MatrixXd>(sums.data(), shape.fanIn(depth) + 1, m);
        };
        const auto position = [&](int l) {
            return std::size_t(std::find(hidden.begin(), hidden.end(), l) - hidden.begin());
        };
        const auto weightSums = [&](int l) {
            return Eigen::Map<Eigen::MatrixXd>(sums.data() + offset[position(l)], shape.fanOut(l) * m,
                                               shape.fanIn(l));
        };
        const auto biasSums = [&](int l) {
            const std::size_t at = offset[position(l)] + std::size_t(m) * std::size_t(shape.fanOut(l)) *
                                                             std::size_t(shape.fanIn(l));
            return Eigen::Map<Eigen::MatrixXd>(sums.data() + at, shape.fanOut(l), m);
        };
        const auto isHidden = [&](int l) { return position(l) < hidden.size(); };

        // Pass 1: M_c = D^T diag(v_c) A and b = D^T V over this process's samples, block by block.
        Eigen::MatrixXd& stacked = scratch_.stacked;
        for (Eigen::Index first = 0; first < localRows_; first += rowsPerBlock) {
            throwIfCancelled(options_.cancel);
            const Eigen::Index count = std::min(rowsPerBlock, localRows_ - first);
            const auto vBlock = columns.middleRows(first, count);
            if (outputLayer) {
                auto s = outputSums();
                s.topRows(shape.fanIn(depth)).noalias() +=
                    cache_.input(depth).middleRows(first, count).transpose() * vBlock;
                s.row(shape.fanIn(depth)) += vBlock.colwise().sum();
            }
            if (hidden.empty())
                continue;
            walkSignals(group, output, walkTo, first, count, [&](int l, const auto& signals) {
                if (!isHidden(l))
                    return;
                const Eigen::Index fo = signals.cols();
                stacked.resize(count, fo * m);
                for (Eigen::Index c = 0; c < m; ++c) {
                    stacked.middleCols(c * fo, fo) = signals.array().colwise() * vBlock.col(c).array();
                    // b_c = D^T v_c, the column sums of the scaled signals just formed.
                    biasSums(l).col(c) += stacked.middleCols(c * fo, fo).colwise().sum().transpose();
                }
                weightSums(l).noalias() += stacked.transpose() * cache_.input(l).middleRows(first, count);
            });
        }
        if (options_.exchange.sharded())
            options_.exchange.sum(sums.data(), sums.size());

        // Pass 2: (Theta v_c)_i = c_w^2 d_i^T M_c a_i + c_b^2 d_i^T b_c for each of this process's samples.
        Eigen::MatrixXd& projected = scratch_.projected;
        for (Eigen::Index first = 0; first < localRows_; first += rowsPerBlock) {
            throwIfCancelled(options_.cancel);
            const Eigen::Index count = std::min(rowsPerBlock, localRows_ - first);
            auto outBlock = out.block(first, c0, count, m);
            if (outputLayer) {
                const auto s = outputSums();
                const double cw2 = square(model_.weightScale(depth));
                Eigen::MatrixXd share =
                    cw2 * (cache_.input(depth).middleRows(first, count) * s.topRows(shape.fanIn(depth)));
                share.rowwise() += cb2 * s.row(shape.fanIn(depth));
                outBlock += outputFactor * share;
            }
            if (hidden.empty())
                continue;
            walkSignals(group, output, walkTo, first, count, [&](int l, const auto& signals) {
                if (!isHidden(l))
                    return;
                const Eigen::Index fo = signals.cols();
                const double cw2 = square(model_.weightScale(l));
                projected.noalias() = cache_.input(l).middleRows(first, count) * weightSums(l).transpose();
                // Row i: d_i^T (c_w^2 M_c a_i + c_b^2 b_c), in one pass over the block.
                for (Eigen::Index c = 0; c < m; ++c)
                    outBlock.col(c) += ((cw2 * projected.middleCols(c * fo, fo)).array().rowwise() +
                                        (cb2 * biasSums(l).col(c)).transpose().array())
                                           .cwiseProduct(signals.array())
                                           .rowwise()
                                           .sum()
                                           .matrix();
            });
        }
    }
}

Eigen::MatrixXd NtkOperator::layerDiagonals() const {
    const MlpShape& shape = model_.shape();
    const int depth = shape.depth;
    const double cb2 = square(model_.biasScale());
    const double outputFactor = options_.output < 0 ? double(shape.outputs) : 1.0;
    Eigen::MatrixXd local = Eigen::MatrixXd::Zero(localRows_, shape.layerCount());
    const auto inputNorm = [&](int l, Eigen::Index first, Eigen::Index count) {
        return Eigen::ArrayXd(square(model_.weightScale(l)) *
                                  cache_.input(l).middleRows(first, count).rowwise().squaredNorm().array() +
                              cb2);
    };
    for (Eigen::Index first = 0; first < localRows_; first += blockRows_) {
        throwIfCancelled(options_.cancel);
        const Eigen::Index count = std::min(blockRows_, localRows_ - first);
        local.col(depth).segment(first, count) = outputFactor * inputNorm(depth, first, count).matrix();
        const auto add = [&](int l, const auto& signals) {
            local.col(l).segment(first, count).array() +=
                signals.rowwise().squaredNorm().array() * inputNorm(l, first, count);
        };
        walkSignals(Group::Top, options_.output, depth - 1, first, count, add);
        if (depth >= 2) {
            if (options_.output >= 0)
                walkSignals(Group::Deep, options_.output, 0, first, count, add);
            else
                for (int k = 0; k < shape.outputs; ++k)
                    walkSignals(Group::Deep, k, 0, first, count, add);
        }
    }
    return gathered(local);
}

Eigen::VectorXd NtkOperator::diagonal() const {
    return layerDiagonals().rowwise().sum();
}

Eigen::VectorXd NtkOperator::layerDiagonal(int layer) const {
    if (layer > model_.shape().depth)
        throw std::invalid_argument("NtkOperator: no layer " + std::to_string(layer));
    return layer < 0 ? diagonal() : Eigen::VectorXd(layerDiagonals().col(layer));
}

void NtkOperator::perform_op(const double* x, double* y) const {
    const Eigen::MatrixXd in = Eigen::Map<const Eigen::VectorXd>(x, globalRows_);
    Eigen::Map<Eigen::VectorXd>(y, globalRows_) = apply(in).col(0);
}

double NtkOperator::flopsPerColumn() const {
    const MlpShape& shape = model_.shape();
    const double n = double(globalRows_);
    const int depth = shape.depth;
    const double groups = options_.output < 0 ? double(shape.outputs) : 1.0;
    // Output layer: A^T v and A (A^T v). Each hidden layer in a group: M and b, then A M^T, its row sums
    // with D, and D b: 4 n fan_out fan_in + 4 n fan_out. Deep groups also walk their signals twice.
    double flops = 4.0 * n * shape.fanIn(depth);
    const auto layerFlops = [&](int l) { return 4.0 * n * shape.fanOut(l) * (shape.fanIn(l) + 1.0); };
    flops += layerFlops(depth - 1);
    for (int l = 0; l <= depth - 2; ++l)
        flops += groups * (layerFlops(l) + 2.0 * 2.0 * n * shape.width * shape.width);
    return flops;
}

MatrixFreeSpectrum topEigenpairs(const SymmetricProduct& product, Eigen::Index n, int k, double tolerance,
                                 CancelFlag cancel) {
    if (k < 1 || k >= n)
        throw std::invalid_argument("topEigenpairs: k = " + std::to_string(k) +
                                    " for n = " + std::to_string(n) + " (1 <= k < n)");
    MatrixFreeSpectrum result;
    result.spectrum.status = SpectrumStatus::NotConverged;
    const Eigen::Index ncv = std::min<Eigen::Index>(n, std::max<Eigen::Index>(2 * Eigen::Index(k) + 1, 20));
    long long columns = 0;
    SpectraProduct spectraProduct{product, n, columns};
    Eigen::VectorXd values, estimated;
    Eigen::MatrixXd vectors;
    try {
        // Scoped: its Krylov basis (n x ncv, 31 MB at n = 60,000) is gone before the check's products.
        LanczosWithResiduals solver(spectraProduct, k, ncv);
        solver.init();
        solver.compute(Spectra::SortRule::LargestAlge, 1000, tolerance);
        if (solver.info() == Spectra::CompInfo::Successful) {
            values = solver.eigenvalues(); // descending for LargestAlge
            vectors = solver.eigenvectors();
            const auto fromLanczos = solver.estimates();
            // The same Ritz values, or the estimates belong to something else: then each pair is measured.
            if (fromLanczos.values.size() == values.size() &&
                (fromLanczos.values - values).cwiseAbs().maxCoeff() <= 1e-12 * std::abs(values(0)))
                estimated = fromLanczos.residualNorms;
        }
    } catch (const Cancelled&) {
        throw;
    } catch (const std::runtime_error&) {
        // Spectra 1.0.1 can throw from its tridiagonal solve on a rank-deficient operator: not converged.
    }
    throwIfCancelled(cancel);
    if (values.size() != k || vectors.cols() != k) {
        result.products = columns;
        return result;
    }
    // A pair counts when |A v - lambda v| <= 1e-6 lambda_max: Spectra 1.0.1 can report lost directions of
    // a rank-deficient kernel as converged (core/spectrum.cpp), and no dense solve is there to fall back on.
    const double accepted = 1e-6 * std::abs(values(0));
    // The residuals come from the Lanczos relation, checked against the operator on a few random
    // combinations of the pairs: if every estimate holds, |A V c - V diag(lambda) c| <= sum_j |c_j| r_j
    // (up to round-off), and a pair that is not an eigenpair breaks that bound unless the residuals of
    // the pairs cancel, in both combinations. That costs two products instead of k; if the bound fails,
    // each pair is measured.
    Eigen::VectorXd residualNorms = estimated;
    bool estimatesHold = values(0) > 0 && estimated.size() == k && estimated.allFinite();
    if (estimatesHold) {
        const Eigen::MatrixXd mix = rademacherMatrix(k, residualCheckColumns, 0x5eed);
        const Eigen::MatrixXd mixedResidual = product(vectors * mix) - vectors * (values.asDiagonal() * mix);
        columns += mix.cols();
        const double roundOff = 1e-10 * std::abs(values(0));
        for (Eigen::Index c = 0; estimatesHold && c < mix.cols(); ++c) {
            const Eigen::VectorXd weights = mix.col(c).cwiseAbs();
            estimatesHold = mixedResidual.col(c).norm() <= weights.dot(estimated) + roundOff * weights.sum();
        }
        // In floating point a residual does not fall below the round-off of one product, about
        // epsilon lambda_max, however small Lanczos's own gets (1e-140 for the top pairs after a few
        // restarts): none is reported below that.
        residualNorms = estimated.cwiseMax(std::numeric_limits<double>::epsilon() * std::abs(values(0)));
    }
    if (!estimatesHold) {
        residualNorms = (product(vectors) - vectors * values.asDiagonal()).colwise().norm().transpose();
        columns += k;
        result.residualsMeasured = true;
    }
    result.residuals = residualNorms.cwiseQuotient(values.cwiseAbs());
    const bool valid = values(0) > 0 && (residualNorms.array() <= accepted).all();
    result.spectrum.eigenvalues = std::move(values);
    result.spectrum.eigenvectors = std::move(vectors);
    result.spectrum.status = valid ? SpectrumStatus::Ok : SpectrumStatus::NotConverged;
    result.products = columns;
    return result;
}

MatrixFreeSpectrum topSpectrumMatrixFree(const NtkOperator& op, int k, double tolerance, int layer) {
    return topEigenpairs([&op, layer](const Eigen::MatrixXd& v) { return op.applyLayer(layer, v); },
                         op.rows(), k, tolerance);
}

} // namespace ntk
