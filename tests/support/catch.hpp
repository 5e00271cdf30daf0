#pragma once
// The Catch2 the tests are built with: v2 (Debian 12, one header) or v3 (Debian 13, split
// headers, Approx and the substring matcher renamed). Tests include this file and write
// Approx and gad_test::contains, which mean the same under both.
#include <string>

#if GAD_TEST_CATCH2_MAJOR >= 3
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
using Catch::Approx;
namespace gad_test {
inline auto contains(const std::string& text) { return Catch::Matchers::ContainsSubstring(text); }
}  // namespace gad_test
#else
#include <catch2/catch.hpp>
namespace gad_test {
inline auto contains(const std::string& text) { return Catch::Matchers::Contains(text); }
}  // namespace gad_test
#endif
