// libFuzzer target for ntk::parseSession (session files, the autosave, --session). Any bytes must either
// parse or be refused with a one-line error; what parses must survive sessionFileBytes and a second
// parse unchanged (a session promises to reopen exactly as it was saved).
#include "session.h"
#include "settings_table.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

void check(bool condition, const char* what) {
    if (!condition) {
        std::fprintf(stderr, "invariant broken: %s\n", what);
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QByteArray bytes =
        QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    QString error;
    const auto session = ntk::parseSession(bytes, "fuzz.json", error);
    if (!session) {
        check(!error.isEmpty(), "a refusal says why");
        check(!error.contains('\n') && !error.contains('\r'), "the error message is one line");
        return 0;
    }
    check(!ntk::validate(session->config).has_value(), "accepted settings are valid");
    check(!session->reference || session->reference->epochs <= session->reference->config.epochs,
          "the pinned epoch is within the reference's run");
    const QByteArray written = ntk::sessionFileBytes(*session);
    QString rereadError;
    const auto reread = ntk::parseSession(written, "written", rereadError);
    check(reread.has_value(), "the written session is accepted");
    check(ntk::sessionFileBytes(*reread) == written, "the written session reproduces itself");
    return 0;
}
