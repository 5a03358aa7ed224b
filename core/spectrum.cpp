#include "spectrum.h"

#include "abandonable.h"

#include <Eigen/Eigenvalues>
#ifdef NTKVIZ_HAVE_LAPACKE
#include <lapacke.h>
#endif
#include <Spectra/MatOp/DenseSymMatProd.h>
#include <Spectra/SymEigsSolver.h>
#include <algorithm>
#include <stdexcept>

namespace ntk {

std::string_view toString(SpectrumStatus status) {
    switch (status) {
    case SpectrumStatus::Ok:
        return "ok";
    case SpectrumStatus::NonFiniteInput:
        return "the kernel has non-finite entries";
    case SpectrumStatus::NotConverged:
        return "the eigen-solver did not converge";
    case SpectrumStatus::Empty:
        return "the kernel is empty";
    }
    return "?";
}

namespace {

void requireSquare(const Eigen::MatrixXd& kernel) {
    if (kernel.rows() != kernel.cols())
        throw std::invalid_argument("spectrum: the kernel matrix is not square");
}

// Pre-checks shared by both solvers; returns a finished Spectrum when there is nothing to solve.
std::optional<Spectrum> refuseUnsolvable(const Eigen::MatrixXd& kernel) {
    requireSquare(kernel);
    Spectrum refused;
    if (kernel.size() == 0)
        return refused;
    if (!kernel.allFinite()) {
        refused.status = SpectrumStatus::NonFiniteInput;
        return refused;
    }
    return std::nullopt;
}

// K x for Spectra, checking the cancel flag before each product: at n = 10,000 a top-64 Lanczos takes
// seconds, and a replaced run should let go within one product (milliseconds).
class CancellableProduct {
public:
    using Scalar = double;
    CancellableProduct(const Eigen::MatrixXd& kernel, CancelFlag cancel)
        : product_(kernel)
        , cancel_(cancel) {}
    Eigen::Index rows() const { return product_.rows(); }
    Eigen::Index cols() const { return product_.cols(); }
    void perform_op(const Scalar* x, Scalar* y) const {
        throwIfCancelled(cancel_);
        product_.perform_op(x, y);
    }

private:
    Spectra::DenseSymMatProd<double> product_;
    CancelFlag cancel_;
};

} // namespace

Spectrum fullSpectrum(const Eigen::MatrixXd& kernel, bool withVectors, CancelFlag cancel) {
    if (auto refused = refuseUnsolvable(kernel))
        return *refused;
#ifdef NTKVIZ_HAVE_LAPACKE
    // Divide and conquer (dsyevd): several times faster than Eigen's QR iterations at n in the thousands,
    // and the same routine numpy and PyTorch call. It cannot be interrupted, so a cancellable caller has
    // it run where it can be abandoned (on its own copy of the kernel, which LAPACK overwrites anyway).
    struct Solved {
        lapack_int info = 0;
        Eigen::MatrixXd work;
        Eigen::VectorXd ascending;
    };
    constexpr Eigen::Index smallestAbandonedSolve = 512; // below, the solve is over in milliseconds
    auto solve = [work = Eigen::MatrixXd(kernel), withVectors]() mutable {
        Solved solved;
        solved.ascending.resize(work.rows());
        solved.info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, withVectors ? 'V' : 'N', 'L', lapack_int(work.rows()),
                                     work.data(), lapack_int(work.rows()), solved.ascending.data());
        solved.work = std::move(work);
        return solved;
    };
    Solved solved =
        runAbandonable(kernel.rows() >= smallestAbandonedSolve ? cancel : nullptr, std::move(solve));
    Spectrum result;
    if (solved.info != 0) {
        result.status = SpectrumStatus::NotConverged;
        return result;
    }
    result.status = SpectrumStatus::Ok;
    result.complete = true;
    result.eigenvalues = solved.ascending.reverse();
    if (withVectors)
        result.eigenvectors = solved.work.rowwise().reverse();
    return result;
#else
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(kernel, withVectors ? Eigen::ComputeEigenvectors
                                                                              : Eigen::EigenvaluesOnly);
    Spectrum result;
    if (solver.info() != Eigen::Success) {
        result.status = SpectrumStatus::NotConverged;
        return result;
    }
    result.status = SpectrumStatus::Ok;
    result.complete = true;
    result.eigenvalues = solver.eigenvalues().reverse(); // Eigen sorts ascending
    if (withVectors)
        result.eigenvectors = solver.eigenvectors().rowwise().reverse();
    return result;
#endif
}

Spectrum topSpectrum(const Eigen::MatrixXd& kernel, int k, bool withVectors, CancelFlag cancel) {
    if (auto refused = refuseUnsolvable(kernel))
        return *refused;
    const Eigen::Index n = kernel.rows();
    if (k < 1)
        throw std::invalid_argument("topSpectrum: k must be at least 1");
    // The dense solve, cut to the top k.
    auto denseTopK = [&] {
        Spectrum full = fullSpectrum(kernel, withVectors, cancel);
        if (full.ok() && k < n) {
            full.eigenvalues.conservativeResize(k);
            if (withVectors)
                full.eigenvectors.conservativeResize(Eigen::NoChange, k);
            full.complete = false;
        }
        return full;
    };
    // Lanczos needs a Krylov space larger than k; when that is most of n the dense solver is as fast.
    if (2 * Eigen::Index(k) + 1 >= n)
        return denseTopK();
    CancellableProduct op(kernel, cancel);
    const Eigen::Index ncv = std::min<Eigen::Index>(n, std::max<Eigen::Index>(2 * k + 1, 20));
    Spectra::SymEigsSolver<CancellableProduct> solver(op, k, ncv);
    Spectrum result;
    Eigen::MatrixXd vectors;
    try {
        solver.init();
        solver.compute(Spectra::SortRule::LargestAlge, 1000, 1e-12);
        if (solver.info() != Spectra::CompInfo::Successful) {
            result.status = SpectrumStatus::NotConverged;
            return result;
        }
        result.eigenvalues = solver.eigenvalues(); // already descending for LargestAlge
        vectors = solver.eigenvectors();
    } catch (const Cancelled&) {
        throw;
    } catch (const std::runtime_error&) {
        // Spectra 1.0.1 (Debian 12) can throw from its tridiagonal solve on a rank-deficient kernel
        // ("TridiagEigen: eigen decomposition failed"); the check below sends it to the dense solve.
        result.eigenvalues.resize(0);
    }
    // On a rank-deficient kernel (width 1, or every weight zeroed by L1) Spectra 1.0.1's Lanczos can also
    // lose its way silently and report "converged" eigenvalues like 1e146 for a kernel of trace 600: it
    // tells a lost direction from round-off by an absolute threshold, not one relative to the kernel's
    // norm (later Spectra releases test this differently). So every Ritz pair must be an eigenpair of this
    // kernel, |K v - lambda v| <= 1e-8 |K|_F, or the dense solve gives the answer instead.
    const bool valid =
        result.eigenvalues.size() == k && vectors.cols() == k &&
        ((kernel * vectors - vectors * result.eigenvalues.asDiagonal()).colwise().norm().array() <=
         1e-8 * kernel.norm())
            .all();
    if (!valid)
        return denseTopK();
    result.status = SpectrumStatus::Ok;
    if (withVectors)
        result.eigenvectors = std::move(vectors);
    return result;
}

double kernelDistance(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    const double norms = a.norm() * b.norm();
    if (norms == 0.0)
        return 0.0;
    return 1.0 - a.cwiseProduct(b).sum() / norms;
}

double kernelDistance(const PackedSymmetricMatrix& a, const Eigen::MatrixXd& b) {
    const double norms = a.norm() * b.norm();
    if (norms == 0.0)
        return 0.0;
    return 1.0 - a.frobeniusInner(b) / norms;
}

double kernelTargetAlignment(const Eigen::MatrixXd& kernel, const Eigen::MatrixXd& targets) {
    // <K, Y Y^T> = trace(Y^T K Y) and |Y Y^T|_F = |Y^T Y|_F avoid forming the n x n target kernel.
    const double inner = (targets.transpose() * kernel * targets).trace();
    const double norms = kernel.norm() * (targets.transpose() * targets).norm();
    return norms == 0.0 ? 0.0 : inner / norms;
}

namespace {

// lambda_max, the top shares of the trace and the count of eigenvalues <= 0, from the top of a spectrum.
void addTop(KernelSummary& s, const Eigen::VectorXd& values) {
    s.lambdaMax = values[0];
    auto share = [&](Eigen::Index top) {
        return s.trace != 0.0 ? values.head(std::min(top, values.size())).sum() / s.trace : 0.0;
    };
    s.topShare1 = share(1);
    s.topShare5 = share(5);
    s.topShare10 = share(10);
    s.nonPositiveCount = int((values.array() <= 0.0).count());
}

} // namespace

KernelSummary summarizeTop(double exactTrace, const Spectrum& top) {
    KernelSummary s;
    s.trace = exactTrace;
    if (top.eigenvalues.size() > 0)
        addTop(s, top.eigenvalues);
    return s;
}

KernelSummary summarize(const Eigen::MatrixXd& kernel, const Spectrum& spectrum,
                        const PackedSymmetricMatrix* initial, const Eigen::MatrixXd* targets) {
    KernelSummary s;
    s.trace = kernel.trace();
    const double frobenius = kernel.norm();
    s.frobeniusNorm = frobenius;
    s.effectiveRank = frobenius > 0.0 ? s.trace * s.trace / (frobenius * frobenius) : 0.0;
    const Eigen::VectorXd& values = spectrum.eigenvalues;
    if (values.size() > 0) {
        addTop(s, values);
        if (spectrum.complete) {
            s.lambdaMin = values[values.size() - 1];
            if (*s.lambdaMin > 0.0)
                s.conditionNumber = s.lambdaMax / *s.lambdaMin;
        }
    }
    if (initial && initial->size() == kernel.rows() && kernel.rows() == kernel.cols())
        s.kernelDistance = kernelDistance(*initial, kernel);
    if (targets && targets->rows() == kernel.rows()) {
        s.targetAlignment = kernelTargetAlignment(kernel, *targets);
        if (spectrum.eigenvectors.cols() > 0) {
            const double total = targets->squaredNorm();
            const Eigen::MatrixXd projections = spectrum.eigenvectors.transpose() * *targets;
            s.targetEnergy = projections.rowwise().squaredNorm() / (total > 0.0 ? total : 1.0);
        }
    }
    return s;
}

} // namespace ntk
