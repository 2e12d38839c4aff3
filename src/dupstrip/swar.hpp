// Internal: byte tests on eight bytes at once in a 64-bit word (SWAR), shared by the scanners
// of the tokenizer, the raw-text pass of web pages, control-character blanking and JSON
// escaping. Each mask has the top bit of a byte set where the test holds for that byte, with
// no carry or borrow from one byte into the next, so the lowest set bit is the first byte in
// memory order on a little-endian machine.
#pragma once

#include <cstdint>
#include <cstring>

namespace dupstrip::detail::swar {

inline constexpr std::uint64_t ones = 0x0101010101010101ULL;
inline constexpr std::uint64_t tops = 0x8080808080808080ULL;
inline constexpr std::uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;

/// The eight bytes at p, in memory order.
inline std::uint64_t load8(const void* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

/// Bytes of x that are zero.
constexpr std::uint64_t zero_bytes(std::uint64_t x) noexcept { return ~(((x & low7) + low7) | x | low7); }

/// Bytes of w equal to c.
constexpr std::uint64_t bytes_equal(std::uint64_t w, unsigned char c) noexcept { return zero_bytes(w ^ (ones * c)); }

/// Bytes of x (every byte <= 0x7F) with lo <= byte <= hi (lo, hi <= 0x7F): x + (0x80 - lo)
/// has its top bit set iff x >= lo, and x + (0x7F - hi) iff x > hi.
constexpr std::uint64_t bytes_in_range(std::uint64_t x, std::uint64_t lo, std::uint64_t hi) noexcept {
  return (x + (0x80 - lo) * ones) & ~(x + (0x7F - hi) * ones) & tops;
}

/// Bytes of w that are ASCII (below 0x80).
constexpr std::uint64_t ascii_bytes(std::uint64_t w) noexcept { return ~w & tops; }

}  // namespace dupstrip::detail::swar
