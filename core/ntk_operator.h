#pragma once
// The empirical NTK as an operator: Y = Theta V without forming the n x n matrix. Per layer l and output
// k, Theta_lk = (D_lk D_lk^T) o (c_w(l)^2 A_{l-1} A_{l-1}^T + c_b^2 1 1^T) (core/ntk.h), so its product
// with a vector v is, row by row,
//   (Theta_lk v)_i = c_w^2 d_i^T M a_i + c_b^2 d_i^T b,   M = D^T diag(v) A,   b = D^T v,
// one pass over the samples for the parameter-sized sums M and b, and a second for the rows: two GEMMs
// with the n x fan_in and n x fan_out factors, O(n fan_in fan_out) per layer and output instead of O(n^2).
// Just below the output layer the outputs share their slopes, D_k = S diag(c_w W[k, :]), so the traced
// kernel's share of that layer is one product with S diag(c_w |W[:, j]|) instead of one per output.
// Signals are recomputed block by block of samples in each pass, so memory stays that of a forward pass
// plus a block's signals and the parameter-sized sums, whatever n is.
//
// A data set too large for one machine can be split by samples: each process builds the operator on its
// own rows with a ShardExchange, which adds the parameter-sized sums over all processes (MPI_Allreduce)
// and gathers the rows of each product (MPI_Allgatherv). rows() is then the global n, and every process
// sees the same global vectors, so an eigen-solver runs unchanged, redundantly, on each.
#include "cancel.h"
#include "mlp.h"
#include "spectrum.h"
#include "symmetric_product.h"

#include <Eigen/Dense>
#include <cstddef>
#include <functional>

namespace ntk {

// How the processes that share a data set by samples combine their parts. Empty functions: one process.
struct ShardExchange {
    Eigen::Index globalRows = 0; // n over all processes
    Eigen::Index firstRow = 0;   // this process's first sample in the global order
    // Sums `count` doubles over all processes, in place; every process gets the same result.
    std::function<void(double* values, std::size_t count)> sum;
    // From each process's rows (local x m) the whole global x m matrix, in the global order, on every one.
    std::function<void(const Eigen::MatrixXd& local, Eigen::MatrixXd& global)> gatherRows;
    bool sharded() const { return bool(sum); }
};

struct NtkOperatorOptions {
    CancelFlag cancel = nullptr;
    // -1: the kernel summed over outputs (the run's kernel); k: output k's block Theta_k alone.
    int output = -1;
    // Samples per block of each pass (0: chosen so that a block's signals take about 32 MiB).
    Eigen::Index blockRows = 0;
    // Bytes of parameter-sized sums held at once (0: 64 MiB); products of more columns go in chunks.
    double sumBudgetBytes = 0.0;
    ShardExchange exchange; // default: one process holding every sample
};

class NtkOperator {
public:
    using Scalar = double; // for Spectra's solvers, which take any operator with perform_op()

    // `model` and `x` (this process's samples) are referred to, not copied: both must outlive the operator.
    NtkOperator(const Mlp& model, const Eigen::MatrixXd& x, NtkOperatorOptions options = {});
    NtkOperator(const Mlp& model, const Eigen::MatrixXd& x, CancelFlag cancel);
    NtkOperator(const Mlp& model, const Eigen::MatrixXd&& x, NtkOperatorOptions options = {}) = delete;
    // On a forward pass the caller already has (a trainer's epoch): referred to, it must outlive the
    // operator.
    NtkOperator(const Mlp& model, const ForwardCache& cache, NtkOperatorOptions options = {});
    NtkOperator(const Mlp& model, const ForwardCache&& cache, NtkOperatorOptions options = {}) = delete;

    Eigen::Index rows() const { return globalRows_; }
    Eigen::Index cols() const { return globalRows_; }
    Eigen::Index localRows() const { return localRows_; }
    int layerCount() const { return model_.shape().layerCount(); }

    // Theta V (n x m), or one layer's share Theta_l V (layers counted from 0, the first hidden layer, to
    // depth, the output layer). The layers' shares sum to Theta.
    Eigen::MatrixXd apply(const Eigen::MatrixXd& v) const;
    Eigen::MatrixXd applyLayer(int layer, const Eigen::MatrixXd& v) const;
    // Theta's diagonal (squared gradient norms, summed over outputs), exact: its sum is the exact trace.
    Eigen::VectorXd diagonal() const;
    Eigen::VectorXd layerDiagonal(int layer) const;
    // Every layer's diagonal at once (n x layerCount), from one walk down the layers.
    Eigen::MatrixXd layerDiagonals() const;

    // y = Theta x, for Spectra.
    void perform_op(const double* x, double* y) const;
    // Columns multiplied so far (a block of m columns counts m), and the seconds they took.
    long long products() const { return products_; }
    double productSeconds() const { return productSeconds_; }
    // Floating-point operations of one column's product, counted from the GEMMs (for throughput).
    double flopsPerColumn() const;

private:
    // Signals of one group of layers: the layers just below the output and the output layer (traced, with
    // the outputs' shared slopes), or the layers below those for one output k.
    enum class Group { Top, Deep };
    void setUp(); // checks the options, chooses block sizes
    Eigen::MatrixXd applyLocal(int only, const Eigen::MatrixXd& v) const;
    void addGroup(Group group, int output, int only, const Eigen::MatrixXd& v, Eigen::MatrixXd& out) const;
    // The signals of group/output for samples [first, first + count), layer by layer from the top:
    // calls visit(layer, signals) for each hidden layer from depth - 1 down to `lowest`.
    template <class Visit>
    void walkSignals(Group group, int output, int lowest, Eigen::Index first, Eigen::Index count,
                     Visit&& visit) const;
    bool wanted(int only, int layer) const { return only < 0 || only == layer; }
    Eigen::MatrixXd gathered(const Eigen::MatrixXd& local) const;
    Eigen::MatrixXd localPart(const Eigen::MatrixXd& global) const;

    const Mlp& model_;
    ForwardCache ownCache_;     // the forward pass over x, when the operator made it
    const ForwardCache& cache_; // ownCache_ or the caller's
    NtkOperatorOptions options_;
    Eigen::Index localRows_ = 0, globalRows_ = 0, blockRows_ = 0;
    Eigen::RowVectorXd topScale_; // c_w(depth) |W_depth[:, j]| (traced) or c_w W_depth[k, :] (output k)
    // Buffers of a product, kept from one to the next: a fresh n x width matrix per product is memory the
    // system maps and faults in anew each time (at n = 2000 that was a quarter of the product's time).
    // They make a product on one operator from two threads at once unsafe; nothing does that.
    struct Scratch {
        Eigen::VectorXd sums;
        Eigen::MatrixXd stacked, projected;
    };
    mutable Scratch scratch_;
    mutable long long products_ = 0;
    mutable double productSeconds_ = 0.0;
};

struct MatrixFreeSpectrum {
    Spectrum spectrum;         // top k, descending, with eigenvectors
    Eigen::VectorXd residuals; // |Theta v - lambda v| / lambda for each pair
    // false: the residuals are Lanczos's own (checked on random combinations of the pairs); true: they
    // did not hold, and each pair was multiplied by the operator
    bool residualsMeasured = false;
    long long products = 0; // operator columns used, the residual check included
};

// The k largest eigenpairs of a symmetric positive semi-definite n x n operator, given by its products,
// by restarted Lanczos (Spectra's SymEigsSolver) to a relative tolerance. The residuals are the Lanczos
// relation's, verified against the operator with two more products (each pair is measured if they do not
// hold). Status NotConverged if Lanczos did not converge or a pair's residual exceeds 1e-6 lambda_max.
// Requires 1 <= k < n.
MatrixFreeSpectrum topEigenpairs(const SymmetricProduct& product, Eigen::Index n, int k,
                                 double tolerance = 1e-10, CancelFlag cancel = nullptr);
// The kernel's (layer < 0) or one layer's top eigenpairs.
MatrixFreeSpectrum topSpectrumMatrixFree(const NtkOperator& op, int k, double tolerance = 1e-10,
                                         int layer = -1);

} // namespace ntk
