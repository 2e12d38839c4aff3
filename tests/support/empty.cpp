// Keeps the support library non-empty before any support code exists.
namespace dupstrip_test_support_anchor { int anchor = 0; }
