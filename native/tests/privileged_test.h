// Tests that need root (network namespaces, veth, packet sockets, XDP): on a developer machine
// without the privilege they are skipped with the reason printed; under CI (.ci/run sets CI, and
// runs as root) the same condition is a failure, since these tests must run there.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

namespace sigwall::testing {

inline bool running_under_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0';
}

}  // namespace sigwall::testing

// Returns from the calling test (or SetUp) either way.
#define SIGWALL_SKIP_OR_FAIL_UNDER_CI(reason)                                          \
  do {                                                                                  \
    if (::sigwall::testing::running_under_ci()) GTEST_FAIL() << "must run under CI: " << (reason); \
    GTEST_SKIP() << (reason);                                                           \
  } while (0)

#define SIGWALL_REQUIRE_ROOT(reason) \
  do {                               \
    if (geteuid() != 0) SIGWALL_SKIP_OR_FAIL_UNDER_CI(reason); \
  } while (0)
