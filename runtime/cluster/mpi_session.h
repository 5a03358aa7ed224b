#pragma once
// MPI for ntkviz-cli: started only when the process was launched by mpirun or srun (their environment
// says so), so that a plain `ntkviz-cli ...` never pays for MPI or depends on a launcher. Built with
// OpenMPI where CMake found it (NTKVIZ_HAVE_MPI); without it, a launch under mpirun is refused.
#include "process_group.h"

#include <QString>
#include <memory>
#include <optional>

namespace ntk {

class MpiSession {
public:
    // Calls MPI_Init when launched by an MPI launcher, and shares the machine's cores among the processes
    // on it (BLAS threads = cores / processes on this machine); does nothing otherwise.
    MpiSession(int& argc, char**& argv);
    ~MpiSession(); // MPI_Finalize
    MpiSession(const MpiSession&) = delete;
    MpiSession& operator=(const MpiSession&) = delete;

    // The processes of this launch, or null when there is only this one.
    ProcessGroup* group() const { return group_.get(); }
    int rank() const { return group_ ? group_->rank() : 0; }
    // Why this launch cannot go on (launched by mpirun, but built without MPI), or nullopt.
    std::optional<QString> problem() const { return problem_; }

private:
    std::unique_ptr<ProcessGroup> group_;
    std::optional<QString> problem_;
    bool initialized_ = false;
};

} // namespace ntk
