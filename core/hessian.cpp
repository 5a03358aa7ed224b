#include "hessian.h"

#include "activation.h"
#include "loss.h"

#include <Spectra/SymEigsSolver.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace ntk {
namespace {

void checkShapes(const Mlp& model, const ForwardCache& cache, const CurvatureObjective& objective,
                 const LayerSet& direction) {
    const MlpShape& shape = model.shape();
    if (cache.inputCount() != shape.layerCount() || int(cache.slopes.size()) != shape.depth)
        throw std::invalid_argument("curvature: the forward pass does not belong to this model");
    if (!objective.targets || objective.targets->rows() != cache.output.rows() ||
        objective.targets->cols() != cache.output.cols())
        throw std::invalid_argument("curvature: the targets do not match the forward pass's outputs");
    if (direction.size() != model.layers().size())
        throw std::invalid_argument("curvature: the direction has " + std::to_string(direction.size()) +
                                    " layers, the model " + std::to_string(model.layers().size()));
    for (std::size_t l = 0; l < direction.size(); ++l)
        if (direction[l].weight.rows() != model.layers()[l].weight.rows() ||
            direction[l].weight.cols() != model.layers()[l].weight.cols() ||
            direction[l].bias.size() != model.layers()[l].bias.size())
            throw std::invalid_argument("curvature: layer " + std::to_string(l) +
                                        " of the direction is not shaped like the model's");
}

// The loss's Hessian in the outputs applied to R{f}, row by row.
Eigen::MatrixXd lossCurvatureTimes(LossKind loss, const Eigen::MatrixXd& output,
                                   const Eigen::MatrixXd& targets, const Eigen::MatrixXd& outputGradient,
                                   const Eigen::MatrixXd& rf) {
    const double n = double(output.rows());
    if (loss == LossKind::Mse)
        return rf / (n * double(output.cols()));
    // dL/df = (p - y) / n gives the softmax p back; (diag p - p p^T) r / n per row.
    const Eigen::MatrixXd p = n * outputGradient + targets;
    const Eigen::VectorXd pr = p.cwiseProduct(rf).rowwise().sum();
    return (p.cwiseProduct(rf) - (p.array().colwise() * pr.array()).matrix()) / n;
}

LayerSet curvatureProduct(bool fullHessian, const Mlp& model, const ForwardCache& cache,
                          const CurvatureObjective& objective, const LayerSet& v) {
    checkShapes(model, cache, objective, v);
    const MlpShape& shape = model.shape();
    const int depth = shape.depth;
    const LayerSet& layers = model.layers();
    const double cb = model.biasScale();

    // R-forward: R{z_l} = c_l (V_l a_{l-1} + W_l R{a_{l-1}}) + c_b v_b,l and R{a_l} = phi'(z_l) o R{z_l}.
    std::vector<Eigen::MatrixXd> rz(std::size_t(depth) + 1);
    for (int l = 0; l <= depth; ++l) {
        const double cw = model.weightScale(l);
        Eigen::MatrixXd r = cw * (cache.input(l) * v[l].weight.transpose());
        if (l > 0)
            r.noalias() += cw * (cache.slopes[l - 1].cwiseProduct(rz[l - 1]) * layers[l].weight.transpose());
        r.rowwise() += cb * v[l].bias.transpose();
        rz[l] = std::move(r);
    }

    Eigen::MatrixXd delta; // dL/dz_l, carried only for the full Hessian
    lossAndGradient(objective.loss, cache.output, *objective.targets, delta);
    Eigen::MatrixXd rDelta =
        lossCurvatureTimes(objective.loss, cache.output, *objective.targets, delta, rz[depth]);

    LayerSet out(layers.size());
    for (int l = depth; l >= 0; --l) {
        const double cw = model.weightScale(l);
        out[l].weight.noalias() = cw * (rDelta.transpose() * cache.input(l));
        out[l].bias = cb * rDelta.colwise().sum().transpose();
        if (fullHessian && l > 0) // the layer's input moves too: delta_l^T R{a_{l-1}}
            out[l].weight.noalias() += cw * (delta.transpose() * cache.slopes[l - 1].cwiseProduct(rz[l - 1]));
        if (l == 0)
            break;
        const Eigen::MatrixXd& slope = cache.slopes[l - 1];
        Eigen::MatrixXd back = cw * (rDelta * layers[l].weight);
        if (fullHessian) {
            const Eigen::MatrixXd upstream = cw * (delta * layers[l].weight); // dL/da_{l-1}
            back.noalias() += cw * (delta * v[l].weight);
            const Eigen::MatrixXd& a = cache.hidden[l - 1];
            Eigen::MatrixXd z;
            if (secondDerivativeNeedsPreActivations(shape.activation)) {
                z = model.weightScale(l - 1) * (cache.input(l - 1) * layers[l - 1].weight.transpose());
                z.rowwise() += cb * layers[l - 1].bias.transpose();
            }
            rDelta = back.cwiseProduct(slope) +
                     upstream.cwiseProduct(activationSecondDerivative(shape.activation, z, a, slope))
                         .cwiseProduct(rz[l - 1]);
            delta = upstream.cwiseProduct(slope);
        } else {
            rDelta = back.cwiseProduct(slope);
        }
    }
    if (fullHessian && objective.penalties.l2 != 0.0)
        for (std::size_t l = 0; l < out.size(); ++l) {
            out[l].weight += 2.0 * objective.penalties.l2 * v[l].weight;
            if (objective.penalties.penalizeBiases)
                out[l].bias += 2.0 * objective.penalties.l2 * v[l].bias;
        }
    return out;
}

// A curvature product on flat vectors, for Spectra, counting the products and checking for cancellation.
struct FlatCurvature {
    using Scalar = double;
    const Mlp& model;
    const ForwardCache& cache;
    const CurvatureObjective& objective;
    bool fullHessian;
    CancelFlag cancel;
    long long& products;
    Eigen::Index size;
    double shift = 0.0; // Lanczos sees A - shift I
    // Empty, or s = P^-1/2 of a diagonal preconditioner: then A is diag(s) H diag(s).
    Eigen::VectorXd scaling = {};
    Eigen::Index rows() const { return size; }
    Eigen::Index cols() const { return size; }
    Eigen::VectorXd apply(const Eigen::VectorXd& x) const {
        throwIfCancelled(cancel);
        ++products;
        if (scaling.size() == 0)
            return flatten(
                curvatureProduct(fullHessian, model, cache, objective, unflattenLike(model.layers(), x)));
        const Eigen::VectorXd scaled = scaling.cwiseProduct(x);
        return scaling.cwiseProduct(flatten(
            curvatureProduct(fullHessian, model, cache, objective, unflattenLike(model.layers(), scaled))));
    }
    void perform_op(const double* x, double* y) const {
        const Eigen::Map<const Eigen::VectorXd> in(x, size);
        Eigen::Map<Eigen::VectorXd>(y, size) = apply(in) - shift * in;
    }
};

// Restarts before a solve counts as not converged: bounds a live epoch's curvature at a few thousand
// products.
constexpr Eigen::Index maxRestarts = 100;

// One end of the spectrum, `count` eigenpairs in Spectra's order (descending); false if Lanczos failed.
bool solveEnd(FlatCurvature& op, int count, Spectra::SortRule rule, double tolerance,
              const Eigen::VectorXd& start, Eigen::VectorXd& values, Eigen::MatrixXd& vectors) {
    const Eigen::Index ncv =
        std::min<Eigen::Index>(op.size, std::max<Eigen::Index>(2 * Eigen::Index(count) + 1, 20));
    Spectra::SymEigsSolver<FlatCurvature> solver(op, count, ncv);
    try {
        if (start.size() == op.size && start.allFinite() && start.norm() > 0.0)
            solver.init(start.data());
        else
            solver.init();
        solver.compute(rule, maxRestarts, tolerance);
    } catch (const Cancelled&) {
        throw;
    } catch (const std::runtime_error&) {
        return false; // Spectra 1.0.1's tridiagonal solve can throw on a rank-deficient operator
    }
    if (solver.info() != Spectra::CompInfo::Successful)
        return false;
    values = solver.eigenvalues().array() + op.shift;
    vectors = solver.eigenvectors();
    return values.size() == count;
}

// The `largest` top and `smallest` bottom eigenpairs of op into result, each checked by its residual.
void solveExtremes(FlatCurvature& op, int largest, int smallest, double tolerance,
                   const CurvatureStart& start, CurvatureExtremes& result) {
    result.status = SpectrumStatus::NotConverged;
    Eigen::MatrixXd topVectors, bottomVectors;
    if (!solveEnd(op, largest, Spectra::SortRule::LargestAlge, tolerance, start.top, result.largest,
                  topVectors))
        return;
    if (smallest > 0) {
        // The bottom of a Hessian sits in its bulk near zero, where a tolerance relative to each eigenvalue
        // is out of reach. Shifted by lambda_max it becomes the end of largest magnitude, resolved to the
        // tolerance relative to the whole spectrum's width.
        op.shift = result.largest(0);
        const bool solved = solveEnd(op, smallest, Spectra::SortRule::SmallestAlge, tolerance, start.bottom,
                                     result.smallest, bottomVectors);
        op.shift = 0.0;
        if (!solved)
            return;
        result.smallest.reverseInPlace(); // Spectra sorts descending; ascending reads from the bottom up
        bottomVectors.rowwise().reverseInPlace();
    }
    // Every pair checked against the product itself (they are few): Lanczos can report a lost direction
    // as converged (core/spectrum.cpp). The scale is the spectrum's largest magnitude, so that a pair near
    // zero (the Hessian's bulk) is judged by what round-off allows, not by its own tiny eigenvalue.
    const double scale = std::max(std::abs(result.largest(0)),
                                  result.smallest.size() > 0 ? std::abs(result.smallest(0)) : 0.0);
    result.residuals.resize(largest + smallest);
    const auto check = [&](const Eigen::VectorXd& values, const Eigen::MatrixXd& vectors,
                           Eigen::Index offset) {
        for (Eigen::Index j = 0; j < values.size(); ++j)
            result.residuals(offset + j) =
                (op.apply(vectors.col(j)) - values(j) * vectors.col(j)).norm() / (scale > 0 ? scale : 1.0);
    };
    check(result.largest, topVectors, 0);
    check(result.smallest, bottomVectors, largest);
    result.vectors.top = topVectors.col(0);
    if (smallest > 0)
        result.vectors.bottom = bottomVectors.col(0);
    result.status = (result.residuals.array() <= std::max(1e-6, 10 * tolerance)).all()
                        ? SpectrumStatus::Ok
                        : SpectrumStatus::NotConverged;
}

} // namespace

LayerSet hessianVectorProduct(const Mlp& model, const ForwardCache& cache,
                              const CurvatureObjective& objective, const LayerSet& direction) {
    return curvatureProduct(true, model, cache, objective, direction);
}

LayerSet gaussNewtonVectorProduct(const Mlp& model, const ForwardCache& cache,
                                  const CurvatureObjective& objective, const LayerSet& direction) {
    return curvatureProduct(false, model, cache, objective, direction);
}

CurvatureExtremes curvatureExtremes(const Mlp& model, const ForwardCache& cache,
                                    const CurvatureObjective& objective, CurvatureMatrix matrix, int largest,
                                    int smallest, double tolerance, CancelFlag cancel,
                                    const CurvatureStart& start) {
    const Eigen::Index p = model.parameterCount();
    if (largest < 1 || smallest < 0 || Eigen::Index(largest) + smallest >= p)
        throw std::invalid_argument("curvatureExtremes: " + std::to_string(largest) + " largest and " +
                                    std::to_string(smallest) + " smallest of " + std::to_string(p) +
                                    " parameters (needs 1 <= largest and largest + smallest < P)");
    CurvatureExtremes result;
    FlatCurvature op{model, cache, objective, matrix == CurvatureMatrix::Hessian, cancel, result.products, p};
    solveExtremes(op, largest, smallest, tolerance, start, result);
    return result;
}

CurvatureExtremes preconditionedSharpness(const Mlp& model, const ForwardCache& cache,
                                          const CurvatureObjective& objective, const LayerSet& preconditioner,
                                          double tolerance, CancelFlag cancel, const CurvatureStart& start) {
    const Eigen::Index p = model.parameterCount();
    const Eigen::VectorXd diagonal = flatten(preconditioner);
    if (diagonal.size() != p || !(diagonal.array() > 0.0).all() || !diagonal.allFinite())
        throw std::invalid_argument("preconditionedSharpness: the preconditioner must be positive and shaped "
                                    "like the " +
                                    std::to_string(p) + " parameters");
    if (p < 2)
        throw std::invalid_argument("preconditionedSharpness: needs at least 2 parameters");
    CurvatureExtremes result;
    FlatCurvature op{model, cache, objective, true, cancel, result.products, p};
    op.scaling = diagonal.cwiseSqrt().cwiseInverse();
    solveExtremes(op, 1, 0, tolerance, start, result);
    return result;
}

} // namespace ntk
