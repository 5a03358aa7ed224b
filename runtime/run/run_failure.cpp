#include "run_failure.h"

#include "cancel.h"
#include "data_error.h"
#include "message_text.h"

#include <new>
#include <stdexcept>

namespace ntk {

std::optional<QString> failureMessage(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const Cancelled&) {
        return std::nullopt;
    } catch (const std::bad_alloc&) {
        return QString("out of memory: reduce n, width or depth");
    } catch (const DataError& e) { // already one line naming the file
        return singleLineMessage(QString::fromStdString(e.what()));
    } catch (const std::invalid_argument& e) { // settings the data or the model refuse
        return singleLineMessage(QString::fromStdString(e.what()));
    } catch (const std::logic_error& e) { // a state the program should not reach: say so, do not crash
        return singleLineMessage(QString("internal error: ") + e.what());
    } catch (const std::exception& e) {
        return singleLineMessage(QString::fromStdString(e.what()));
    } catch (...) {
        return QString("unknown error");
    }
}

} // namespace ntk
