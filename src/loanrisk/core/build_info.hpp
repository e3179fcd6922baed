#pragma once
// Facts about this build, recorded in every bundle's lineage.

namespace loanrisk {

/// The git commit the binary was built from ("unknown" outside a checkout; "-dirty" when modified).
const char* git_commit();
/// The project version from CMakeLists.txt.
const char* version();

}  // namespace loanrisk
