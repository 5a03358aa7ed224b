#pragma once
// Hands work from other threads to the thread an inbox lives in (the GUI thread, for the app).
//
// Queued signals would do the same, but Qt orders the emitting thread's copy of each argument before the
// receiver's use of it with its own mutex, inside libQt6Core, which ThreadSanitizer cannot see when Qt is
// not built with it. Under load TSan then reported those copies as races, and suppressing them needs the
// emitting side's stack, which TSan cannot always recover. Here the handoff is a std::mutex in our own
// code: the values a task captures are written before post() unlocks it and read after the receiving
// thread locks it, an order every tool can check. The queued call that wakes the receiver carries nothing.
#include <QObject>
#include <functional>
#include <mutex>
#include <vector>

namespace ntk {

class ThreadInbox : public QObject {
    Q_OBJECT
public:
    explicit ThreadInbox(QObject* parent = nullptr)
        : QObject(parent) {}

    // Callable from any thread: `task` runs later in this object's thread, after every task posted
    // before it. Tasks still queued when the inbox is destroyed are dropped without running.
    void post(std::function<void()> task);

    // Runs what is queued now, in this object's thread (the wake-up calls this; tests may too).
    Q_INVOKABLE void runPosted();

private:
    std::mutex mutex_;
    std::vector<std::function<void()>> tasks_;
    bool wakePending_ = false;
};

// Connects a signal that may be emitted in any thread so that `slot` runs in `inbox`'s thread with copies
// of the arguments, through the inbox instead of a queued connection (see above).
template <class Sender, class Signal, class Slot>
QMetaObject::Connection connectThroughInbox(const Sender* sender, Signal signal, ThreadInbox* inbox,
                                            Slot slot) {
    return QObject::connect(
        sender, signal, inbox,
        // The copies belong to the task alone: handed on as rvalues, a slot taking values can move them.
        [inbox, slot](const auto&... args) {
            inbox->post([slot, args...]() mutable { slot(std::move(args)...); });
        },
        Qt::DirectConnection);
}

} // namespace ntk
