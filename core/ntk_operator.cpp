#include "ntk_operator.h"

#include <Spectra/SymEigsSolver.h>

#include <algorithm>
#include <stdexcept>

namespace ntk {
namespace {

// Spectra's solvers hold a non-const reference to the operator they are given.
struct SpectraProduct {
    using Scalar = double;
    const NtkOperator& op;
    Eigen::Index rows() const { return op.rows(); }
    Eigen::Index cols() const { return op.cols(); }
    void perform_op(const double* x, double* y) const { op.perform_op(x, y); }
};

} // namespace

NtkOperator::NtkOperator(const Mlp& model, const Eigen::MatrixXd& x, CancelFlag cancel)
    : model_(model)
    , cache_(model.forward(x))
    , n_(x.rows())
    , cancel_(cancel) {}

Eigen::MatrixXd NtkOperator::apply(const Eigen::MatrixXd& v) const {
    return applyLayer(-1, v);
}

Eigen::MatrixXd NtkOperator::applyLayer(int layer, const Eigen::MatrixXd& v) const {
    if (v.rows() != n_)
        throw std::invalid_argument("NtkOperator: the vectors have " + std::to_string(v.rows()) +
                                    " rows, the kernel " + std::to_string(n_));
    if (layer > model_.shape().depth)
        throw std::invalid_argument("NtkOperator: no layer " + std::to_string(layer));
    Eigen::MatrixXd out = Eigen::MatrixXd::Zero(n_, v.cols());
    accumulate(layer, &v, out);
    products_ += v.cols();
    return out;
}

Eigen::VectorXd NtkOperator::diagonal() const {
    return layerDiagonal(-1);
}

Eigen::VectorXd NtkOperator::layerDiagonal(int layer) const {
    if (layer > model_.shape().depth)
        throw std::invalid_argument("NtkOperator: no layer " + std::to_string(layer));
    Eigen::MatrixXd out = Eigen::MatrixXd::Zero(n_, 1);
    accumulate(layer, nullptr, out);
    return out.col(0);
}

void NtkOperator::perform_op(const double* x, double* y) const {
    const Eigen::MatrixXd in = Eigen::Map<const Eigen::VectorXd>(x, n_);
    Eigen::Map<Eigen::VectorXd>(y, n_) = apply(in).col(0);
}

void NtkOperator::accumulate(int only, const Eigen::MatrixXd* v, Eigen::MatrixXd& out) const {
    const MlpShape& shape = model_.shape();
    const int depth = shape.depth;
    const double cb2 = model_.biasScale() * model_.biasScale();
    auto wanted = [only](int l) { return only < 0 || only == l; };
    auto square = [](double s) { return s * s; };
    throwIfCancelled(cancel_);
    // The output layer: d_i = e_k for every point, so each output adds the layer's input kernel once.
    if (wanted(depth)) {
        const Eigen::MatrixXd& a = cache_.input(depth);
        const double cw2 = square(model_.weightScale(depth));
        if (v) {
            Eigen::MatrixXd share = cw2 * (a * (a.transpose() * *v));
            share.rowwise() += cb2 * v->colwise().sum();
            out += double(shape.outputs) * share;
        } else {
            out.col(0).array() += double(shape.outputs) * (cw2 * a.rowwise().squaredNorm().array() + cb2);
        }
    }
    if (only == depth)
        return;
    // The hidden layers, top down, one output's signals at a time: D_{l,k} = c_w(l+1) (D_{l+1,k} W_{l+1})
    // o phi'(z_l), starting from D_{depth,k} = e_k.
    Eigen::MatrixXd signals, weighted, back;
    for (int k = 0; k < shape.outputs; ++k) {
        for (int l = depth - 1; l >= 0 && (only < 0 || l >= only); --l) {
            throwIfCancelled(cancel_);
            const double cw = model_.weightScale(l + 1);
            if (l == depth - 1)
                signals =
                    cache_.slopes[l].array().rowwise() * (cw * model_.layers()[depth].weight.row(k)).array();
            else {
                back.noalias() = signals * model_.layers()[l + 1].weight;
                signals = (cw * back).cwiseProduct(cache_.slopes[l]);
            }
            if (!wanted(l))
                continue;
            const Eigen::MatrixXd& a = cache_.input(l);
            const double cw2 = square(model_.weightScale(l));
            if (!v) {
                out.col(0).array() +=
                    signals.rowwise().squaredNorm().array() * (cw2 * a.rowwise().squaredNorm().array() + cb2);
                continue;
            }
            for (Eigen::Index c = 0; c < v->cols(); ++c) {
                // (Theta_lk v)_i = c_w^2 d_i^T (D^T diag(v) A) a_i + c_b^2 d_i^T (D^T v)
                weighted = v->col(c).asDiagonal() * a;
                const Eigen::MatrixXd mixed = signals.transpose() * weighted; // fan_out x fan_in
                back.noalias() = signals * mixed;
                out.col(c) += cw2 * back.cwiseProduct(a).rowwise().sum();
                if (cb2 != 0.0)
                    out.col(c) += cb2 * (signals * (signals.transpose() * v->col(c)));
            }
        }
    }
}

MatrixFreeSpectrum topSpectrumMatrixFree(const NtkOperator& op, int k, double tolerance) {
    const Eigen::Index n = op.rows();
    if (k < 1 || k >= n)
        throw std::invalid_argument("topSpectrumMatrixFree: k = " + std::to_string(k) +
                                    " for n = " + std::to_string(n) + " (1 <= k < n)");
    const long long before = op.products();
    MatrixFreeSpectrum result;
    result.spectrum.status = SpectrumStatus::NotConverged;
    const Eigen::Index ncv = std::min<Eigen::Index>(n, std::max<Eigen::Index>(2 * Eigen::Index(k) + 1, 20));
    SpectraProduct product{op};
    Spectra::SymEigsSolver<SpectraProduct> solver(product, k, ncv);
    Eigen::VectorXd values;
    Eigen::MatrixXd vectors;
    try {
        solver.init();
        solver.compute(Spectra::SortRule::LargestAlge, 1000, tolerance);
        if (solver.info() == Spectra::CompInfo::Successful) {
            values = solver.eigenvalues(); // descending for LargestAlge
            vectors = solver.eigenvectors();
        }
    } catch (const Cancelled&) {
        throw;
    } catch (const std::runtime_error&) {
        // Spectra 1.0.1 can throw from its tridiagonal solve on a rank-deficient operator: not converged.
    }
    if (values.size() == k && vectors.cols() == k) {
        // Each pair is checked against the operator itself: Spectra 1.0.1 can report lost directions of a
        // rank-deficient kernel as converged (core/spectrum.cpp), and the dense solve is not there to fall
        // back on here. A pair counts when |Theta v - lambda v| <= 1e-6 lambda_max.
        const Eigen::MatrixXd residual = op.apply(vectors) - vectors * values.asDiagonal();
        result.residuals = residual.colwise().norm().transpose().cwiseQuotient(values.cwiseAbs());
        const bool valid = values(0) > 0 && (residual.colwise().norm().array() <= 1e-6 * values(0)).all();
        result.spectrum.eigenvalues = std::move(values);
        result.spectrum.eigenvectors = std::move(vectors);
        result.spectrum.status = valid ? SpectrumStatus::Ok : SpectrumStatus::NotConverged;
    }
    result.products = op.products() - before;
    return result;
}

} // namespace ntk
