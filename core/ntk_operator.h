#pragma once
// The empirical NTK as an operator: Y = Theta V for the kernel summed over outputs, without forming the
// n x n matrix. Per layer l and output k, Theta_lk = (D_lk D_lk^T) o (c_w(l)^2 A_{l-1} A_{l-1}^T + c_b^2 1
// 1^T) (core/ntk.h), so its product with a vector v is, row by row,
//   (Theta_lk v)_i = c_w^2 d_i^T (D^T diag(v) A) a_i + c_b^2 d_i^T (D^T v),
// two products with the n x fan_in and n x fan_out factors: O(n fan_in fan_out) per layer and output
// instead of O(n^2). The signals D_lk are recomputed for each product (output by output), so memory stays
// that of a forward pass plus one output's signals, O(n sum(width)), whatever n is.
#include "cancel.h"
#include "mlp.h"
#include "spectrum.h"

#include <Eigen/Dense>

namespace ntk {

class NtkOperator {
public:
    using Scalar = double; // for Spectra's solvers, which take any operator with perform_op()

    // `model` and `x` are referred to, not copied: both must outlive the operator.
    NtkOperator(const Mlp& model, const Eigen::MatrixXd& x, CancelFlag cancel = nullptr);
    NtkOperator(const Mlp& model, const Eigen::MatrixXd&& x, CancelFlag cancel = nullptr) = delete;

    Eigen::Index rows() const { return n_; }
    Eigen::Index cols() const { return n_; }

    // Theta V (n x m), or one layer's share Theta_l V (layers counted from 0, the first hidden layer, to
    // depth, the output layer). The layers' shares sum to Theta.
    Eigen::MatrixXd apply(const Eigen::MatrixXd& v) const;
    Eigen::MatrixXd applyLayer(int layer, const Eigen::MatrixXd& v) const;
    // Theta's diagonal (squared gradient norms, summed over outputs), exact: its sum is the exact trace.
    Eigen::VectorXd diagonal() const;
    Eigen::VectorXd layerDiagonal(int layer) const;

    // y = Theta x, for Spectra.
    void perform_op(const double* x, double* y) const;
    // Columns multiplied so far (a block of m columns counts m).
    long long products() const { return products_; }

private:
    // Adds layer `only`'s share (all layers when only < 0) of Theta V to `out`, or of the diagonal when
    // `v` is null.
    void accumulate(int only, const Eigen::MatrixXd* v, Eigen::MatrixXd& out) const;

    const Mlp& model_;
    ForwardCache cache_;
    Eigen::Index n_ = 0;
    CancelFlag cancel_ = nullptr;
    mutable long long products_ = 0;
};

struct MatrixFreeSpectrum {
    Spectrum spectrum;         // top k, descending, with eigenvectors
    Eigen::VectorXd residuals; // |Theta v - lambda v| / lambda for each pair
    long long products = 0;    // operator columns used, the residual check included
};

// The k largest eigenpairs of `op` by restarted Lanczos (Spectra's SymEigsSolver on the operator), to a
// relative tolerance; status NotConverged if Lanczos did not converge. Requires 1 <= k < n.
MatrixFreeSpectrum topSpectrumMatrixFree(const NtkOperator& op, int k, double tolerance = 1e-10);

} // namespace ntk
