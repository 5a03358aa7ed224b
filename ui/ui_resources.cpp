#include "ui_resources.h"

#include <QtGlobal>

// Q_INIT_RESOURCE must be used outside any namespace.
static void initResourcesQrc() {
    Q_INIT_RESOURCE(resources);
}

namespace ntk {

void registerUiResources() {
    static const bool registered = [] {
        initResourcesQrc();
        return true;
    }();
    (void)registered;
}

} // namespace ntk
