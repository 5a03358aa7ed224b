#pragma once
// Bounds how long the app may take to end once the user has asked it to quit.
//
// Closing the window cancels the training run, and the NTK loops stop at their next check of the abort
// flag within milliseconds. LAPACK's eigen-solver (dsyevd) has no such check: the worker abandons it
// (core/abandonable.h) and the program joins it before exiting, and at n = 4000 it can run for seconds.
// Killing a thread is not possible in C++, so when the threads have not finished by the deadline the whole
// process ends with std::quick_exit, skipping the destructors that would join them.
//
// This is safe only because, by the time it is armed, everything the user owns is already on disk:
// MainWindow::closeEvent has saved the settings, written the autosave and marked the exit clean, and
// every file the program writes goes through writeFileAtomically (runtime/files/atomic_write.h: an
// unnamed temporary file, or QSaveFile where there is none, renamed over the target only when complete),
// so an abandoned thread can leave no half-written file behind.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

class ShutdownDeadline {
public:
    // From now on, the process has `limit` to reach this object's destructor, or it ends with `exitCode`.
    ShutdownDeadline(std::chrono::milliseconds limit, int exitCode);
    ~ShutdownDeadline(); // in time: disarms the deadline
    ShutdownDeadline(const ShutdownDeadline&) = delete;
    ShutdownDeadline& operator=(const ShutdownDeadline&) = delete;

private:
    std::mutex mutex_;
    std::condition_variable finished_;
    bool done_ = false;
    std::thread watchdog_;
};
