// libFuzzer target for ntk::applyJson (config.json and --config files). Any JSON must either be
// applied or refused with a one-line error, and never half-applied; what is accepted must survive
// configFileBytes and a second applyJson unchanged (config.json promises to reproduce the run).
#include "settings_table.h"

#include <QJsonDocument>

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
    const QJsonDocument document = QJsonDocument::fromJson(
        QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size)));
    if (!document.isObject())
        return 0;
    const ntk::RunConfig defaults;
    ntk::RunConfig config = defaults;
    if (const auto error = ntk::applyJson(document.object(), config, "fuzz.json")) {
        check(!error->contains('\n') && !error->contains('\r'), "the error message is one line");
        // User text is quoted to at most 40 bytes (4 characters each when escaped as \xNN), so even the
        // longest message, an enum with its list of choices, stays far below this.
        check(error->size() <= 512, "the error message is short");
        check(ntk::configToJson(config) == ntk::configToJson(defaults), "a refused config changes nothing");
        return 0;
    }
    check(!ntk::validate(config).has_value(), "an accepted config is valid");
    const QJsonDocument written = QJsonDocument::fromJson(ntk::configFileBytes(config));
    ntk::RunConfig reread;
    check(written.isObject() && !ntk::applyJson(written.object(), reread, "written"),
          "the written config is accepted");
    check(ntk::configToJson(reread) == ntk::configToJson(config), "the written config reproduces it");
    return 0;
}
