#include "shutdown_deadline.h"

#include <cstdio>
#include <cstdlib>

ShutdownDeadline::ShutdownDeadline(std::chrono::milliseconds limit, int exitCode) {
    watchdog_ = std::thread([this, limit, exitCode] {
        std::unique_lock lock(mutex_);
        if (finished_.wait_for(lock, limit, [this] { return done_; }))
            return;
        std::fputs("ntkviz: a computation that cannot be interrupted (the eigen-solver) is still running; "
                   "exiting without waiting for it\n",
                   stderr);
        std::fflush(stdout);
        std::fflush(stderr);
        std::quick_exit(exitCode);
    });
}

ShutdownDeadline::~ShutdownDeadline() {
    {
        std::lock_guard lock(mutex_);
        done_ = true;
    }
    finished_.notify_one();
    watchdog_.join();
}
