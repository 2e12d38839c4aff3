#include <dupstrip/text.hpp>
#include <catch2/catch.hpp>
TEST_CASE("placeholder", "[unit]") {}
