// The unit-test runner: doctest with its own main. Component logs are off
// unless BATCHD_TEST_LOG names a level, e.g. BATCHD_TEST_LOG=debug.
#define DOCTEST_CONFIG_IMPLEMENT
#include "runtime/logging.hpp"

#include <doctest/doctest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  auto level = std::getenv("BATCHD_TEST_LOG");
  batch::configure_logging(level ? level : "off");
  return doctest::Context{argc, argv}.run();
}
